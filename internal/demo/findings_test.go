package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// TestDemoFindingsAreExactlyThePlantedAnomalies: an audit of the demo
// county finds what was planted (a duplicate payout, an over-standard
// line, payouts to a removed household, an idle fund, a cancelled project
// holding money), no more and no fewer: per-person items are checked
// against standard × members, and every item paid has a standard.
func TestDemoFindingsAreExactlyThePlantedAnomalies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store := memory.New()
	defer store.Close()
	mgr := ledger.NewManager(store, ledger.Options{})
	defer mgr.Close()
	c := Build(0)
	if _, err := Load(ctx, mgr, c); err != nil {
		t.Fatal(err)
	}
	m := projections.NewModel(Ledger)
	if err := projections.ReplayInto(ctx, store, m, projections.Cut{}); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, f := range m.Findings().Findings {
		subject := f.Household
		switch f.Kind {
		case "idle_fund":
			subject = f.Fund
		case "cancelled_holding":
			subject = f.Project
		case "no_standard":
			subject = f.Item
		}
		got = append(got, f.Kind+" "+subject)
		if len(f.Evidence) == 0 || f.ID == "" || f.Severity == "" || !f.Amount.IsPositive() {
			t.Errorf("finding without id, evidence, severity or amount: %+v", f)
		}
	}
	for _, a := range c.Planted {
		want = append(want, a.Kind+" "+a.Subject)
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) != 5 || !slices.Equal(got, want) {
		t.Errorf("findings on the demo:\n got %q\nwant %q", got, want)
	}
	if u := m.Summary().Payouts.Undelivered; u.Lines != 0 {
		t.Errorf("undelivered = %+v: the failed line was re-issued", u)
	}
}
