package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestEveryErrorClassAnswersItsStatus sends one request per error class
// of the contract and checks status, code, a plain message and that the
// ledger did not move.
func TestEveryErrorClassAnswersItsStatus(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("1000.00")
	_, aud := e.token("auditor", "")
	_, other := e.token("finance", "110101")
	revokedID, revoked := e.token("finance", "")
	e.must(e.call("DELETE", "/v1/tokens/"+revokedID, adminToken, nil), 204)
	L := "/v1/ledgers/" + county

	e.must(e.call("POST", L+"/payouts", fin, payout("P-ok", "A1", "10.00"), "Idempotency-Key", "k-1"), 201)
	head := func() uint64 {
		s, _, err := e.mgr.Head(t.Context(), county)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := head()

	big := `{"id":"x","pad":"` + strings.Repeat("a", 1<<20) + `"}`
	cases := []struct {
		name, method, path, token string
		body                      any
		headers                   []string
		status                    int
		code, field               string
	}{
		{"three decimals", "POST", L + "/payouts", fin, payout("P1", "A1", "1.001"), nil, 400, "invalid_request", "amount"},
		{"negative amount", "POST", L + "/payouts", fin, payout("P1", "A1", "-5.00"), nil, 400, "invalid_request", "amount"},
		{"float noise", "POST", L + "/payouts", fin, `{"id":"P1","household":"H0001","item":"x","standard":"1.00","period":"2019","fund":"A1","amount":0.30000000000000004}`, nil, 400, "invalid_request", "amount"},
		{"exponent", "POST", L + "/allocations", fin, allocation("A9", "1e3"), nil, 400, "invalid_request", "amount"},
		{"unknown field", "POST", L + "/allocations", fin, `{"id":"A9","amount":"1.00","colour":"red"}`, nil, 400, "unknown_field", "colour"},
		{"not json", "POST", L + "/allocations", fin, `{"id":`, nil, 400, "invalid_json", ""},
		{"missing token", "POST", L + "/payouts", "", payout("P1", "A1", "1.00"), nil, 401, "unauthenticated", ""},
		{"unknown token", "GET", L + "/summary", "flt_nope", nil, nil, 401, "invalid_token", ""},
		{"revoked token", "POST", L + "/payouts", revoked, payout("P1", "A1", "1.00"), nil, 401, "invalid_token", ""},
		{"auditor writes", "POST", L + "/payouts", aud, payout("P1", "A1", "1.00"), nil, 403, "forbidden", ""},
		{"finance issues tokens", "POST", "/v1/tokens", fin, map[string]string{"role": "auditor"}, nil, 403, "forbidden", ""},
		{"other ledger's token", "POST", L + "/payouts", other, payout("P1", "A1", "1.00"), nil, 403, "wrong_ledger", ""},
		{"unknown ledger", "POST", "/v1/ledgers/999999/payouts", fin, payout("P1", "A1", "1.00"), nil, 404, "unknown_ledger", ""},
		{"unknown village", "POST", L + "/households", fin, func() map[string]any { h := household("H0009"); h["village"] = "V404"; return h }(), nil, 404, "not_found", "village"},
		{"unknown household", "POST", L + "/payouts", fin, func() map[string]any { p := payout("P1", "A1", "1.00"); p["household"] = "H404"; return p }(), nil, 404, "not_found", "household"},
		{"unknown project", "POST", L + "/projects/P404/appropriations", fin, map[string]any{"id": "AP1", "fund": "A1", "amount": "1.00"}, nil, 404, "not_found", "project"},
		{"unknown fund", "POST", L + "/payouts", fin, payout("P1", "A404", "1.00"), nil, 404, "not_found", "fund"},
		{"unknown balance", "GET", L + "/balances/households/H404", aud, nil, nil, 404, "not_found", ""},
		{"duplicate id", "POST", L + "/allocations", fin, allocation("A1", "5.00"), nil, 409, "duplicate", "id"},
		{"key reused with another body", "POST", L + "/payouts", fin, payout("P-other", "A1", "10.00"), []string{"Idempotency-Key", "k-1"}, 409, "idempotency_conflict", ""},
		{"too large by Content-Length", "POST", L + "/allocations", fin, big, nil, 413, "too_large", ""},
		{"wrong content type", "POST", L + "/allocations", fin, `{"id":"A9"}`, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", ""},
		{"insufficient funds", "POST", L + "/payouts", fin, payout("P1", "A1", "991.00"), nil, 422, "insufficient_funds", ""},
		{"payout to removed household", "POST", L + "/payouts", fin, func() map[string]any { p := payout("P1", "A1", "1.00"); p["household"] = "H0002"; return p }(), nil, 422, "household_removed", "household"},
		{"control totals disagree", "POST", L + "/payout-batches", fin, map[string]any{"id": "B1", "fund": "A1", "item": "光伏", "period": "2019",
			"control": map[string]any{"count": 1, "amount": "5.00"}, "lines": []map[string]any{{"household": "H0001", "amount": "4.00"}}}, nil, 422, "control_mismatch", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(c.method, c.path, c.token, c.body, c.headers...)
			if r.status != c.status || r.errCode() != c.code {
				t.Fatalf("got %d %s, want %d %s: %s", r.status, r.errCode(), c.status, c.code, r.raw)
			}
			msg := r.errMessage()
			if len(msg) < 10 || strings.Contains(msg, "json:") {
				t.Errorf("message %q is not plain words", msg)
			}
			if c.field != "" && !strings.Contains(msg, c.field) {
				t.Errorf("message %q does not name the field %q", msg, c.field)
			}
		})
	}
	if after := head(); after != before {
		t.Fatalf("ledger moved from %d to %d on rejected requests", before, after)
	}
	r := e.must(e.call("GET", L+"/balances/funds/A1", aud, nil), 200)
	if r.str("balance") != "990.00" {
		t.Fatalf("fund balance %s, want 990.00", r.str("balance"))
	}
}

// TestChunkedBodyOverLimitIs413 sends a body with no Content-Length: the
// limit is enforced while reading.
func TestChunkedBodyOverLimitIs413(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("1.00")
	body := io.MultiReader(strings.NewReader(`{"id":"A2","programme":"`), bytes.NewReader(bytes.Repeat([]byte("a"), 2<<20)), strings.NewReader(`"}`))
	req, _ := http.NewRequest("POST", e.url+"/v1/ledgers/"+county+"/allocations", body)
	req.ContentLength = -1 // chunked
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+fin)
	r := e.send(req)
	if r.status != 413 || r.errCode() != "too_large" {
		t.Fatalf("got %d %s, want 413 too_large", r.status, r.raw)
	}
}

// TestReadPastBoundAnswers503 stops the projections: a read cannot reach
// the acknowledged writes and answers 503 with Retry-After.
func TestReadPastBoundAnswers503(t *testing.T) {
	e := startEnv(t, "", envOptions{noProjections: true, readWait: 200e6})
	e.seedCounty("1.00")
	r := e.call("GET", "/v1/ledgers/"+county+"/summary", adminToken, nil)
	if r.status != 503 || r.header.Get("Retry-After") == "" || r.errCode() != "projections_behind" {
		t.Fatalf("got %d %v %s", r.status, r.header, r.raw)
	}
}

// TestUnknownRouteAndMethod keep the error shape.
func TestUnknownRouteAndMethod(t *testing.T) {
	e := startEnv(t, "")
	for path, want := range map[string]int{"/v1/nothing": 404} {
		r := e.call("GET", path, "", nil)
		if r.status != want || r.errCode() == "" {
			t.Errorf("%s: %d %s", path, r.status, r.raw)
		}
	}
	r := e.call("PUT", "/v1/ledgers", adminToken, nil)
	if r.status != 405 || r.errCode() != "method_not_allowed" {
		t.Errorf("PUT /v1/ledgers: %d %s", r.status, r.raw)
	}
	_ = fmt.Sprint()
}
