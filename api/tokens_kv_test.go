package api_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/internal/testutil"
)

func openKVTokens(t *testing.T, url string) *api.Tokens {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tk, err := api.OpenTokensKV(ctx, api.TokensKVOptions{URL: url, Name: t.Name(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tk.Close() })
	return tk
}

// within waits up to d for ok, answering how long it took.
func within(t *testing.T, d time.Duration, what string, ok func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !ok() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// TestTokensInTheBucketHoldOnEveryServer: two servers' Tokens on one
// NATS. A token issued through one authenticates through the other within
// a second, from the other's memory (its watcher); revoked through the
// second, it is refused by the first within a second; a token issued
// through one is revoked through the other at once, even before that
// one's watcher has seen it (revocation reads the bucket).
func TestTokensInTheBucketHoldOnEveryServer(t *testing.T) {
	srv, _ := testutil.StartJetStream(t)
	a := openKVTokens(t, srv.ClientURL())
	b := openKVTokens(t, srv.ClientURL())

	tok, bearer, err := a.Issue(api.RoleFinance, "341504", "clerk")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := a.Lookup(bearer); !ok || got.Role != api.RoleFinance || got.Ledger != "341504" {
		t.Fatalf("issuer's own lookup: %+v %v", got, ok)
	}
	seen := within(t, time.Second, "b accepts a token issued on a", func() bool { _, ok := b.Lookup(bearer); return ok })
	if err := b.Revoke(tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Lookup(bearer); ok {
		t.Fatal("b still accepts the token it revoked")
	}
	gone := within(t, time.Second, "a refuses a token revoked on b", func() bool { _, ok := a.Lookup(bearer); return !ok })
	t.Logf("issued on a, accepted on b after %v; revoked on b, refused on a after %v", seen, gone)

	// Revoked through b straight after its issue through a.
	tok2, bearer2, err := a.Issue(api.RoleAuditor, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Revoke(tok2.ID); err != nil {
		t.Fatalf("revoke on b at once after the issue on a: %v", err)
	}
	within(t, time.Second, "a refuses it", func() bool { _, ok := a.Lookup(bearer2); return !ok })
	// Let b's watcher deliver the issue after the revocation: still revoked.
	time.Sleep(100 * time.Millisecond)
	if _, ok := b.Lookup(bearer2); ok {
		t.Fatal("b accepts a token it revoked, after its watcher saw the issue")
	}
	if err := b.Revoke("tok_none"); err != api.ErrTokenNotFound {
		t.Fatalf("revoke of an unknown id: %v", err)
	}
	if err := b.Revoke("tok.*"); err != api.ErrTokenNotFound {
		t.Fatalf("revoke of an id that is no key: %v", err)
	}

	// A server started later knows every token at once.
	c := openKVTokens(t, srv.ClientURL())
	tok3, bearer3, err := a.Issue(api.RoleAuditor, "", "")
	if err != nil {
		t.Fatal(err)
	}
	c2 := openKVTokens(t, srv.ClientURL())
	if _, ok := c2.Lookup(bearer3); !ok {
		t.Fatalf("a server opened after the issue of %s does not know it", tok3.ID)
	}
	for _, x := range []string{bearer, bearer2} {
		if _, ok := c.Lookup(x); ok {
			t.Fatal("a server opened after a revocation accepts the revoked token")
		}
	}
}

// TestTokenBucketHoldsNoToken: what the bucket holds for a token is its
// record with the token's SHA-256, never the token.
func TestTokenBucketHoldsNoToken(t *testing.T) {
	srv, _ := testutil.StartJetStream(t)
	tk := openKVTokens(t, srv.ClientURL())
	tok, bearer, err := tk.Issue(api.RoleFinance, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.Revoke(tok.ID); err != nil {
		t.Fatal(err)
	}
	nc, err := natsgo.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	kv, err := js.KeyValue(ctx, api.TokenBucket)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	v := string(e.Value())
	secret := strings.TrimPrefix(bearer, "flt_")
	if strings.Contains(v, secret) || !strings.Contains(v, api.HashToken(bearer)) || !strings.Contains(v, `"revoked_at"`) {
		t.Fatalf("bucket value %s (token %s)", v, bearer)
	}
}

// TestImportCopiesTokensFileIntoTheBucket: a data dir's tokens.json
// copied into the bucket — live tokens stay live, revoked stay revoked,
// a second copy changes nothing, and a revocation made in the bucket
// since is not undone by the file.
func TestImportCopiesTokensFileIntoTheBucket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	file, err := api.OpenTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	_, live, _ := file.Issue(api.RoleFinance, "", "")
	gone, revoked, _ := file.Issue(api.RoleAuditor, "", "")
	later, revokedLater, _ := file.Issue(api.RoleAuditor, "", "")
	if err := file.Revoke(gone.ID); err != nil {
		t.Fatal(err)
	}
	recs, err := api.ReadTokensFile(path)
	if err != nil || len(recs) != 3 {
		t.Fatalf("read back %d records: %v", len(recs), err)
	}

	srv, _ := testutil.StartJetStream(t)
	kv := openKVTokens(t, srv.ClientURL())
	ctx := context.Background()
	if n, err := kv.Import(ctx, recs); err != nil || n != 3 {
		t.Fatalf("first copy: %d %v", n, err)
	}
	if n, err := kv.Import(ctx, recs); err != nil || n != 0 {
		t.Fatalf("second copy: %d %v", n, err)
	}
	if err := kv.Revoke(later.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := kv.Import(ctx, recs); err != nil || n != 0 {
		t.Fatalf("copy after a revocation in the bucket: %d %v", n, err)
	}
	other := openKVTokens(t, srv.ClientURL())
	for _, tk := range []*api.Tokens{kv, other} {
		if _, ok := tk.Lookup(live); !ok {
			t.Fatal("a live token of the file is refused")
		}
		for _, x := range []string{revoked, revokedLater} {
			if _, ok := tk.Lookup(x); ok {
				t.Fatal("a revoked token is accepted")
			}
		}
	}
	// The file revokes what the bucket still holds live.
	recs[0].RevokedAt = new(time.Time)
	*recs[0].RevokedAt = time.Now().UTC()
	if n, err := kv.Import(ctx, recs); err != nil || n != 1 {
		t.Fatalf("copy of a revocation: %d %v", n, err)
	}
	within(t, time.Second, "the other refuses the token revoked by the copy", func() bool { _, ok := other.Lookup(live); return !ok })
}

// TestTokensFileSurvivesReopen: the file store after the split into two
// stores — issue and revoke are in the file for the next open.
func TestTokensFileSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	tk, err := api.OpenTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	_, keep, _ := tk.Issue(api.RoleFinance, "341504", "")
	gone, drop, _ := tk.Issue(api.RoleAuditor, "", "")
	if err := tk.Revoke(gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := tk.Revoke("tok_none"); err != api.ErrTokenNotFound {
		t.Fatalf("unknown id: %v", err)
	}
	again, err := api.OpenTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := again.Lookup(keep); !ok || got.Ledger != "341504" {
		t.Fatalf("kept token after reopen: %+v %v", got, ok)
	}
	if _, ok := again.Lookup(drop); ok {
		t.Fatal("revoked token accepted after reopen")
	}
}
