package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestListsPageOverHTTP pages the households of a ledger one at a time:
// ids in byte order, each once, seq and head_hash on every page, no token
// on the last; a bad page_size or page_token is a 400; a scoped token
// lists only its own ledger.
func TestListsPageOverHTTP(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("500.00")
	L := "/v1/ledgers/" + county
	for i := 3; i <= 6; i++ {
		h := household(fmt.Sprintf("H%04d", i))
		h["id_number"] = idNumber(fmt.Sprintf("3415041980010100%d", i))
		e.must(e.call("POST", L+"/households", fin, h), 201)
	}
	var got []string
	token := ""
	for range 10 {
		r := e.must(e.call("GET", L+"/households?page_size=1&page_token="+url.QueryEscape(token), fin, nil), 200)
		if r.num("seq") == 0 || len(r.str("head_hash")) != 64 {
			t.Fatalf("page without seq/head_hash: %s", r.raw)
		}
		items, _ := r.body["items"].([]any)
		for _, it := range items {
			m := it.(map[string]any)
			got = append(got, m["id"].(string))
			if _, ok := m["balance"]; !ok || strings.Contains(string(r.raw), testBankAcct) {
				t.Fatalf("item without balance or with a full card number: %s", r.raw)
			}
		}
		token = r.str("next_page_token")
		if token == "" {
			break
		}
	}
	if want := "H0001 H0002 H0003 H0004 H0005 H0006"; strings.Join(got, " ") != want {
		t.Fatalf("paged %v, want %s", got, want)
	}
	r := e.must(e.call("GET", L+"/households?q=H0004", fin, nil), 200)
	if items, _ := r.body["items"].([]any); len(items) != 1 {
		t.Fatalf("q=H0004: %s", r.raw)
	}
	for _, bad := range []string{"page_size=0", "page_size=1001", "page_token=xyz", "page_token=" + url.QueryEscape(token+"AA")} {
		if r := e.call("GET", L+"/funds?"+bad, fin, nil); r.status != 400 {
			t.Errorf("%s: %d %s", bad, r.status, r.raw)
		}
	}
	b := e.must(e.call("POST", L+"/payout-batches", fin, map[string]any{"id": "B1", "fund": "A1", "item": "产业扶持直补", "period": "2019",
		"control": map[string]any{"count": 2, "amount": "30.00"},
		"lines":   []any{map[string]any{"household": "H0001", "amount": "10.00"}, map[string]any{"household": "H0003", "amount": "20.00"}}}), 201)
	_ = b
	d := e.must(e.call("GET", L+"/payout-batches/B1", fin, nil), 200)
	if d.str("amount") != "30.00" || !strings.Contains(string(d.raw), `"pending":{"lines":2,"amount":"30.00"}`) {
		t.Fatalf("batch detail: %s", d.raw)
	}
	tr := e.must(e.call("GET", L+"/trace/funds/A1", fin, nil), 200)
	if tr.str("amount") != "500.00" || tr.str("held") != "470.00" {
		t.Fatalf("fund trace: %s", tr.raw)
	}
	e.must(e.call("GET", L+"/trace/households/H0003", fin, nil), 200)
	e.must(e.call("GET", L+"/trace/funds/NOPE", fin, nil), 404)

	_, scoped := e.token("auditor", "341502")
	r = e.must(e.call("GET", "/v1/ledgers", scoped, nil), 200)
	if strings.Contains(string(r.raw), county) {
		t.Fatalf("a token scoped to 341502 sees %s: %s", county, r.raw)
	}
	r = e.must(e.call("GET", "/v1/ledgers", fin, nil), 200)
	if !strings.Contains(string(r.raw), `"ledger":"`+county+`","name":"光州区"`) {
		t.Fatalf("ledgers: %s", r.raw)
	}
}
