package projections

import (
	"fmt"
	"sort"

	"github.com/fundledger/fundledger/domain"
)

// Finding is one thing an auditor should look at, in the words of the
// classic audit findings (审计发现).
type Finding struct {
	Kind      string       `json:"kind"`  // duplicate_payout, over_standard, ineligible_payout, unreclaimed_project, idle_fund
	Title     string       `json:"title"` // the finding in Chinese, as audit reports name it
	Detail    string       `json:"detail"`
	Household string       `json:"household,omitempty"`
	Village   string       `json:"village,omitempty"`
	Project   string       `json:"project,omitempty"`
	Fund      string       `json:"fund,omitempty"`
	Writes    []string     `json:"writes,omitempty"` // the payouts or batches involved
	Amount    domain.Money `json:"amount"`
}

// Findings is the answer of GET …/findings.
type Findings struct {
	Head
	Count    map[string]int `json:"count"`
	Findings []Finding      `json:"findings"`
}

// Findings looks through the model for what auditors hunt: the same item
// paid twice to one household for one period (重复发放), payouts above
// their standard (超标准发放), payouts to households later removed from
// the register (对象不精准), cancelled projects whose money was not reclaimed
// (未实施项目未收回), and funds of an earlier fiscal year still unspent
// (资金闲置). Only lines whose money stands with the household count.
func (m *Model) Findings() Findings {
	out := Findings{Head: m.head(), Count: map[string]int{}, Findings: []Finding{}}
	add := func(f Finding) {
		out.Findings = append(out.Findings, f)
		out.Count[f.Kind]++
	}
	for _, hid := range keys(m.st.Households) {
		h := m.st.Households[hid]
		type key struct{ item, period string }
		seen := map[key][]*line{}
		var order []key
		for i := range h.Lines {
			l := &h.Lines[i]
			if !l.counts() {
				continue
			}
			k := key{l.Item, l.Period}
			if seen[k] == nil {
				order = append(order, k)
			}
			seen[k] = append(seen[k], l)
			if !l.Standard.IsZero() && l.Amount.Cmp(l.Standard) > 0 {
				add(Finding{Kind: "over_standard", Title: "超标准发放", Household: hid, Village: h.Info.Village, Fund: l.Fund,
					Writes: []string{l.Write}, Amount: l.Amount.Sub(l.Standard),
					Detail: fmt.Sprintf("%s %s paid %s yuan against a standard of %s yuan", l.Item, l.Period, l.Amount, l.Standard)})
			}
			if h.Removed {
				add(Finding{Kind: "ineligible_payout", Title: "对象不精准", Household: hid, Village: h.Info.Village, Fund: l.Fund,
					Writes: []string{l.Write}, Amount: l.Amount,
					Detail: fmt.Sprintf("%s %s paid to a household since removed from the register (清退)", l.Item, l.Period)})
			}
		}
		for _, k := range order {
			lines := seen[k]
			if len(lines) < 2 {
				continue
			}
			f := Finding{Kind: "duplicate_payout", Title: "重复发放", Household: hid, Village: h.Info.Village, Fund: lines[1].Fund,
				Detail: fmt.Sprintf("%s for %s paid %d times", k.item, k.period, len(lines))}
			for i, l := range lines {
				f.Writes = append(f.Writes, l.Write)
				if i > 0 {
					f.Amount = f.Amount.Add(l.Amount)
				}
			}
			add(f)
		}
	}
	for _, pid := range keys(m.st.Projects) {
		p := m.st.Projects[pid]
		if p.Status != "cancelled" {
			continue
		}
		for _, fid := range keys(p.Funds) {
			if bal := m.flow(domain.ProjectAccount(pid, fid)).Balance; bal.IsPositive() {
				add(Finding{Kind: "unreclaimed_project", Title: "未实施项目资金未收回", Project: pid, Village: p.Info.Village, Fund: fid,
					Amount: bal, Detail: fmt.Sprintf("project cancelled on %s still holds %s yuan of fund %s", p.Dates["cancelled"], bal, fid)})
			}
		}
	}
	if year := m.st.Time.In(chinaTime).Year(); !m.st.Time.IsZero() {
		for _, fid := range keys(m.st.Funds) {
			f := m.st.Funds[fid]
			bal := m.flow(domain.FundAccount(f.Pool, fid)).Balance
			if f.FiscalYear < year && bal.IsPositive() {
				add(Finding{Kind: "idle_fund", Title: "资金闲置", Fund: fid, Amount: bal,
					Detail: fmt.Sprintf("fund of fiscal year %d (%s) still holds %s yuan in %d", f.FiscalYear, f.DocumentNo, bal, year)})
			}
		}
	}
	sort.SliceStable(out.Findings, func(i, j int) bool { return out.Findings[i].Kind < out.Findings[j].Kind })
	return out
}
