package api_test

import (
	"os"
	"testing"

	"github.com/fundledger/fundledger/api"
)

// TestEveryAnswerNamesItsServer: on a single server too, every answer —
// a write, a read, an error, an unknown path — carries Fundledger-Node
// (by default the host name).
func TestEveryAnswerNamesItsServer(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("500.00")
	host, _ := os.Hostname()
	for _, r := range []response{
		e.call("POST", "/v1/ledgers/"+county+"/payouts", fin, payout("PO1", "A1", "1.00")),
		e.call("GET", "/v1/ledgers/"+county+"/summary", fin, nil),
		e.call("GET", "/v1/ledgers/"+county+"/summary", "", nil),
		e.call("GET", "/no/such/path", "", nil),
		e.call("GET", "/healthz", "", nil),
	} {
		if got := r.header.Get(api.HeaderNode); got != host || len(r.header.Values(api.HeaderNode)) != 1 {
			t.Fatalf("answer %d %s: %s %q, want %q once", r.status, r.raw, api.HeaderNode, r.header.Values(api.HeaderNode), host)
		}
	}
}
