package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestOnlySettledCutsAreCachedAsImmutable: a public page as of a past
// sequence, or of a time some commit already follows, may be cached for a
// year; a page as of a time or date still to come (or past the last
// commit) must not, since the next write changes it.
func TestOnlySettledCutsAreCachedAsImmutable(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("1000.00")
	L := "/v1/ledgers/" + county
	D := "/v1/public/ledgers/" + county + "/villages/V001/disclosure"
	first := e.must(e.call("GET", D, "", nil), 200)
	between := time.Now()             // after every seed commit: each was timed before its answer
	time.Sleep(20 * time.Millisecond) // commit times are the server's clock: keep the next one after between
	e.must(e.call("POST", L+"/payouts", fin, payout("PO1", "A1", "100.00")), 201)

	future := time.Now().AddDate(1, 0, 0)
	for _, c := range []struct {
		asOf      string
		immutable bool
	}{
		{fmt.Sprint(int(first.num("seq"))), true},
		{between.Format(time.RFC3339Nano), true},                               // a later commit exists
		{future.Format(time.RFC3339), false},                                   // a future time
		{future.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"), false}, // a future date
		{"", false}, // live
	} {
		for _, path := range []string{D, D + ".csv", "/notice/" + county + "/V001"} {
			q := path
			if c.asOf != "" {
				q += "?as_of=" + c.asOf
			}
			r := e.must(e.call("GET", q, "", nil), 200)
			cc := r.header.Get("Cache-Control")
			if got := strings.Contains(cc, "immutable"); got != c.immutable {
				t.Errorf("GET %s: Cache-Control %q, immutable should be %v", q, cc, c.immutable)
			}
			if !c.immutable && !strings.Contains(cc, "max-age=60") {
				t.Errorf("GET %s: Cache-Control %q, want a short max-age", q, cc)
			}
		}
	}
	// The future page really does change with the next write.
	q := D + "?as_of=" + future.Format(time.RFC3339)
	before := e.must(e.call("GET", q, "", nil), 200)
	e.must(e.call("POST", L+"/payouts", fin, payout("PO2", "A1", "50.00")), 201)
	after := e.must(e.call("GET", q, "", nil), 200)
	if before.num("seq") == after.num("seq") || before.header.Get("ETag") == after.header.Get("ETag") {
		t.Fatalf("as_of a future time did not move with a write: seq %v then %v", before.num("seq"), after.num("seq"))
	}
}
