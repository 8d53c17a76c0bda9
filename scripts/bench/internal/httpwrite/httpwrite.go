// Package httpwrite measures writes through the HTTP API of a node wired as
// `serve` wires it (embedded JetStream with fsync before every ack, the
// projections following live, the real HTTP server on 127.0.0.1, clients in
// the same process, through a lean client of client.go): the latency of one command at light load and the
// commits/s of many clients, each next to the same work handed to the
// writer in-process (ledger.Manager.Submit) in the same run.
package httpwrite

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
	"github.com/fundledger/fundledger/scripts/bench/internal/writepath"
)

// Config sizes a run.
type Config struct {
	Single   int           // writes one after another for the latency
	Clients  int           // concurrent HTTP clients (and in-process writers)
	Duration time.Duration // of each throughput window
	// CPUProfile, if not empty, is a file for a CPU profile of the process
	// (server and clients) during the HTTP throughput window only.
	CPUProfile string
}

const code = "341504"

// Run answers latency_p50_ms and latency_p99_ms (one HTTP client; baseline:
// one in-process writer) and http_<clients> (baseline: as many in-process
// writers); context goes to log.
func Run(ctx context.Context, cfg Config, log io.Writer) ([]figure.Figure, error) {
	dir, err := os.MkdirTemp("", "fundledger-httpwrite-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	_, finance, err := n.Tokens.Issue(api.RoleFinance, "", "bench")
	if err != nil {
		return nil, err
	}
	if _, err := n.Manager.Submit(ctx, code, ledger.Request{Command: domain.OpenLedger{Code: code, Name: "某县"}}); err != nil {
		return nil, err
	}
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n.Serve(ln)
	path := "/v1/ledgers/" + code + "/allocations"
	cl := newClient(ln.Addr().String(), cfg.Clients)
	defer cl.close()
	header := []string{"Authorization: Bearer " + finance, "Content-Type: application/json"}
	var next atomic.Int64
	post := func() error {
		body := fmt.Sprintf(`{"id":"H%d","source_level":"county","programme":"区本级财政专项扶贫资金","fiscal_year":2019,"document_no":"光财〔2019〕8号","amount":"100.00"}`, next.Add(1))
		status, err := cl.post(path, header, []byte(body))
		if err != nil {
			return err
		}
		if status != http.StatusCreated {
			return fmt.Errorf("POST allocations: %d %s", status, http.StatusText(status))
		}
		return nil
	}
	submit := func() error {
		_, err := n.Manager.Submit(ctx, code, ledger.Request{Actor: "bench", Command: domain.Allocate{
			ID: fmt.Sprintf("M%d", next.Add(1)), SourceLevel: "county", Programme: "区本级财政专项扶贫资金", FiscalYear: 2019,
			DocumentNo: "光财〔2019〕8号", Amount: "100.00"}})
		return err
	}
	if err := post(); err != nil { // the connection and the route, warm
		return nil, err
	}
	httpLat, err := latencies(cfg.Single, post)
	if err != nil {
		return nil, err
	}
	inLat, err := latencies(cfg.Single, submit)
	if err != nil {
		return nil, err
	}
	var failed atomic.Int64
	count := func(op func() error) func() error {
		return func() error {
			err := op()
			if err != nil {
				failed.Add(1)
			}
			return err
		}
	}
	stop, err := startProfile(cfg.CPUProfile)
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	g0 := groups(base)
	cpu0 := cpuTime()
	viaHTTP := writepath.Measure(cfg.Duration, cfg.Clients, count(post))
	cpuHTTP := cpuTime() - cpu0
	g1 := groups(base)
	stop()
	cpu0 = cpuTime()
	direct := writepath.Measure(cfg.Duration, cfg.Clients, count(submit))
	cpuDirect := cpuTime() - cpu0
	g2 := groups(base)
	if f := failed.Load(); f > 0 {
		return nil, fmt.Errorf("%d writes failed under load", f)
	}
	fmt.Fprintf(log, "# one HTTP client, %d writes: p50 %.3f ms, p99 %.3f ms; in-process: p50 %.3f ms, p99 %.3f ms\n",
		cfg.Single, pct(httpLat, 0.5), pct(httpLat, 0.99), pct(inLat, 0.5), pct(inLat, 0.99))
	fmt.Fprintf(log, "# %d HTTP clients: %.0f commits/s; %d in-process writers: %.0f commits/s\n", cfg.Clients, viaHTTP, cfg.Clients, direct)
	// The process's CPU time per commit in each window (clients included):
	// on a shared machine this, not the wall clock, says what a commit costs.
	fmt.Fprintf(log, "# CPU per commit: HTTP %.0f µs (%.2f cores busy), in-process %.0f µs (%.2f cores busy)\n",
		perCommit(cpuHTTP, viaHTTP, cfg.Duration), cpuHTTP.Seconds()/cfg.Duration.Seconds(),
		perCommit(cpuDirect, direct, cfg.Duration), cpuDirect.Seconds()/cfg.Duration.Seconds())
	// Commits per group commit: per-group work (the store's append and
	// fsync, the head witness) is shared by fewer commits when groups
	// are smaller.
	fmt.Fprintf(log, "# commits per group commit: HTTP %.1f, in-process %.1f\n", g1.sub(g0), g2.sub(g1))
	return []figure.Figure{
		{Name: "latency_p50_ms", Value: pct(httpLat, 0.5), Unit: "ms", Baseline: pct(inLat, 0.5)},
		{Name: "latency_p99_ms", Value: pct(httpLat, 0.99), Unit: "ms", Baseline: pct(inLat, 0.99)},
		{Name: fmt.Sprintf("http_%d", cfg.Clients), Value: viaHTTP, Unit: "commits/s", Baseline: direct},
	}, nil
}

// startProfile starts a CPU profile into path (nothing if path is empty)
// and answers the function that ends it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// counts are the server's commit counters, read from its /metrics.
type counts struct{ commits, groups float64 }

// sub answers the commits per group between c0 and c (0 if unknown).
func (c counts) sub(c0 counts) float64 {
	if c.groups <= c0.groups {
		return 0
	}
	return (c.commits - c0.commits) / (c.groups - c0.groups)
}

// groups reads fundledger_commits_total and fundledger_group_commits_total
// from the server at base; zero counts if it cannot.
func groups(base string) counts {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return counts{}
	}
	defer res.Body.Close()
	var c counts
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), " ")
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "fundledger_commits_total":
			c.commits = v
		case "fundledger_group_commits_total":
			c.groups = v
		}
	}
	return c
}

// cpuTime answers the process's CPU time so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perCommit answers the CPU microseconds per commit of a window of d at
// rate commits/s that took cpu.
func perCommit(cpu time.Duration, rate float64, d time.Duration) float64 {
	if rate == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / (rate * d.Seconds())
}

// latencies runs op n times one after another and answers each duration,
// sorted.
func latencies(n int, op func() error) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		if err := op(); err != nil {
			return nil, err
		}
		out = append(out, time.Since(t0))
	}
	slices.Sort(out)
	return out, nil
}

// pct answers the p-th percentile of sorted durations in milliseconds.
func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(float64(len(sorted)-1)*p)].Microseconds()) / 1000
}
