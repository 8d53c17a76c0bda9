package conformance

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore"
)

// readFromAnyPosition: a read from any position answers exactly the records
// from there to the head, whether the position starts, ends or sits inside
// one append; from head+1 answers nothing.
func (s *suite) readFromAnyPosition(t *testing.T) {
	st := s.store(t)
	l := ledgerCode(t)
	var all [][]byte
	for i := range 30 {
		n := 1 + i%7
		recs := batch(l, uint64(len(all))+1, n, fmt.Sprint(i), 30)
		mustAppend(t, st, l, uint64(len(all)), recs)
		all = append(all, recs...)
	}
	head := uint64(len(all))
	// Every position of the first appends (starts, middles and ends of
	// appends), some in the middle, and the tail.
	var froms []uint64
	for from := uint64(1); from <= 12; from++ {
		froms = append(froms, from)
	}
	froms = append(froms, head/2-1, head/2, head/2+1, head-8, head-3, head-1, head, head+1, head+2)
	for _, from := range froms {
		checkRecords(t, l, from, readAll(t, st, l, from), all)
	}
}

// readStopsOnCallbackError: an error from fn ends Read and comes back.
func (s *suite) readStopsOnCallbackError(t *testing.T) {
	st := s.store(t)
	l := ledgerCode(t)
	mustAppend(t, st, l, 0, batch(l, 1, 10, "x", 20))
	calls := 0
	err := st.Read(testCtx(t), l, 1, func(r eventstore.Record) error {
		calls++
		if r.Seq == 4 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Read answered %v, want the callback's error", err)
	}
	if calls != 4 {
		t.Fatalf("callback called %d times after failing at seq 4", calls)
	}
}

// follower runs Follow in the background and hands over what it sees.
type follower struct {
	recs     chan eventstore.Record
	done     chan error    // Follow's answer
	finished chan struct{} // closed once Follow has returned
	cancel   context.CancelFunc
}

func startFollow(t *testing.T, st eventstore.Store, ledger string, from uint64) *follower {
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{recs: make(chan eventstore.Record, 10000), done: make(chan error, 1), finished: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(f.finished)
		f.done <- st.Follow(ctx, ledger, from, func(r eventstore.Record) error {
			f.recs <- r
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-f.finished:
		case <-time.After(10 * time.Second):
			t.Error("Follow did not return within 10s of its context being cancelled")
		}
	})
	return f
}

// expect waits for the next n records and checks them against want.
func (f *follower) expect(t *testing.T, ledger string, from uint64, n int, want [][]byte) {
	t.Helper()
	got := make([]eventstore.Record, 0, n)
	timeout := time.After(15 * time.Second)
	for len(got) < n {
		select {
		case r := <-f.recs:
			got = append(got, r)
		case err := <-f.done:
			t.Fatalf("Follow returned early: %v", err)
		case <-timeout:
			t.Fatalf("Follow delivered %d of %d records from %d within 15s", len(got), n, from)
		}
	}
	checkRecords(t, ledger, from, got, want[:from-1+uint64(n)])
}

// stop cancels the follow and checks that it answers context.Canceled.
func (f *follower) stop(t *testing.T) {
	t.Helper()
	f.cancel()
	select {
	case err := <-f.done:
		if !cancelled(err) {
			t.Fatalf("Follow answered %v after cancel, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return within 10s of cancel")
	}
	select {
	case r := <-f.recs:
		t.Fatalf("Follow delivered an unexpected record %s/%d", r.Ledger, r.Seq)
	default:
	}
}

// follow: a follower started on an empty ledger sees every later append, in
// order, and stops when its context is cancelled.
func (s *suite) follow(t *testing.T) {
	st := s.store(t)
	l := ledgerCode(t)
	f := startFollow(t, st, l, 1)
	var all [][]byte
	for i, n := range []int{1, 4, 2, 100} {
		recs := batch(l, uint64(len(all))+1, n, fmt.Sprint(i), 25)
		mustAppend(t, st, l, uint64(len(all)), recs)
		all = append(all, recs...)
		if i == 1 {
			// Give the follower a chance to be waiting at the head.
			f.expect(t, l, 1, len(all), all)
		}
	}
	f.expect(t, l, 6, len(all)-5, all)
	f.stop(t)

	// A callback error ends Follow with that error.
	ctx := testCtx(t)
	err := st.Follow(ctx, l, 3, func(r eventstore.Record) error {
		if r.Seq == 5 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Follow answered %v, want the callback's error", err)
	}
}

// followFromMiddle: a follower started inside the history catches up from
// there and goes on live.
func (s *suite) followFromMiddle(t *testing.T) {
	st := s.store(t)
	l := ledgerCode(t)
	all := batch(l, 1, 10, "old", 30)
	mustAppend(t, st, l, 0, all[:4])
	mustAppend(t, st, l, 4, all[4:])
	f := startFollow(t, st, l, 6)
	f.expect(t, l, 6, 5, all)
	more := batch(l, 11, 3, "new", 30)
	mustAppend(t, st, l, 10, more)
	all = append(all, more...)
	f.expect(t, l, 11, 3, all)
	f.stop(t)
}

// restart: what was acknowledged before Close is there after reopening, the
// head is right, and appends go on from it.
func (s *suite) restart(t *testing.T) {
	if !s.f.Restart {
		t.Skip("adapter declares no persistence across Close and reopen (Features.Restart = false)")
	}
	dir := t.TempDir()
	l, m := ledgerCode(t), ledgerCode(t)
	st := s.open(t, dir)
	var all [][]byte
	for i := range 5 {
		recs := batch(l, uint64(len(all))+1, 1+i*3, fmt.Sprint(i), 40)
		mustAppend(t, st, l, uint64(len(all)), recs)
		all = append(all, recs...)
	}
	other := batch(m, 1, 2, "m", 10)
	mustAppend(t, st, m, 0, other)
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	st = s.open(t, dir)
	t.Cleanup(func() { _ = st.Close() })
	if h := mustHead(t, st, l); h != uint64(len(all)) {
		t.Fatalf("Head after restart = %d, want %d", h, len(all))
	}
	checkRecords(t, l, 1, readAll(t, st, l, 1), all)
	checkRecords(t, l, 7, readAll(t, st, l, 7), all)
	checkRecords(t, m, 1, readAll(t, st, m, 1), other)
	_, err := st.Append(testCtx(t), l, uint64(len(all))-1, batch(l, uint64(len(all)), 1, "stale", 10))
	wantConflict(t, err, "stale Append after restart")
	more := batch(l, uint64(len(all))+1, 2, "after", 40)
	mustAppend(t, st, l, uint64(len(all)), more)
	checkRecords(t, l, 1, readAll(t, st, l, 1), append(all, more...))
	ls, err := st.Ledgers(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !containsLedger(ls, l) || !containsLedger(ls, m) {
		t.Fatalf("Ledgers after restart = %v, want %s and %s among them", ls, l, m)
	}
}
