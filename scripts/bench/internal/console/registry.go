package console

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/sheet"
)

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

var (
	registryHeader = []string{"序号", "户编号", "村", "户主姓名", "身份证号", "人口数", "类别", "状态", "开户银行", "银行卡号"}
	categoryWords  = map[string]string{"ordinary": "一般户", "dibao": "低保户", "wubao": "五保户"}
)

// registryFiles answers the import's files: households [0, rows) in files
// of at most domain.MaxRegisterRows rows, with the clerks' headers and
// words, the village by name.
func registryFiles(rows int, format string) ([][]byte, error) {
	var out [][]byte
	for _, c := range registries(rows) {
		recs := [][]string{registryHeader}
		for i, h := range c.Households {
			v, _ := strconv.Atoi(strings.TrimPrefix(h.Village, "V"))
			recs = append(recs, []string{strconv.Itoa(i + 1), h.ID, fmt.Sprintf("第%d村", v), h.HeadName, h.IDNumber,
				strconv.Itoa(h.Members), categoryWords[h.Category], "贫困户", h.BankName, h.BankAccount})
		}
		b, err := encodeTable(recs, format)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func encodeTable(recs [][]string, format string) ([]byte, error) {
	if format == "csv" {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(recs); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	for i, r := range recs {
		row := make([]any, len(r))
		for j, c := range r {
			row[j] = c // text cells, as a clerk's sheet keeps ID and card numbers
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// importPhase imports the registry twice into fresh ledgers: once as the
// commands submitted to ledger.Manager directly (the baseline: no HTTP, no
// file), once as files POSTed to …/households/import (the figure), each
// until the projections show the households.
func (b *bench) importPhase(ctx context.Context) error {
	files, err := registryFiles(b.cfg.ImportRows, b.cfg.Format)
	if err != nil {
		return err
	}
	size := 0
	for _, f := range files {
		size += len(f)
	}
	fmt.Fprintf(b.cfg.Log, "# registry: %d rows in %d %s files (%.1f MiB in all)\n", b.cfg.ImportRows, len(files), b.cfg.Format, float64(size)/(1<<20))

	// Parsing alone, in this process: what the server does with a file
	// before it decides anything (read, map the columns, build the command).
	start := time.Now()
	for _, f := range files {
		var rows []sheet.Row
		lim := sheet.Limits{MaxRows: domain.MaxRegisterRows + 1, MaxExpanded: 64 << 20}
		if b.cfg.Format == "csv" {
			rows, err = sheet.ReadCSV(f, lim)
		} else {
			rows, err = sheet.ReadXLSX(f, lim)
		}
		if err != nil {
			return err
		}
		t, err := sheet.NewTable(rows, sheet.HouseholdColumns)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for v := range villages {
			names[fmt.Sprintf("第%d村", v)] = fmt.Sprintf("V%03d", v)
			names[fmt.Sprintf("V%03d", v)] = fmt.Sprintf("V%03d", v)
		}
		if _, problems := sheet.Households(t, names); len(problems) > 0 {
			return fmt.Errorf("the generated file has problems: %v", problems[0])
		}
	}
	parse := time.Since(start)

	const direct, viaHTTP = "341521", "341522"
	for _, l := range []string{direct, viaHTTP} {
		if _, err := openLedger(ctx, b.n.Manager, l); err != nil {
			return err
		}
	}
	base := measure(func() error {
		for _, c := range registries(b.cfg.ImportRows) {
			if _, err := submit(ctx, b.n.Manager, direct, c); err != nil {
				return err
			}
		}
		return b.visible(ctx, direct)
	})
	if base.err != nil {
		return base.err
	}
	fig := measure(func() error {
		for i, f := range files {
			if err := b.post(viaHTTP, f); err != nil {
				return fmt.Errorf("file %d: %w", i+1, err)
			}
		}
		return b.visible(ctx, viaHTTP)
	})
	if fig.err != nil {
		return fig.err
	}
	rows := float64(b.cfg.ImportRows)
	fmt.Fprintf(b.cfg.Log, "# baseline: the same %d households as %d RegisterHouseholds commands to ledger.Manager.Submit, in %s; heap peak %.0f MiB (from %.0f), VmHWM %.0f MiB (VmRSS before %.0f)\n",
		b.cfg.ImportRows, len(files), base.took.Round(time.Millisecond), mib(base.peakHeap), mib(base.heapBefore), mib(base.hwm), mib(base.rssBefore))
	fmt.Fprintf(b.cfg.Log, "# parsing the files alone (sheet.Read*, NewTable, Households): %s, %.0f rows/s\n", parse.Round(time.Millisecond), rows/parse.Seconds())
	b.figure("import_total", fig.took.Seconds(), "s", base.took.Seconds())
	b.figure("import_rate", rows/fig.took.Seconds(), "rows/s", rows/base.took.Seconds())
	b.figure("import_parse_rate", rows/parse.Seconds(), "rows/s", rows/base.took.Seconds())
	b.figure("import_heap_peak", mib(fig.peakHeap), "MiB", mib(fig.heapBefore))
	b.figure("import_rss_peak", mib(fig.hwm), "MiB", mib(fig.rssBefore))
	return nil
}

// post sends one registry file to …/households/import and wants 201.
func (b *bench) post(ledgerCode string, file []byte) error {
	ct := "text/csv"
	if b.cfg.Format == "xlsx" {
		ct = mimeXLSX
	}
	req, _ := http.NewRequest("POST", b.base+"/v1/ledgers/"+ledgerCode+"/households/import", bytes.NewReader(file))
	req.Header.Set("Authorization", "Bearer "+b.finance)
	req.Header.Set("Content-Type", ct)
	r, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST households/import: %d %.300s", r.StatusCode, body)
	}
	return nil
}

// visible waits until the projections show every household written: a
// list read waits for the writes acknowledged before it.
func (b *bench) visible(ctx context.Context, ledgerCode string) error {
	st, body, err := b.get(b.base + "/v1/ledgers/" + ledgerCode + "/households?page_size=1")
	if err != nil || st != 200 {
		return fmt.Errorf("households list: %d %.200s %v", st, body, err)
	}
	return nil
}

// usage is what one measured step took, and the memory around it.
type usage struct {
	took                 time.Duration
	heapBefore, peakHeap uint64 // runtime.MemStats.HeapInuse
	rssBefore, hwm       uint64 // VmRSS before, VmHWM during (bytes)
	err                  error
}

// measure runs fn after a GC, sampling the heap in use every 20 ms, and
// resets the kernel's high-water mark of the RSS first (clear_refs 5), so
// that VmHWM afterwards is fn's peak.
func measure(fn func() error) usage {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u := usage{heapBefore: ms.HeapInuse, peakHeap: ms.HeapInuse, rssBefore: procStatus("VmRSS")}
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				var s runtime.MemStats
				runtime.ReadMemStats(&s)
				u.peakHeap = max(u.peakHeap, s.HeapInuse)
			}
		}
	}()
	start := time.Now()
	u.err = fn()
	u.took = time.Since(start)
	close(done)
	wg.Wait()
	u.hwm = procStatus("VmHWM")
	return u
}

// procStatus answers a kB field of /proc/self/status in bytes (Linux).
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10
		}
	}
	return 0
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
