package projections

import (
	"sort"
	"strconv"

	"github.com/fundledger/fundledger/domain"
)

// Head is what every answer starts with: the ledger, the last sequence it
// reflects and that commit's hash. It is the one place a read's top-level
// seq and head_hash come from: every answer embeds it, filled by
// Model.head.
type Head struct {
	Ledger   string `json:"ledger"`
	Seq      uint64 `json:"seq"`
	HeadHash string `json:"head_hash"`
	// AsOfDate is the business date of a cut by date (as_of=2019-06-30):
	// the answer holds the writes dated on or before it known at Seq.
	AsOfDate string `json:"as_of_date,omitempty"`
}

// Answer is a read of the model: a value that embeds Head, so it says
// which ledger, sequence and hash it reflects. Only this package's answer
// types satisfy it, and the api answers nothing else from the model.
type Answer interface{ reflects() Head }

func (h Head) reflects() Head { return h }

// Balance is the answer of GET …/balances/{kind}/{id}: a ProjectBalance,
// VillageBalance, HouseholdBalance, FundBalance, SourceBalance,
// PayeeBalance, PoolBalance or ReclaimedBalance. Each has received, spent
// and balance.
type Balance interface {
	Answer
	balanceFlow() Flow
}

// Flow is received, spent and balance (= received − spent), net of
// reversals and of failed or returned bank lines.
type Flow struct {
	Received domain.Money `json:"received"`
	Spent    domain.Money `json:"spent"`
	Balance  domain.Money `json:"balance"`
}

func (f Flow) balanceFlow() Flow { return f }

func (f *Flow) add(o Flow) {
	f.Received, f.Spent, f.Balance = f.Received.Add(o.Received), f.Spent.Add(o.Spent), f.Balance.Add(o.Balance)
}

// Balance kinds, as in GET /v1/ledgers/{ledger}/balances/{kind}/{id}.
const (
	KindProjects   = "projects"
	KindVillages   = "villages"
	KindHouseholds = "households"
	KindFunds      = "funds"
	KindSources    = "sources"
	KindPayees     = "payees"
	KindPools      = "pools"
)

// Kinds lists the balance kinds.
var Kinds = []string{KindProjects, KindVillages, KindHouseholds, KindFunds, KindSources, KindPayees, KindPools, KindReclaimed}

// Balance answers the balance of one thing of a kind, or false if the kind
// or the id is unknown. Kinds: projects, villages, households,
// funds (an allocation or integration id), sources (central, provincial,
// municipal, county, other; also farm for integrated farm funds), payees (a
// name), pools (poverty, integrated) and reclaimed (a fund id: what was
// recovered from projects to that fund).
func (m *Model) Balance(kind, id string) (Balance, bool) {
	switch kind {
	case KindProjects:
		return some(m.projectBalance(id))
	case KindVillages:
		return some(m.villageBalance(id))
	case KindHouseholds:
		return some(m.householdBalance(id))
	case KindFunds:
		return some(m.fundBalance(id))
	case KindSources:
		return some(m.sourceBalance(id))
	case KindPayees:
		return some(m.payeeBalance(id))
	case KindPools:
		return some(m.poolBalance(id))
	case KindReclaimed:
		return some(m.reclaimedBalance(id))
	}
	return nil, false
}

// some answers b as a Balance when ok, and a nil Balance (not a zero
// value in an interface) when not.
func some[B Balance](b B, ok bool) (Balance, bool) {
	if !ok {
		return nil, false
	}
	return b, true
}

// IDs lists the ids of a kind in sorted order (for exports and the replay CLI).
func (m *Model) IDs(kind string) []string {
	var out []string
	switch kind {
	case KindProjects:
		out = keys(m.st.Projects)
	case KindVillages:
		out = keys(m.st.Villages)
	case KindHouseholds:
		out = keys(m.st.Households)
	case KindFunds:
		out = keys(m.st.Funds)
	case KindPayees:
		out = keys(m.st.Payees)
	case KindSources:
		seen := map[string]*fund{}
		for _, f := range m.st.Funds {
			seen[f.Level] = f
		}
		out = keys(seen)
	case KindPools:
		return []string{domain.PoolPoverty, domain.PoolIntegrated}
	case KindReclaimed:
		out = m.reclaimedIDs()
	}
	return out
}

func keys[V any](mp map[string]V) []string {
	out := make([]string, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (m *Model) head() Head {
	return Head{Ledger: m.st.Ledger, Seq: m.st.Seq, HeadHash: m.st.Hash, AsOfDate: m.date}
}

// flow answers one account's flow.
func (m *Model) flow(a domain.Account) Flow {
	f := m.st.Accounts[a]
	if f == nil {
		return Flow{}
	}
	return Flow{Received: f.Received, Spent: f.Spent, Balance: f.Received.Sub(f.Spent)}
}

// FundBalance is one allocation or integration and where its money went.
type FundBalance struct {
	Head
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Flow
	Pool         string       `json:"pool"`
	SourceLevel  string       `json:"source_level"`
	Programme    string       `json:"programme"`
	FiscalYear   int          `json:"fiscal_year"`
	DocumentNo   string       `json:"document_no"`
	Amount       domain.Money `json:"amount"`
	Appropriated domain.Money `json:"appropriated"` // to projects
	ProjectPaid  domain.Money `json:"project_paid"` // by those projects to payees
	Recovered    domain.Money `json:"recovered"`    // reclaimed from projects (收回), held apart from the pool
	PaidOut      domain.Money `json:"paid_out"`     // to households' cards
}

func (m *Model) fundBalance(id string) (FundBalance, bool) {
	f := m.st.Funds[id]
	if f == nil {
		return FundBalance{}, false
	}
	return FundBalance{Head: m.head(), Kind: "fund", ID: id, Flow: m.flow(domain.FundAccount(f.Pool, f.ID)),
		Pool: f.Pool, SourceLevel: f.Level, Programme: f.Programme, FiscalYear: f.FiscalYear, DocumentNo: f.DocumentNo,
		Amount: f.Amount, Appropriated: f.Appropriated, ProjectPaid: f.ProjectPaid, Recovered: f.Recovered, PaidOut: f.PaidOut}, true
}

// FundTotals rolls up funds: their pool accounts' flow plus what the funds
// were used for. Funds counts the funds in force: a reversed allocation or
// integration (its amount taken back to nothing) is no longer a fund of the
// county, though its reversal stays in the ledger.
type FundTotals struct {
	Funds int `json:"funds"`
	Flow
	Amount       domain.Money `json:"amount"`
	Appropriated domain.Money `json:"appropriated"`
	ProjectPaid  domain.Money `json:"project_paid"`
	Recovered    domain.Money `json:"recovered"`
	PaidOut      domain.Money `json:"paid_out"`
}

func (t *FundTotals) addFund(m *Model, f *fund) {
	if !f.Amount.IsZero() { // zero only once reversed: an allocation is positive
		t.Funds++
	}
	t.Flow.add(m.flow(domain.FundAccount(f.Pool, f.ID)))
	t.Amount = t.Amount.Add(f.Amount)
	t.Appropriated = t.Appropriated.Add(f.Appropriated)
	t.ProjectPaid = t.ProjectPaid.Add(f.ProjectPaid)
	t.Recovered = t.Recovered.Add(f.Recovered)
	t.PaidOut = t.PaidOut.Add(f.PaidOut)
}

// Rollup is FundTotals for one programme or fiscal year.
type Rollup struct {
	Key string `json:"key"`
	FundTotals
}

// SourceBalance is the county's money from one source level (中央、省、市、
// 区/县、其他), rolled up by programme and fiscal year. Received is what
// arrived from that level; spent what left its funds' pool accounts.
type SourceBalance struct {
	Head
	Kind string `json:"kind"`
	ID   string `json:"id"`
	FundTotals
	ByProgramme  []Rollup `json:"by_programme"`
	ByFiscalYear []Rollup `json:"by_fiscal_year"`
}

func (m *Model) sourceBalance(level string) (SourceBalance, bool) {
	known := level == "farm"
	for _, l := range domain.SourceLevels {
		known = known || l == level
	}
	if !known {
		return SourceBalance{}, false
	}
	out := SourceBalance{Head: m.head(), Kind: "source", ID: level}
	out.FundTotals, out.ByProgramme, out.ByFiscalYear = m.rollup(func(f *fund) bool { return f.Level == level })
	return out, true
}

// rollup totals the funds that match, overall, by programme and by year.
func (m *Model) rollup(match func(*fund) bool) (FundTotals, []Rollup, []Rollup) {
	var total FundTotals
	byProg, byYear := map[string]*FundTotals{}, map[string]*FundTotals{}
	for _, id := range keys(m.st.Funds) {
		f := m.st.Funds[id]
		if !match(f) {
			continue
		}
		total.addFund(m, f)
		addTo(byProg, f.Programme, m, f)
		addTo(byYear, itoa(f.FiscalYear), m, f)
	}
	return total, rollups(byProg), rollups(byYear)
}

func addTo(mp map[string]*FundTotals, k string, m *Model, f *fund) {
	t := mp[k]
	if t == nil {
		t = &FundTotals{}
		mp[k] = t
	}
	t.addFund(m, f)
}

func rollups(mp map[string]*FundTotals) []Rollup {
	out := make([]Rollup, 0, len(mp))
	for _, k := range keys(mp) {
		out = append(out, Rollup{Key: k, FundTotals: *mp[k]})
	}
	return out
}

// PoolBalance is the poverty pool (special funds) or the integrated pool
// (integrated farm funds).
type PoolBalance struct {
	Head
	Kind string `json:"kind"`
	ID   string `json:"id"`
	FundTotals
}

func (m *Model) poolBalance(pool string) (PoolBalance, bool) {
	if pool != domain.PoolPoverty && pool != domain.PoolIntegrated {
		return PoolBalance{}, false
	}
	total, _, _ := m.rollup(func(f *fund) bool { return f.Pool == pool })
	return PoolBalance{Head: m.head(), Kind: "pool", ID: pool, FundTotals: total}, true
}

// PayeeBalance is what one contractor or supplier was paid by projects.
type PayeeBalance struct {
	Head
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Flow
	Payments  int             `json:"payments"`
	ByProject []ProjectAmount `json:"by_project"`
}

// ProjectAmount is an amount for one project.
type ProjectAmount struct {
	Project string       `json:"project"`
	Amount  domain.Money `json:"amount"`
}

func (m *Model) payeeBalance(name string) (PayeeBalance, bool) {
	p := m.st.Payees[name]
	if p == nil {
		return PayeeBalance{}, false
	}
	out := PayeeBalance{Head: m.head(), Kind: "payee", ID: name, Flow: m.flow(domain.PayeeAccount(name)), Payments: p.Payments,
		ByProject: []ProjectAmount{}}
	for _, pid := range keys(p.ByProject) {
		if a := p.ByProject[pid]; !a.IsZero() {
			out.ByProject = append(out.ByProject, ProjectAmount{pid, a})
		}
	}
	return out, true
}

func itoa(n int) string { return strconv.Itoa(n) }
