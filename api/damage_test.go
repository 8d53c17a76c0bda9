package api_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedLedgerIsQuarantinedLoudly loses the tail of a ledger's store
// (the stream's files removed, as a lost disk or a deleted block does) and
// restarts: writes, retries of lost writes and reads answer 503
// ledger_damaged naming the first lost sequence, /readyz answers 503 naming
// the ledger, verify answers valid:false, the public check of a printed
// (seq, hash) past the loss says invalid, and other ledgers keep working.
func TestDamagedLedgerIsQuarantinedLoudly(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, dir)
	fin := e.seedCounty("500.00")
	L := "/v1/ledgers/" + county
	var last response
	for i := range 3 {
		last = e.must(e.call("POST", L+"/payouts", fin, payout(fmt.Sprintf("PO%d", i), "A1", "10.00"), "Idempotency-Key", fmt.Sprintf("po-%d", i)), 201)
	}
	lostSeq, lostHash := int(last.num("seq")), last.str("hash")
	e.stop()
	if err := os.RemoveAll(filepath.Join(dir, "jetstream", "$G", "streams", "FUNDLEDGER_"+county)); err != nil {
		t.Fatal(err)
	}

	e2 := startEnv(t, dir)
	r := e2.must(e2.call("GET", "/readyz", "", nil), 503)
	if !strings.Contains(string(r.raw), county) || !strings.Contains(string(r.raw), "first_bad_seq") {
		t.Fatalf("/readyz does not name the damaged ledger: %s", r.raw)
	}
	for _, w := range []struct{ path, key string }{
		{L + "/payouts", "po-2"},   // a retry of the lost write
		{L + "/payouts", "po-new"}, // a new write at a lost sequence
	} {
		r := e2.must(e2.call("POST", w.path, fin, payout("PO2", "A1", "10.00"), "Idempotency-Key", w.key), 503)
		if r.errCode() != "ledger_damaged" || !strings.Contains(string(r.raw), "commit 1") {
			t.Fatalf("write to a damaged ledger: %s", r.raw)
		}
	}
	_, auditor := e2.token("auditor", "")
	for _, path := range []string{L + "/summary", L + "/balances/funds/A1", L + "/events"} {
		if r := e2.call("GET", path, auditor, nil); r.status != 503 || r.errCode() != "ledger_damaged" {
			t.Fatalf("GET %s on a damaged ledger: %d %s", path, r.status, r.raw)
		}
	}
	if r := e2.call("GET", "/notice/"+county+"/V001", "", nil); r.status != 503 {
		t.Fatalf("notice page of a damaged ledger: %d", r.status)
	}
	v := e2.must(e2.call("GET", L+"/verify", auditor, nil), 200)
	if v.body["valid"] != false || v.num("first_bad_seq") != 1 {
		t.Fatalf("verify: %s", v.raw)
	}
	pv := e2.must(e2.call("GET", fmt.Sprintf("/v1/public/ledgers/%s/verify?seq=%d&hash=%s", county, lostSeq, lostHash), "", nil), 200)
	if pv.body["valid"] != false {
		t.Fatalf("public verify of a lost commit: %s", pv.raw)
	}
	// Other ledgers are unaffected.
	e2.must(e2.call("POST", "/v1/ledgers", fin, map[string]any{"code": "341502", "name": "另一县"}), 201)
}

// TestSnapshotStillVouchesWhenTheWitnessIsGone: the stream and the head
// witness are both lost; the projections' newest snapshot still stops the
// first write from landing at a lost sequence.
func TestSnapshotStillVouchesWhenTheWitnessIsGone(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, dir)
	fin := e.seedCounty("500.00")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/payouts", fin, payout("PO1", "A1", "10.00")), 201)
	e.stop() // the projections write their snapshot at the head
	for _, p := range []string{filepath.Join(dir, "witness"), filepath.Join(dir, "jetstream", "$G", "streams", "FUNDLEDGER_"+county)} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	e2 := startEnv(t, dir)
	e2.must(e2.call("GET", "/readyz", "", nil), 503) // named at start, before any write
	if r := e2.call("POST", "/v1/ledgers", fin, map[string]any{"code": county, "name": "光州区"}); r.status != 503 || r.errCode() != "ledger_damaged" {
		t.Fatalf("re-opening a ledger whose history is lost: %d %s", r.status, r.raw)
	}
	e2.must(e2.call("GET", "/readyz", "", nil), 503)
}
