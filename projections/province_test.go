package projections

import (
	"testing"

	"github.com/fundledger/fundledger/domain"
)

func county(scale, special, integrated, used string, budget, industry, appropriated, paid string, count, started, completed, cancelled int,
	item string, households, lines int, amount string) Summary {
	m := domain.MustParse
	s := Summary{}
	s.Funds = SummaryFunds{Scale: m(scale), Special: m(special), Integrated: m(integrated),
		BySourceLevel: []Rollup{{Key: "farm", FundTotals: FundTotals{Funds: 1, Amount: m(integrated)}}, {Key: "central", FundTotals: FundTotals{Funds: 1, Amount: m(special)}}},
		Pools:         []Rollup{{Key: domain.PoolPoverty, FundTotals: FundTotals{Amount: m(special)}}, {Key: domain.PoolIntegrated, FundTotals: FundTotals{Amount: m(integrated)}}}}
	s.Integration = SummaryIntegration{Integrated: m(integrated), Used: m(used)}
	g := ProjectGroup{Count: count, Budget: m(budget), Appropriated: m(appropriated), Paid: m(paid), Started: started, Completed: completed, Cancelled: cancelled}
	s.Projects.Total = g
	ind := g
	ind.Key, ind.Budget = "industry", m(industry)
	s.Projects.ByCategory = []ProjectGroup{ind}
	s.Payouts.Total = ItemTotals{Households: households, Lines: lines, Amount: m(amount)}
	s.Payouts.ByItem = []ItemTotals{{Item: item, Households: households, Lines: lines, Amount: m(amount)}}
	return s
}

// TestRollUpSumsExactlyAndRecomputesRatios: money and counts are exact
// sums (fen never lost to a float), keys of the same name merge, and each
// ratio is the ratio of the sums, not the mean of the counties' ratios.
func TestRollUpSumsExactlyAndRecomputesRatios(t *testing.T) {
	a := county("1000000.10", "900000.05", "100000.05", "50000.00", "800000.00", "400000.00", "600000.00", "300000.00", 4, 3, 1, 0, "光伏扶贫补助", 3, 5, "0.01")
	b := county("0.20", "0.10", "0.10", "0.10", "200000.00", "0.00", "400000.00", "400000.00", 2, 1, 1, 1, "光伏扶贫补助", 2, 2, "0.02")
	got := RollUp([]Summary{a, b})
	for name, pair := range map[string][2]string{
		"fund_scale":        {got.FundScale.String(), "1000000.30"},
		"special":           {got.SpecialFunds.String(), "900000.15"},
		"integrated":        {got.IntegratedFunds.String(), "100000.15"},
		"used":              {got.IntegrationUsed.String(), "50000.10"},
		"integration_ratio": {got.IntegrationRatio, "0.5000"}, // 50000.10 / 100000.15 = 0.49999…, half-up at 4
		"expenditure":       {got.ExpenditureRatio, "0.7000"}, // 700000 / 1000000 (the means would give 0.7500)
		"industry_share":    {got.IndustryShare, "0.4000"},    // 400000 / 1000000
		"start_rate":        {got.StartRate, "0.8000"},        // 4 started of 5 live
		"completion_rate":   {got.CompletionRate, "0.4000"},
		"payouts":           {got.Payouts.Total.Amount.String(), "0.03"},
		"item":              {got.Payouts.ByItem[0].Amount.String(), "0.03"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %s, want %s", name, pair[0], pair[1])
		}
	}
	if got.Ledgers != 2 || got.Projects.Total.Count != 6 || got.Payouts.Total.Households != 5 || got.Payouts.Total.Lines != 7 || len(got.Payouts.ByItem) != 1 {
		t.Errorf("counts: %+v", got)
	}
	if l := got.Funds.BySourceLevel; len(l) != 2 || l[0].Key != "central" || l[1].Key != "farm" || l[0].Funds != 2 || l[0].Amount.String() != "900000.15" {
		t.Errorf("by source level (central before farm, merged): %+v", l)
	}
	if p := got.Funds.Pools; len(p) != 2 || p[0].Key != domain.PoolPoverty || p[1].Amount.String() != "100000.15" {
		t.Errorf("pools: %+v", p)
	}
}

// TestRollUpOfNothingIsZero: a token that may read no ledger sees zeros.
func TestRollUpOfNothingIsZero(t *testing.T) {
	got := RollUp(nil)
	if got.Ledgers != 0 || got.FundScale.String() != "0.00" || got.IntegrationRatio != "0.0000" || len(got.Funds.Pools) != 2 ||
		got.Funds.BySourceLevel == nil || got.Payouts.ByItem == nil || got.Projects.ByBatch == nil {
		t.Fatalf("%+v", got)
	}
}
