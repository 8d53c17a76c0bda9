package demo

import (
	"context"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/ledger"
)

// TestDemoCountyLoadsWithoutRejection checks that every command of the demo
// county is accepted: a rejected one would stop `serve --demo`.
func TestDemoCountyLoadsWithoutRejection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	mgr := ledger.NewManager(memory.New(), ledger.Options{})
	defer mgr.Close()
	c := Build(0)
	st, err := Load(ctx, mgr, c)
	if err != nil {
		t.Fatal(err)
	}
	if st.Households != 2000 {
		t.Errorf("households = %d, want 2000", st.Households)
	}
	projects := 0
	for _, ph := range c.Phases {
		for _, cmd := range ph {
			if _, ok := cmd.(domain.ApproveProject); ok {
				projects++
			}
		}
	}
	if projects != 81 {
		t.Errorf("projects = %d, want 81 (seed 001)", projects)
	}
	for _, h := range c.Households {
		if !domain.ValidIDNumber(h.IDNumber) {
			t.Fatalf("household %s has an invalid ID number", h.ID)
		}
	}
	t.Logf("%d commits", st.Commits)
}

// TestDemoIsDatedInItsYear: every command carries a 2019 business date (a
// subsidy standard: the day it took effect, at latest in 2019), and
// money is never dated before the fund it draws on arrived.
func TestDemoIsDatedInItsYear(t *testing.T) {
	c := Build(0)
	for _, ph := range c.Phases {
		for _, cmd := range ph {
			d := domain.DateOf(cmd)
			if _, std := cmd.(domain.SetStandard); std && domain.ValidDate(d) && d <= "2019-12-31" {
				continue // a standard is dated the day it takes effect, which may be before the year
			}
			if !domain.ValidDate(d) || d[:4] != "2019" {
				t.Fatalf("%s %+v is dated %q", cmd.CommandName(), cmd, d)
			}
			var fund string
			switch x := cmd.(type) {
			case domain.Appropriate:
				fund = x.Fund
			case domain.PayoutBatch:
				fund = x.Fund
			case domain.Payout:
				fund = x.Fund
			}
			if fund != "" && d < fundDates[fund] {
				t.Errorf("%s dated %s draws on %s, which arrived %s", cmd.CommandName(), d, fund, fundDates[fund])
			}
		}
	}
}
