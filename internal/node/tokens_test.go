package node_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/internal/testutil"
)

// callAs sends a request with bearer token and an Idempotency-Key.
func callAs(t *testing.T, s *server, token, method, path string, body any, key string) answer {
	t.Helper()
	return send(t, s, token, method, path, body, "Idempotency-Key", key)
}

// until retries f every few milliseconds until it answers true or d has
// passed, and answers how long it took.
func until(t *testing.T, d time.Duration, what string, f func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !f() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// TestTokensHoldOnEveryServerOfACluster: two servers on one NATS, through
// real HTTP. A finance token issued on a (POST /v1/tokens) is accepted on
// b within a second: for a read, for a write b forwards to a (a, the
// owner, authenticates it again), and for a write b owns. Revoked on b
// (DELETE /v1/tokens/{id}), it is refused on a within a second, for reads
// and writes. A third server whose data dir has a tokens.json from before
// copies it into the bucket on its first start, and a accepts those tokens.
func TestTokensHoldOnEveryServerOfACluster(t *testing.T) {
	srv, _ := testutil.StartJetStream(t)
	a := startServer(t, srv.ClientURL(), "a", 0)
	b := startServer(t, srv.ClientURL(), "b", 0)
	for code, o := range map[string]*server{"341501": a, "341503": b} {
		if r := call(t, o, "POST", "/v1/ledgers", map[string]any{"code": code, "name": "县" + code}, "open-"+code); r.status != 201 || r.node != o.name {
			t.Fatalf("open %s through %s: %d %s", code, o.name, r.status, r.raw)
		}
	}

	r := call(t, a, "POST", "/v1/tokens", map[string]any{"role": "finance", "label": "clerk"}, "")
	if r.status != 201 || r.str("token") == "" {
		t.Fatalf("issue on a: %d %s", r.status, r.raw)
	}
	id, fin := r.str("id"), r.str("token")
	read := func(s *server) answer { return callAs(t, s, fin, "GET", "/v1/ledgers/341501/summary", nil, "") }
	seen := until(t, time.Second, "b accepts a's token for a read", func() bool { return read(b).status == 200 })
	if got := read(b); got.status != 200 || got.node != "b" {
		t.Fatalf("read on b: %d node %q %s", got.status, got.node, got.raw)
	}
	fwd := callAs(t, b, fin, "POST", "/v1/ledgers/341501/allocations", allocation("F1"), "tok-fwd")
	if fwd.status != 201 || fwd.node != "a" {
		t.Fatalf("write through b to a's ledger with a's token: %d node %q %s", fwd.status, fwd.node, fwd.raw)
	}
	own := callAs(t, b, fin, "POST", "/v1/ledgers/341503/allocations", allocation("F1"), "tok-own")
	if own.status != 201 || own.node != "b" {
		t.Fatalf("write to b's own ledger with a's token: %d node %q %s", own.status, own.node, own.raw)
	}

	if r := call(t, b, "DELETE", "/v1/tokens/"+id, nil, ""); r.status != 204 {
		t.Fatalf("revoke on b: %d %s", r.status, r.raw)
	}
	if got := read(b); got.status != 401 {
		t.Fatalf("read on b after b revoked the token: %d", got.status)
	}
	gone := until(t, time.Second, "a refuses the token b revoked", func() bool { return read(a).status == 401 })
	if w := callAs(t, a, fin, "POST", "/v1/ledgers/341501/allocations", allocation("F2"), "tok-after"); w.status != 401 {
		t.Fatalf("write on a with the revoked token: %d %s", w.status, w.raw)
	}
	if w := callAs(t, b, fin, "POST", "/v1/ledgers/341501/allocations", allocation("F2"), "tok-after"); w.status != 401 {
		t.Fatalf("write through b with the revoked token: %d %s", w.status, w.raw)
	}
	t.Logf("issued on a, accepted on b after %v; revoked on b, refused on a after %v", seen.Round(time.Microsecond), gone.Round(time.Microsecond))

	// A data dir used alone before, with its own tokens.json, joins.
	dir := t.TempDir()
	old, err := api.OpenTokens(filepath.Join(dir, "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, oldFin, _ := old.Issue(api.RoleFinance, "341501", "from before")
	logs := &testutil.SyncBuffer{}
	c, err := node.Open(context.Background(), node.Config{DataDir: dir, NATSURL: srv.ClientURL(), NodeName: "c",
		AdminToken: admin, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !strings.Contains(logs.String(), "copied this data dir's tokens.json") {
		t.Fatalf("no log line of the copy: %s", logs.String())
	}
	until(t, time.Second, "a accepts a token from c's tokens.json", func() bool {
		return callAs(t, a, oldFin, "GET", "/v1/ledgers/341501/summary", nil, "").status == 200
	})
	if got := callAs(t, a, oldFin, "GET", "/v1/ledgers/341503/summary", nil, ""); got.status != 403 {
		t.Fatalf("the copied token keeps its ledger scope: %d %s", got.status, got.raw)
	}
}
