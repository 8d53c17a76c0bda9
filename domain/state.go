package domain

import "strings"

// State is what the writer must know to decide the next command: the
// ledger's registers and every account's balance. It is rebuilt by applying
// events in order and never read from anywhere else.
type State struct {
	Opened bool
	Ledger LedgerOpened

	Villages   map[string]*VillageRegistered
	Households map[string]*Household
	Funds      map[string]*Fund
	Projects   map[string]*Project
	Batches    map[string]*Batch
	Writes     map[string]Write // money writes by id, the namespace reversals name
	Balances   map[Account]Money
	// IDNumbers maps a canonical (upper-case) ID number to the household
	// registered under it: one person heads one household of a ledger.
	IDNumbers map[string]string
	// Standards is the table of subsidy standards, by item, each item's
	// changes in the order recorded.
	Standards map[string][]StandardSet

	// accounts interns account names for Balances and Writes.
	accounts accountTable
}

// Household is a registered household and what has happened to it since.
type Household struct {
	HouseholdRegistered
	Removed bool
}

// Fund is an allocation or an integration: money with its own id, level,
// programme and document, kept apart so it can never be spent twice.
type Fund struct {
	ID          string
	Pool        string // PoolPoverty or PoolIntegrated
	SourceLevel string // central … other; "farm" for integrations
	Programme   string
	FiscalYear  int
	DocumentNo  string
	Amount      Money
}

// Account answers the fund's pool account.
func (f *Fund) Account() Account { return FundAccount(f.Pool, f.ID) }

// Project is an approved project with its net appropriations.
type Project struct {
	ProjectApproved
	Status       string // approved, started, completed, accepted, cancelled
	Appropriated Money  // net of reversals
	Recovered    Money
}

// Batch is a payout batch with the state of each line.
type Batch struct {
	ID      string
	Fund    string
	Lines   map[string]*LineState // by household
	Results bool                  // some bank result was recorded
}

// LineState is one batch line: amount and bank status ("" until reported),
// the card it was sent to, and the payout that re-issued it, if any.
type LineState struct {
	Amount     Money
	Status     string
	Card       string // the household's account when the batch was accepted
	ReissuedBy string
}

// NewState answers the state of a ledger that has recorded nothing.
func NewState() *State {
	return &State{
		Villages:   map[string]*VillageRegistered{},
		Households: map[string]*Household{},
		Funds:      map[string]*Fund{},
		Projects:   map[string]*Project{},
		Batches:    map[string]*Batch{},
		Writes:     map[string]Write{},
		Balances:   map[Account]Money{},
		IDNumbers:  map[string]string{},
		Standards:  map[string][]StandardSet{},
	}
}

// Balance answers an account's balance (zero if it never moved).
func (s *State) Balance(a Account) Money { return s.Balances[a] }

// Active reports whether a write's effect stands: it was never reversed, or
// its reversal was itself reversed.
func (s *State) Active(id string) bool {
	w, ok := s.Writes[id]
	if !ok {
		return false
	}
	return w.ReversedBy() == "" || !s.Active(w.ReversedBy())
}

// Apply records an event's effect. It never fails: the rules were checked
// when the event was decided, and history must replay even if rules change.
func (s *State) Apply(e Event) { s.apply(e) }

// apply is Apply answering whether it knows the event's type; the
// catalogue test asks it about every type, so a new event cannot be
// forgotten here.
func (s *State) apply(e Event) bool {
	if m, ok := e.(MoneyEvent); ok {
		for _, p := range m.Entries() {
			_, a := s.accounts.intern(p.Account)
			s.Balances[a] = s.Balances[a].Add(p.Amount)
		}
	}
	switch e := e.(type) {
	case LedgerOpened:
		s.Opened, s.Ledger = true, e
	case VillageRegistered:
		v := e
		s.Villages[e.ID] = &v
	case HouseholdRegistered:
		h := &Household{HouseholdRegistered: e}
		// Shared strings for what many households hold alike.
		h.Category, h.Status = shared(e.Category, HouseholdTypes), shared(e.Status, HouseholdStatuses)
		if v := s.Villages[e.Village]; v != nil {
			h.Village = v.ID
		}
		s.Households[e.ID] = h
		if _, taken := s.IDNumbers[CanonicalIDNumber(e.IDNumber)]; !taken {
			s.IDNumbers[CanonicalIDNumber(e.IDNumber)] = e.ID
		}
	case HouseholdExited:
		if h := s.Households[e.Household]; h != nil {
			h.Status = "exited"
		}
	case HouseholdReturned:
		if h := s.Households[e.Household]; h != nil {
			h.Status = "returned"
		}
	case HouseholdRemoved:
		if h := s.Households[e.Household]; h != nil {
			h.Removed = true
		}
	case HouseholdCardChanged:
		if h := s.Households[e.Household]; h != nil {
			h.BankName, h.BankAccount = e.BankName, e.BankAccount
		}
	case FundAllocated:
		s.Funds[e.ID] = &Fund{ID: e.ID, Pool: PoolPoverty, SourceLevel: e.SourceLevel, Programme: e.Programme,
			FiscalYear: e.FiscalYear, DocumentNo: e.DocumentNo, Amount: e.Amount}
		s.addWrite(e.ID, e, "", e.Amount)
	case FundIntegrated:
		s.Funds[e.ID] = &Fund{ID: e.ID, Pool: PoolIntegrated, SourceLevel: "farm", Programme: e.Programme,
			FiscalYear: e.FiscalYear, DocumentNo: e.DocumentNo, Amount: e.Amount}
		s.addWrite(e.ID, e, "", e.Amount)
	case ProjectApproved:
		s.Projects[e.ID] = &Project{ProjectApproved: e, Status: "approved"}
	case ProjectStatusChanged:
		if p := s.Projects[e.Project]; p != nil {
			p.Status = e.Status
		}
	case FundsAppropriated:
		s.addWrite(e.ID, e, s.projectID(e.Project), e.Amount)
		s.projectDelta(s.Writes[e.ID], 1)
	case ProjectPaid:
		s.addWrite(e.ID, e, s.projectID(e.Project), e.Amount)
	case FundsRecovered:
		s.addWrite(e.ID, e, s.projectID(e.Project), e.Amount)
		s.projectDelta(s.Writes[e.ID], 1)
	case PayoutMade:
		s.addWrite(e.ID, e, "", e.Amount)
		if bid, hid, ok := ParseReissueOf(e.ReissueOf); ok {
			if b := s.Batches[bid]; b != nil && b.Lines[hid] != nil {
				b.Lines[hid].ReissuedBy = e.ID
			}
		}
	case PayoutBatchAccepted:
		b := &Batch{ID: e.ID, Fund: e.Fund, Lines: make(map[string]*LineState, len(e.Lines))}
		states := make([]LineState, len(e.Lines)) // one block for the batch's lines
		for i, l := range e.Lines {
			ls, hid := &states[i], l.Household
			ls.Amount = l.Amount
			if h := s.Households[hid]; h != nil {
				ls.Card, hid = h.BankAccount, h.ID // the register's strings, shared
			}
			b.Lines[hid] = ls
		}
		s.Batches[e.ID] = b
		s.addWrite(e.ID, e, "", e.Control.Amount)
	case BankResultsRecorded:
		if b := s.Batches[e.Batch]; b != nil {
			b.Results = true
			for _, l := range e.Lines {
				if ls := b.Lines[l.Household]; ls != nil {
					ls.Status = shared(l.Status, BankStatuses)
				}
			}
		}
	case StandardSet:
		s.Standards[e.Item] = append(s.Standards[e.Item], e)
	case FindingAcknowledged:
		// An answer for readers; no decision depends on it.
	case WriteReversed:
		w := s.makeWrite(e.EventType(), e.Postings, "", Zero, e.Reverses, "")
		s.Writes[e.ID] = w
		if target, ok := s.Writes[e.Reverses]; ok {
			s.Writes[e.Reverses] = target.withReversedBy(e.ID)
			s.projectDelta(w, 1)
		}
	default:
		return false
	}
	return true
}

func (s *State) addWrite(id string, e MoneyEvent, project string, amount Money) {
	s.Writes[id] = s.makeWrite(e.EventType(), e.Entries(), project, amount, "", "")
}

// projectID answers the project's id as the register holds it, so a write
// shares its string (a project never approved: the id as given).
func (s *State) projectID(id string) string {
	if id == "" {
		return ""
	}
	if p := s.Projects[id]; p != nil {
		return p.ID
	}
	return strings.Clone(id) // its own string, never part of a decoder's line
}

// shared answers word as the one of words it equals, so a million batch
// lines or households do not each hold a copy of "paid" or "poor"; any
// other word as its own string (see projectID).
func shared(word string, words []string) string {
	for _, w := range words {
		if w == word {
			return w
		}
	}
	return strings.Clone(word)
}

// projectDelta keeps a project's net appropriated and recovered figures as
// writes take effect (sign 1) or are undone (sign -1); a reversal undoes what
// it reverses, so a reversal of a reversal redoes it.
func (s *State) projectDelta(w Write, sign int64) {
	switch w.Type() {
	case TypeWriteReversed:
		if target, ok := s.Writes[w.Reverses()]; ok {
			s.projectDelta(target, -sign)
		}
	case TypeFundsAppropriated:
		if p := s.Projects[w.Project()]; p != nil {
			p.Appropriated = p.Appropriated.Add(w.Amount().MulInt(sign))
		}
	case TypeFundsRecovered:
		if p := s.Projects[w.Project()]; p != nil {
			p.Recovered = p.Recovered.Add(w.Amount().MulInt(sign))
		}
	}
}
