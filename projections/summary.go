package projections

import (
	"sort"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// Summary is the county summary, in the shape of the county's own reports:
// funds by source level, the integration of farm funds, projects by batch
// and by category with start, completion and expenditure rates, and payouts
// by subsidy item. Ratios are four-decimal strings rounded half-up.
type Summary struct {
	Head
	Name        string             `json:"name"`
	Time        *time.Time         `json:"time"` // time of the commit at seq; null before the first
	Funds       SummaryFunds       `json:"funds"`
	Integration SummaryIntegration `json:"integration"`
	Projects    SummaryProjects    `json:"projects"`
	Payouts     SummaryPayouts     `json:"payouts"`
	Headline
}

// Headline repeats, flat at the top of the summary, the figures county work
// reports quote (资金规模, 统筹整合使用比例, 产业项目占比, 支出进度, 开工率,
// 竣工率), so a reader or a check need not know where each is nested.
type Headline struct {
	FundScale        domain.Money `json:"fund_scale"`
	SpecialFunds     domain.Money `json:"special_funds"`
	IntegratedFunds  domain.Money `json:"integrated_funds"`
	IntegrationUsed  domain.Money `json:"integration_used"`
	IntegrationRatio string       `json:"integration_ratio"`
	IndustryShare    string       `json:"industry_share"`
	ExpenditureRatio string       `json:"expenditure_ratio"`
	StartRate        string       `json:"start_rate"`
	CompletionRate   string       `json:"completion_rate"`
	// Undelivered is payouts.undelivered again: the lines the bank failed
	// or returned that no standing payout has re-issued (未到户).
	Undelivered ItemTotals `json:"undelivered"`
}

// SummaryFunds: fund scale = allocations + integrations; special funds = all
// allocations (财政专项扶贫资金); both net of reversed allocations.
type SummaryFunds struct {
	Scale         domain.Money `json:"scale"`
	Special       domain.Money `json:"special"`
	Integrated    domain.Money `json:"integrated"`
	BySourceLevel []Rollup     `json:"by_source_level"` // central … other, then farm
	ByProgramme   []Rollup     `json:"by_programme"`
	ByFiscalYear  []Rollup     `json:"by_fiscal_year"`
	Pools         []Rollup     `json:"pools"`
}

// SummaryIntegration: ratio = amount appropriated from integrated funds
// (统筹资金用于脱贫攻坚) ÷ amount integrated.
type SummaryIntegration struct {
	Integrated domain.Money `json:"integrated"`
	Used       domain.Money `json:"used"`
	Ratio      string       `json:"ratio"`
}

// ProjectGroup totals projects of one batch or category (or all).
type ProjectGroup struct {
	Key          string       `json:"key,omitempty"`
	Count        int          `json:"count"`
	Budget       domain.Money `json:"budget"`
	Appropriated domain.Money `json:"appropriated"`
	Paid         domain.Money `json:"paid"`
	Recovered    domain.Money `json:"recovered"`
	Started      int          `json:"started"`
	Completed    int          `json:"completed"`
	Cancelled    int          `json:"cancelled"`
}

func (g *ProjectGroup) add(p *project) {
	g.Count++
	g.Budget = g.Budget.Add(p.Info.Budget)
	for _, pf := range p.Funds {
		g.Appropriated = g.Appropriated.Add(pf.Appropriated)
		g.Paid = g.Paid.Add(pf.Paid)
		g.Recovered = g.Recovered.Add(pf.Recovered)
	}
	switch p.Status {
	case "started":
		g.Started++
	case "completed", "accepted":
		g.Started++
		g.Completed++
	case "cancelled":
		g.Cancelled++
	}
}

// SummaryProjects: counts and budgets include cancelled projects (they were
// approved in their batch); the start rate (开工率) and completion rate
// (竣工率) are over projects not cancelled, since a cancelled project is out
// of the plan. Expenditure ratio (支出进度) = paid ÷ appropriated; industry
// share = budgets of industry projects ÷ all project budgets.
type SummaryProjects struct {
	Total            ProjectGroup   `json:"total"`
	ByBatch          []ProjectGroup `json:"by_batch"`
	ByCategory       []ProjectGroup `json:"by_category"`
	StartRate        string         `json:"start_rate"`
	CompletionRate   string         `json:"completion_rate"`
	ExpenditureRatio string         `json:"expenditure_ratio"`
	IndustryShare    string         `json:"industry_share"`
}

// ItemTotals are the counting payout lines of one subsidy item.
type ItemTotals struct {
	Item       string       `json:"item,omitempty"`
	Households int          `json:"households"`
	Lines      int          `json:"lines"`
	Amount     domain.Money `json:"amount"`
}

// SummaryPayouts: lines count once their payout or batch is accepted and
// until the bank fails or returns them or they are reversed.
type SummaryPayouts struct {
	Total       ItemTotals   `json:"total"`
	ByItem      []ItemTotals `json:"by_item"`
	Undelivered ItemTotals   `json:"undelivered"` // failed or returned lines, not re-counted
}

// Summary answers the county summary.
func (m *Model) Summary() Summary {
	s := Summary{Head: m.head(), Name: m.st.Info.Name}
	if !m.st.Time.IsZero() {
		t := m.st.Time
		s.Time = &t
	}
	// Funds.
	var levels []Rollup
	for _, l := range append(append([]string{}, domain.SourceLevels...), "farm") {
		t, _, _ := m.rollup(func(f *fund) bool { return f.Level == l })
		if t.Funds > 0 {
			levels = append(levels, Rollup{Key: l, FundTotals: t})
		}
	}
	_, byProg, byYear := m.rollup(func(*fund) bool { return true })
	special, _, _ := m.rollup(func(f *fund) bool { return f.Pool == domain.PoolPoverty })
	integ, _, _ := m.rollup(func(f *fund) bool { return f.Pool == domain.PoolIntegrated })
	s.Funds = SummaryFunds{Scale: special.Amount.Add(integ.Amount), Special: special.Amount, Integrated: integ.Amount,
		BySourceLevel: nonNil(levels), ByProgramme: byProg, ByFiscalYear: byYear,
		Pools: []Rollup{{Key: domain.PoolPoverty, FundTotals: special}, {Key: domain.PoolIntegrated, FundTotals: integ}}}
	s.Integration = SummaryIntegration{Integrated: integ.Amount, Used: integ.Appropriated,
		Ratio: domain.Ratio(integ.Appropriated, integ.Amount)}

	// Projects.
	byBatch, byCat := map[string]*ProjectGroup{}, map[string]*ProjectGroup{}
	var total ProjectGroup
	for _, id := range keys(m.st.Projects) {
		p := m.st.Projects[id]
		total.add(p)
		group(byBatch, p.Info.Batch).add(p)
		group(byCat, p.Info.Category).add(p)
	}
	live := total.Count - total.Cancelled
	industry := domain.Zero
	if g := byCat["industry"]; g != nil {
		industry = g.Budget
	}
	s.Projects = SummaryProjects{Total: total, ByBatch: groups(byBatch), ByCategory: groups(byCat),
		StartRate: countRatio(total.Started, live), CompletionRate: countRatio(total.Completed, live),
		ExpenditureRatio: domain.Ratio(total.Paid, total.Appropriated), IndustryShare: domain.Ratio(industry, total.Budget)}

	// Payouts.
	s.Payouts.ByItem = []ItemTotals{}
	everyone := map[string]bool{}
	for _, name := range keys(m.st.Items) {
		it := m.st.Items[name]
		if it.Lines == 0 {
			continue
		}
		s.Payouts.ByItem = append(s.Payouts.ByItem, ItemTotals{Item: name, Households: len(it.Households), Lines: it.Lines, Amount: it.Amount})
		s.Payouts.Total.Lines += it.Lines
		s.Payouts.Total.Amount = s.Payouts.Total.Amount.Add(it.Amount)
		for h := range it.Households {
			everyone[h] = true
		}
	}
	s.Payouts.Total.Households = len(everyone)
	u := &m.st.Undelivered
	s.Payouts.Undelivered = ItemTotals{Households: len(u.Households), Lines: u.Lines, Amount: u.Amount}
	s.Headline = Headline{FundScale: s.Funds.Scale, SpecialFunds: s.Funds.Special, IntegratedFunds: s.Integration.Integrated,
		IntegrationUsed: s.Integration.Used, IntegrationRatio: s.Integration.Ratio, IndustryShare: s.Projects.IndustryShare,
		ExpenditureRatio: s.Projects.ExpenditureRatio, StartRate: s.Projects.StartRate, CompletionRate: s.Projects.CompletionRate}
	s.Headline.Undelivered = s.Payouts.Undelivered
	return s
}

func group(mp map[string]*ProjectGroup, k string) *ProjectGroup {
	g := mp[k]
	if g == nil {
		g = &ProjectGroup{Key: k}
		mp[k] = g
	}
	return g
}

func groups(mp map[string]*ProjectGroup) []ProjectGroup {
	out := make([]ProjectGroup, 0, len(mp))
	for _, k := range keys(mp) {
		out = append(out, *mp[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// countRatio answers n ÷ d with four decimals, half-up, via Money so that no
// float is involved.
func countRatio(n, d int) string {
	return domain.Ratio(domain.Yuan(int64(n)), domain.Yuan(int64(d)))
}

func nonNil(r []Rollup) []Rollup {
	if r == nil {
		return []Rollup{}
	}
	return r
}
