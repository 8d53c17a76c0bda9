package api_test

import (
	"testing"
)

// TestIdempotentRetryAfterRestart: a write acknowledged before a restart is
// answered again, unchanged, when retried with its Idempotency-Key after
// the restart; the same key with another body is a 409; a revoked token
// stays revoked and reads reflect the writes made before the restart.
func TestIdempotentRetryAfterRestart(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, dir)
	fin := e.seedCounty("500.00")
	revokedID, revoked := e.token("auditor", "")
	e.must(e.call("DELETE", "/v1/tokens/"+revokedID, adminToken, nil), 204)
	path := "/v1/ledgers/" + county + "/payouts"
	first := e.must(e.call("POST", path, fin, payout("PO1", "A1", "120.00"), "Idempotency-Key", "retry-1"), 201)
	e.stop()

	e2 := startEnv(t, dir)
	again := e2.must(e2.call("POST", path, fin, payout("PO1", "A1", "120.00"), "Idempotency-Key", "retry-1"), 201)
	if again.num("seq") != first.num("seq") || again.str("hash") != first.str("hash") || string(again.raw) != string(first.raw) {
		t.Fatalf("retry answered %s, first answer was %s", again.raw, first.raw)
	}
	if again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry not marked as a replay")
	}
	e2.must(e2.call("POST", path, fin, payout("PO2", "A1", "1.00"), "Idempotency-Key", "retry-1"), 409)
	if r := e2.call("GET", "/v1/ledgers/"+county+"/summary", revoked, nil); r.status != 401 {
		t.Fatalf("revoked token after restart: %d", r.status)
	}
	r := e2.must(e2.call("GET", "/v1/ledgers/"+county+"/balances/funds/A1", fin, nil), 200)
	if r.str("balance") != "380.00" || r.num("seq") != first.num("seq") {
		t.Fatalf("after restart: balance %s at seq %v, want 380.00 at %v", r.str("balance"), r.num("seq"), first.num("seq"))
	}
}
