package domain

import (
	"fmt"
	"strings"
)

// Payouts to households through the one-card system (一卡通): one at a
// time, in batches checked against control totals (发放批次), and the
// bank's report on a batch.

// MaxBatchLines bounds one payout batch; larger payrolls are split. A
// 50,000-line batch is one commit of a few MB, checked and durable in well
// under a second (batch_50k_s in BENCHMARKS.md), inside one store message.
const MaxBatchLines = 50000

// BankStatuses are what the bank may report for a batch line.
var BankStatuses = []string{"paid", "failed", "returned"}

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
	standard, err := statedStandard("standard", c.Standard)
	if err != nil {
		return nil, err
	}
	amt, err := amount("amount", c.Amount)
	if err != nil {
		return nil, err
	}
	reissueOf, err := s.reissue(c.ReissueOf, c.Household)
	if err != nil {
		return nil, err
	}
	return s.posted(PayoutMade{ID: c.ID, Household: c.Household, Item: c.Item, Standard: standard, Period: c.Period, Fund: c.Fund,
		Amount: amt, Postings: transfer(f.Account(), HouseholdAccount(c.Household), amt), ReissueOf: reissueOf})
}

// statedStandard reads the standard a payout states for itself. It is
// optional and only recorded and printed: the ledger's table of standards
// is the reference findings check against, so a stated 0.00 skips nothing.
func statedStandard(field string, a AmountText) (Money, error) {
	if a == "" {
		return Zero, nil
	}
	m, err := parseMoney(string(a))
	if err == nil && m.Cmp(MaxAmount) > 0 {
		err = fmt.Errorf("%q is above the ceiling of 1000000000000.00 yuan", a)
	}
	if err != nil {
		return Money{}, invalid(field, "%s %v", field, err)
	}
	return m, nil
}

// ParseReissueOf splits a re-issue reference "<batch>/<household>"; a
// reference without '/' names a single payout (ids never hold '/').
func ParseReissueOf(ref string) (batch, household string, isLine bool) {
	return strings.Cut(ref, "/")
}

// reissue checks that a payout to household may replace the line ref
// names, and answers ref in its canonical form ("" if none): the line must
// be the household's, failed or returned by the bank, not re-issued by a
// payout that still stands, and the household's card must no longer be
// the one the line failed on.
func (s *State) reissue(ref, household string) (string, error) {
	if ref == "" {
		return "", nil
	}
	bid, hid, isLine := ParseReissueOf(ref)
	if !isLine {
		if w, ok := s.Writes[ref]; !ok || w.Type() != TypePayoutMade {
			return "", notFound("reissue_of", "payout", ref)
		}
		return "", reject(ErrNotReissuable, "reissue_of", "payout %q was not failed or returned by the bank (a single payout has no bank report); only a failed or returned batch line is re-issued", ref)
	}
	b, ok := s.Batches[bid]
	if !ok {
		return "", notFound("reissue_of", "payout batch", bid)
	}
	ls, ok := b.Lines[hid]
	if !ok {
		return "", reject(ErrNotFound, "reissue_of", "household %q has no line in payout batch %q", hid, bid)
	}
	switch {
	case hid != household:
		return "", reject(ErrNotReissuable, "reissue_of", "line %s is household %q's; a re-issue pays the same household, not %q", ref, hid, household)
	case ls.Status != "failed" && ls.Status != "returned":
		status := ls.Status
		if status == "" {
			status = "awaiting the bank's report"
		}
		return "", reject(ErrNotReissuable, "reissue_of", "line %s is %s, not failed or returned; only a line whose money came back is re-issued", ref, status)
	case ls.ReissuedBy != "" && s.Active(ls.ReissuedBy):
		return "", reject(ErrNotReissuable, "reissue_of", "line %s was already re-issued by payout %q", ref, ls.ReissuedBy)
	}
	if h := s.Households[hid]; h != nil && ls.Card != "" && h.BankAccount == ls.Card {
		return "", reject(ErrSameCard, "reissue_of", "household %q still has the card line %s failed on; record its new card (POST …/households/%s/bank-card) before re-issuing", hid, ref, hid)
	}
	return bid + "/" + hid, nil
}

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
	standard, err := statedStandard("standard", c.Standard)
	if err != nil {
		return nil, err
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
	bad := rows{list: "lines"} // every bad line is listed, not only the first
	for i, l := range c.Lines {
		field := fmt.Sprintf("lines[%d].household", i)
		first, dup := seen[l.Household]
		if !dup {
			seen[l.Household] = i
		}
		if err := s.payee(field, l.Household); err != nil {
			bad.reject(i, err)
			continue
		}
		if dup {
			bad.reject(i, reject(ErrDuplicateLine, field, "household %q appears on lines %d and %d; one line per household", l.Household, first, i))
			continue
		}
		amt, err := amount(fmt.Sprintf("lines[%d].amount", i), l.Amount)
		if err != nil {
			bad.reject(i, err)
			continue
		}
		lines[i] = BatchLine{Household: l.Household, Amount: amt}
		total = total.Add(amt)
		postings = append(postings, Posting{Account: HouseholdAccount(l.Household), Amount: amt})
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	if c.Control.Count != len(lines) || !control.Equal(total) {
		return nil, reject(ErrControlMismatch, "control", "control totals say %d lines and %s yuan, the lines hold %d lines and %s yuan; nothing was recorded",
			c.Control.Count, control, len(lines), total)
	}
	postings[0].Amount = total.Neg()
	return s.posted(PayoutBatchAccepted{ID: c.ID, Fund: c.Fund, Item: c.Item, Standard: standard, Period: c.Period,
		Control: Control{Count: c.Control.Count, Amount: control}, Lines: lines, Postings: postings})
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
	bad := rows{list: "lines"} // every bad line is listed, not only the first
	for i, l := range c.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		ls, ok := b.Lines[l.Household]
		if !ok {
			bad.reject(i, reject(ErrNotFound, field+".household", "household %q has no line in payout batch %q", l.Household, c.Batch))
			continue
		}
		if seen[l.Household] {
			bad.reject(i, reject(ErrDuplicateLine, field+".household", "household %q is reported twice", l.Household))
			continue
		}
		seen[l.Household] = true
		if err := oneOf(field+".status", l.Status, BankStatuses...); err != nil {
			bad.reject(i, err)
			continue
		}
		if err := optionalText(field+".bank_ref", l.BankRef, maxText); err != nil {
			bad.reject(i, err)
			continue
		}
		if err := optionalText(field+".reason", l.Reason, maxName); err != nil {
			bad.reject(i, err)
			continue
		}
		allowed := false
		for _, next := range bankMoves[ls.Status] {
			allowed = allowed || next == l.Status
		}
		if !allowed {
			bad.reject(i, reject(ErrBankResult, field+".status", "line of household %q is already %s and cannot become %s", l.Household, ls.Status, l.Status))
			continue
		}
		lines[i] = BankResultLine{Household: l.Household, Status: l.Status, BankRef: l.BankRef, Reason: l.Reason, Amount: ls.Amount}
		if l.Status != "paid" {
			postings = append(postings, transfer(HouseholdAccount(l.Household), f.Account(), ls.Amount)...)
		}
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	return s.posted(BankResultsRecorded{Batch: c.Batch, Fund: b.Fund, Lines: lines, Postings: postings})
}
