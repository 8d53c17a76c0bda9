package conformance

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fundledger/fundledger/eventstore"
)

// independentLedgers: each ledger numbers its own records from 1; appends,
// conflicts and reads on one never show in another.
func (s *suite) independentLedgers(t *testing.T) {
	st := s.store(t)
	ctx := testCtx(t)
	codes := []string{ledgerCode(t), ledgerCode(t), ledgerCode(t)}
	logs := map[string][][]byte{}
	for i := range 12 {
		l := codes[i%len(codes)]
		recs := batch(l, uint64(len(logs[l]))+1, 1+i%4, fmt.Sprint(i), 30)
		mustAppend(t, st, l, uint64(len(logs[l])), recs)
		logs[l] = append(logs[l], recs...)
	}
	// A conflict on one ledger does not disturb the others.
	_, err := st.Append(ctx, codes[0], 1, batch(codes[0], 2, 1, "stale", 10))
	wantConflict(t, err, "stale Append on one of several ledgers")
	for _, l := range codes {
		checkRecords(t, l, 1, readAll(t, st, l, 1), logs[l])
		if h := mustHead(t, st, l); h != uint64(len(logs[l])) {
			t.Fatalf("Head(%s) = %d, want %d", l, h, len(logs[l]))
		}
	}
}

// ledgersList: Ledgers names every ledger that holds a record.
func (s *suite) ledgersList(t *testing.T) {
	st := s.store(t)
	ctx := testCtx(t)
	codes := []string{ledgerCode(t), ledgerCode(t), ledgerCode(t)}
	for _, l := range codes {
		mustAppend(t, st, l, 0, batch(l, 1, 1, "x", 10))
	}
	ls, err := st.Ledgers(ctx)
	if err != nil {
		t.Fatalf("Ledgers: %v", err)
	}
	for _, l := range codes {
		if !containsLedger(ls, l) {
			t.Fatalf("Ledgers = %v, missing %s", ls, l)
		}
	}
	for _, l := range ls {
		if !eventstore.ValidLedgerCode(l) {
			t.Fatalf("Ledgers lists an invalid code %q", l)
		}
	}
}

// afterClose: every call on a closed store answers ErrClosed, and a second
// Close is harmless.
func (s *suite) afterClose(t *testing.T) {
	st := s.open(t, t.TempDir())
	l := ledgerCode(t)
	mustAppend(t, st, l, 0, batch(l, 1, 1, "x", 10))
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := testCtx(t)
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Errorf("%s after Close: %v, want eventstore.ErrClosed", what, err)
		}
	}
	_, err := st.Append(ctx, l, 1, batch(l, 2, 1, "y", 10))
	check("Append", err)
	check("Read", st.Read(ctx, l, 1, func(eventstore.Record) error { return nil }))
	check("Follow", st.Follow(ctx, l, 1, func(eventstore.Record) error { return nil }))
	_, err = st.Head(ctx, l)
	check("Head", err)
	_, err = st.Ledgers(ctx)
	check("Ledgers", err)
}
