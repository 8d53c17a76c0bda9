package domain

import "strings"

// Decide turns a command into the events it causes, judged against s, or
// answers a typed *Error and no events. It does not change s: the caller
// applies the events once it chooses to keep them.
//
// Each command's decider lives with its family: decide_ledger.go (the
// ledger and its villages), decide_households.go, decide_funds.go,
// decide_projects.go, decide_payouts.go, decide_reversals.go and
// decide_standards.go (subsidy standards and answers to findings). What
// money writes share is here.
func Decide(s *State, c Command) ([]Event, error) {
	if err := Check(c); err != nil {
		return nil, err
	}
	if _, opening := c.(OpenLedger); !opening && !s.Opened {
		return nil, reject(ErrLedgerNotOpen, "", "the ledger is not open; open it with POST /v1/ledgers first")
	}
	return c.decide(s)
}

// newWrite checks the id of a money write: valid and not used by any other.
func (s *State) newWrite(field, wid string) error {
	if err := id(field, wid); err != nil {
		return err
	}
	if _, ok := s.Writes[wid]; ok {
		return duplicate(field, "write", wid)
	}
	return nil
}

// posted is how every money write ends: its one event, once its postings
// are known to leave no account but a source below zero.
func (s *State) posted(e MoneyEvent) ([]Event, error) {
	if err := s.checkPostings(e.Entries()); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

// checkPostings refuses postings that would take any account but a source
// below zero: no overdraft of a fund, a project or a household.
func (s *State) checkPostings(ps []Posting) error {
	after := make(map[Account]Money, len(ps))
	for _, p := range ps {
		if p.Account.Kind() == KindSource {
			continue
		}
		cur, seen := after[p.Account]
		if !seen {
			cur = s.Balances[p.Account]
		}
		cur = cur.Add(p.Amount)
		after[p.Account] = cur
		if cur.IsNegative() {
			return reject(ErrInsufficientFunds, "amount", "insufficient funds: %s holds %s yuan, %s yuan short",
				describe(p.Account), s.Balances[p.Account], cur.Neg())
		}
	}
	return nil
}

// describe names an account for a clerk: "fund A2019-001", "project/fund P1/A2019-001".
func describe(a Account) string {
	switch a.Kind() {
	case KindPool:
		_, fund, _ := strings.Cut(a.ID(), "/")
		return "fund " + fund
	case KindProject:
		return "project/fund " + a.ID()
	default:
		return string(a.Kind()) + " " + a.ID()
	}
}
