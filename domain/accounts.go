package domain

import "strings"

// AccountKind is the kind of a double-entry account.
type AccountKind string

// Account kinds. Only a source may go below zero: it is money that came from
// outside the county's books.
const (
	KindSource    AccountKind = "source"    // where money comes from: a level × programme, or a farm programme
	KindPool      AccountKind = "pool"      // a fund held by the county: the poverty pool or the integrated pool
	KindProject   AccountKind = "project"   // a project's balance, kept per fund
	KindHousehold AccountKind = "household" // what reached a household's one card
	KindPayee     AccountKind = "payee"     // contractors and suppliers paid by projects
	KindReclaimed AccountKind = "reclaimed" // money reclaimed (收回) from projects, per fund
)

// Pool names.
const (
	PoolPoverty    = "poverty"    // special poverty funds (财政专项扶贫资金)
	PoolIntegrated = "integrated" // integrated farm funds (统筹整合财政涉农资金)
)

// Account names one account as "kind:id", e.g. "pool:poverty/A2019-001",
// "project:P001/A2019-001", "household:H0001", "source:central/中央财政专项扶贫资金".
type Account string

// Kind answers the account's kind.
func (a Account) Kind() AccountKind {
	k, _, _ := strings.Cut(string(a), ":")
	return AccountKind(k)
}

// ID answers what follows "kind:".
func (a Account) ID() string {
	_, id, _ := strings.Cut(string(a), ":")
	return id
}

// SourceAccount is where an allocation comes from: its level and programme.
func SourceAccount(level, programme string) Account {
	return Account("source:" + level + "/" + programme)
}

// FarmSourceAccount is where an integration comes from: the farm programme
// whose money was integrated.
func FarmSourceAccount(programme string) Account {
	return Account("source:farm/" + programme)
}

// FundAccount is the county's balance of one fund, in its pool.
func FundAccount(pool, fund string) Account { return Account("pool:" + pool + "/" + fund) }

// ProjectAccount is a project's balance drawn from one fund.
func ProjectAccount(project, fund string) Account {
	return Account("project:" + project + "/" + fund)
}

// HouseholdAccount is a household's one-card account.
func HouseholdAccount(household string) Account { return Account("household:" + household) }

// PayeeAccount is a contractor's or supplier's account.
func PayeeAccount(payee string) Account { return Account("payee:" + payee) }

// ReclaimedAccount holds money reclaimed from projects, per fund.
func ReclaimedAccount(fund string) Account { return Account("reclaimed:" + fund) }

// Posting moves Amount into Account (negative: out of it). The postings of one
// event always sum to zero: double entry.
type Posting struct {
	Account Account `json:"account"`
	Amount  Money   `json:"amount"`
}

// transfer is the pair of postings that moves amount from one account to another.
func transfer(from, to Account, amount Money) []Posting {
	return []Posting{{Account: from, Amount: amount.Neg()}, {Account: to, Amount: amount}}
}

// Negate answers postings that undo ps.
func Negate(ps []Posting) []Posting {
	out := make([]Posting, len(ps))
	for i, p := range ps {
		out[i] = Posting{Account: p.Account, Amount: p.Amount.Neg()}
	}
	return out
}

// Sum answers the total of ps; zero for every balanced event.
func Sum(ps []Posting) Money {
	total := Zero
	for _, p := range ps {
		total = total.Add(p.Amount)
	}
	return total
}
