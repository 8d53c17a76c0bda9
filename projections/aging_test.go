package projections

import (
	"context"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
	"github.com/fundledger/fundledger/ledger"
)

// TestPaidBeforeFundedAndIdleFundsCountFromTheCutsDate: a payout dated
// before its fund was dated to arrive (entered after the fund, so the
// writer took it) makes the fund stand below zero on a business cut
// between the two dates — a paid_before_funded finding — and not at the
// head; a fund of an earlier fiscal year still holding money is idle from
// the cut's year on, whatever the day the findings are asked.
func TestPaidBeforeFundedAndIdleFundsCountFromTheCutsDate(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // the record day is years after the books
	mgr := ledger.NewManager(st, ledger.Options{Logger: quiet(), Clock: func() time.Time { now = now.Add(time.Second); return now }})
	for _, c := range []domain.Command{
		domain.OpenLedger{Code: "341504", Name: "某县"},
		domain.RegisterVillage{ID: "V1", Name: "村", Township: "镇"},
		domain.RegisterHousehold{ID: "H1", Village: "V1", HeadName: "张三", IDNumber: "11010519491231002X", Members: 3,
			Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: "6217000011112222"},
		domain.Allocate{Date: "2018-11-20", ID: "A2018", SourceLevel: "county", Programme: "上年结转", FiscalYear: 2018, DocumentNo: "d0", Amount: "500.00"},
		domain.Allocate{Date: "2019-03-01", ID: "A2019", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d1", Amount: "100.00"},
		domain.Payout{Date: "2019-02-01", ID: "P1", Household: "H1", Item: "产业直补", Period: "2019", Fund: "A2019", Amount: "30.00"},
	} {
		if _, err := mgr.Submit(ctx, "341504", ledger.Request{Command: c, Actor: "t"}); err != nil {
			t.Fatalf("%s: %v", c.CommandName(), err)
		}
	}
	mgr.Close()
	kinds := func(cut Cut) map[string]Finding {
		t.Helper()
		m := NewModel("341504")
		var err error
		if cut.IsBusiness() {
			m, err = ReplayBusiness(ctx, st, "341504", cut)
		} else {
			err = ReplayInto(ctx, st, m, cut)
		}
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Finding{}
		for _, f := range m.Findings().Findings {
			out[f.Kind+" "+f.Fund] = f
		}
		return out
	}
	mid := kinds(Cut{Date: "2019-02-15"})
	if f, ok := mid["paid_before_funded A2019"]; !ok || f.Amount.String() != "30.00" {
		t.Fatalf("business cut 2019-02-15: %v, want paid_before_funded A2019 of 30.00", mid)
	}
	if _, ok := mid["idle_fund A2018"]; !ok {
		t.Fatalf("business cut 2019-02-15: %v, want the 2018 fund idle in 2019", mid)
	}
	if _, ok := kinds(Cut{Date: "2018-12-31"})["idle_fund A2018"]; ok {
		t.Fatal("a 2018 fund is idle on 2018-12-31")
	}
	head := kinds(Cut{})
	if _, ok := head["paid_before_funded A2019"]; ok {
		t.Fatalf("at the head the fund is funded: %v", head)
	}
	if _, ok := head["idle_fund A2019"]; ok {
		t.Fatalf("a 2019 fund is idle at the head of books that end in 2019, though asked in 2026: %v", head)
	}
}
