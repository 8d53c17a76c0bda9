package conformance

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/fundledger/fundledger/eventstore"
)

// orderAndGapFree: records come back in append order, numbered 1.. without
// gaps, whatever the size of each append.
func (s *suite) orderAndGapFree(t *testing.T) {
	st := s.store(t)
	l := ledgerCode(t)
	if h := mustHead(t, st, l); h != 0 {
		t.Fatalf("Head of a new ledger = %d, want 0", h)
	}
	if recs := readAll(t, st, l, 1); len(recs) != 0 {
		t.Fatalf("Read of a new ledger answered %d records", len(recs))
	}
	var all [][]byte
	for i, n := range []int{1, 3, 1, 10, 2, 64, 1} {
		recs := batch(l, uint64(len(all))+1, n, fmt.Sprint(i), 40+i)
		mustAppend(t, st, l, uint64(len(all)), recs)
		all = append(all, recs...)
	}
	checkRecords(t, l, 1, readAll(t, st, l, 1), all)
	if h := mustHead(t, st, l); h != uint64(len(all)) {
		t.Fatalf("Head = %d, want %d", h, len(all))
	}
}

// staleExpectedConflicts: an append whose expected head is not the head is refused
// with ErrConflict and leaves the ledger as it was.
func (s *suite) staleExpectedConflicts(t *testing.T) {
	st := s.store(t)
	ctx := testCtx(t)
	l := ledgerCode(t)
	all := batch(l, 1, 3, "a", 30)
	mustAppend(t, st, l, 0, all)
	for _, expected := range []uint64{0, 1, 2, 4, 100} {
		_, err := st.Append(ctx, l, expected, batch(l, expected+1, 2, "stale", 30))
		wantConflict(t, err, fmt.Sprintf("Append with expected %d at head 3", expected))
	}
	checkRecords(t, l, 1, readAll(t, st, l, 1), all)
	if h := mustHead(t, st, l); h != 3 {
		t.Fatalf("Head after refused appends = %d, want 3", h)
	}
	// The writer goes on from the true head.
	more := batch(l, 4, 2, "b", 30)
	mustAppend(t, st, l, 3, more)
	checkRecords(t, l, 1, readAll(t, st, l, 1), append(all, more...))

	// A ledger that does not exist has head 0: any other expected conflicts
	// and does not bring the ledger into being.
	empty := ledgerCode(t)
	_, err := st.Append(ctx, empty, 2, batch(empty, 3, 1, "x", 10))
	wantConflict(t, err, "Append with expected 2 to an empty ledger")
	if h := mustHead(t, st, empty); h != 0 {
		t.Fatalf("Head of the empty ledger after a refused append = %d", h)
	}
	ls, err := st.Ledgers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if containsLedger(ls, empty) {
		t.Fatalf("Ledgers lists %s, which holds no record", empty)
	}
}

// racingAppenders: many writers append at the same expected head; exactly one
// wins each round, every loser gets ErrConflict, and the log holds exactly
// the winners' records.
func (s *suite) racingAppenders(t *testing.T) {
	st := s.store(t)
	ctx := testCtx(t)
	l := ledgerCode(t)
	const perAppend = 3
	var all [][]byte
	for round := range s.f.Rounds {
		head := uint64(len(all))
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []int
			start   = make(chan struct{})
			wins    = map[int][][]byte{}
		)
		for w := range s.f.Racers {
			recs := batch(l, head+1, perAppend, fmt.Sprintf("r%dw%d", round, w), 50)
			wg.Go(func() {
				<-start
				got, err := st.Append(ctx, l, head, recs)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					if got != head+perAppend {
						t.Errorf("round %d writer %d: head %d, want %d", round, w, got, head+perAppend)
					}
					winners = append(winners, w)
					wins[w] = recs
				case errors.Is(err, eventstore.ErrConflict):
				default:
					t.Errorf("round %d writer %d: %v", round, w, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		if len(winners) != 1 {
			t.Fatalf("round %d: %d writers won (%v), want exactly 1", round, len(winners), winners)
		}
		all = append(all, wins[winners[0]]...)
	}
	checkRecords(t, l, 1, readAll(t, st, l, 1), all)
	if h := mustHead(t, st, l); h != uint64(len(all)) {
		t.Fatalf("Head = %d, want %d", h, len(all))
	}
}

// largeCommitAtomic: a commit of 5,000 records (a county payout batch, about
// 1 MB) is stored whole; the same commit at a stale head stores nothing.
func (s *suite) largeCommitAtomic(t *testing.T) {
	st := s.store(t)
	ctx := testCtx(t)
	l := ledgerCode(t)
	first := batch(l, 1, 2, "small", 20)
	mustAppend(t, st, l, 0, first)
	big := batch(l, 3, 5000, "big", 200)
	mustAppend(t, st, l, 2, big)
	all := append(first, big...)

	_, err := st.Append(ctx, l, 2, batch(l, 3, 5000, "stale-big", 200))
	wantConflict(t, err, "5,000-record Append at a stale head")
	if h := mustHead(t, st, l); h != 5002 {
		t.Fatalf("Head = %d, want 5002", h)
	}
	checkRecords(t, l, 1, readAll(t, st, l, 1), all)
	checkRecords(t, l, 2500, readAll(t, st, l, 2500), all)

	// A conflicting big append to a fresh ledger leaves it empty.
	fresh := ledgerCode(t)
	_, err = st.Append(ctx, fresh, 7, batch(fresh, 8, 5000, "big", 200))
	wantConflict(t, err, "5,000-record Append at expected 7 on an empty ledger")
	if h := mustHead(t, st, fresh); h != 0 {
		t.Fatalf("Head of %s = %d, want 0", fresh, h)
	}
}

// oneLargeRecord: a single record of about 1 MB round-trips unchanged.
func (s *suite) oneLargeRecord(t *testing.T) {
	st := s.store(t)
	l := ledgerCode(t)
	rec := [][]byte{payload(l, 1, "one-mb", 1<<20)}
	mustAppend(t, st, l, 0, rec)
	tail := batch(l, 2, 3, "tail", 10)
	mustAppend(t, st, l, 1, tail)
	checkRecords(t, l, 1, readAll(t, st, l, 1), append(rec, tail...))
}

// tooLarge: an append far over the adapter's limit answers ErrTooLarge and
// stores nothing.
func (s *suite) tooLarge(t *testing.T) {
	if s.f.MaxAppendBytes <= 0 {
		t.Skip("adapter declares no limit on one append (Features.MaxAppendBytes = 0)")
	}
	st := s.store(t)
	ctx := testCtx(t)
	l := ledgerCode(t)
	n := s.f.MaxAppendBytes/(64<<10) + 2
	_, err := st.Append(ctx, l, 0, batch(l, 1, n, "huge", 64<<10))
	if !errors.Is(err, eventstore.ErrTooLarge) {
		t.Fatalf("Append of %d bytes over a limit of %d: got %v, want eventstore.ErrTooLarge", n*(64<<10), s.f.MaxAppendBytes, err)
	}
	if h := mustHead(t, st, l); h != 0 {
		t.Fatalf("Head after a refused append = %d", h)
	}
	ls, err := st.Ledgers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if containsLedger(ls, l) {
		t.Fatalf("Ledgers lists %s, which holds no record", l)
	}
	rec := batch(l, 1, 1, "fits", 100)
	mustAppend(t, st, l, 0, rec)
	checkRecords(t, l, 1, readAll(t, st, l, 1), rec)
}
