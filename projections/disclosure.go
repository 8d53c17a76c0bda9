package projections

import (
	"fmt"
	"time"

	"github.com/fundledger/fundledger/disclosure"
	"github.com/fundledger/fundledger/domain"
)

// Disclosure builds a village's public notice from the model: money that
// reached the village by fund and source level, its projects, and the
// payouts to its households with ID and card numbers masked here, so no
// unmasked number ever leaves the projections on a public path.
func (m *Model) Disclosure(villageID string) (*disclosure.Disclosure, bool) {
	v := m.st.Villages[villageID]
	if v == nil || v.Info.ID == "" {
		return nil, false
	}
	asOf := m.st.Time.In(chinaTime)
	d := &disclosure.Disclosure{
		Seq: m.st.Seq, HeadHash: m.st.Hash, AsOf: asOf.Format(time.RFC3339),
		Ledger:  disclosure.LedgerInfo{Code: m.st.Ledger, Name: m.st.Info.Name, Issuer: m.issuer()},
		Village: disclosure.VillageInfo{ID: v.Info.ID, Name: v.Info.Name, Township: v.Info.Township, PoorVillage: v.Info.PoorVillage, ExitYear: v.Info.ExitYear},
		Funds:   []disclosure.FundLine{}, BySource: []disclosure.Source{}, Projects: []disclosure.Project{}, Payouts: []disclosure.ItemGroup{},
		Complaint: disclosure.Complaint{National: disclosure.NationalComplaintLine, County: m.st.Info.ComplaintPhone},
		VerifyURL: fmt.Sprintf("/v1/public/ledgers/%s/verify?seq=%d&hash=%s", m.st.Ledger, m.st.Seq, m.st.Hash),
	}
	start := asOf
	if m.st.Time.IsZero() {
		start = time.Unix(0, 0).In(chinaTime)
	}
	if m.date != "" { // a business cut: the notice as it would be posted that day
		d.Date = m.date
		if day, err := time.ParseInLocation(domain.DateLayout, m.date, chinaTime); err == nil {
			start = day
		}
	}
	d.Publicity = disclosure.Publicity{Start: start.Format("2006-01-02"),
		End: start.AddDate(0, 0, disclosure.PublicityDays-1).Format("2006-01-02"), Days: disclosure.PublicityDays}

	// Received is gross, recovered beside it (the package doc's one basis).
	toProjects, toPayouts, recovered := map[string]domain.Money{}, map[string]domain.Money{}, map[string]domain.Money{}
	for i, pid := range v.Projects {
		p := m.st.Projects[pid]
		row := disclosure.Project{No: i + 1, ID: pid, Name: p.Info.Name, Category: p.Info.Category,
			CategoryLabel: disclosure.CategoryLabels[p.Info.Category], Batch: p.Info.Batch, ApprovalDoc: p.Info.ApprovalDoc,
			Budget: p.Info.Budget, Status: p.Status, StatusLabel: disclosure.StatusLabels[p.Status], Dates: p.Dates}
		for fid, pf := range p.Funds {
			row.Appropriated = row.Appropriated.Add(pf.Appropriated)
			row.Paid = row.Paid.Add(pf.Paid)
			toProjects[fid] = toProjects[fid].Add(pf.Appropriated)
			recovered[fid] = recovered[fid].Add(pf.Recovered)
		}
		row.BudgetCapital, row.PaidCapital = disclosure.Capital(row.Budget), disclosure.Capital(row.Paid)
		row.Progress = domain.Ratio(row.Paid, row.Budget)
		d.Projects = append(d.Projects, row)
		d.Totals.ProjectBudget = d.Totals.ProjectBudget.Add(row.Budget)
		d.Totals.ProjectPaid = d.Totals.ProjectPaid.Add(row.Paid)
	}
	d.Totals.Projects = len(d.Projects)

	groups := map[string]int{}
	counted := map[string]map[string]bool{} // item → households with a counting line
	allHouseholds := map[string]bool{}
	for _, hid := range v.Households {
		h := m.st.Households[hid]
		for i := range h.Lines {
			l := &h.Lines[i]
			if l.Reversed || l.banked().ReissuedBy != "" {
				continue // a re-issued line shows as the history of its re-issue
			}
			gi, ok := groups[l.Item]
			if !ok {
				gi = len(d.Payouts)
				groups[l.Item] = gi
				d.Payouts = append(d.Payouts, disclosure.ItemGroup{Item: l.Item})
				counted[l.Item] = map[string]bool{}
			}
			status := l.banked().Bank
			if status == "" {
				status = "accepted"
				if l.Batch {
					status = "pending"
				}
			}
			line := disclosure.PayoutLine{Household: hid, Beneficiary: h.Info.HeadName,
				IDNumber: disclosure.MaskID(h.Info.IDNumber), BankCard: disclosure.MaskCard(h.Info.BankAccount),
				Standard: l.Standard, Period: l.Period, Amount: l.Amount, Status: status,
				StatusLabel: disclosure.BankLabels[status], Counts: l.counts()}
			m.standardOnNotice(&line, l)
			m.reissueHistory(&line, hid, l)
			g := &d.Payouts[gi]
			g.Lines = append(g.Lines, line)
			if line.Counts {
				g.Amount = g.Amount.Add(l.Amount)
				counted[l.Item][hid] = true
				allHouseholds[hid] = true
				toPayouts[l.Fund] = toPayouts[l.Fund].Add(l.Amount)
				d.Totals.PayoutLines++
				d.Totals.PayoutAmount = d.Totals.PayoutAmount.Add(l.Amount)
			}
		}
	}
	for i := range d.Payouts {
		d.Payouts[i].Households = len(counted[d.Payouts[i].Item])
	}
	d.Totals.PayoutHouseholds = len(allHouseholds)

	bySource, recoveredBySource := map[string]domain.Money{}, map[string]domain.Money{}
	year := 0
	for _, fid := range keys(m.st.Funds) {
		in, out := toProjects[fid], toPayouts[fid]
		if in.IsZero() && out.IsZero() {
			continue
		}
		f := m.st.Funds[fid]
		total := in.Add(out)
		d.Funds = append(d.Funds, disclosure.FundLine{Fund: fid, SourceLevel: f.Level, SourceLabel: disclosure.SourceLabels[f.Level],
			Programme: f.Programme, DocumentNo: f.DocumentNo, FiscalYear: f.FiscalYear, ToProjects: in, ToPayouts: out, Amount: total,
			Recovered: recovered[fid]})
		bySource[f.Level] = bySource[f.Level].Add(total)
		recoveredBySource[f.Level] = recoveredBySource[f.Level].Add(recovered[fid])
		d.Totals.Received = d.Totals.Received.Add(total)
		d.Totals.Recovered = d.Totals.Recovered.Add(recovered[fid])
		year = max(year, f.FiscalYear)
	}
	for _, level := range append(append([]string{}, domain.SourceLevels...), "farm") {
		if amt, ok := bySource[level]; ok {
			d.BySource = append(d.BySource, disclosure.Source{Level: level, Label: disclosure.SourceLabels[level], Amount: amt,
				Recovered: recoveredBySource[level]})
		}
	}
	d.Totals.FundsReceived = d.Totals.Received
	if year == 0 {
		year = start.Year()
	}
	d.Year = year
	d.Title = fmt.Sprintf("%s%d年度扶贫资金及项目公告公示", v.Info.Name, year)
	return d, true
}

// standardOnNotice puts the table's standard beside the line's own: the
// table is the reference, so a stated 0.00 is never printed as 标准0.00.
func (m *Model) standardOnNotice(pl *disclosure.PayoutLine, l *line) {
	if std, ok := m.standardAt(l.Item, m.lineDay(l)); ok {
		a := std.Amount
		pl.ReferenceStandard, pl.StandardUnit = &a, std.Unit
		pl.StandardText = a.String() + "元/" + disclosure.UnitLabels[std.Unit]
		return
	}
	if l.Standard.IsPositive() {
		pl.StandardText = l.Standard.String() + "元"
	}
}

// reissueHistory adds to a re-issue the line it replaces, so the notice
// shows one line with its history.
func (m *Model) reissueHistory(pl *disclosure.PayoutLine, hid string, l *line) {
	bid, _, ok := domain.ParseReissueOf(l.banked().ReissueOf)
	if !ok {
		return
	}
	orig := m.line(hid, bid)
	if orig == nil {
		return
	}
	pl.History = append(pl.History, disclosure.LineHistory{Batch: bid, Amount: orig.Amount, Status: orig.banked().Bank,
		StatusLabel: disclosure.HistoryLabels[orig.banked().Bank], Reason: orig.banked().Reason})
	pl.Note = fmt.Sprintf("批次%s%s", bid, disclosure.HistoryLabels[orig.banked().Bank])
	if orig.banked().Reason != "" {
		pl.Note += "（" + orig.banked().Reason + "）"
	}
	pl.Note += "，已重新发放"
}

// issuer is who signs the notices: the ledger's setting, or the county's
// poverty-alleviation office by default.
func (m *Model) issuer() string {
	if m.st.Info.Issuer != "" {
		return m.st.Info.Issuer
	}
	return m.st.Info.Name + "扶贫开发领导小组办公室"
}

// VillageLinks lists the villages for the county's notice index.
func (m *Model) VillageLinks() []disclosure.VillageLink {
	var out []disclosure.VillageLink
	for _, id := range keys(m.st.Villages) {
		v := m.st.Villages[id]
		if v.Info.ID == "" {
			continue
		}
		out = append(out, disclosure.VillageLink{ID: id, Name: v.Info.Name, Township: v.Info.Township,
			PoorVillage: v.Info.PoorVillage, ExitYear: v.Info.ExitYear})
	}
	return out
}

// LedgerInfo answers the ledger's public name and issuer.
func (m *Model) LedgerInfo() disclosure.LedgerInfo {
	return disclosure.LedgerInfo{Code: m.st.Ledger, Name: m.st.Info.Name, Issuer: m.issuer()}
}
