package projections

import (
	"context"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/ledger"
)

// commitsOf answers every commit of the test ledger, by seq (index 0 unused).
func commitsOf(t rapid.TB, store eventstore.Store) []*domain.Commit {
	out := []*domain.Commit{nil}
	err := store.Read(context.Background(), testLedger, 1, func(r eventstore.Record) error {
		c, err := domain.UnmarshalCommit(r.Data)
		out = append(out, c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBusinessCutEqualsFilterAndFold is the business-cut property: for
// random histories with back-dated writes (补录) and random dates, with or
// without known_at, the projector's fast answer (a record-cut model plus
// the back-dated commits after it) is the very model a brute-force filter
// and fold of the log gives.
func TestBusinessCutEqualsFilterAndFold(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		store := memory.New()
		defer store.Close()
		historyDated(t, store, true)
		// Back-dated commits held in memory, or read from the store.
		defer func(was uint64) { maxLate = was }(maxLate)
		maxLate = rapid.SampledFrom([]uint64{0, 3, 200_000}).Draw(t, "max late")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		head, _ := store.Head(ctx, testLedger)
		p := New(store, Options{SnapshotEvery: uint64(rapid.IntRange(1, 8).Draw(t, "every")), Logger: quiet(), eager: true})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- p.Run(runCtx) }()
		defer func() { stop(); <-done }()
		if err := p.WaitFor(ctx, testLedger, head); err != nil {
			t.Fatal(err)
		}
		commits := commitsOf(t, store)
		for range 4 {
			at := commits[rapid.IntRange(1, int(head)).Draw(t, "date of commit")]
			day, _ := time.Parse(domain.DateLayout, at.BusinessDate())
			cut := Cut{Date: day.AddDate(0, 0, rapid.IntRange(-3, 3).Draw(t, "days off")).Format(domain.DateLayout)}
			switch rapid.IntRange(0, 2).Draw(t, "known at") {
			case 1:
				cut.Seq = rapid.Uint64Range(1, head).Draw(t, "known seq")
			case 2:
				cut.Time = commits[rapid.IntRange(1, int(head)).Draw(t, "known at commit")].Time
			}
			want, err := ReplayBusiness(ctx, store, testLedger, cut)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Read(ctx, testLedger, cut, func(m *Model) error {
				if m.Seq() != want.Seq() || m.HeadHash() != want.HeadHash() {
					t.Fatalf("as of %v: read at seq %d, reference at %d", cut, m.Seq(), want.Seq())
				}
				if m.Fingerprint() != want.Fingerprint() {
					t.Fatalf("as of %v: the fast business cut differs from filter-and-fold", cut)
				}
				if m.BusinessDate() != cut.Date {
					t.Fatalf("model dated %q, cut %s", m.BusinessDate(), cut.Date)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("read as of %v: %v", cut, err)
			}
		}
	})
}

// TestBackDatedWriteChangesBusinessCutNotEarlierRecordCut: money entered
// late but dated in the past (补录) appears in the business cut of its
// date, not in a record cut taken before it was entered, and known_at
// answers what the ledger said before it.
func TestBackDatedWriteChangesBusinessCutNotEarlierRecordCut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	store := memory.New()
	defer store.Close()
	now := time.Date(2020, 1, 15, 2, 0, 0, 0, time.UTC)
	mgr := ledger.NewManager(store, ledger.Options{Logger: quiet(), Clock: func() time.Time { return now }})
	defer mgr.Close()
	submit := func(c domain.Command) uint64 {
		now = now.Add(time.Hour)
		res, err := mgr.Submit(ctx, testLedger, ledger.Request{Command: c, Actor: "t"})
		if err != nil {
			t.Fatalf("%s: %v", c.CommandName(), err)
		}
		return res.Seq
	}
	alloc := func(id, date, amount string) uint64 {
		return submit(domain.Allocate{Date: date, ID: id, SourceLevel: "central", Programme: "专项", FiscalYear: 2019,
			DocumentNo: "d", Amount: domain.AmountText(amount)})
	}
	submit(domain.OpenLedger{Code: testLedger, Name: "某县"})
	alloc("A1", "2019-03-01", "100.00")
	alloc("A2", "2019-09-01", "200.00")
	before := alloc("A3", "", "400.00") // dated today: 2020-01-15
	late := alloc("A4", "2019-06-30", "800.00")
	p := New(store, Options{Logger: quiet()})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	defer func() { stop(); <-done }()
	if err := p.WaitFor(ctx, testLedger, late); err != nil {
		t.Fatal(err)
	}
	scale := func(cut Cut) (string, uint64) {
		var s string
		var seq uint64
		mustRead(t, ctx, p, testLedger, cut, func(m *Model) { s, seq = m.Summary().FundScale.String(), m.Seq() })
		return s, seq
	}
	for _, tc := range []struct {
		cut  Cut
		want string
		seq  uint64
	}{
		{Cut{Date: "2019-06-30"}, "900.00", late},                // A1 + the back-dated A4
		{Cut{Date: "2019-06-29"}, "100.00", late},                //
		{Cut{Date: "2019-12-31"}, "1100.00", late},               // A1 + A2 + A4
		{Cut{Seq: before}, "700.00", before},                     // a record cut before A4 was entered
		{Cut{Date: "2019-06-30", Seq: before}, "100.00", before}, // known_at: what the ledger said then
		{Cut{Date: "2019-06-30", Time: now}, "900.00", late},     // known_at a time after it
		{Cut{Date: "2018-12-31"}, "0.00", late},                  // before any money: empty, not an error
	} {
		got, seq := scale(tc.cut)
		if got != tc.want || seq != tc.seq {
			t.Errorf("as of %v: fund scale %s at seq %d, want %s at seq %d", tc.cut, got, seq, tc.want, tc.seq)
		}
	}
}

func TestParseCutAxes(t *testing.T) {
	for in, want := range map[string]Cut{"": {}, "12": {Seq: 12}, "2019-06-30": {Date: "2019-06-30"},
		"2019-06-30T18:00:00+08:00": {Time: time.Date(2019, 6, 30, 10, 0, 0, 0, time.UTC)}} {
		got, err := ParseAsOf(in)
		if err != nil || got.Seq != want.Seq || got.Date != want.Date || !got.Time.Equal(want.Time) {
			t.Errorf("ParseAsOf(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"2019-02-30", "0", "yesterday", "2019-6-30"} {
		if _, err := ParseAsOf(bad); err == nil {
			t.Errorf("ParseAsOf(%q) accepted", bad)
		}
	}
	if _, err := ParseKnownAt("2019-06-30"); err == nil {
		t.Error("known_at took a date; it is a record point")
	}
	if _, err := (Cut{Seq: 3}).KnownAt(Cut{Seq: 2}); err == nil {
		t.Error("known_at beside a record as_of accepted")
	}
	c, err := (Cut{Date: "2019-06-30"}).KnownAt(Cut{Seq: 2})
	if err != nil || c.Seq != 2 || c.Date != "2019-06-30" {
		t.Errorf("business cut known at 2: %v %v", c, err)
	}
}
