package projections

import (
	"context"
	"testing"

	"pgregory.net/rapid"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/ledger"
)

// checkInvariants checks what must hold of any model: double entry, every
// balance = received − spent and never below zero but for sources, item
// totals equal to the lines that count, and each household's received equal
// to its counting lines.
func checkInvariants(t rapid.TB, m *Model) {
	sum := domain.Zero
	for a, f := range m.st.Accounts {
		bal := f.Received.Sub(f.Spent)
		sum = sum.Add(bal)
		if a.Kind() != domain.KindSource && bal.IsNegative() {
			t.Fatalf("account %s below zero: %s", a, bal)
		}
		if a.Kind() != domain.KindSource && (f.Received.IsNegative() || f.Spent.IsNegative()) {
			t.Fatalf("account %s: received %s spent %s, one below zero", a, f.Received, f.Spent)
		}
	}
	if !sum.IsZero() {
		t.Fatalf("accounts sum to %s, not zero", sum)
	}
	lines, amount := map[string]int{}, map[string]domain.Money{}
	for hid, h := range m.st.Households {
		got := domain.Zero
		for _, l := range h.Lines {
			if l.counts() {
				got = got.Add(l.Amount)
				lines[l.Item]++
				amount[l.Item] = amount[l.Item].Add(l.Amount)
			}
		}
		if hb, _ := m.householdBalance(hid); !hb.Received.Equal(got) || !hb.TotalReceived.Equal(got) {
			t.Fatalf("household %s received %s, its counting lines hold %s", hid, hb.Received, got)
		}
	}
	for name, it := range m.st.Items {
		if it.Lines != lines[name] || !it.Amount.Equal(amount[name]) {
			t.Fatalf("item %s totals %d lines %s, its lines say %d, %s", name, it.Lines, it.Amount, lines[name], amount[name])
		}
	}
}

// TestModelAgreesWithWriterState folds random histories and compares every
// account balance and every project's net appropriation with the writer's
// own state, rebuilt independently by the ledger package.
func TestModelAgreesWithWriterState(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		store := memory.New()
		defer store.Close()
		history(t, store)
		m := fresh(t, store, Cut{})
		st := domain.NewState()
		err := ledger.Walk(context.Background(), store, testLedger, 0, func(c *domain.Commit) error {
			evs, err := c.Decode()
			for _, e := range evs {
				st.Apply(e)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, m)
		for a, want := range st.Balances {
			if got := m.flow(a).Balance; !got.Equal(want) {
				t.Fatalf("account %s: model %s, writer %s", a, got, want)
			}
		}
		for id, p := range st.Projects {
			pb, _ := m.projectBalance(id)
			if !pb.Appropriated.Equal(p.Appropriated) || !pb.Recovered.Equal(p.Recovered) || pb.Status != p.Status {
				t.Fatalf("project %s: model %s/%s/%s, writer %s/%s/%s", id, pb.Appropriated, pb.Recovered, pb.Status, p.Appropriated, p.Recovered, p.Status)
			}
		}
		for id, b := range st.Batches {
			for h, ls := range b.Lines {
				l := m.line(h, id)
				if l == nil || l.banked().Bank != ls.Status || l.Reversed == st.Active(id) {
					t.Fatalf("batch %s line %s: model %+v, writer %+v active %v", id, h, l, ls, st.Active(id))
				}
			}
		}
	})
}
