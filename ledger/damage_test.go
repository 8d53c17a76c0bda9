package ledger

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/memory"
)

// forgetfulStore loses its tail on demand: past lose, reads and the head
// stop at keep and every append is refused as a conflict, as a JetStream
// stream does once a block file is gone under a running server.
type forgetfulStore struct {
	eventstore.Store
	keep atomic.Uint64 // 0: nothing lost
}

func (f *forgetfulStore) Head(ctx context.Context, ledger string) (uint64, error) {
	h, err := f.Store.Head(ctx, ledger)
	if k := f.keep.Load(); k != 0 && h > k {
		h = k
	}
	return h, err
}

func (f *forgetfulStore) Read(ctx context.Context, ledger string, from uint64, fn func(eventstore.Record) error) error {
	k := f.keep.Load()
	return f.Store.Read(ctx, ledger, from, func(r eventstore.Record) error {
		if k != 0 && r.Seq > k {
			return nil
		}
		return fn(r)
	})
}

func (f *forgetfulStore) Append(ctx context.Context, ledger string, expected uint64, records [][]byte) (uint64, error) {
	if f.keep.Load() != 0 {
		return 0, eventstore.ErrConflict
	}
	return f.Store.Append(ctx, ledger, expected, records)
}

func allocate(id string) domain.Command {
	return domain.Allocate{ID: id, SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}
}

// TestWriterThatSeesItsStoreLoseTheTailStopsWriting: a running writer whose
// store loses acknowledged commits (found when an append is refused and the
// state is reloaded) quarantines the ledger: that write and every later one
// answer ledger_damaged naming the first lost commit; nothing is re-based.
func TestWriterThatSeesItsStoreLoseTheTailStopsWriting(t *testing.T) {
	store := &forgetfulStore{Store: memory.New()}
	m := NewManager(store, Options{})
	defer m.Close()
	submit(t, m, domain.OpenLedger{Code: code, Name: "某县"})
	for _, id := range []string{"A1", "A2", "A3"} {
		submit(t, m, allocate(id))
	}
	store.keep.Store(2) // commits 3 and 4 are gone
	for _, id := range []string{"A4", "A5"} {
		_, err := m.Submit(context.Background(), code, Request{Command: allocate(id), Actor: "t"})
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "commit 3") {
			t.Fatalf("write after the store lost its tail: %v, want ledger_damaged from commit 3", err)
		}
	}
	d, ok := m.Damaged(code)
	if !ok || d.FirstBadSeq != 3 || d.Seq != 2 {
		t.Fatalf("damage %+v, want first bad 3 after good 2", d)
	}
	if v, _ := m.Verify(context.Background(), code); v.Valid || *v.FirstBadSeq != 3 {
		t.Fatalf("verify %+v", v)
	}
}

// TestWitnessCatchesAStoreBehindOrForkedAtStart opens a ledger over a store
// that holds less than, or other than, what its head witness recorded.
func TestWitnessCatchesAStoreBehindOrForkedAtStart(t *testing.T) {
	wdir := t.TempDir()
	orig := memory.New()
	m := NewManager(orig, Options{WitnessDir: wdir})
	submit(t, m, domain.OpenLedger{Code: code, Name: "某县"})
	for _, id := range []string{"A1", "A2", "A3"} {
		submit(t, m, allocate(id))
	}
	m.Close() // the witness is written by now: commit 4
	if w, ok, err := NewWitnessDir(wdir).Read(code); err != nil || !ok || w.Seq != 4 {
		t.Fatalf("witness %+v %v %v, want seq 4", w, ok, err)
	}

	// Behind: a store holding only commits 1 and 2.
	behind := memory.New()
	copyRecords(t, orig, behind, 2)
	mb := NewManager(behind, Options{WitnessDir: wdir})
	defer mb.Close()
	_, err := mb.Submit(context.Background(), code, Request{Command: allocate("A9"), Actor: "t"})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "commit 3") {
		t.Fatalf("store behind its witness: %v", err)
	}
	if h, _ := behind.Head(context.Background(), code); h != 2 {
		t.Fatalf("a write landed at a lost sequence: head %d", h)
	}

	// Forked: a store with four other commits.
	forked := memory.New()
	mf := NewManager(forked, Options{})
	submit(t, mf, domain.OpenLedger{Code: code, Name: "某县"})
	for _, id := range []string{"B1", "B2", "B3"} {
		submit(t, mf, allocate(id))
	}
	mf.Close()
	mw := NewManager(forked, Options{WitnessDir: wdir})
	defer mw.Close()
	_, err = mw.Submit(context.Background(), code, Request{Command: allocate("A9"), Actor: "t"})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "commit 4") {
		t.Fatalf("store forked from its witness: %v", err)
	}
}

func copyRecords(t *testing.T, from, to eventstore.Store, upTo uint64) {
	t.Helper()
	ctx := context.Background()
	var recs [][]byte
	err := from.Read(ctx, code, 1, func(r eventstore.Record) error {
		if r.Seq <= upTo {
			recs = append(recs, r.Data)
		}
		return nil
	})
	if err != nil || uint64(len(recs)) != upTo {
		t.Fatalf("copied %d of %d records: %v", len(recs), upTo, err)
	}
	if _, err := to.Append(ctx, code, 0, recs); err != nil {
		t.Fatal(err)
	}
}
