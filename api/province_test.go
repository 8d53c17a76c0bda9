package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
)

// seedProvinceCounty opens ledger code with a village, a household, a
// special fund, an integrated fund, a project drawing on both and a payout;
// amounts scale with k so that counties differ, down to the fen.
func (e *env) seedProvinceCounty(fin, code string, k int) {
	e.t.Helper()
	L := "/v1/ledgers/" + code
	yuan := func(n int, fen int) string { return fmt.Sprintf("%d.%02d", n*k, (fen*k)%100) }
	e.must(e.call("POST", "/v1/ledgers", fin, map[string]any{"code": code, "name": "县" + code}), 201)
	e.must(e.call("POST", L+"/villages", fin, map[string]any{"id": "V001", "name": "罗田村", "township": "城关镇", "poor_village": true}), 201)
	e.must(e.call("POST", L+"/households", fin, household("H0001")), 201)
	e.must(e.call("POST", L+"/allocations", fin, allocation("A1", yuan(100000, 7))), 201)
	e.must(e.call("POST", L+"/integrations", fin, map[string]any{"id": "I1", "programme": "农业综合开发", "fiscal_year": 2019,
		"document_no": "财农〔2019〕9号", "amount": yuan(30000, 3)}), 201)
	e.must(e.call("POST", L+"/projects", fin, map[string]any{"id": "P001", "name": "产业园", "village": "V001",
		"category": []string{"industry", "infrastructure"}[k%2], "batch": "2019-1", "budget": yuan(50000, 0), "approval_doc": "某扶〔2019〕3号"}), 201)
	e.must(e.call("POST", L+"/projects/P001/appropriations", fin, map[string]any{"id": "AP1", "fund": "A1", "amount": yuan(20000, 1)}), 201)
	e.must(e.call("POST", L+"/projects/P001/appropriations", fin, map[string]any{"id": "AP2", "fund": "I1", "amount": yuan(10000, 1)}), 201)
	e.must(e.call("POST", L+"/projects/P001/payments", fin, map[string]any{"id": "PY1", "fund": "A1", "payee": "某建筑公司",
		"amount": yuan(3333, 33), "voucher_no": "凭证001", "method": "treasury"}), 201)
	e.must(e.call("POST", L+"/payouts", fin, payout("PO1", "A1", yuan(1000, 1))), 201)
}

// TestProvinceSummaryRollsCountiesUp: through the real server, each county
// of /v1/summary equals that county's own /summary (the same JSON, so the
// same figures to the fen, seq and head_hash), and the totals are the
// exact sums of the counties' money figures and counts.
func TestProvinceSummaryRollsCountiesUp(t *testing.T) {
	e := startEnv(t, "")
	_, fin := e.token("finance", "")
	_, aud := e.token("auditor", "")
	codes := []string{"341504", "341502", "341503"}
	for i, code := range codes {
		e.seedProvinceCounty(fin, code, i+1)
	}
	r := e.must(e.call("GET", "/v1/summary?ledgers=341504,341502", aud, nil), 200)
	var got struct {
		Ledgers []map[string]any `json:"ledgers"`
		Totals  map[string]any   `json:"totals"`
	}
	if err := json.Unmarshal(r.raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Ledgers) != 2 || got.Ledgers[0]["ledger"] != "341504" || got.Ledgers[1]["ledger"] != "341502" {
		t.Fatalf("ledgers in the order named: %s", r.raw)
	}
	for _, c := range got.Ledgers {
		own := e.must(e.call("GET", fmt.Sprintf("/v1/ledgers/%s/summary", c["ledger"]), aud, nil), 200)
		if !reflect.DeepEqual(c, own.body) {
			t.Errorf("county %s differs from its own summary:\nprovince %v\nown      %s", c["ledger"], c, own.raw)
		}
	}
	if got.Totals["ledgers"] != float64(2) {
		t.Errorf("totals.ledgers = %v", got.Totals["ledgers"])
	}
	for _, path := range []string{"fund_scale", "special_funds", "integrated_funds", "integration_used", "undelivered.amount",
		"funds.scale", "funds.integrated", "integration.used", "projects.total.budget", "projects.total.appropriated", "projects.total.paid",
		"payouts.total.amount", "projects.total.count", "payouts.total.lines", "payouts.total.households", "projects.total.started"} {
		want := decimal.Zero
		for _, c := range got.Ledgers {
			want = want.Add(field(t, c, path))
		}
		if g := field(t, got.Totals, path); !g.Equal(want) {
			t.Errorf("totals.%s = %s, want the counties' sum %s", path, g, want)
		}
		if s, ok := lookup(got.Totals, path).(string); ok && s != want.StringFixed(2) {
			t.Errorf("totals.%s = %q, want %q (two decimals)", path, s, want.StringFixed(2))
		}
	}
	// Ratios from the sums: appropriated from integrated ÷ integrated.
	used, integ := field(t, got.Totals, "integration_used"), field(t, got.Totals, "integrated_funds")
	if want := used.DivRound(integ, 8).Round(4).StringFixed(4); got.Totals["integration_ratio"] != want {
		t.Errorf("integration_ratio = %v, want %s", got.Totals["integration_ratio"], want)
	}

	// Without ledgers: every ledger the token reads, by code; a code named
	// twice counts once.
	all := e.must(e.call("GET", "/v1/summary", aud, nil), 200)
	if s := string(all.raw); strings.Index(s, `"ledger":"341502"`) > strings.Index(s, `"ledger":"341503"`) || !strings.Contains(s, `"ledger":"341504"`) || !strings.Contains(s, `"ledgers":3`) {
		t.Errorf("all ledgers: %s", all.raw)
	}
	dup := e.must(e.call("GET", "/v1/summary?ledgers=341504,341504", aud, nil), 200)
	if !strings.Contains(string(dup.raw), `"ledgers":1`) {
		t.Errorf("a duplicate counted twice: %s", dup.raw)
	}
	// A scoped token sees its own ledger only, and is refused another.
	_, scoped := e.token("auditor", "341502")
	mine := e.must(e.call("GET", "/v1/summary", scoped, nil), 200)
	if strings.Contains(string(mine.raw), `"ledger":"341504"`) || !strings.Contains(string(mine.raw), `"ledgers":1`) {
		t.Errorf("scoped token: %s", mine.raw)
	}
	for _, c := range []struct {
		query  string
		tok    string
		status int
		code   string
		names  string
	}{
		{"ledgers=341504,34150x", aud, 400, "invalid_request", "34150x"},
		{"ledgers=", aud, 400, "invalid_request", "ledgers"},
		{"ledgers=341504,341599", aud, 404, "unknown_ledger", "341599"},
		{"ledgers=341502,341504", scoped, 403, "wrong_ledger", "341504"},
		{"ledgers=341504,341502&as_of=3", aud, 400, "invalid_request", "sequence"},
		{"ledgers=341504&as_of=99999", aud, 400, "invalid_request", "341504"},
		{"ledgers=341504", "", 401, "unauthenticated", ""},
	} {
		r := e.call("GET", "/v1/summary?"+c.query, c.tok, nil)
		if r.status != c.status || r.errCode() != c.code || !strings.Contains(r.errMessage(), c.names) {
			t.Errorf("%s: %d %s, want %d %s naming %q", c.query, r.status, r.raw, c.status, c.code, c.names)
		}
	}
	// as_of: a sequence for one ledger is that ledger's summary at it.
	one := e.must(e.call("GET", "/v1/summary?ledgers=341504&as_of=3", aud, nil), 200)
	own := e.must(e.call("GET", "/v1/ledgers/341504/summary?as_of=3", aud, nil), 200)
	if l := one.body["ledgers"].([]any); len(l) != 1 || !reflect.DeepEqual(l[0], own.body) {
		t.Errorf("as_of=3: %s, own %s", one.raw, own.raw)
	}
}

// TestProvinceSummaryFiguresMatchTheirSeq: while writes land, every county
// of every province view equals that county's summary as of the seq it
// names, so each figure set comes from one cut and says which.
func TestProvinceSummaryFiguresMatchTheirSeq(t *testing.T) {
	e := startEnv(t, "")
	_, fin := e.token("finance", "")
	_, aud := e.token("auditor", "")
	for i, code := range []string{"341504", "341502"} {
		e.seedProvinceCounty(fin, code, i+1)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 30 {
			code := []string{"341504", "341502"}[i%2]
			e.must(e.call("POST", "/v1/ledgers/"+code+"/payouts", fin, payout(fmt.Sprintf("X%d", i), "A1", "1.01")), 201)
		}
	}()
	var views []map[string]any
	for range 8 {
		views = append(views, e.must(e.call("GET", "/v1/summary", aud, nil), 200).body)
	}
	wg.Wait()
	for _, v := range views {
		for _, c := range v["ledgers"].([]any) {
			c := c.(map[string]any)
			at := e.must(e.call("GET", fmt.Sprintf("/v1/ledgers/%s/summary?as_of=%d", c["ledger"], int(c["seq"].(float64))), aud, nil), 200)
			if !reflect.DeepEqual(c, at.body) {
				t.Fatalf("county %s at seq %v is not its summary at that seq:\n%v\n%s", c["ledger"], c["seq"], c, at.raw)
			}
		}
	}
}

// TestProvinceSummaryNamesADamagedLedger: a county whose stream lost its
// history fails the view with 503 ledger_damaged naming it, whether named
// or included as one of every ledger; the other counties still answer.
func TestProvinceSummaryNamesADamagedLedger(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, dir)
	_, fin := e.token("finance", "")
	_, aud := e.token("auditor", "")
	e.seedProvinceCounty(fin, "341504", 1)
	e.seedProvinceCounty(fin, "341502", 2)
	e.stop()
	if err := os.RemoveAll(filepath.Join(dir, "jetstream", "$G", "streams", "FUNDLEDGER_341502")); err != nil {
		t.Fatal(err)
	}
	e2 := startEnv(t, dir)
	for _, q := range []string{"", "?ledgers=341504,341502"} {
		r := e2.call("GET", "/v1/summary"+q, aud, nil)
		if r.status != 503 || r.errCode() != "ledger_damaged" || !strings.Contains(r.errMessage(), "341502") {
			t.Errorf("GET /v1/summary%s with 341502 damaged: %d %s", q, r.status, r.raw)
		}
	}
	if r := e2.must(e2.call("GET", "/v1/summary?ledgers=341504", aud, nil), 200); !strings.Contains(string(r.raw), `"ledgers":1`) {
		t.Errorf("the sound county: %s", r.raw)
	}
}

// lookup follows a dotted path through decoded JSON.
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, _ := v.(map[string]any)
		v = mm[k]
	}
	return v
}

// field reads a money string or a count at path as a decimal.
func field(t *testing.T, m map[string]any, path string) decimal.Decimal {
	t.Helper()
	switch v := lookup(m, path).(type) {
	case string:
		d, err := decimal.NewFromString(v)
		if err != nil {
			t.Fatalf("%s = %q: %v", path, v, err)
		}
		return d
	case float64:
		return decimal.NewFromFloat(v)
	}
	t.Fatalf("%s missing in %v", path, m)
	return decimal.Zero
}
