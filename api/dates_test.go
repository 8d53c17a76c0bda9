package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
)

// money reads a money string at a dotted path of a JSON answer.
func money(t *testing.T, r response, path string) domain.Money {
	t.Helper()
	var v any = r.body
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, ok := v.(string)
	if !ok || s == "" || strings.HasPrefix(s, "-") {
		t.Fatalf("%s = %v: not a money string (%.300s)", path, v, r.raw)
	}
	return domain.MustParse(s)
}

// TestDemoMidYearOnEverySurface: the demo county is dated in 2019, so
// as_of=2019-06-30 answers mid-year figures, non-empty and below the
// year's, on the summary, a balance, the disclosure and the notice page;
// a project approved in October shows its 2019 date, not the load day.
func TestDemoMidYearOnEverySurface(t *testing.T) {
	e := startEnv(t, "")
	e.loadDemo()
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county
	mid, end := "?as_of=2019-06-30", ""
	lower := func(what string, m, y domain.Money) {
		t.Helper()
		if !m.IsPositive() || m.Cmp(y) >= 0 {
			t.Errorf("%s: mid-year %s, year-end %s; want 0 < mid-year < year-end", what, m, y)
		}
	}
	for _, path := range []string{"payouts.total.amount", "projects.total.paid"} {
		lower("summary "+path, money(t, e.must(e.call("GET", L+"/summary"+mid, aud, nil), 200), path),
			money(t, e.must(e.call("GET", L+"/summary"+end, aud, nil), 200), path))
	}
	s := e.must(e.call("GET", L+"/summary"+mid, aud, nil), 200)
	if s.str("as_of_date") != "2019-06-30" || s.num("seq") == 0 {
		t.Errorf("a business cut names its date and the seq it reflects: %s", s.raw[:200])
	}
	lower("fund A2019-004 spent", money(t, e.must(e.call("GET", L+"/balances/funds/A2019-004"+mid, aud, nil), 200), "spent"),
		money(t, e.must(e.call("GET", L+"/balances/funds/A2019-004"+end, aud, nil), 200), "spent"))
	D := "/v1/public/ledgers/" + county + "/villages/V001/disclosure"
	dm, dy := e.must(e.call("GET", D+mid, "", nil), 200), e.must(e.call("GET", D+end, "", nil), 200)
	lower("disclosure payout_amount", money(t, dm, "totals.payout_amount"), money(t, dy, "totals.payout_amount"))
	if dm.str("date") != "2019-06-30" {
		t.Errorf("disclosure date %q", dm.str("date"))
	}
	page := string(e.must(e.call("GET", "/notice/"+county+"/V001"+mid, "", nil), 200).raw)
	if !strings.Contains(page, `id="business-date">2019-06-30<`) || !strings.Contains(page, money(t, dm, "totals.payout_amount").String()) {
		t.Errorf("the mid-year notice lacks its date or its payout total %s", money(t, dm, "totals.payout_amount"))
	}
	if strings.Contains(page, money(t, dy, "totals.payout_amount").String()) {
		t.Errorf("the mid-year notice shows the year's payout total")
	}
	// P080 (batch 2019-4) was approved on 2019-10-20: its village's notice
	// says so, and at mid-year it is not there at all.
	p := e.must(e.call("GET", L+"/balances/projects/P080", aud, nil), 200)
	v := p.str("village")
	var dates map[string]string
	_ = json.Unmarshal(mustJSON(t, p.body["dates"]), &dates)
	if dates["approved"] != "2019-10-20" {
		t.Errorf("P080 approved %q, want 2019-10-20", dates["approved"])
	}
	if v != "" {
		if page := string(e.must(e.call("GET", "/notice/"+county+"/"+v, "", nil), 200).raw); !strings.Contains(page, "2019-10-20") {
			t.Errorf("the notice of %s does not date P080 in 2019", v)
		}
	}
	e.must(e.call("GET", L+"/balances/projects/P080"+mid, aud, nil), 404)
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDatesOverHTTP: a write dated in the past changes the business cut of
// its date and not a record cut taken before it; known_at asks the ledger
// as it was; a future or malformed date answers 400 naming date; the event
// log shows each commit's date and record time; public pages of a business
// cut are revalidated, never cached as immutable unless fixed by known_at.
func TestDatesOverHTTP(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100.00") // A1, dated today
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county
	before := e.must(e.call("GET", L+"/summary", aud, nil), 200).num("seq")
	back := allocation("A0", "50.00")
	back["date"] = "2019-06-30"
	e.must(e.call("POST", L+"/allocations", fin, back), 201)
	scale := func(q string) domain.Money {
		return money(t, e.must(e.call("GET", L+"/summary"+q, aud, nil), 200), "fund_scale")
	}
	seq := func(n float64) string { return strconv.FormatFloat(n, 'f', 0, 64) }
	for q, want := range map[string]string{
		"?as_of=2019-06-30":                         "50.00",
		"?as_of=2019-06-29":                         "0.00",
		"?as_of=" + seq(before):                     "100.00",
		"?as_of=2019-06-30&known_at=" + seq(before): "0.00",
		"": "150.00",
	} {
		if got := scale(q); got.String() != want {
			t.Errorf("fund scale%s = %s, want %s", q, got, want)
		}
	}
	for _, date := range []string{"2999-01-01", "2019-02-30", "30/06/2019"} {
		bad := allocation("AX", "1.00")
		bad["date"] = date
		r := e.must(e.call("POST", L+"/allocations", fin, bad), 400)
		if !strings.Contains(string(r.raw), `"date"`) && !strings.Contains(r.errMessage(), "date") {
			t.Errorf("date %s: %s does not name date", date, r.raw)
		}
	}
	e.must(e.call("GET", L+"/summary?known_at=abc", aud, nil), 400)
	e.must(e.call("GET", L+"/summary?as_of=1&known_at=2", aud, nil), 400)
	ev := e.must(e.call("GET", L+"/events", aud, nil), 200)
	commits, _ := ev.body["commits"].([]any)
	last, _ := commits[len(commits)-1].(map[string]any)
	if last["date"] != "2019-06-30" || last["time"] == nil || !strings.HasPrefix(last["time"].(string), "20") {
		t.Errorf("the back-dated commit shows date %v time %v", last["date"], last["time"])
	}
	first, _ := commits[0].(map[string]any)
	if d, _ := first["date"].(string); !domain.ValidDate(d) {
		t.Errorf("a commit dated by default shows date %v", first["date"])
	}
	// Caching: a business cut at the head may change; so may a future one.
	N := "/notice/" + county + "/V001"
	for _, q := range []string{"?as_of=2019-06-30", "?as_of=2999-01-01", "?as_of=2999-01-01T00:00:00Z"} {
		r := e.must(e.call("GET", N+q, "", nil), 200)
		if cc := r.header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
			t.Errorf("%s cached as %q", q, cc)
		}
	}
	fixed := e.must(e.call("GET", N+"?as_of=2019-06-30&known_at="+seq(before), "", nil), 200)
	if !strings.Contains(fixed.header.Get("Cache-Control"), "immutable") {
		t.Errorf("a business cut known at a sequence is history: %q", fixed.header.Get("Cache-Control"))
	}
	etag := e.must(e.call("GET", N+"?as_of=2019-06-30", "", nil), 200).header.Get("ETag")
	back2 := allocation("A00", "7.00")
	back2["date"] = "2019-01-31"
	e.must(e.call("POST", L+"/allocations", fin, back2), 201)
	e.must(e.call("GET", N+"?as_of=2019-06-30", "", nil, "If-None-Match", etag), 200)
	// A batch uploaded as a file takes its date from the query.
	e.must(e.call("POST", L+"/payout-batches?id=B1&fund=A1&item=产业扶持直补&period=2019&control_count=1&control_amount=2.00&date=2019-05-01",
		fin, "household,amount\nH0001,2.00\n", "Content-Type", "text/csv"), 201)
	ev = e.must(e.call("GET", L+"/events?type=payout_batch.accepted", aud, nil), 200)
	commits, _ = ev.body["commits"].([]any)
	if len(commits) != 1 || commits[0].(map[string]any)["date"] != "2019-05-01" {
		t.Errorf("the uploaded batch's commit: %s", ev.raw)
	}
}

// TestOpenAPIShowsDateOnEveryWriteAndCutsOnEveryRead: every command's body
// offers the business date, and every ledger read as_of and known_at.
func TestOpenAPIShowsDateOnEveryWriteAndCutsOnEveryRead(t *testing.T) {
	e := startEnv(t, "")
	doc := e.must(e.call("GET", "/v1/openapi.json", "", nil), 200).body
	paths, _ := doc["paths"].(map[string]any)
	writes, reads := 0, 0
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			o, _ := op.(map[string]any)
			if method == "post" && strings.HasPrefix(path, "/v1/ledgers") {
				rb, _ := o["requestBody"].(map[string]any)
				b, _ := json.Marshal(rb)
				if !strings.Contains(string(b), `"date":{`) || !strings.Contains(string(b), "记账日期") {
					t.Errorf("POST %s: its body does not offer date", path)
				}
				writes++
			}
			if method == "get" && strings.HasPrefix(path, "/v1/ledgers/{ledger}/") && !strings.HasSuffix(path, "/verify") {
				b, _ := json.Marshal(o["parameters"])
				if !strings.Contains(string(b), `"as_of"`) || !strings.Contains(string(b), `"known_at"`) {
					t.Errorf("GET %s: no as_of/known_at", path)
				}
				reads++
			}
		}
	}
	if writes < 18 || reads < 3 {
		t.Fatalf("saw %d writes and %d reads", writes, reads)
	}
}
