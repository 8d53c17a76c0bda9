package api_test

import (
	"testing"
)

// strictCase is one request that must be refused without writing.
type strictCase struct {
	name, path, body string
	headers          []string
	status           int
	code, field      string
}

// refuses sends each case and checks status, code, field and that the
// ledger's head did not move.
func (e *env) refuses(fin string, cases []strictCase) {
	e.t.Helper()
	head := func() uint64 {
		s, _, err := e.mgr.Head(e.t.(*testing.T).Context(), county)
		if err != nil {
			e.t.Fatal(err)
		}
		return s
	}
	before := head()
	for _, c := range cases {
		r := e.call("POST", c.path, fin, c.body, c.headers...)
		if r.status != c.status || r.errCode() != c.code {
			e.t.Errorf("%s: status %d code %q, want %d %q: %s", c.name, r.status, r.errCode(), c.status, c.code, r.raw)
			continue
		}
		if c.field != "" {
			if f, _ := r.body["error"].(map[string]any)["field"].(string); f != c.field {
				e.t.Errorf("%s: field %q, want %q", c.name, f, c.field)
			}
		}
	}
	if after := head(); after != before {
		e.t.Errorf("the ledger moved from seq %d to %d on refused requests", before, after)
	}
}

// TestStrictJSONBodies: duplicate and case-variant names, unknown fields,
// invalid UTF-8, a non-UTF-8 charset and malformed money are refused, and
// nothing is written.
func TestStrictJSONBodies(t *testing.T) {
	e := startEnv(t, "", envOptions{noProjections: true})
	fin := e.seedCounty("1000.00")
	L := "/v1/ledgers/" + county
	pay := `{"id":"P1","household":"H0001","item":"x","standard":"1.00","period":"2019","fund":"A1",`
	e.refuses(fin, []strictCase{
		{name: "duplicate name", path: L + "/payouts", body: pay + `"amount":"1.00","amount":"700.00"}`, status: 400, code: "invalid_json", field: "amount"},
		{name: "case variant", path: L + "/payouts", body: pay + `"amount":"1.00","AMOUNT":"700.00"}`, status: 400, code: "invalid_json", field: "AMOUNT"},
		{name: "case variant in a batch line", path: L + "/payout-batches", body: `{"id":"B1","fund":"A1","item":"x","period":"2019","control":{"count":1,"amount":"1.00"},"lines":[{"household":"H0001","amount":"1.00","Amount":"9.00"}]}`, status: 400, code: "invalid_json", field: "lines[0].Amount"},
		{name: "unknown field", path: L + "/payouts", body: pay + `"amount":"1.00","note":"x"}`, status: 400, code: "unknown_field", field: "note"},
		{name: "invalid UTF-8", path: L + "/payouts", body: pay + "\"amount\":\"1.00\",\"item\":\"\xc3\x28\"}", status: 400, code: "invalid_json"},
		{name: "charset gbk", path: L + "/payouts", body: pay + `"amount":"1.00"}`, headers: []string{"Content-Type", "application/json; charset=gbk"}, status: 415, code: "unsupported_charset"},
		{name: "charset GB2312 upper", path: L + "/payouts", body: pay + `"amount":"1.00"}`, headers: []string{"Content-Type", "application/json; Charset=\"GB2312\""}, status: 415, code: "unsupported_charset"},
		{name: "three decimals", path: L + "/payouts", body: pay + `"amount":"1.001"}`, status: 400, code: "invalid_request", field: "amount"},
		{name: "zero", path: L + "/payouts", body: pay + `"amount":"0.00"}`, status: 400, code: "invalid_request", field: "amount"},
		{name: "above 10^12", path: L + "/payouts", body: pay + `"amount":"1000000000000.01"}`, status: 400, code: "invalid_request", field: "amount"},
		{name: "inexact number", path: L + "/payouts", body: pay + `"amount":0.1e1}`, status: 400, code: "invalid_request", field: "amount"},
		{name: "standard as list", path: L + "/payouts", body: `{"id":"P1","household":"H0001","item":"x","standard":[],"period":"2019","fund":"A1","amount":"1.00"}`, status: 400, code: "invalid_request", field: "standard"},
	})
	// utf-8 in any case is JSON's own charset and is accepted.
	e.must(e.call("POST", L+"/payouts", fin, pay+`"amount":1.5}`, "Content-Type", "application/json; charset=UTF-8"), 201)
}
