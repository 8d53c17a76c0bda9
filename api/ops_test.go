package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestLogsNameRequestsButNoSecrets: every request is logged with a request
// id, and neither tokens nor ID or bank numbers reach the log.
func TestLogsNameRequestsButNoSecrets(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("10.00")
	e.call("POST", "/v1/ledgers/"+county+"/households", fin, household("H0003"), "X-Request-Id", "req-abc")
	e.call("GET", "/v1/ledgers/"+county+"/balances/households/H0003", fin, nil)
	e.call("GET", "/v1/ledgers/"+county+"/summary", "flt_wrong-token", nil)
	logs := e.logs.String()
	for _, secret := range []string{fin, adminToken, "flt_wrong-token", idNumber("34150419800101001"), testBankAcct, "张三"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q", secret)
		}
	}
	found := false
	for _, line := range strings.Split(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["msg"] != "http request" {
			continue
		}
		if m["request_id"] == "req-abc" && m["route"] == "/v1/ledgers/:ledger/households" && m["status"] == float64(201) && m["actor"] != nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("no request log line with request id, route, status and actor:\n%s", logs)
	}
}

// TestHealthReadinessAndMetrics answer without a token.
func TestHealthReadinessAndMetrics(t *testing.T) {
	e := startEnv(t, "")
	e.seedCounty("10.00")
	e.must(e.call("GET", "/healthz", "", nil), 200)
	deadline := time.Now().Add(5 * time.Second)
	for e.call("GET", "/readyz", "", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("not ready within 5s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := e.must(e.call("GET", "/metrics", "", nil), 200)
	for _, want := range []string{"fundledger_commits_total", "fundledger_commit_seconds_bucket", "fundledger_group_commit_size_bucket",
		`fundledger_projection_lag_commits{ledger="341504"}`, `fundledger_http_requests_total{method="POST",route="/v1/ledgers/:ledger/allocations",status="201"} 1`} {
		if !strings.Contains(string(r.raw), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestReadsCarrySeqHeadHashAndAsOf: every read has seq and head_hash, and
// as_of (a sequence, a date or a time) reads the past: a sequence or a time
// what the ledger held then, a date the writes dated on or before it. The writers' clock
// is the test's, so each commit's record time is known, not slept for.
func TestReadsCarrySeqHeadHashAndAsOf(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	var clock atomic.Int64
	at := func(day, hour int) { clock.Store(time.Date(2019, 7, day, hour, 0, 0, 0, cst).UnixNano()) }
	at(1, 9)
	e := startEnv(t, "", envOptions{clock: func() time.Time { return time.Unix(0, clock.Load()) }})
	fin := e.seedCounty("10.00")
	L := "/v1/ledgers/" + county
	at(2, 10) // 2019-07-02 10:00 CST
	first := e.must(e.call("POST", L+"/payouts", fin, payout("PO1", "A1", "4.00")), 201)
	at(3, 10) // 2019-07-03 10:00 CST
	second := e.must(e.call("POST", L+"/payouts", fin, payout("PO2", "A1", "5.00")), 201)
	now := e.must(e.call("GET", L+"/balances/funds/A1", fin, nil), 200)
	if now.str("balance") != "1.00" || now.num("seq") != second.num("seq") || now.str("head_hash") != second.str("hash") {
		t.Fatalf("live read %s, after write %s", now.raw, second.raw)
	}
	past := e.must(e.call("GET", L+"/balances/funds/A1?as_of="+fmt.Sprint(first.num("seq")), fin, nil), 200)
	if past.str("balance") != "6.00" || past.str("head_hash") != first.str("hash") {
		t.Fatalf("as_of seq read %s", past.raw)
	}
	for asOf, want := range map[string]struct{ balance, hash string }{
		"2019-07-02":                {"6.00", second.str("hash")}, // a business cut: dated that day or before, known at the head
		"2019-07-03T09:59:59+08:00": {"6.00", first.str("hash")},  // just before the second payout
		"2019-07-03T02:00:00Z":      {"1.00", second.str("hash")}, // its own time, in UTC
		"2019-07-03":                {"1.00", second.str("hash")},
		"2019-07-01":                {"10.00", second.str("hash")},
	} {
		r := e.must(e.call("GET", L+"/balances/funds/A1?as_of="+url.QueryEscape(asOf), fin, nil), 200)
		if r.str("balance") != want.balance || r.str("head_hash") != want.hash {
			t.Errorf("as_of %s: balance %s head_hash %.8s, want %s %.8s", asOf, r.str("balance"), r.str("head_hash"), want.balance, want.hash)
		}
	}
	// PO1 and PO2 paid the same item for the same period to H0001.
	f := e.must(e.call("GET", L+"/findings", fin, nil), 200)
	if n, _ := f.body["count"].(map[string]any)["duplicate_payout"].(float64); n != 1 {
		t.Errorf("findings %s, want one duplicate_payout", f.raw)
	}
	for _, p := range []string{"/summary", "/findings", "/balances/villages/V001", "/balances/pools/poverty", "/balances/sources/central"} {
		r := e.must(e.call("GET", L+p, fin, nil), 200)
		if r.num("seq") != second.num("seq") || len(r.str("head_hash")) != 64 {
			t.Errorf("%s lacks seq/head_hash: %.200s", p, r.raw)
		}
	}
	e.must(e.call("GET", L+"/summary?as_of=yesterday-ish", fin, nil), 400)
	v := e.must(e.call("GET", L+"/verify", fin, nil), 200)
	if v.body["valid"] != true || v.str("head_hash") != second.str("hash") {
		t.Fatalf("verify %s", v.raw)
	}
	pv := e.must(e.call("GET", fmt.Sprintf("/v1/public/ledgers/%s/verify?seq=%v&hash=%s", county, first.num("seq"), first.str("hash")), "", nil), 200)
	if pv.body["valid"] != true {
		t.Fatalf("public verify %s", pv.raw)
	}
	pv = e.must(e.call("GET", fmt.Sprintf("/v1/public/ledgers/%s/verify?seq=%v&hash=%s", county, first.num("seq"), second.str("hash")), "", nil), 200)
	if pv.body["valid"] != false {
		t.Fatalf("public verify of a wrong hash %s", pv.raw)
	}
}

// TestEventsPageFilterAndFollow pages the log, filters it, and follows a
// new commit over Server-Sent Events.
func TestEventsPageFilterAndFollow(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("10.00")
	L := "/v1/ledgers/" + county
	p := e.must(e.call("GET", L+"/events?limit=2", fin, nil), 200)
	commits := p.body["commits"].([]any)
	if len(commits) != 2 || p.num("next_from_seq") != 3 {
		t.Fatalf("first page %s", p.raw)
	}
	f := e.must(e.call("GET", L+"/events?type=household.registered", fin, nil), 200)
	if n := len(f.body["commits"].([]any)); n != 2 {
		t.Fatalf("type filter found %d commits", n)
	}
	a := e.must(e.call("GET", L+"/events?actor=nobody", fin, nil), 200)
	if n := len(a.body["commits"].([]any)); n != 0 {
		t.Fatalf("actor filter found %d commits", n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+L+"/events?type=payout.made", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+fin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	w := e.must(e.call("POST", L+"/payouts", fin, payout("PO9", "A1", "1.00")), 201)
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "data: ") {
			var c map[string]any
			if err := json.Unmarshal([]byte(line[6:]), &c); err != nil {
				t.Fatal(err)
			}
			if c["seq"] != w.num("seq") {
				t.Fatalf("streamed commit %v, written %v", c["seq"], w.num("seq"))
			}
			return
		}
	}
	t.Fatalf("stream ended without the commit: %v", sc.Err())
}

// TestPayoutBatchUploads accepts CSV and XLSX files with the batch header in
// the query, and judges their size by the upload limit.
func TestPayoutBatchUploads(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100.00")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/households", fin, household("H0003")), 201)
	q := "?id=%s&fund=A1&item=光伏扶贫补助&period=2019&control_count=2&control_amount=%s"

	csvBody := "\ufeffhousehold,amount\nH0001,10.00\nH0003,5.50\n"
	req, _ := http.NewRequest("POST", e.url+L+"/payout-batches"+fmt.Sprintf(q, "B-CSV", "15.50"), strings.NewReader(csvBody))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+fin)
	e.must(e.send(req), 201)

	x := excelize.NewFile()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"household", "amount"})
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{"H0001", "1.00"})
	_ = x.SetSheetRow("Sheet1", "A3", &[]any{"H0003", "2.00"})
	var xb bytes.Buffer
	_ = x.Write(&xb)
	var mb bytes.Buffer
	mw := multipart.NewWriter(&mb)
	fw, _ := mw.CreateFormFile("file", "batch.xlsx")
	fw.Write(xb.Bytes())
	mw.Close()
	req, _ = http.NewRequest("POST", e.url+L+"/payout-batches"+fmt.Sprintf(q, "B-XLSX", "3.00"), &mb)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+fin)
	e.must(e.send(req), 201)

	req, _ = http.NewRequest("POST", e.url+L+"/payout-batches"+fmt.Sprintf(q, "B-BAD", "9.00"), strings.NewReader(csvBody))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+fin)
	if r := e.send(req); r.status != 422 || r.errCode() != "control_mismatch" {
		t.Fatalf("control mismatch upload: %d %s", r.status, r.raw)
	}
	big := strings.Repeat("H0001,1.00\n", (17<<20)/11)
	req, _ = http.NewRequest("POST", e.url+L+"/payout-batches"+fmt.Sprintf(q, "B-BIG", "1.00"), strings.NewReader("household,amount\n"+big))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+fin)
	if r := e.send(req); r.status != 413 {
		t.Fatalf("17 MiB upload: %d %.200s", r.status, r.raw)
	}
	r := e.must(e.call("GET", L+"/balances/funds/A1", fin, nil), 200)
	if r.str("balance") != "81.50" {
		t.Fatalf("fund balance %s, want 81.50", r.str("balance"))
	}
}
