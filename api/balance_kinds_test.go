package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// lowerEscape percent-encodes every byte of s outside [A-Za-z0-9-._~] with
// lowercase hex, as curl and many clients send it.
func lowerEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02x", c)
	}
	return b.String()
}

// TestPayeeNamesAnswerInAnyPercentEncoding pays two payees, one with a "/"
// in its name, and reads each balance with upper- and lowercase escapes,
// %2F for the slash, and ?id=: all answer the payee; a name the ledger does
// not hold still answers 404.
func TestPayeeNamesAnswerInAnyPercentEncoding(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("500000.00")
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/projects", fin, map[string]any{"id": "P001", "name": "道路硬化", "village": "V001",
		"category": "infrastructure", "batch": "2019-1", "budget": "300000.00", "approval_doc": "某扶〔2019〕3号"}), 201)
	e.must(e.call("POST", L+"/projects/P001/appropriations", fin, map[string]any{"id": "AP1", "fund": "A1", "amount": "200000.00"}), 201)
	names := []string{"光州区宏达建筑工程有限公司", "光州区路桥/市政工程公司 (二标段)"}
	for i, n := range names {
		e.must(e.call("POST", L+"/projects/P001/payments", fin, map[string]any{"id": fmt.Sprintf("PY%d", i), "fund": "A1", "payee": n,
			"amount": "1000.00", "voucher_no": "凭证001", "method": "treasury"}), 201)
	}
	B := L + "/balances/payees/"
	for _, n := range names {
		for _, path := range []string{
			B + url.PathEscape(n),                           // Go's canonical escapes (uppercase)
			B + lowerEscape(n),                              // curl-style lowercase
			B + strings.ToUpper(lowerEscape(n)),             // every byte escaped, uppercase
			L + "/balances/payees?id=" + url.QueryEscape(n), // the query fallback
		} {
			r := e.must(e.call("GET", path, aud, nil), 200)
			if r.str("id") != n || r.str("received") != "1000.00" {
				t.Errorf("GET %s: id %q received %q, want %q 1000.00", path, r.str("id"), r.str("received"), n)
			}
		}
	}
	if !strings.Contains(lowerEscape(names[1]), "%2f") {
		t.Fatal("the slash was not escaped: the test does not send %2f")
	}
	e.must(e.call("GET", B+lowerEscape("不存在的公司"), aud, nil), 404)
	e.must(e.call("GET", L+"/balances/payees", aud, nil), 400)
}

// TestReclaimedBalanceAndFundsInForce: money recovered from a project is
// the fund's reclaimed balance; a reversed allocation no longer counts as a
// fund; a reversal that would overdraw names the field it has (reverses).
func TestReclaimedBalanceAndFundsInForce(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("500000.00")
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/projects", fin, map[string]any{"id": "P001", "name": "道路硬化", "village": "V001",
		"category": "infrastructure", "batch": "2019-1", "budget": "300000.00", "approval_doc": "某扶〔2019〕3号"}), 201)
	e.must(e.call("POST", L+"/projects/P001/appropriations", fin, map[string]any{"id": "AP1", "fund": "A1", "amount": "200000.00"}), 201)
	e.must(e.call("POST", L+"/projects/P001/recoveries", fin, map[string]any{"id": "RC1", "fund": "A1", "amount": "30000.00", "reason": "项目结余"}), 201)

	r := e.must(e.call("GET", L+"/balances/reclaimed/A1", aud, nil), 200)
	if r.str("kind") != "reclaimed" || r.str("received") != "30000.00" || r.str("balance") != "30000.00" {
		t.Fatalf("reclaimed A1: %s", r.raw)
	}
	if bp, _ := r.body["by_project"].([]any); len(bp) != 1 || bp[0].(map[string]any)["project"] != "P001" {
		t.Fatalf("reclaimed A1 by project: %s", r.raw)
	}
	e.must(e.call("GET", L+"/balances/reclaimed/NOPE", aud, nil), 404)
	doc := e.must(e.call("GET", "/v1/openapi.json", "", nil), 200)
	op := doc.body["paths"].(map[string]any)["/v1/ledgers/{ledger}/balances/{kind}/{id}"].(map[string]any)["get"].(map[string]any)
	kinds := ""
	for _, p := range op["parameters"].([]any) {
		if p := p.(map[string]any); p["name"] == "kind" {
			kinds = fmt.Sprint(p["schema"].(map[string]any)["enum"])
		}
	}
	if !strings.Contains(kinds, "reclaimed") || !strings.Contains(kinds, "payees") {
		t.Errorf("OpenAPI lists balance kinds %s", kinds)
	}

	// Reversing the allocation whose money went to P001 would overdraw it.
	bad := e.must(e.call("POST", L+"/reversals", fin, map[string]any{"id": "RV1", "reverses": "A1", "reason": "文号错误"}), 422)
	if f, _ := bad.body["error"].(map[string]any)["field"].(string); f != "reverses" || strings.Contains(bad.errMessage(), "amount") ||
		!strings.Contains(bad.errMessage(), `"A1" cannot be reversed`) {
		t.Fatalf("reversal of a spent allocation: %s", bad.raw)
	}

	// A second allocation, reversed: the summary counts one fund, not two.
	e.must(e.call("POST", L+"/allocations", fin, allocation("A2", "800.00")), 201)
	e.must(e.call("POST", L+"/reversals", fin, map[string]any{"id": "RV2", "reverses": "A2", "reason": "重复录入"}), 201)
	sum := e.must(e.call("GET", L+"/summary", aud, nil), 200)
	pools := sum.body["funds"].(map[string]any)["pools"].([]any)
	if n := pools[0].(map[string]any)["funds"]; n != float64(1) {
		t.Errorf("poverty pool counts %v funds, want 1 (A2 was reversed)", n)
	}
	src := e.must(e.call("GET", L+"/balances/sources/central", aud, nil), 200)
	if src.num("funds") != 1 {
		t.Errorf("central source counts %v funds, want 1", src.num("funds"))
	}
	// Restoring A2 (reversing its reversal) brings it back.
	e.must(e.call("POST", L+"/reversals", fin, map[string]any{"id": "RV3", "reverses": "RV2", "reason": "冲正有误"}), 201)
	if n := e.must(e.call("GET", L+"/balances/sources/central", aud, nil), 200).num("funds"); n != 2 {
		t.Errorf("after restoring A2 the central source counts %v funds, want 2", n)
	}
}

// TestBalanceBeforeItsFundArrivedSaysWhen: a fund read as of a cut before
// it was allocated answers 404 naming the sequence it first appears at; a
// fund never allocated answers the plain 404.
func TestBalanceBeforeItsFundArrivedSaysWhen(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("1000.00")
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county
	w := e.must(e.call("POST", L+"/allocations", fin, allocation("A2019-001", "5000.00")), 201)
	at := int(w.num("seq"))

	r := e.must(e.call("GET", fmt.Sprintf("%s/balances/funds/A2019-001?as_of=%d", L, at-1), aud, nil), 404)
	want := fmt.Sprintf("first appears at seq %d", at)
	if !strings.Contains(r.errMessage(), "not yet in ledger") || !strings.Contains(r.errMessage(), want) {
		t.Fatalf("as_of before the fund: %s", r.raw)
	}
	e.must(e.call("GET", fmt.Sprintf("%s/balances/funds/A2019-001?as_of=%d", L, at), aud, nil), 200)
	if r := e.must(e.call("GET", fmt.Sprintf("%s/balances/funds/A9999?as_of=%d", L, at-1), aud, nil), 404); strings.Contains(r.errMessage(), "not yet") {
		t.Fatalf("a fund never allocated: %s", r.raw)
	}
	// Kinds that keep no first sequence still say "not yet".
	r = e.must(e.call("GET", L+"/balances/households/H0001?as_of=1", aud, nil), 404)
	if !strings.Contains(r.errMessage(), "not yet in ledger") {
		t.Fatalf("household before registration: %s", r.raw)
	}
}
