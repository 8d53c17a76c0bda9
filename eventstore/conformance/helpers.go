package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/fundledger/fundledger/eventstore"
)

// payload is the record the suite stores at seq of ledger, tagged so that a
// misplaced or foreign record is caught; pad makes it about size bytes.
func payload(ledger string, seq uint64, tag string, size int) []byte {
	b := fmt.Appendf(nil, "%s|%d|%s|", ledger, seq, tag)
	for len(b) < size {
		b = append(b, byte('a'+len(b)%26))
	}
	return b
}

// batch answers n records for positions next..next+n-1.
func batch(ledger string, next uint64, n int, tag string, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = payload(ledger, next+uint64(i), tag, size)
	}
	return out
}

func mustAppend(t *testing.T, st eventstore.Store, ledger string, expected uint64, recs [][]byte) uint64 {
	t.Helper()
	head, err := st.Append(testCtx(t), ledger, expected, recs)
	if err != nil {
		t.Fatalf("Append(%s, expected %d, %d records): %v", ledger, expected, len(recs), err)
	}
	if want := expected + uint64(len(recs)); head != want {
		t.Fatalf("Append(%s, expected %d, %d records) answered head %d, want %d", ledger, expected, len(recs), head, want)
	}
	return head
}

func readAll(t *testing.T, st eventstore.Store, ledger string, from uint64) []eventstore.Record {
	t.Helper()
	var out []eventstore.Record
	err := st.Read(testCtx(t), ledger, from, func(r eventstore.Record) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Read(%s, from %d): %v", ledger, from, err)
	}
	return out
}

func mustHead(t *testing.T, st eventstore.Store, ledger string) uint64 {
	t.Helper()
	h, err := st.Head(testCtx(t), ledger)
	if err != nil {
		t.Fatalf("Head(%s): %v", ledger, err)
	}
	return h
}

// checkRecords fails unless recs are exactly the records want[from-1:] of
// ledger, numbered from from.
func checkRecords(t *testing.T, ledger string, from uint64, recs []eventstore.Record, want [][]byte) {
	t.Helper()
	if from == 0 {
		from = 1
	}
	var expect [][]byte
	if from <= uint64(len(want)) {
		expect = want[from-1:]
	}
	if len(recs) != len(expect) {
		t.Fatalf("read %s from %d: got %d records, want %d", ledger, from, len(recs), len(expect))
	}
	for i, r := range recs {
		seq := from + uint64(i)
		if r.Seq != seq || r.Ledger != ledger {
			t.Fatalf("record %d of %s from %d: got ledger %q seq %d, want %q seq %d", i, ledger, from, r.Ledger, r.Seq, ledger, seq)
		}
		if !bytes.Equal(r.Data, expect[i]) {
			t.Fatalf("record %s/%d: data differs (got %d bytes %.40q, want %d bytes %.40q)", ledger, seq, len(r.Data), r.Data, len(expect[i]), expect[i])
		}
	}
}

func wantConflict(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("%s: got error %v, want eventstore.ErrConflict", what, err)
	}
}

func containsLedger(ls []string, l string) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

var errStop = errors.New("conformance: stop here")

func cancelled(err error) bool {
	return errors.Is(err, context.Canceled)
}
