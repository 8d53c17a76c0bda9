package api_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/export"
)

// seedExportCounty writes a county whose history moves money every way an
// export shows: allocation, project, appropriation, a payment,
// payouts and a reversal.
func seedExportCounty(e *env) {
	e.t.Helper()
	fin := e.seedCounty("500000.00")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/projects", fin, map[string]any{"id": "P001", "name": "罗田村道路硬化", "village": "V001",
		"category": "infrastructure", "batch": "2019-1", "budget": "300000.00", "approval_doc": "某扶〔2019〕3号"}), 201)
	e.must(e.call("POST", L+"/projects/P001/appropriations", fin, map[string]any{"id": "AP1", "fund": "A1", "amount": "200000.00"}), 201)
	e.must(e.call("POST", L+"/projects/P001/payments", fin, map[string]any{"id": "PY1", "fund": "A1", "payee": "某建筑公司",
		"amount": "150000.00", "voucher_no": "凭证001", "method": "treasury"}), 201)
	e.must(e.call("POST", L+"/payouts", fin, payout("PO1", "A1", "3000.00")), 201)
	e.must(e.call("POST", L+"/payouts", fin, payout("PO2", "A1", "2000.00")), 201)
	e.must(e.call("POST", L+"/reversals", fin, map[string]any{"id": "RV1", "reverses": "PO2", "reason": "重复发放"}), 201)
}

// TestExportFromRunningServerEqualsOfflineExport: every format served by a
// running server is the file the offline export writes from the same
// store at the same sequence, with the file named by ledger and sequence.
func TestExportFromRunningServerEqualsOfflineExport(t *testing.T) {
	e := startEnv(t, "")
	seedExportCounty(e)
	_, aud := e.token("auditor", "")
	head, _, err := e.mgr.Head(context.Background(), county)
	if err != nil {
		t.Fatal(err)
	}
	type served struct {
		seq  uint64
		body []byte
	}
	got := map[string]served{}
	for _, f := range export.Formats {
		for _, cut := range []struct {
			asOf string
			seq  uint64
		}{{"", head}, {"4", 4}} {
			r := e.must(e.call("GET", "/v1/ledgers/"+county+"/export?format="+f.Name+"&as_of="+cut.asOf, aud, nil), 200)
			if ct := r.header.Get("Content-Type"); ct != f.ContentType {
				t.Errorf("%s: Content-Type %q", f.Name, ct)
			}
			want := fmt.Sprintf(`attachment; filename="%s-%d.%s"`, county, cut.seq, f.Ext)
			if cd := r.header.Get("Content-Disposition"); cd != want {
				t.Errorf("%s: Content-Disposition %q, want %q", f.Name, cd, want)
			}
			got[f.Name+"@"+cut.asOf] = served{cut.seq, r.raw}
		}
	}
	if csv := string(got["csv@"].body); !strings.HasPrefix(csv, "\ufeffseq,time,command,write_id,event_type,account,amount\r\n") ||
		!strings.Contains(csv, ",payee:某建筑公司,150000.00\r\n") {
		t.Errorf("csv lacks the BOM, the header or the payment:\n%s", csv)
	}
	e.stop()

	store, err := nats.Open(context.Background(), nats.Options{DataDir: e.dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for key, s := range got {
		name, _, _ := strings.Cut(key, "@")
		f, _ := export.Lookup(name)
		var buf bytes.Buffer
		if _, err := export.Write(context.Background(), store, county, s.seq, f, &buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), s.body) {
			t.Errorf("%s: served export (%d bytes) differs from the offline one (%d bytes)", key, len(s.body), buf.Len())
		}
	}

	// Each ndjson line is the record as stored, and re-hashes to its hash.
	lines := strings.Split(strings.TrimSuffix(string(got["ndjson@"].body), "\n"), "\n")
	if uint64(len(lines)) != head {
		t.Fatalf("%d ndjson lines, head %d", len(lines), head)
	}
	err = store.Read(context.Background(), county, 1, func(r eventstore.Record) error {
		line := lines[r.Seq-1]
		if line != string(r.Data) {
			return fmt.Errorf("line %d is not the stored record:\n%s\n%s", r.Seq, line, r.Data)
		}
		c, err := domain.UnmarshalCommit([]byte(line))
		if err != nil || c.ComputeHash() != c.Hash || c.Seq != r.Seq {
			return fmt.Errorf("line %d does not re-hash (%v)", r.Seq, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportAsOfTimeNamesTheLastCommitBeforeIt: a time cut exports the
// commits at or before it, and the file name says how far that is.
func TestExportAsOfTimeNamesTheLastCommitBeforeIt(t *testing.T) {
	// The writers' clock moves one second per commit: commit k is at
	// 2019-07-01 09:00:0k CST, so a time between two commits is known.
	e := startEnv(t, "", envOptions{clock: tick(time.Date(2019, 7, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))})
	seedExportCounty(e)
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county + "/export?format=ndjson"
	all := e.must(e.call("GET", L, aud, nil), 200)
	lines := strings.Split(strings.TrimSuffix(string(all.raw), "\n"), "\n")
	c5, err := domain.UnmarshalCommit([]byte(lines[4]))
	if err != nil || c5.Seq != 5 || !c5.Time.Equal(time.Date(2019, 7, 1, 1, 0, 5, 0, time.UTC)) {
		t.Fatalf("commit 5 at %v (%v), want 2019-07-01T01:00:05Z", c5.Time, err)
	}
	mid := "2019-07-01T09:00:05.5+08:00" // between commit 5 and commit 6
	r := e.must(e.call("GET", L+"&as_of="+url.QueryEscape(mid), aud, nil), 200)
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, county+"-5.ndjson") {
		t.Errorf("Content-Disposition %q, want seq 5", cd)
	}
	if want := strings.Join(lines[:5], "\n") + "\n"; string(r.raw) != want {
		t.Errorf("as of a time between 5 and 6:\n%s", r.raw)
	}
	// A date before the first commit, and a sequence past the head.
	if r := e.must(e.call("GET", L+"&as_of=2000-01-01", aud, nil), 400); r.errCode() != "invalid_request" {
		t.Errorf("before the first commit: %s", r.raw)
	}
	if r := e.must(e.call("GET", L+"&as_of=999", aud, nil), 400); !strings.Contains(r.errMessage(), "head") {
		t.Errorf("past the head: %s", r.raw)
	}
}

// TestExportChecksFormatRoleAndLedger: an unknown format is a 400 naming
// the field; the route needs an auditor (or finance, or admin) token for
// that ledger; an unknown ledger is a 404.
func TestExportChecksFormatRoleAndLedger(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("10.00")
	_, aud := e.token("auditor", "")
	_, other := e.token("auditor", "110101")
	L := "/v1/ledgers/" + county + "/export"
	for _, q := range []string{"?format=pdf", "", "?format=CSV"} {
		r := e.must(e.call("GET", L+q, aud, nil), 400)
		if b := r.body["error"].(map[string]any); b["field"] != "format" {
			t.Errorf("%s: %s", q, r.raw)
		}
	}
	e.must(e.call("GET", L+"?format=csv&as_of=yesterday", aud, nil), 400)
	e.must(e.call("GET", L+"?format=csv", "", nil), 401)
	e.must(e.call("GET", L+"?format=csv", other, nil), 403)
	e.must(e.call("GET", L+"?format=csv", fin, nil), 200)
	e.must(e.call("GET", L+"?format=iati", adminToken, nil), 200)
	e.must(e.call("GET", "/v1/ledgers/110101/export?format=ndjson", aud, nil), 404)
}

// tamperStore serves a store whose record bad has been altered (its actor
// changed, so its hash no longer matches its content).
type tamperStore struct {
	eventstore.Store
	bad uint64
}

func (s tamperStore) Read(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	return s.Store.Read(ctx, ledger, from, func(r eventstore.Record) error {
		if r.Seq == s.bad {
			r.Data = bytes.Replace(r.Data, []byte(`"actor":"`), []byte(`"actor":"mallory-`), 1)
		}
		return fn(r)
	})
}

// TestExportOfBrokenChainNeverLooksComplete: a chain broken before the
// first byte answers 503 ledger_damaged naming the commit; broken after
// the response has begun, the connection is aborted, so the client sees a
// failed download, never a short file that looks whole.
func TestExportOfBrokenChainNeverLooksComplete(t *testing.T) {
	bad := &tamperStore{}
	e := startEnv(t, "", envOptions{storeFor: func(s eventstore.Store) eventstore.Store { bad.Store = s; return bad }})
	fin := e.seedCounty("10.00")
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county
	// Enough history that the stream is well past its first chunk.
	var wg sync.WaitGroup
	ids := make(chan string)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				e.must(e.call("POST", L+"/households", fin, household(id)), 201)
			}
		}()
	}
	for i := range 120 {
		ids <- fmt.Sprintf("H%04d", 100+i)
	}
	close(ids)
	wg.Wait()
	head, _, _ := e.mgr.Head(context.Background(), county)

	bad.bad = 3
	for _, f := range []string{"ndjson", "csv", "xlsx", "iati"} {
		r := e.must(e.call("GET", L+"/export?format="+f, aud, nil), 503)
		if r.errCode() != "ledger_damaged" || !strings.Contains(r.errMessage(), "commit 3") || !strings.Contains(r.errMessage(), "as_of=2") {
			t.Errorf("%s: %s", f, r.raw)
		}
	}
	// The good history before the break can still be exported.
	e.must(e.call("GET", L+"/export?format=ndjson&as_of=2", aud, nil), 200)

	// Broken at the head: the ndjson stream (one line per commit) has
	// long begun and must fail; the csv (registrations move no money) is
	// still within its first chunk and answers the error itself.
	bad.bad = head
	req, _ := http.NewRequest("GET", e.url+L+"/export?format=ndjson", nil)
	req.Header.Set("Authorization", "Bearer "+aud)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, bufio.NewReader(res.Body))
	res.Body.Close()
	if res.StatusCode != 200 || err == nil {
		t.Errorf("ndjson: status %d, %d bytes read, error %v: want a 200 whose body fails", res.StatusCode, n, err)
	}
	// The ledger stays quarantined from the earliest damage found (commit 3).
	if r := e.must(e.call("GET", L+"/export?format=csv", aud, nil), 503); !strings.Contains(r.errMessage(), "commit 3") {
		t.Errorf("csv: %s", r.raw)
	}
	if !strings.Contains(e.logs.String(), "export aborted mid-stream: history damaged") {
		t.Errorf("no log line for the aborted export")
	}
}
