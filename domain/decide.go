package domain

import (
	"fmt"
	"strings"
)

// Decide turns a command into the events it causes, judged against s, or
// answers a typed *Error and no events. It does not change s: the caller
// applies the events once it chooses to keep them.
func Decide(s *State, c Command) ([]Event, error) {
	if err := Check(c); err != nil {
		return nil, err
	}
	if _, opening := c.(OpenLedger); !opening && !s.Opened {
		return nil, reject(ErrLedgerNotOpen, "", "the ledger is not open; open it with POST /v1/ledgers first")
	}
	return c.decide(s)
}

// Source levels of special funds, and the project categories and statuses.
var (
	SourceLevels      = []string{"central", "provincial", "municipal", "county", "other"}
	ProjectCategories = []string{"industry", "infrastructure", "housing", "education", "health", "employment", "photovoltaic", "finance", "ecology", "social"}
	HouseholdStatuses = []string{"poor", "exited", "returned"}
	HouseholdTypes    = []string{"ordinary", "dibao", "wubao"}
)

func (c OpenLedger) decide(s *State) ([]Event, error) {
	if s.Opened {
		return nil, duplicate("code", "ledger", c.Code)
	}
	if err := text("name", c.Name, maxName); err != nil {
		return nil, err
	}
	if err := optionalText("complaint_phone", c.ComplaintPhone, maxText); err != nil {
		return nil, err
	}
	if err := optionalText("issuer", c.Issuer, maxName); err != nil {
		return nil, err
	}
	return []Event{LedgerOpened(c)}, nil
}

func (c RegisterVillage) decide(s *State) ([]Event, error) {
	if err := id("id", c.ID); err != nil {
		return nil, err
	}
	if _, ok := s.Villages[c.ID]; ok {
		return nil, duplicate("id", "village", c.ID)
	}
	if err := text("name", c.Name, maxName); err != nil {
		return nil, err
	}
	if err := text("township", c.Township, maxName); err != nil {
		return nil, err
	}
	if c.ExitYear != 0 {
		if err := year("exit_year", c.ExitYear); err != nil {
			return nil, err
		}
	}
	return []Event{VillageRegistered(c)}, nil
}

func (c RegisterHousehold) decide(s *State) ([]Event, error) {
	if err := id("id", c.ID); err != nil {
		return nil, err
	}
	if _, ok := s.Households[c.ID]; ok {
		return nil, duplicate("id", "household", c.ID)
	}
	if _, ok := s.Villages[c.Village]; !ok {
		return nil, notFound("village", "village", c.Village)
	}
	if err := text("head_name", c.HeadName, maxName); err != nil {
		return nil, err
	}
	if !ValidIDNumber(c.IDNumber) {
		return nil, invalid("id_number", "id_number must be an 18-character resident ID number with a valid check digit")
	}
	c.IDNumber = CanonicalIDNumber(c.IDNumber)
	if other, taken := s.IDNumbers[c.IDNumber]; taken {
		return nil, reject(ErrDuplicateIDNumber, "id_number", "this id_number is already registered for household %q; one person heads one household of a ledger", other)
	}
	if c.Members < 1 || c.Members > 50 {
		return nil, invalid("members", "members must be between 1 and 50, got %d", c.Members)
	}
	if err := oneOf("category", c.Category, HouseholdTypes...); err != nil {
		return nil, err
	}
	if c.Status == "" {
		c.Status = "poor"
	}
	if err := oneOf("status", c.Status, HouseholdStatuses...); err != nil {
		return nil, err
	}
	if err := text("bank_name", c.BankName, maxName); err != nil {
		return nil, err
	}
	if err := bankAccount("bank_account", c.BankAccount); err != nil {
		return nil, err
	}
	return []Event{HouseholdRegistered(c)}, nil
}

// household finds a registered household or answers not found.
func (s *State) household(field, hid string) (*Household, error) {
	h, ok := s.Households[hid]
	if !ok {
		return nil, notFound(field, "household", hid)
	}
	return h, nil
}

func (c ExitHousehold) decide(s *State) ([]Event, error) {
	h, err := s.household("household", c.Household)
	if err != nil {
		return nil, err
	}
	if err := year("year", c.Year); err != nil {
		return nil, err
	}
	if h.Removed || h.Status == "exited" {
		return nil, reject(ErrHouseholdState, "", "household %q cannot exit poverty: it is %s", c.Household, householdState(h))
	}
	return []Event{HouseholdExited(c)}, nil
}

func (c ReturnHousehold) decide(s *State) ([]Event, error) {
	h, err := s.household("household", c.Household)
	if err != nil {
		return nil, err
	}
	if err := year("year", c.Year); err != nil {
		return nil, err
	}
	if h.Removed || h.Status != "exited" {
		return nil, reject(ErrHouseholdState, "", "only an exited household can return to poverty; household %q is %s", c.Household, householdState(h))
	}
	return []Event{HouseholdReturned(c)}, nil
}

func (c RemoveHousehold) decide(s *State) ([]Event, error) {
	h, err := s.household("household", c.Household)
	if err != nil {
		return nil, err
	}
	if err := text("reason", c.Reason, maxName); err != nil {
		return nil, err
	}
	if h.Removed {
		return nil, reject(ErrHouseholdState, "", "household %q was already removed", c.Household)
	}
	return []Event{HouseholdRemoved(c)}, nil
}

func (c ChangeBankCard) decide(s *State) ([]Event, error) {
	if _, err := s.household("household", c.Household); err != nil {
		return nil, err
	}
	if err := text("bank_name", c.BankName, maxName); err != nil {
		return nil, err
	}
	if err := bankAccount("bank_account", c.BankAccount); err != nil {
		return nil, err
	}
	return []Event{HouseholdCardChanged(c)}, nil
}

func householdState(h *Household) string {
	if h.Removed {
		return "removed"
	}
	return h.Status
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

func fundFields(s *State, wid, programme string, fiscalYear int, documentNo string) error {
	if err := s.newWrite("id", wid); err != nil {
		return err
	}
	if err := text("programme", programme, maxName); err != nil {
		return err
	}
	if err := year("fiscal_year", fiscalYear); err != nil {
		return err
	}
	return text("document_no", documentNo, maxText)
}

func (c Allocate) decide(s *State) ([]Event, error) {
	if err := fundFields(s, c.ID, c.Programme, c.FiscalYear, c.DocumentNo); err != nil {
		return nil, err
	}
	if err := oneOf("source_level", c.SourceLevel, SourceLevels...); err != nil {
		return nil, err
	}
	amt, err := amount("amount", c.Amount)
	if err != nil {
		return nil, err
	}
	return []Event{FundAllocated{ID: c.ID, SourceLevel: c.SourceLevel, Programme: c.Programme, FiscalYear: c.FiscalYear,
		DocumentNo: c.DocumentNo, Amount: amt,
		Postings: transfer(SourceAccount(c.SourceLevel, c.Programme), FundAccount(PoolPoverty, c.ID), amt)}}, nil
}

func (c Integrate) decide(s *State) ([]Event, error) {
	if err := fundFields(s, c.ID, c.Programme, c.FiscalYear, c.DocumentNo); err != nil {
		return nil, err
	}
	amt, err := amount("amount", c.Amount)
	if err != nil {
		return nil, err
	}
	return []Event{FundIntegrated{ID: c.ID, Programme: c.Programme, FiscalYear: c.FiscalYear, DocumentNo: c.DocumentNo,
		Amount: amt, Postings: transfer(FarmSourceAccount(c.Programme), FundAccount(PoolIntegrated, c.ID), amt)}}, nil
}

func (c ApproveProject) decide(s *State) ([]Event, error) {
	if err := id("id", c.ID); err != nil {
		return nil, err
	}
	if _, ok := s.Projects[c.ID]; ok {
		return nil, duplicate("id", "project", c.ID)
	}
	if err := text("name", c.Name, maxName); err != nil {
		return nil, err
	}
	if c.Village != "" {
		if _, ok := s.Villages[c.Village]; !ok {
			return nil, notFound("village", "village", c.Village)
		}
	}
	if err := oneOf("category", c.Category, ProjectCategories...); err != nil {
		return nil, err
	}
	if err := text("batch", c.Batch, maxText); err != nil {
		return nil, err
	}
	if err := text("approval_doc", c.ApprovalDoc, maxText); err != nil {
		return nil, err
	}
	budget, err := amount("budget", c.Budget)
	if err != nil {
		return nil, err
	}
	return []Event{ProjectApproved{ID: c.ID, Name: c.Name, Village: c.Village, Category: c.Category, Batch: c.Batch,
		Budget: budget, ApprovalDoc: c.ApprovalDoc}}, nil
}

// nextStatus lists where each status may go: forward only, and a later
// stage may be recorded without the earlier ones (a clerk who enters a
// completion whose start was never entered records that it started);
// only a project not yet completed can be cancelled.
var nextStatus = map[string][]string{
	"approved":  {"started", "completed", "accepted", "cancelled"},
	"started":   {"completed", "accepted", "cancelled"},
	"completed": {"accepted"},
}

func (c ChangeProjectStatus) decide(s *State) ([]Event, error) {
	p, ok := s.Projects[c.Project]
	if !ok {
		return nil, notFound("project", "project", c.Project)
	}
	if err := oneOf("status", c.Status, "started", "completed", "accepted", "cancelled"); err != nil {
		return nil, err
	}
	if err := date("date", c.Date); err != nil {
		return nil, err
	}
	if err := optionalText("document_no", c.DocumentNo, maxText); err != nil {
		return nil, err
	}
	for _, next := range nextStatus[p.Status] {
		if next == c.Status {
			return []Event{ProjectStatusChanged(c)}, nil
		}
	}
	return nil, reject(ErrStatusChange, "status", "project %q is %s and cannot become %s", c.Project, p.Status, c.Status)
}

// fund finds a fund or answers not found.
func (s *State) fund(fid string) (*Fund, error) {
	f, ok := s.Funds[fid]
	if !ok {
		return nil, notFound("fund", "fund", fid)
	}
	return f, nil
}

// projectMove checks what appropriation, payment and recovery share: a new
// write id, a known project and fund, a valid amount.
func (s *State) projectMove(wid, project, fund string, a AmountText) (*Project, *Fund, Money, error) {
	if err := s.newWrite("id", wid); err != nil {
		return nil, nil, Money{}, err
	}
	p, ok := s.Projects[project]
	if !ok {
		return nil, nil, Money{}, notFound("project", "project", project)
	}
	f, err := s.fund(fund)
	if err != nil {
		return nil, nil, Money{}, err
	}
	amt, err := amount("amount", a)
	if err != nil {
		return nil, nil, Money{}, err
	}
	return p, f, amt, nil
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

func (c Appropriate) decide(s *State) ([]Event, error) {
	p, f, amt, err := s.projectMove(c.ID, c.Project, c.Fund, c.Amount)
	if err != nil {
		return nil, err
	}
	if p.Status == "cancelled" {
		return nil, reject(ErrProjectClosed, "project", "project %q is cancelled; it can receive no appropriation", c.Project)
	}
	net := p.Appropriated.Sub(p.Recovered).Add(amt)
	if net.Cmp(p.Budget) > 0 {
		return nil, reject(ErrOverBudget, "amount", "appropriating %s yuan would bring project %q to %s yuan, above its budget of %s yuan",
			amt, c.Project, net, p.Budget)
	}
	e := FundsAppropriated{ID: c.ID, Project: c.Project, Fund: c.Fund, Amount: amt,
		Postings: transfer(f.Account(), ProjectAccount(c.Project, c.Fund), amt)}
	if err := s.checkPostings(e.Postings); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

func (c Pay) decide(s *State) ([]Event, error) {
	p, _, amt, err := s.projectMove(c.ID, c.Project, c.Fund, c.Amount)
	if err != nil {
		return nil, err
	}
	if err := text("payee", c.Payee, maxName); err != nil {
		return nil, err
	}
	if err := text("voucher_no", c.VoucherNo, maxText); err != nil {
		return nil, err
	}
	if err := oneOf("method", c.Method, "reimbursement", "treasury"); err != nil {
		return nil, err
	}
	if p.Status == "cancelled" {
		return nil, reject(ErrProjectClosed, "project", "project %q is cancelled; reclaim its money instead of paying", c.Project)
	}
	e := ProjectPaid{ID: c.ID, Project: c.Project, Fund: c.Fund, Payee: c.Payee, Amount: amt, VoucherNo: c.VoucherNo,
		Method: c.Method, Postings: transfer(ProjectAccount(c.Project, c.Fund), PayeeAccount(c.Payee), amt)}
	if err := s.checkPostings(e.Postings); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

func (c Recover) decide(s *State) ([]Event, error) {
	_, _, amt, err := s.projectMove(c.ID, c.Project, c.Fund, c.Amount)
	if err != nil {
		return nil, err
	}
	if err := text("reason", c.Reason, maxName); err != nil {
		return nil, err
	}
	e := FundsRecovered{ID: c.ID, Project: c.Project, Fund: c.Fund, Amount: amt, Reason: c.Reason,
		Postings: transfer(ProjectAccount(c.Project, c.Fund), ReclaimedAccount(c.Fund), amt)}
	if err := s.checkPostings(e.Postings); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

// payee checks that a household may receive a payout.
func (s *State) payee(field, hid string) error {
	h, err := s.household(field, hid)
	if err != nil {
		return err
	}
	if h.Removed {
		return reject(ErrHouseholdRemoved, field, "household %q was removed from the register (清退); it can receive no payout", hid)
	}
	return nil
}

func (c Payout) decide(s *State) ([]Event, error) {
	if err := s.newWrite("id", c.ID); err != nil {
		return nil, err
	}
	if err := s.payee("household", c.Household); err != nil {
		return nil, err
	}
	if err := text("item", c.Item, maxName); err != nil {
		return nil, err
	}
	if err := text("period", c.Period, maxText); err != nil {
		return nil, err
	}
	f, err := s.fund(c.Fund)
	if err != nil {
		return nil, err
	}
	standard, err := amount("standard", c.Standard)
	if err != nil {
		return nil, err
	}
	amt, err := amount("amount", c.Amount)
	if err != nil {
		return nil, err
	}
	e := PayoutMade{ID: c.ID, Household: c.Household, Item: c.Item, Standard: standard, Period: c.Period, Fund: c.Fund,
		Amount: amt, Postings: transfer(f.Account(), HouseholdAccount(c.Household), amt)}
	if err := s.checkPostings(e.Postings); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

// MaxBatchLines bounds one payout batch; larger payrolls are split.
const MaxBatchLines = 20000

func (c PayoutBatch) decide(s *State) ([]Event, error) {
	if err := s.newWrite("id", c.ID); err != nil {
		return nil, err
	}
	f, err := s.fund(c.Fund)
	if err != nil {
		return nil, err
	}
	if err := text("item", c.Item, maxName); err != nil {
		return nil, err
	}
	if err := text("period", c.Period, maxText); err != nil {
		return nil, err
	}
	standard := Zero
	if c.Standard != "" {
		if standard, err = amount("standard", c.Standard); err != nil {
			return nil, err
		}
	}
	if len(c.Lines) == 0 {
		return nil, invalid("lines", "a batch needs at least one line")
	}
	if len(c.Lines) > MaxBatchLines {
		return nil, invalid("lines", "a batch holds at most %d lines; split it", MaxBatchLines)
	}
	if c.Control.Count < 0 {
		return nil, invalid("control.count", "control.count must not be negative")
	}
	control, err := amount("control.amount", c.Control.Amount)
	if err != nil {
		return nil, err
	}
	lines := make([]BatchLine, len(c.Lines))
	seen := make(map[string]int, len(c.Lines))
	total := Zero
	postings := make([]Posting, 0, len(c.Lines)+1)
	postings = append(postings, Posting{Account: f.Account()})
	for i, l := range c.Lines {
		field := fmt.Sprintf("lines[%d].household", i)
		if err := s.payee(field, l.Household); err != nil {
			return nil, err
		}
		if first, dup := seen[l.Household]; dup {
			return nil, reject(ErrDuplicateLine, field, "household %q appears on lines %d and %d; one line per household", l.Household, first, i)
		}
		seen[l.Household] = i
		amt, err := amount(fmt.Sprintf("lines[%d].amount", i), l.Amount)
		if err != nil {
			return nil, err
		}
		lines[i] = BatchLine{Household: l.Household, Amount: amt}
		total = total.Add(amt)
		postings = append(postings, Posting{Account: HouseholdAccount(l.Household), Amount: amt})
	}
	if c.Control.Count != len(lines) || !control.Equal(total) {
		return nil, reject(ErrControlMismatch, "control", "control totals say %d lines and %s yuan, the lines hold %d lines and %s yuan; nothing was recorded",
			c.Control.Count, control, len(lines), total)
	}
	postings[0].Amount = total.Neg()
	e := PayoutBatchAccepted{ID: c.ID, Fund: c.Fund, Item: c.Item, Standard: standard, Period: c.Period,
		Control: Control{Count: c.Control.Count, Amount: control}, Lines: lines, Postings: postings}
	if err := s.checkPostings(e.Postings); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

// bankMoves lists which bank status a line may move to from its current one:
// a paid line may still come back (退回); failed and returned lines are final,
// their money is back in the fund until a new payout re-issues it.
var bankMoves = map[string][]string{
	"":     {"paid", "failed", "returned"},
	"paid": {"returned"},
}

func (c RecordBankResults) decide(s *State) ([]Event, error) {
	b, ok := s.Batches[c.Batch]
	if !ok {
		return nil, notFound("batch", "payout batch", c.Batch)
	}
	if !s.Active(c.Batch) {
		return nil, reject(ErrBankResult, "batch", "payout batch %q was reversed; it takes no bank results", c.Batch)
	}
	if len(c.Lines) == 0 {
		return nil, invalid("lines", "bank results need at least one line")
	}
	f := s.Funds[b.Fund]
	lines := make([]BankResultLine, len(c.Lines))
	var postings []Posting
	seen := map[string]bool{}
	for i, l := range c.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		ls, ok := b.Lines[l.Household]
		if !ok {
			return nil, reject(ErrNotFound, field+".household", "household %q has no line in payout batch %q", l.Household, c.Batch)
		}
		if seen[l.Household] {
			return nil, reject(ErrDuplicateLine, field+".household", "household %q is reported twice", l.Household)
		}
		seen[l.Household] = true
		if err := oneOf(field+".status", l.Status, "paid", "failed", "returned"); err != nil {
			return nil, err
		}
		if err := optionalText(field+".bank_ref", l.BankRef, maxText); err != nil {
			return nil, err
		}
		if err := optionalText(field+".reason", l.Reason, maxName); err != nil {
			return nil, err
		}
		allowed := false
		for _, next := range bankMoves[ls.Status] {
			allowed = allowed || next == l.Status
		}
		if !allowed {
			return nil, reject(ErrBankResult, field+".status", "line of household %q is already %s and cannot become %s", l.Household, ls.Status, l.Status)
		}
		lines[i] = BankResultLine{Household: l.Household, Status: l.Status, BankRef: l.BankRef, Reason: l.Reason, Amount: ls.Amount}
		if l.Status != "paid" {
			postings = append(postings, transfer(HouseholdAccount(l.Household), f.Account(), ls.Amount)...)
		}
	}
	e := BankResultsRecorded{Batch: c.Batch, Fund: b.Fund, Lines: lines, Postings: postings}
	if err := s.checkPostings(e.Postings); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

func (c Reverse) decide(s *State) ([]Event, error) {
	if err := s.newWrite("id", c.ID); err != nil {
		return nil, err
	}
	if err := text("reason", c.Reason, maxName); err != nil {
		return nil, err
	}
	w, ok := s.Writes[c.Reverses]
	if !ok {
		return nil, reject(ErrNotFound, "reverses", "write %q is not in this ledger; name the id of an allocation, integration, appropriation, payment, recovery, payout, batch or reversal", c.Reverses)
	}
	if w.ReversedBy != "" {
		return nil, reject(ErrAlreadyReversed, "reverses", "write %q was already reversed by %q; reverse %q to restore it", c.Reverses, w.ReversedBy, w.ReversedBy)
	}
	if b, isBatch := s.Batches[c.Reverses]; isBatch && b.Results {
		return nil, reject(ErrNotReversible, "reverses", "payout batch %q has bank results; failed or returned lines already went back to the fund", c.Reverses)
	}
	e := WriteReversed{ID: c.ID, Reverses: c.Reverses, Reason: c.Reason, Postings: Negate(w.Postings)}
	if err := s.checkPostings(e.Postings); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}
