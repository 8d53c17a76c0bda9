package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
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
		{name: "invalid UTF-8", path: L + "/payouts", body: "{\"id\":\"P1\",\"household\":\"H0001\",\"item\":\"\xc3\x28\",\"standard\":\"1.00\",\"period\":\"2019\",\"fund\":\"A1\",\"amount\":\"1.00\"}", status: 400, code: "invalid_json", field: "item"},
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

// TestFreeTextRefusedOnEveryWayIn: a control, invisible or bidi character
// in a JSON field, a nested batch line, a bank result, a CSV row or a
// query-string batch field answers 400 naming the field.
func TestFreeTextRefusedOnEveryWayIn(t *testing.T) {
	e := startEnv(t, "", envOptions{noProjections: true})
	fin := e.seedCounty("1000.00")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/payout-batches", fin, `{"id":"B1","fund":"A1","item":"x","period":"2019","control":{"count":1,"amount":"1.00"},"lines":[{"household":"H0001","amount":"1.00"}]}`), 201)
	csv := []string{"Content-Type", "text/csv"}
	upload := L + "/payout-batches?id=B2&fund=A1&item=x&control_count=1&control_amount=1.00"
	e.refuses(fin, []strictCase{
		{name: "RLO in a village name", path: L + "/villages", body: `{"id":"V2","name":"罗田\u202e村","township":"城关镇"}`, status: 400, code: "invalid_request", field: "name"},
		{name: "line separator in a reason", path: L + "/households/H0001/removal", body: `{"reason":"清退\u2028"}`, status: 400, code: "invalid_request", field: "reason"},
		{name: "BOM in a payout period", path: L + "/payouts", body: `{"id":"P1","household":"H0001","item":"x","standard":"1.00","period":"\ufeff2019","fund":"A1","amount":"1.00"}`, status: 400, code: "invalid_request", field: "period"},
		{name: "NUL in a batch line", path: L + "/payout-batches", body: `{"id":"B3","fund":"A1","item":"x","period":"2019","control":{"count":1,"amount":"1.00"},"lines":[{"household":"H0001\u0000","amount":"1.00"}]}`, status: 400, code: "invalid_request", field: "lines[0].household"},
		{name: "C1 in a bank result", path: L + "/payout-batches/B1/bank-results", body: `{"lines":[{"household":"H0001","status":"failed","reason":"卡\u0085号错"}]}`, status: 400, code: "invalid_request", field: "lines[0].reason"},
		{name: "LRI in a CSV row", path: upload + "&period=2019", body: "household,amount\r\nH0001\u2066,1.00\r\n", headers: csv, status: 422, code: "invalid_rows"}, // a file's bad row is listed by row and column
		{name: "DEL in a query batch field", path: upload + "&period=2019%7F", body: "household,amount\r\nH0001,1.00\r\n", headers: csv, status: 400, code: "invalid_request", field: "period"},
	})
}

// TestLedgerCodeMustBeACountyCode: a code that is not 6 digits with a real
// province prefix answers 400 naming code, and no ledger is opened.
func TestLedgerCodeMustBeACountyCode(t *testing.T) {
	e := startEnv(t, "", envOptions{noProjections: true})
	_, fin := e.token("finance", "")
	for _, code := range []string{"34150", "3415041", "000000", "FUNDLEDGER", "991504"} {
		r := e.call("POST", "/v1/ledgers", fin, map[string]any{"code": code, "name": "某县"})
		if f, _ := r.body["error"].(map[string]any)["field"].(string); r.status != 400 || r.errCode() != "invalid_request" || f != "code" {
			t.Errorf("code %q: %d %s", code, r.status, r.raw)
		}
		if head, _, err := e.mgr.Head(t.Context(), code); err == nil && head != 0 {
			t.Errorf("code %q: ledger opened at seq %d", code, head)
		}
	}
	e.must(e.call("POST", "/v1/ledgers", fin, map[string]any{"code": "110101", "name": "东城区"}), 201)
}

// TestOneIDNumberOneHouseholdOverHTTP: a second household with the same ID number,
// even written with a lower-case x, answers 422 duplicate_id_number.
func TestOneIDNumberOneHouseholdOverHTTP(t *testing.T) {
	e := startEnv(t, "", envOptions{noProjections: true})
	fin := e.seedCounty("1000.00")
	L := "/v1/ledgers/" + county
	first17 := "34150419700101007" // its check character is X
	h := household("H0005")
	h["id_number"] = first17 + "x"
	r := e.must(e.call("POST", L+"/households", fin, h), 201)
	if !strings.Contains(string(r.raw), first17+"X") {
		t.Errorf("the event does not carry the upper-case ID number: %s", r.raw)
	}
	dup := household("H0006")
	dup["id_number"] = first17 + "X"
	again := household("H0007")
	again["id_number"] = idNumber("34150419800101001") // H0001's
	b1, _ := json.Marshal(dup)
	b2, _ := json.Marshal(again)
	e.refuses(fin, []strictCase{
		{name: "same number, other case", path: L + "/households", body: string(b1), status: 422, code: "duplicate_id_number", field: "id_number"},
		{name: "H0001's number", path: L + "/households", body: string(b2), status: 422, code: "duplicate_id_number", field: "id_number"},
	})
}

// TestDisclosureCSVNeutralisesFormulas: names a spreadsheet would run as
// formulas come out of disclosure.csv prefixed with ', while amounts stay
// plain numbers a clerk can sum.
func TestDisclosureCSVNeutralisesFormulas(t *testing.T) {
	e := startEnv(t, "")
	_, fin := e.token("finance", "")
	L := "/v1/ledgers/" + county
	link, calc := `=HYPERLINK("http://x","y")`, `=cmd|' /C calc'!A0`
	e.must(e.call("POST", "/v1/ledgers", fin, map[string]any{"code": county, "name": "光州区"}), 201)
	e.must(e.call("POST", L+"/villages", fin, map[string]any{"id": "V001", "name": link, "township": calc, "poor_village": true}), 201)
	h := household("H0001")
	h["head_name"] = "@SUM(1+1)"
	e.must(e.call("POST", L+"/households", fin, h), 201)
	e.must(e.call("POST", L+"/allocations", fin, allocation("A1", "1000.00")), 201)
	e.must(e.call("POST", L+"/projects", fin, map[string]any{"id": "P1", "name": calc, "village": "V001", "category": "infrastructure",
		"batch": "+1", "budget": "500.00", "approval_doc": link}), 201)
	e.must(e.call("POST", L+"/projects/P1/appropriations", fin, map[string]any{"id": "AP1", "fund": "A1", "amount": "500.00"}), 201)
	e.must(e.call("POST", L+"/projects/P1/payments", fin, map[string]any{"id": "PY1", "fund": "A1", "payee": link, "amount": "100.00",
		"voucher_no": "v1", "method": "treasury"}), 201)
	e.must(e.call("POST", L+"/payouts", fin, payout("PO1", "A1", "10.00")), 201)
	r := e.must(e.call("GET", "/v1/public/ledgers/"+county+"/villages/V001/disclosure.csv", "", nil), 200)
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.raw, []byte("\xEF\xBB\xBF"))))
	cr.FieldsPerRecord = -1 // sections differ in width
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("disclosure.csv does not parse: %v", err)
	}
	cells := map[string]bool{}
	for _, row := range rows {
		for _, c := range row {
			cells[c] = true
			if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
				t.Errorf("cell %q would run as a formula", c)
			}
			if c != "" && c[0] == '-' && strings.Trim(c, "-0123456789.") != "" {
				t.Errorf("cell %q would run as a formula", c)
			}
		}
	}
	for _, want := range []string{"'" + calc, "'" + link + "（V001）", "'@SUM(1+1)", "'+1", "500.00", "100.00", "10.00", "510.00"} {
		if !cells[want] {
			t.Errorf("disclosure.csv has no cell %q:\n%s", want, r.raw)
		}
	}
}
