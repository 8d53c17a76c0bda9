package projections

import (
	"github.com/fundledger/fundledger/domain"
)

// apply folds one event of commit c. It never fails: the decider checked the
// rules when the event was written, and old history must replay even if a
// rule changes later. References to things the model does not know (which a
// valid history never has) are skipped. It answers whether it knows the
// event's type; the catalogue test asks it about every type.
func (m *Model) apply(c *domain.Commit, e domain.Event) bool {
	switch e := e.(type) {
	case domain.LedgerOpened:
		m.st.Opened, m.st.Info = true, e
	case domain.VillageRegistered:
		m.village(e.ID).Info = e
	case domain.HouseholdRegistered:
		m.st.Households[e.ID] = &household{Info: e, Seq: c.Seq}
		v := m.village(e.Village)
		v.Households = append(v.Households, e.ID)
	case domain.HouseholdExited:
		if h := m.st.Households[e.Household]; h != nil {
			h.Info.Status, h.ExitYear = "exited", e.Year
		}
	case domain.HouseholdReturned:
		if h := m.st.Households[e.Household]; h != nil {
			h.Info.Status = "returned"
		}
	case domain.HouseholdRemoved:
		if h := m.st.Households[e.Household]; h != nil {
			h.Removed, h.RemovedSeq, h.RemovedDay = true, c.Seq, lineDate(c)
		}
	case domain.HouseholdCardChanged:
		if h := m.st.Households[e.Household]; h != nil {
			h.Info.BankName, h.Info.BankAccount = e.BankName, e.BankAccount
		}
	case domain.FundAllocated:
		m.st.Funds[e.ID] = &fund{ID: e.ID, Pool: domain.PoolPoverty, Level: e.SourceLevel, Programme: e.Programme,
			FiscalYear: e.FiscalYear, DocumentNo: e.DocumentNo, Seq: c.Seq}
		m.write(c, e.ID, newWrite(e.EventType(), m.in(e.ID), "", e.Amount, writeMore{}), e.Postings)
	case domain.FundIntegrated:
		m.st.Funds[e.ID] = &fund{ID: e.ID, Pool: domain.PoolIntegrated, Level: "farm", Programme: e.Programme,
			FiscalYear: e.FiscalYear, DocumentNo: e.DocumentNo, Seq: c.Seq}
		m.write(c, e.ID, newWrite(e.EventType(), m.in(e.ID), "", e.Amount, writeMore{}), e.Postings)
	case domain.ProjectApproved:
		m.st.Projects[e.ID] = &project{Info: e, Status: "approved",
			Dates: map[string]string{"approved": c.BusinessDate()}, Funds: map[string]*projectFund{}}
		if e.Village != "" {
			v := m.village(e.Village)
			v.Projects = append(v.Projects, e.ID)
		}
	case domain.ProjectStatusChanged:
		if p := m.st.Projects[e.Project]; p != nil {
			p.Status, p.StatusSeq = e.Status, c.Seq
			p.Dates[e.Status] = e.Date
		}
	case domain.FundsAppropriated:
		m.write(c, e.ID, newWrite(e.EventType(), m.in(e.Fund), "", e.Amount, writeMore{Project: e.Project}), e.Postings)
	case domain.ProjectPaid:
		m.write(c, e.ID, newWrite(e.EventType(), m.in(e.Fund), "", e.Amount, writeMore{Project: e.Project, Payee: e.Payee}), e.Postings)
	case domain.FundsRecovered:
		m.write(c, e.ID, newWrite(e.EventType(), m.in(e.Fund), "", e.Amount, writeMore{Project: e.Project}), e.Postings)
	case domain.PayoutMade:
		if h := m.st.Households[e.Household]; h != nil {
			l := line{lineKind: m.kind(lineKind{Item: e.Item, Period: e.Period, Fund: e.Fund, Day: lineDate(c), Standard: e.Standard}),
				Write: e.ID, Amount: e.Amount, Seq: c.Seq, Reversed: true}
			l.setBank(lineBank{ReissueOf: e.ReissueOf})
			h.addLine(l)
		}
		hid := e.Household
		if h := m.st.Households[hid]; h != nil && h.Info.ID == hid {
			hid = h.Info.ID // the register's copy, not this event's
		}
		m.write(c, e.ID, newWrite(e.EventType(), m.in(e.Fund), hid, e.Amount, writeMore{ReissueOf: e.ReissueOf}), e.Postings)
	case domain.PayoutBatchAccepted:
		b := &batch{Fund: e.Fund, Item: e.Item, Period: e.Period, Households: make([]string, 0, len(e.Lines))}
		kind := m.kind(lineKind{Item: e.Item, Period: e.Period, Fund: e.Fund, Day: lineDate(c), Standard: e.Standard})
		for _, l := range e.Lines {
			b.Households = append(b.Households, l.Household)
			if h := m.st.Households[l.Household]; h != nil {
				// Lines start reversed (not counting); the write's effect below
				// makes them count, the same path a reversal of a reversal takes.
				h.addLine(line{lineKind: kind, Write: e.ID, Batch: true, Amount: l.Amount, Seq: c.Seq, Reversed: true})
			}
		}
		m.st.Batches[e.ID] = b
		m.write(c, e.ID, newWrite(e.EventType(), m.in(e.Fund), "", e.Control.Amount, writeMore{}), e.Postings)
	case domain.BankResultsRecorded:
		m.post(e.Postings, -1) // failed and returned lines undo what the batch posted
		for _, r := range e.Lines {
			l := m.line(r.Household, e.Batch)
			if l == nil {
				continue
			}
			before := l.counts()
			b := l.banked()
			b.Bank, b.BankRef, b.Reason = r.Status, r.BankRef, r.Reason
			l.setBank(b)
			m.lineDelta(r.Household, l, before)
			if before && !l.counts() {
				m.st.Undelivered.add(r.Household, l.Amount)
			}
		}
	case domain.StandardSet:
		m.setStandard(c, e)
	case domain.FindingAcknowledged:
		m.st.Acks[e.Finding] = append(m.st.Acks[e.Finding], ack{Note: e.Note, Seq: c.Seq, Actor: c.Actor, Time: c.Time})
	case domain.WriteReversed:
		target := m.st.Writes[e.Reverses]
		pol := int8(-1)
		if target != nil {
			pol = -target.Polarity
			x := target.extra()
			x.ReversedBy = e.ID
			target.setExtra(x)
		}
		w := newWrite(e.EventType(), "", "", domain.Zero, writeMore{Reverses: e.Reverses})
		w.Polarity = pol
		m.st.Writes[e.ID] = w
		m.post(e.Postings, pol)
		if target != nil {
			m.effect(target, e.Reverses, -1)
		}
	default:
		return false
	}
	return true
}

// write records a money write, posts it and applies its effect.
func (m *Model) write(c *domain.Commit, id string, w *write, ps []domain.Posting) {
	w.Polarity, w.Seq = 1, c.Seq
	m.st.Writes[id] = w
	m.post(ps, 1)
	m.effect(w, id, 1)
}

// post adds postings to the accounts' flows. A posting whose sign, times the
// write's polarity, is positive adds to received; otherwise it is a movement
// out (spent) — or, for a write that undoes another, the undoing of one.
func (m *Model) post(ps []domain.Posting, polarity int8) {
	for _, p := range ps {
		f := m.st.Accounts[p.Account]
		if f == nil {
			f = &flow{}
			m.st.Accounts[p.Account] = f
		}
		sign := p.Amount.Decimal().Sign()
		switch {
		case sign == 0:
		case sign*int(polarity) > 0:
			f.Received = f.Received.Add(p.Amount)
		default:
			f.Spent = f.Spent.Sub(p.Amount)
		}
	}
}

// effect applies (sign +1) or undoes (sign -1) what a write means beyond its
// postings: fund and project figures, payee totals, payout lines. A reversal
// undoes what it reverses, so undoing a reversal redoes the original.
func (m *Model) effect(w *write, id string, sign int) {
	amt := w.Amount
	if sign < 0 {
		amt = amt.Neg()
	}
	f := m.st.Funds[w.Fund]
	switch w.Type {
	case domain.TypeWriteReversed:
		if t := m.st.Writes[w.extra().Reverses]; t != nil {
			m.effect(t, w.extra().Reverses, -sign)
		}
	case domain.TypeFundAllocated, domain.TypeFundIntegrated:
		if f != nil {
			f.Amount = f.Amount.Add(amt)
		}
	case domain.TypeFundsAppropriated:
		if pf := m.projectFund(w.extra().Project, w.Fund); pf != nil {
			pf.Appropriated = pf.Appropriated.Add(amt)
		}
		if f != nil {
			f.Appropriated = f.Appropriated.Add(amt)
		}
	case domain.TypeProjectPaid:
		if pf := m.projectFund(w.extra().Project, w.Fund); pf != nil {
			pf.Paid = pf.Paid.Add(amt)
		}
		if f != nil {
			f.ProjectPaid = f.ProjectPaid.Add(amt)
		}
		py := m.st.Payees[w.extra().Payee]
		if py == nil {
			py = &payee{ByProject: map[string]domain.Money{}}
			m.st.Payees[w.extra().Payee] = py
		}
		py.Payments += sign
		py.ByProject[w.extra().Project] = py.ByProject[w.extra().Project].Add(amt)
	case domain.TypeFundsRecovered:
		if pf := m.projectFund(w.extra().Project, w.Fund); pf != nil {
			pf.Recovered = pf.Recovered.Add(amt)
		}
		if f != nil {
			f.Recovered = f.Recovered.Add(amt)
		}
	case domain.TypePayoutMade:
		m.setReversed(w.Household, id, sign < 0)
		m.reissued(w, id, sign)
	case domain.TypePayoutBatchAccepted:
		if b := m.st.Batches[id]; b != nil {
			for _, h := range b.Households {
				m.setReversed(h, id, sign < 0)
			}
		}
	}
}

// reissued links a re-issue payout to the failed or returned line it
// replaces while the payout stands (sign +1), and unlinks it when the
// payout is reversed (sign -1): a re-issued line is no longer undelivered.
func (m *Model) reissued(w *write, id string, sign int) {
	bid, hid, ok := domain.ParseReissueOf(w.extra().ReissueOf)
	if !ok {
		return
	}
	l := m.line(hid, bid)
	if l == nil || l.counts() {
		return
	}
	b := l.banked()
	switch {
	case sign > 0 && b.ReissuedBy == "":
		b.ReissuedBy = id
		l.setBank(b)
		m.st.Undelivered.remove(hid, l.Amount)
	case sign < 0 && b.ReissuedBy == id:
		b.ReissuedBy = ""
		l.setBank(b)
		m.st.Undelivered.add(hid, l.Amount)
	}
}

func (m *Model) setReversed(hid, writeID string, reversed bool) {
	l := m.line(hid, writeID)
	if l == nil {
		return
	}
	before := l.counts()
	l.Reversed = reversed
	m.lineDelta(hid, l, before)
}

// lineDelta keeps item and fund totals in step when a line starts or stops
// counting.
func (m *Model) lineDelta(hid string, l *line, before bool) {
	after := l.counts()
	if before == after {
		return
	}
	sign, amt := 1, l.Amount
	if !after {
		sign, amt = -1, amt.Neg()
	}
	it := m.st.Items[l.Item]
	if it == nil {
		it = &item{Households: map[string]int{}}
		m.st.Items[l.Item] = it
	}
	it.Lines += sign
	it.Amount = it.Amount.Add(amt)
	if n := it.Households[hid] + sign; n > 0 {
		it.Households[hid] = n
	} else {
		delete(it.Households, hid)
	}
	if f := m.st.Funds[l.Fund]; f != nil {
		f.PaidOut = f.PaidOut.Add(amt)
	}
}

func (it *item) add(hid string, amt domain.Money) {
	it.Lines++
	it.Amount = it.Amount.Add(amt)
	it.Households[hid]++
}

func (it *item) remove(hid string, amt domain.Money) {
	it.Lines--
	it.Amount = it.Amount.Sub(amt)
	if it.Households[hid]--; it.Households[hid] <= 0 {
		delete(it.Households, hid)
	}
}

// addLine appends a payout line, growing the household's lines by a
// quarter rather than append's doubling: a household gets a few lines a
// year for years, and with a million households the spare half of a
// doubled slice was a fifth of the model.
func (h *household) addLine(l line) {
	if len(h.Lines) == cap(h.Lines) {
		grown := make([]line, len(h.Lines), len(h.Lines)+2+len(h.Lines)/4) // not slices.Grow: that doubles
		copy(grown, h.Lines)
		h.Lines = grown
	}
	h.Lines = append(h.Lines, l)
}

// line finds a household's line of one write (a household has one line per
// payout or batch; it has few lines, so a scan is cheapest).
func (m *Model) line(hid, writeID string) *line {
	h := m.st.Households[hid]
	if h == nil {
		return nil
	}
	for i := len(h.Lines) - 1; i >= 0; i-- {
		if h.Lines[i].Write == writeID {
			return &h.Lines[i]
		}
	}
	return nil
}

func (m *Model) projectFund(pid, fid string) *projectFund {
	p := m.st.Projects[pid]
	if p == nil {
		return nil
	}
	pf := p.Funds[fid]
	if pf == nil {
		pf = &projectFund{}
		p.Funds[fid] = pf
	}
	return pf
}

func (m *Model) village(id string) *village {
	v := m.st.Villages[id]
	if v == nil {
		v = &village{}
		m.st.Villages[id] = v
	}
	return v
}

// lineDate is the business date findings compare a payout line or a
// removal by; "" for a commit that carries neither a date nor a time
// (hand-built test histories), which the standards read as "the latest".
func lineDate(c *domain.Commit) string {
	if c.Date == "" && c.Time.IsZero() {
		return ""
	}
	return c.BusinessDate()
}
