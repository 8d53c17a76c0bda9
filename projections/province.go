package projections

import (
	"sort"

	"github.com/fundledger/fundledger/domain"
)

// Province is the province view (省级汇总): each county's own summary,
// exactly as GET /v1/ledgers/{ledger}/summary answers it at the same cut
// (with the seq and head_hash its figures came from), and their totals.
type Province struct {
	Ledgers []Summary      `json:"ledgers"`
	Totals  ProvinceTotals `json:"totals"`
}

// ProvinceTotals rolls county summaries up: every money figure and every
// count is the exact sum over the counties; every ratio is recomputed from
// the summed numerator and denominator (never an average of the counties'
// ratios, which would weigh a small county like a large one). Households
// are counted per county and summed: a household belongs to one county's
// ledger.
type ProvinceTotals struct {
	// Ledgers is how many county summaries the totals hold.
	Ledgers     int                `json:"ledgers"`
	Funds       SummaryFunds       `json:"funds"`
	Integration SummaryIntegration `json:"integration"`
	Projects    SummaryProjects    `json:"projects"`
	Payouts     SummaryPayouts     `json:"payouts"`
	Headline
}

// RollUp answers the totals of the county summaries ss.
func RollUp(ss []Summary) ProvinceTotals {
	t := ProvinceTotals{Ledgers: len(ss)}
	var levels, progs, years, pools [][]Rollup
	var batches, cats [][]ProjectGroup
	var items [][]ItemTotals
	for _, s := range ss {
		t.Funds.Scale = t.Funds.Scale.Add(s.Funds.Scale)
		t.Funds.Special = t.Funds.Special.Add(s.Funds.Special)
		t.Funds.Integrated = t.Funds.Integrated.Add(s.Funds.Integrated)
		levels, progs, years, pools = append(levels, s.Funds.BySourceLevel), append(progs, s.Funds.ByProgramme),
			append(years, s.Funds.ByFiscalYear), append(pools, s.Funds.Pools)
		t.Integration.Integrated = t.Integration.Integrated.Add(s.Integration.Integrated)
		t.Integration.Used = t.Integration.Used.Add(s.Integration.Used)
		t.Projects.Total.addGroup(s.Projects.Total)
		batches, cats = append(batches, s.Projects.ByBatch), append(cats, s.Projects.ByCategory)
		t.Payouts.Total.addItems(s.Payouts.Total)
		t.Payouts.Undelivered.addItems(s.Payouts.Undelivered)
		items = append(items, s.Payouts.ByItem)
	}
	levelOrder := append(append([]string{}, domain.SourceLevels...), "farm")
	t.Funds.BySourceLevel = mergeRollups(levels, levelOrder)
	t.Funds.ByProgramme = mergeRollups(progs, nil)
	t.Funds.ByFiscalYear = mergeRollups(years, nil)
	t.Funds.Pools = mergeRollups(pools, []string{domain.PoolPoverty, domain.PoolIntegrated})
	if len(t.Funds.Pools) == 0 { // no county: the pools still show, at zero
		t.Funds.Pools = []Rollup{{Key: domain.PoolPoverty}, {Key: domain.PoolIntegrated}}
	}
	t.Integration.Ratio = domain.Ratio(t.Integration.Used, t.Integration.Integrated)

	t.Projects.ByBatch = mergeGroups(batches)
	t.Projects.ByCategory = mergeGroups(cats)
	total := t.Projects.Total
	live := total.Count - total.Cancelled
	industry := domain.Zero
	for _, g := range t.Projects.ByCategory {
		if g.Key == "industry" {
			industry = g.Budget
		}
	}
	t.Projects.StartRate, t.Projects.CompletionRate = countRatio(total.Started, live), countRatio(total.Completed, live)
	t.Projects.ExpenditureRatio = domain.Ratio(total.Paid, total.Appropriated)
	t.Projects.IndustryShare = domain.Ratio(industry, total.Budget)

	t.Payouts.ByItem = mergeItems(items)
	t.Headline = Headline{FundScale: t.Funds.Scale, SpecialFunds: t.Funds.Special, IntegratedFunds: t.Integration.Integrated,
		IntegrationUsed: t.Integration.Used, IntegrationRatio: t.Integration.Ratio, IndustryShare: t.Projects.IndustryShare,
		ExpenditureRatio: t.Projects.ExpenditureRatio, StartRate: t.Projects.StartRate, CompletionRate: t.Projects.CompletionRate,
		Undelivered: t.Payouts.Undelivered}
	return t
}

func (t *FundTotals) addTotals(o FundTotals) {
	t.Funds += o.Funds
	t.Flow.add(o.Flow)
	t.Amount = t.Amount.Add(o.Amount)
	t.Appropriated = t.Appropriated.Add(o.Appropriated)
	t.ProjectPaid = t.ProjectPaid.Add(o.ProjectPaid)
	t.Recovered = t.Recovered.Add(o.Recovered)
	t.PaidOut = t.PaidOut.Add(o.PaidOut)
}

func (g *ProjectGroup) addGroup(o ProjectGroup) {
	g.Count += o.Count
	g.Budget = g.Budget.Add(o.Budget)
	g.Appropriated = g.Appropriated.Add(o.Appropriated)
	g.Paid = g.Paid.Add(o.Paid)
	g.Recovered = g.Recovered.Add(o.Recovered)
	g.Started += o.Started
	g.Completed += o.Completed
	g.Cancelled += o.Cancelled
}

func (it *ItemTotals) addItems(o ItemTotals) {
	it.Households += o.Households
	it.Lines += o.Lines
	it.Amount = it.Amount.Add(o.Amount)
}

// mergeRollups sums rollups of the same key; keys come in order's order
// when given (source levels, pools), else in byte order, as a county's do.
func mergeRollups(lists [][]Rollup, order []string) []Rollup {
	sum := map[string]*FundTotals{}
	for _, l := range lists {
		for _, r := range l {
			if sum[r.Key] == nil {
				sum[r.Key] = &FundTotals{}
			}
			sum[r.Key].addTotals(r.FundTotals)
		}
	}
	out := make([]Rollup, 0, len(sum))
	for _, k := range ordered(keys(sum), order) {
		out = append(out, Rollup{Key: k, FundTotals: *sum[k]})
	}
	return out
}

func mergeGroups(lists [][]ProjectGroup) []ProjectGroup {
	sum := map[string]*ProjectGroup{}
	for _, l := range lists {
		for _, g := range l {
			group(sum, g.Key).addGroup(g)
		}
	}
	return groups(sum)
}

func mergeItems(lists [][]ItemTotals) []ItemTotals {
	sum := map[string]*ItemTotals{}
	for _, l := range lists {
		for _, it := range l {
			if sum[it.Item] == nil {
				sum[it.Item] = &ItemTotals{Item: it.Item}
			}
			sum[it.Item].addItems(it)
		}
	}
	out := make([]ItemTotals, 0, len(sum))
	for _, k := range keys(sum) {
		out = append(out, *sum[k])
	}
	return out
}

// ordered sorts ks by their place in order (keys not in it last, in byte
// order); nil order keeps ks as they are.
func ordered(ks, order []string) []string {
	if order == nil {
		return ks
	}
	rank := map[string]int{}
	for i, k := range order {
		rank[k] = i + 1
	}
	sort.SliceStable(ks, func(i, j int) bool {
		ri, rj := rank[ks[i]], rank[ks[j]]
		if ri == 0 {
			ri = len(order) + 1
		}
		if rj == 0 {
			rj = len(order) + 1
		}
		return ri < rj
	})
	return ks
}
