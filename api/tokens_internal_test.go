package api

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/fundledger/fundledger/internal/testutil"
)

// TestTokenRevocationIsFinal: the index never takes a revoked token back
// when an older copy of its record arrives after the revocation (a
// watcher delivering the issue after this server's own revocation).
func TestTokenRevocationIsFinal(t *testing.T) {
	tk, err := OpenTokens("")
	if err != nil {
		t.Fatal(err)
	}
	issued := Token{ID: "tok_1", Hash: HashToken("flt_x"), Role: RoleFinance, CreatedAt: time.Now().UTC()}
	revoked := issued
	at := time.Now().UTC()
	revoked.RevokedAt = &at
	tk.apply(revoked)
	tk.apply(issued)
	if _, ok := tk.Lookup("flt_x"); ok {
		t.Fatal("a late copy of the issue undid the revocation")
	}
	tk.forget("tok_1")
	tk.apply(issued)
	if _, ok := tk.Lookup("flt_x"); !ok {
		t.Fatal("a record put after its key was deleted is not indexed")
	}
}

// TestTokenWatcherStartsAgain: a bucket watcher that ends under a running
// server (its subscription closed) is started again, and what changed
// meanwhile reaches the index: a token revoked elsewhere is refused.
func TestTokenWatcherStartsAgain(t *testing.T) {
	srv, _ := testutil.StartJetStream(t)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := OpenTokensKV(ctx, TokensKVOptions{URL: srv.ClientURL(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenTokensKV(ctx, TokensKVOptions{URL: srv.ClientURL(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tok, bearer, err := b.Issue(RoleFinance, "", "")
	if err != nil {
		t.Fatal(err)
	}
	kv := a.store.(*kvTokens)
	waitFor := func(what string, ok func() bool) {
		start := time.Now()
		for !ok() {
			if time.Since(start) > 3*time.Second {
				t.Fatalf("%s: not within 3 s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("a sees b's token", func() bool { _, ok := a.Lookup(bearer); return ok })
	kv.mu.Lock()
	first := kv.watcher
	kv.mu.Unlock()
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := b.Revoke(tok.ID); err != nil {
		t.Fatal(err)
	}
	waitFor("a refuses the token revoked while its watcher was down", func() bool { _, ok := a.Lookup(bearer); return !ok })
	kv.mu.Lock()
	again := kv.watcher != first
	kv.mu.Unlock()
	if !again {
		t.Fatal("no new watcher")
	}
}
