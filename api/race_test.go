package api_test

import (
	"fmt"
	"sync"
	"testing"
)

// TestOverdraftRaceOverHTTP: 64 clients pay out at once from a fund that
// affords exactly 10 payouts. Exactly 10 are accepted, 54 refused with 422,
// and the fund ends at 0.00.
func TestOverdraftRaceOverHTTP(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("1000.00")
	statuses := make([]int, 64)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.call("POST", "/v1/ledgers/"+county+"/payouts", fin, payout(fmt.Sprintf("R%02d", i), "A1", "100.00"))
			statuses[i] = r.status
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[201] != 10 || count[422] != 54 || len(count) != 2 {
		t.Fatalf("statuses %v, want 10 × 201 and 54 × 422", count)
	}
	r := e.must(e.call("GET", "/v1/ledgers/"+county+"/balances/funds/A1", adminToken, nil), 200)
	if r.str("balance") != "0.00" {
		t.Fatalf("fund balance %q, want 0.00", r.str("balance"))
	}
}
