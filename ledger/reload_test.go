package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
)

// TestReloadReloadsFromTheStoreBeforeTheNextWrite: a server taking a ledger
// over from another (Reload) decides its next command on the store's head,
// with the other's idempotency keys: a key the other acknowledged answers
// the original, and nothing is decided on stale state first.
func TestReloadReloadsFromTheStoreBeforeTheNextWrite(t *testing.T) {
	store := &countingStore{Store: memory.New()}
	a := NewManager(store, Options{Logger: quiet})
	defer a.Close()
	openCounty(t, a, 0)
	b := NewManager(store, Options{Logger: quiet})
	defer b.Close()
	if head, _, err := b.Head(context.Background(), code); err != nil || head != 2 {
		t.Fatalf("b's head: %d %v", head, err)
	}
	alloc := domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}
	req := Request{Command: alloc, Actor: "test", IdempotencyKey: "k1", RequestHash: "h1"}
	orig, err := a.Submit(context.Background(), code, req)
	if err != nil {
		t.Fatal(err)
	}
	b.Reload(code)
	if head, _, err := b.Head(context.Background(), code); err != nil || head != orig.Seq {
		t.Fatalf("b's head after Reload: %d %v, want %d (reloaded from the store)", head, err, orig.Seq)
	}
	appends := store.appends.Load()
	again, err := b.Submit(context.Background(), code, req)
	if err != nil || !again.Replayed || again.Seq != orig.Seq || again.Hash != orig.Hash {
		t.Fatalf("retry on the new owner: %+v %v, want the original %+v", again, err, orig)
	}
	if n := store.appends.Load() - appends; n != 0 {
		t.Fatalf("the retry appended %d times, want none", n)
	}
}

// TestReloadWhileWritingLosesNoCommand: commands racing a Reload are either
// written once by the old writer or decided by the new one; none is lost
// or answered with the old writer's stop.
func TestReloadWhileWritingLosesNoCommand(t *testing.T) {
	m := NewManager(memory.New(), Options{Logger: quiet})
	defer m.Close()
	openCounty(t, m, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := m.Submit(context.Background(), code, Request{Command: domain.Allocate{ID: fmt.Sprintf("A%03d", i), SourceLevel: "central",
				Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}})
			errs <- err
		}()
		if i%20 == 0 {
			m.Reload(code)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a command racing Reload: %v", err)
		}
	}
	if head, _, _ := m.Head(context.Background(), code); head != 2+200 {
		t.Fatalf("head %d, want %d: every command written once", head, 2+200)
	}
}

// TestFenceRefusesBeforeAnythingIsDecided: a server that may not write the
// ledger answers the fence's error and writes nothing.
func TestFenceRefusesBeforeAnythingIsDecided(t *testing.T) {
	store := memory.New()
	m := NewManager(store, Options{Logger: quiet})
	openCounty(t, m, 0)
	m.Close()
	notOwner := errors.New("not the owner")
	f := NewManager(store, Options{Logger: quiet, Fence: func(context.Context, string) error { return notOwner }})
	defer f.Close()
	_, err := f.Submit(context.Background(), code, Request{Command: domain.Allocate{ID: "A1", SourceLevel: "central",
		Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}})
	if !errors.Is(err, notOwner) {
		t.Fatalf("fenced write: %v, want the fence's error", err)
	}
	if head, _ := store.Head(context.Background(), code); head != 2 {
		t.Fatalf("store head %d after a fenced write, want 2", head)
	}
}
