package ledger

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
)

// TestWriterDatesEveryCommit: a commit keeps its business date beside its
// record time; the default is the record day in China time; a date after
// the record day is refused naming `date` and writes nothing.
func TestWriterDatesEveryCommit(t *testing.T) {
	now := time.Date(2020, 1, 14, 17, 0, 0, 0, time.UTC) // 2020-01-15 01:00 in China
	m := NewManager(memory.New(), Options{Logger: quiet, Clock: func() time.Time { return now }})
	t.Cleanup(func() { m.Close() })
	ctx := context.Background()
	submit(t, m, domain.OpenLedger{Code: code, Name: "某县"})
	back := submit(t, m, domain.Allocate{Date: "2019-06-30", ID: "A1", SourceLevel: "central", Programme: "p",
		FiscalYear: 2019, DocumentNo: "d", Amount: "100.00"})
	_, err := m.Submit(ctx, code, Request{Command: domain.Allocate{Date: "2020-01-16", ID: "A2", SourceLevel: "central",
		Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}})
	var e *domain.Error
	if !errors.As(err, &e) || e.Kind != domain.KindInvalid || e.Field != "date" {
		t.Fatalf("a future date: %v, want invalid naming date", err)
	}
	for seq, want := range map[uint64]string{1: "2020-01-15", back.Seq: "2019-06-30"} {
		c, err := m.Commit(ctx, code, seq)
		if err != nil {
			t.Fatal(err)
		}
		if c.Date != want || c.Version != domain.CommitVersion || !c.Time.Equal(now) {
			t.Errorf("commit %d: date %q version %d time %s; want date %s recorded %s", seq, c.Date, c.Version, c.Time, want, now)
		}
		if c.ComputeHash() != c.Hash {
			t.Errorf("commit %d does not verify", seq)
		}
	}
	if h, _, _ := m.Head(ctx, code); h != back.Seq {
		t.Fatalf("head %d: the refused write was recorded", h)
	}
}
