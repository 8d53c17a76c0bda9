package owner_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fundledger/fundledger/internal/owner"
	"github.com/fundledger/fundledger/internal/testutil"
)

const (
	ttl   = 900 * time.Millisecond
	renew = 300 * time.Millisecond
)

// acquired records the ledgers OnAcquire was called for.
type acquired struct {
	mu      sync.Mutex
	ledgers []string
}

func (a *acquired) add(l string) { a.mu.Lock(); a.ledgers = append(a.ledgers, l); a.mu.Unlock() }
func (a *acquired) count(l string) (n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, x := range a.ledgers {
		if x == l {
			n++
		}
	}
	return n
}

func open(t *testing.T, url, name string, acq *acquired) *owner.KV {
	t.Helper()
	opts := owner.Options{URL: url, Self: owner.Node{Name: name, URL: "http://" + name}, TTL: ttl, Renew: renew}
	if acq != nil {
		opts.OnAcquire = acq.add
	}
	k, err := owner.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Close() })
	return k
}

func claim(t *testing.T, k *owner.KV, ledger string) owner.Claim {
	t.Helper()
	c, err := k.Claim(context.Background(), ledger)
	if err != nil {
		t.Fatalf("claim %s: %v", ledger, err)
	}
	return c
}

// TestLeaseRenewedThenTakenOverAfterItsOwnerDies: a renewed lease keeps
// its ledger with its owner past several TTLs; once the owner stops
// renewing (dies), it stops writing before the lease expires, and another
// server takes the ledger after the expiry — on demand, and by its sweep
// for a ledger nobody writes — reloading before its first write.
func TestLeaseRenewedThenTakenOverAfterItsOwnerDies(t *testing.T) {
	srv, _ := testutil.StartJetStream(t)
	var acqB acquired
	a, b := open(t, srv.ClientURL(), "a", nil), open(t, srv.ClientURL(), "b", &acqB)
	if c := claim(t, a, "341504"); !c.Self {
		t.Fatalf("first claim of a free ledger: %+v, want self", c)
	}
	claim(t, a, "341502")
	time.Sleep(3 * ttl) // several renewals
	if c := claim(t, b, "341504"); c.Self || c.Owner.Name != "a" || c.Owner.URL != "http://a" {
		t.Fatalf("b's claim while a renews: %+v, want owner a", c)
	}
	if !a.Holds("341504") || b.Holds("341504") {
		t.Fatalf("holds: a %v b %v, want a only", a.Holds("341504"), b.Holds("341504"))
	}

	a.Abandon()
	died := time.Now()
	var fenced, taken time.Duration
	for taken == 0 {
		if time.Since(died) > 5*ttl {
			t.Fatalf("b did not take the ledger within %v", 5*ttl)
		}
		if fenced == 0 && !a.Holds("341504") {
			fenced = time.Since(died)
		}
		if claim(t, b, "341504").Self {
			taken = time.Since(died)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if fenced == 0 || fenced >= taken {
		t.Fatalf("the dead owner stopped writing at %v, b took over at %v: the owner must stop first", fenced, taken)
	}
	if acqB.count("341504") != 1 {
		t.Fatalf("OnAcquire called %d times for the taken ledger, want 1", acqB.count("341504"))
	}
	t.Logf("owner fenced %v after its last chance to renew, taken over after %v (TTL %v)", fenced, taken, ttl)

	// 341502: nobody asks; b's sweep takes it once it expired.
	deadline := time.Now().Add(ttl + 3*renew)
	for !b.Holds("341502") {
		if time.Now().After(deadline) {
			t.Fatalf("b's sweep did not take the expired ledger 341502 within TTL+3 renewals")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClosedOwnerReleasesAtOnce: a clean stop releases the leases, so
// another server takes the ledger without waiting for the TTL.
func TestClosedOwnerReleasesAtOnce(t *testing.T) {
	srv, _ := testutil.StartJetStream(t)
	a, b := open(t, srv.ClientURL(), "a", nil), open(t, srv.ClientURL(), "b", nil)
	claim(t, a, "341504")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// At once: as soon as b's watcher has seen the release (milliseconds),
	// well before a's lease would have expired.
	start := time.Now()
	for !claim(t, b, "341504").Self {
		if time.Since(start) > ttl/2 {
			t.Fatalf("b did not take the released ledger within %v", ttl/2)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("released ledger taken after %v", time.Since(start))
}
