package projections

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/internal/demo"
	"github.com/fundledger/fundledger/ledger"
)

var (
	demoOnce  sync.Once
	demoStore eventstore.Store
	demoCode  string
	demoHead  uint64
)

// demoModel folds the demo county, loaded once into a memory store, up to cut.
func demoModel(t *testing.T, cut Cut) *Model {
	t.Helper()
	ctx := context.Background()
	demoOnce.Do(func() {
		st := memory.New()
		mgr := ledger.NewManager(st, ledger.Options{Logger: quiet()})
		c := demo.Build(2000)
		if _, err := demo.Load(ctx, mgr, c); err != nil {
			t.Fatalf("load demo: %v", err)
		}
		mgr.Close()
		demoStore, demoCode = st, demo.Ledger
		demoHead, _ = st.Head(ctx, demo.Ledger)
	})
	if demoStore == nil {
		t.Fatal("demo not loaded")
	}
	m := NewModel(demoCode)
	if err := ReplayInto(ctx, demoStore, m, cut); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEveryFundTraceSumsToTheFund: at three cuts of the demo county, every
// fen of every fund sits in exactly one place of its trace, and a
// project's payees add up to what the project paid from the fund.
func TestEveryFundTraceSumsToTheFund(t *testing.T) {
	demoModel(t, Cut{})
	for _, cut := range []Cut{{Seq: demoHead / 3}, {Seq: 2 * demoHead / 3}, {}} {
		m := demoModel(t, cut)
		traced := 0
		for _, id := range m.IDs(KindFunds) {
			tr, ok := m.TraceFund(id)
			if !ok {
				t.Fatalf("fund %s has no trace", id)
			}
			sum := tr.Held
			for _, p := range tr.Projects {
				paid := domain.Money{}
				for _, py := range p.Payees {
					paid = paid.Add(py.Amount)
				}
				if want := m.st.Projects[p.Project].Funds[id].Paid; !paid.Equal(want) {
					t.Fatalf("cut %+v fund %s project %s: payees sum %s, project paid %s", cut, id, p.Project, paid, want)
				}
				sum = sum.Add(paid).Add(p.Recovered).Add(p.Held)
			}
			for _, po := range tr.Payouts {
				for _, l := range po.Households {
					if l.Counts {
						sum = sum.Add(l.Amount)
					}
				}
			}
			if !sum.Equal(tr.Amount) {
				t.Fatalf("cut %+v fund %s: trace sums to %s, fund is %s", cut, id, sum, tr.Amount)
			}
			if len(tr.Projects)+len(tr.Payouts) > 0 {
				traced++
			}
		}
		if cut.IsZero() && traced == 0 {
			t.Fatal("at the head, no fund went anywhere")
		}
	}
}

// TestListsPageWithoutGapsOrRepeats pages through every kind of the demo
// with a small page size: the pages together are exactly the ids in byte
// order, each once.
func TestListsPageWithoutGapsOrRepeats(t *testing.T) {
	m := demoModel(t, Cut{})
	for _, kind := range ListKinds {
		all, _ := m.listKeys(kind)
		want := slices.Sorted(all)
		var got []string
		token := ""
		for pages := 0; ; pages++ {
			l, ok, err := m.List(kind, "", token, 37)
			if !ok || err != nil {
				t.Fatalf("%s: %v %v", kind, ok, err)
			}
			for _, it := range l.Items {
				got = append(got, it.ID)
			}
			if l.NextPageToken == "" {
				break
			}
			if len(l.Items) != 37 || pages > 10000 {
				t.Fatalf("%s: a page of %d items has a next page", kind, len(l.Items))
			}
			token = l.NextPageToken
		}
		if len(got) != len(want) {
			t.Fatalf("%s: paged %d ids, the ledger holds %d", kind, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: item %d is %s, want %s", kind, i, got[i], want[i])
			}
		}
	}
	if len(m.IDs(KindHouseholds)) != 2000 {
		t.Fatalf("demo households %d, want 2000", len(m.IDs(KindHouseholds)))
	}
	if _, _, err := m.List(KindFunds, "", encodePageToken(KindHouseholds, "H0001"), 10); err != ErrBadPageToken {
		t.Fatalf("a households token on the funds list: %v", err)
	}
}

// TestListSearchFindsByNameAndMasksNumbers: q matches a household's head
// name; its ID and card numbers appear only masked.
func TestListSearchFindsByNameAndMasksNumbers(t *testing.T) {
	m := demoModel(t, Cut{})
	h := m.st.Households[m.IDs(KindHouseholds)[10]]
	l, _, err := m.List(KindHouseholds, h.Info.HeadName, "", 1000)
	if err != nil || len(l.Items) == 0 {
		t.Fatalf("search %q: %v %d items", h.Info.HeadName, err, len(l.Items))
	}
	found := false
	for _, it := range l.Items {
		found = found || it.ID == h.Info.ID
		if it.IDNumber == h.Info.IDNumber || len(it.IDNumber) != 18 || it.BankAccount == h.Info.BankAccount {
			t.Fatalf("numbers not masked: %+v", it)
		}
	}
	if !found {
		t.Fatalf("search %q did not find %s", h.Info.HeadName, h.Info.ID)
	}
}

// TestBatchReconcilesToTheFen: every batch's lines by bank status sum to
// the batch, and agree with the household traces.
func TestBatchReconcilesToTheFen(t *testing.T) {
	m := demoModel(t, Cut{})
	for _, id := range keys(m.st.Batches) {
		b, _ := m.Batch(id)
		sum, lines := domain.Money{}, 0
		for _, r := range b.Reconciliation {
			sum, lines = sum.Add(r.Amount), lines+r.Lines
		}
		if !sum.Equal(b.Amount) || lines != len(b.Lines) || b.Control.Count != len(b.Lines) {
			t.Fatalf("batch %s: reconciliation %s in %d lines, batch %s in %d", id, sum, lines, b.Amount, len(b.Lines))
		}
	}
}
