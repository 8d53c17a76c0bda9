package api_test

import (
	"testing"
)

// TestStandardsFindingsAndReissueOverHTTP: the table of standards is
// written and read through the API, a payout above standard × members is
// a finding with its limit, a finding is acknowledged with a note (and an
// unknown one answers 404), and a re-issue to the card that failed
// answers 422 same_card.
func TestStandardsFindingsAndReissueOverHTTP(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100000.00")
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county

	std := map[string]any{"item": "医疗保险个人缴费补助", "amount": "120.00", "unit": "person", "eligibility": "建档立卡贫困人口", "date": "2019-01-01"}
	e.must(e.call("POST", L+"/standards", aud, std), 403)
	e.must(e.call("POST", L+"/standards", fin, std), 201)
	e.must(e.call("POST", L+"/standards", fin, map[string]any{"item": "x", "amount": "0.00", "unit": "person", "date": "2019-01-01"}), 400)
	got := e.must(e.call("GET", L+"/standards", aud, nil), 200)
	rows, _ := got.body["standards"].([]any)
	if len(rows) != 1 || got.num("seq") == 0 || got.str("head_hash") == "" {
		t.Fatalf("standards = %s", got.raw)
	}
	if row := rows[0].(map[string]any); row["amount"] != "120.00" || row["unit"] != "person" || row["date"] != "2019-01-01" || row["item"] != std["item"] {
		t.Errorf("standard row = %v", row)
	}

	// H0001 has 4 members: 480.00 is within, 600.00 is 120.00 over a limit of 480.00.
	p := payout("P1", "A1", "480.00")
	p["item"], p["standard"] = std["item"], "0.00"
	e.must(e.call("POST", L+"/payouts", fin, p), 201)
	p = payout("P2", "A1", "600.00")
	p["item"], p["period"] = std["item"], "2020"
	e.must(e.call("POST", L+"/payouts", fin, p), 201)
	fs := e.must(e.call("GET", L+"/findings", aud, nil), 200)
	all, _ := fs.body["findings"].([]any)
	var list []any
	for _, x := range all {
		switch x.(map[string]any)["kind"] {
		case "over_standard":
			list = append(list, x)
		case "idle_fund": // fund A1 of fiscal 2019 still holds money on today's record day: idle, rightly
		default:
			t.Fatalf("findings = %s, want over_standard (and A1 idle)", fs.raw)
		}
	}
	if len(list) != 1 {
		t.Fatalf("findings = %s, want one over_standard", fs.raw)
	}
	f := list[0].(map[string]any)
	if f["kind"] != "over_standard" || f["amount"] != "120.00" || f["limit"] != "480.00" || f["acknowledged"] != false {
		t.Errorf("finding = %v", f)
	}
	id, _ := f["id"].(string)
	e.must(e.call("POST", L+"/findings/over_standard-000000000000/acknowledgement", fin, map[string]any{"note": "x"}), 404)
	e.must(e.call("POST", L+"/findings/"+id+"/acknowledgement", fin, map[string]any{"note": "已追回超发120元"}), 201)
	fs = e.must(e.call("GET", L+"/findings", aud, nil), 200)
	f = nil
	for _, x := range fs.body["findings"].([]any) {
		if x.(map[string]any)["id"] == id {
			f = x.(map[string]any)
		}
	}
	if ack, _ := f["acknowledgement"].(map[string]any); f["acknowledged"] != true || ack["note"] != "已追回超发120元" || f["id"] != id {
		t.Errorf("acknowledged finding = %v", f)
	}

	// A batch line fails on a closed card; re-issuing it before the card
	// changes is refused, after it is accepted, and it is no longer undelivered.
	e.must(e.call("POST", L+"/payout-batches", fin, map[string]any{"id": "B1", "fund": "A1", "item": "产业扶持直补", "period": "2019",
		"control": map[string]any{"count": 1, "amount": "5000.00"}, "lines": []any{map[string]any{"household": "H0001", "amount": "5000.00"}}}), 201)
	e.must(e.call("POST", L+"/payout-batches/B1/bank-results", fin, map[string]any{"lines": []any{
		map[string]any{"household": "H0001", "status": "failed", "reason": "账户已销户"}}}), 201)
	re := payout("P3", "A1", "5000.00")
	re["reissue_of"] = "B1/H0001"
	if r := e.must(e.call("POST", L+"/payouts", fin, re), 422); r.errCode() != "same_card" {
		t.Errorf("re-issue to the failed card: %s", r.raw)
	}
	re["reissue_of"] = "P1"
	if r := e.must(e.call("POST", L+"/payouts", fin, re), 422); r.errCode() != "not_reissuable" {
		t.Errorf("re-issue of a line that did not fail: %s", r.raw)
	}
	e.must(e.call("POST", L+"/households/H0001/bank-card", fin, map[string]any{"bank_name": "农商银行", "bank_account": "6217009999888877776"}), 201)
	re["reissue_of"] = "B1/H0001"
	e.must(e.call("POST", L+"/payouts", fin, re), 201)
	sum := e.must(e.call("GET", L+"/summary", aud, nil), 200)
	if u, _ := sum.body["payouts"].(map[string]any)["undelivered"].(map[string]any); u["lines"] != float64(0) || u["amount"] != "0.00" {
		t.Errorf("undelivered after the re-issue = %v", u)
	}
}
