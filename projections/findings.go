package projections

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// Finding is one thing an auditor should look at, in the words of the
// classic audit findings (审计发现). Its id is stable (domain.FindingID over
// what it is about), so an acknowledgement stays attached to it.
type Finding struct {
	ID       string        `json:"id"`
	Kind     string        `json:"kind"`     // one of domain.FindingKinds
	Title    string        `json:"title"`    // the finding in Chinese, as audit reports name it
	Severity string        `json:"severity"` // high: money likely misdirected; medium: money held or a check that could not be made
	Amount   domain.Money  `json:"amount"`   // the money at issue
	Limit    *domain.Money `json:"limit,omitempty"`
	Rule     *Rule         `json:"rule,omitempty"` // the standard's numbers, for over_standard
	Detail   string        `json:"detail"`
	Evidence []Evidence    `json:"evidence"` // the commits and records it rests on

	Household string `json:"household,omitempty"`
	Village   string `json:"village,omitempty"`
	Project   string `json:"project,omitempty"`
	Fund      string `json:"fund,omitempty"`
	Item      string `json:"item,omitempty"`
	Period    string `json:"period,omitempty"`

	Acknowledged    bool             `json:"acknowledged"`
	Acknowledgement *Acknowledgement `json:"acknowledgement,omitempty"` // the latest answer
}

// Evidence names a commit and the record in it: a write, a batch line
// ("<batch>/<household>"), a household, fund, project or standard item.
type Evidence struct {
	Seq uint64 `json:"seq"`
	ID  string `json:"id"`
}

// Rule is how an over_standard limit was computed: standard × units.
type Rule struct {
	Standard domain.Money `json:"standard"`
	Unit     string       `json:"unit"`
	Units    int64        `json:"units"`
	Date     string       `json:"date"` // the standard's version
	Paid     domain.Money `json:"paid"`
}

// Acknowledgement is an answer recorded for a finding.
type Acknowledgement struct {
	Note  string    `json:"note"`
	Seq   uint64    `json:"seq"`
	Actor string    `json:"actor"`
	Time  time.Time `json:"time"`
	Count int       `json:"count"` // answers recorded so far
}

// Findings is the answer of GET …/findings.
type Findings struct {
	Head
	Count    map[string]int `json:"count"`
	Findings []Finding      `json:"findings"`
}

// Severities of findings.
const (
	severityHigh   = "high"
	severityMedium = "medium"
)

// Findings looks through the model for what auditors hunt, counting only
// payout lines whose money stands with the household (not reversed, not
// failed or returned):
//   - over_standard (超标准发放): a line above its item's standard × units
//     (domain.Units), the standard in effect on the line's day;
//   - no_standard (无补助标准): lines of an item the table has no standard
//     for on their day, one finding per item: reported, never passed;
//   - duplicate_payout (重复发放): one item paid twice to a household for
//     one period;
//   - payout_to_removed (对象不精准): lines to a household dated on or
//     after the day it was removed from the register (清退);
//   - cancelled_holding (未实施项目资金未收回): a cancelled project still
//     holding money;
//   - idle_fund (资金闲置): a fund of an earlier fiscal year still holding
//     money;
//   - duplicate_id_number (身份证号重复): one ID number heading several
//     households (refused at registration now; older history may hold it).
func (m *Model) Findings() Findings {
	out := Findings{Head: m.head(), Count: map[string]int{}, Findings: []Finding{}}
	add := func(f Finding, subject string) {
		f.ID = domain.FindingID(f.Kind, subject)
		if acks := m.st.Acks[f.ID]; len(acks) > 0 {
			a := acks[len(acks)-1]
			f.Acknowledged = true
			f.Acknowledgement = &Acknowledgement{Note: a.Note, Seq: a.Seq, Actor: a.Actor, Time: a.Time, Count: len(acks)}
		}
		out.Findings = append(out.Findings, f)
		out.Count[f.Kind]++
	}
	m.payoutFindings(add)
	m.projectFindings(add)
	m.fundFindings(add)
	m.idNumberFindings(add)
	sort.SliceStable(out.Findings, func(i, j int) bool { return out.Findings[i].Kind < out.Findings[j].Kind })
	return out
}

// lineDay dates a payout line for the checks that compare days: its
// commit's business date.
func (m *Model) lineDay(l *line) string { return l.Day }

// unstandardised gathers an item's lines that have no standard.
type unstandardised struct {
	lines    int
	amount   domain.Money
	evidence []Evidence
	seen     map[string]bool
}

func (m *Model) payoutFindings(add func(Finding, string)) {
	missing := map[string]*unstandardised{}
	for _, hid := range keys(m.st.Households) {
		h := m.st.Households[hid]
		type key struct{ item, period string }
		seen := map[key][]*line{}
		var order []key
		removedDay := ""
		if h.Removed {
			removedDay = h.RemovedDay
		}
		var toRemoved []*line
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
			day := m.lineDay(l)
			if h.Removed && day >= removedDay {
				toRemoved = append(toRemoved, l)
			}
			std, ok := m.standardAt(l.Item, day)
			if !ok {
				u := missing[l.Item]
				if u == nil {
					u = &unstandardised{seen: map[string]bool{}}
					missing[l.Item] = u
				}
				u.lines++
				u.amount = u.amount.Add(l.Amount)
				if !u.seen[l.Write] {
					u.seen[l.Write] = true
					u.evidence = append(u.evidence, Evidence{Seq: l.Seq, ID: l.Write})
				}
				continue
			}
			units := domain.Units(std.Unit, h.Info.Members, l.Period)
			limit := std.Amount.MulInt(units)
			if l.Amount.Cmp(limit) > 0 {
				add(Finding{Kind: "over_standard", Title: "超标准发放", Severity: severityHigh, Amount: l.Amount.Sub(limit), Limit: &limit,
					Rule:      &Rule{Standard: std.Amount, Unit: std.Unit, Units: units, Date: std.Date, Paid: l.Amount},
					Household: hid, Village: h.Info.Village, Fund: l.Fund, Item: l.Item, Period: l.Period,
					Evidence: []Evidence{{Seq: l.Seq, ID: l.ref(hid)}, {Seq: std.Seq, ID: l.Item}},
					Detail: fmt.Sprintf("%s %s paid %s yuan; the standard from %s is %s yuan per %s × %d = %s yuan",
						l.Item, l.Period, l.Amount, std.Date, std.Amount, std.Unit, units, limit)}, l.ref(hid))
			}
		}
		for _, k := range order {
			lines := seen[k]
			if len(lines) < 2 {
				continue
			}
			f := Finding{Kind: "duplicate_payout", Title: "重复发放", Severity: severityHigh, Household: hid, Village: h.Info.Village,
				Fund: lines[1].Fund, Item: k.item, Period: k.period,
				Detail: fmt.Sprintf("%s for %s paid %d times", k.item, k.period, len(lines))}
			for i, l := range lines {
				f.Evidence = append(f.Evidence, Evidence{Seq: l.Seq, ID: l.ref(hid)})
				if i > 0 {
					f.Amount = f.Amount.Add(l.Amount)
				}
			}
			add(f, hid+"\x00"+k.item+"\x00"+k.period)
		}
		if len(toRemoved) > 0 {
			f := Finding{Kind: "payout_to_removed", Title: "对象不精准（向已清退户发放）", Severity: severityHigh, Household: hid, Village: h.Info.Village,
				Evidence: []Evidence{{Seq: h.RemovedSeq, ID: hid}},
				Detail:   fmt.Sprintf("%d payout lines to a household removed from the register (清退) on %s, dated on or after it", len(toRemoved), removedDay)}
			for _, l := range toRemoved {
				f.Amount = f.Amount.Add(l.Amount)
				f.Evidence = append(f.Evidence, Evidence{Seq: l.Seq, ID: l.ref(hid)})
			}
			add(f, hid)
		}
	}
	for _, item := range keys(missing) {
		u := missing[item]
		add(Finding{Kind: "no_standard", Title: "补助项目无标准", Severity: severityMedium, Item: item, Amount: u.amount, Evidence: u.evidence,
			Detail: fmt.Sprintf("%d payout lines of %s (%s yuan) have no standard in the ledger's table to be checked against; add one with POST …/standards",
				u.lines, item, u.amount)}, item)
	}
}

func (m *Model) projectFindings(add func(Finding, string)) {
	for _, pid := range keys(m.st.Projects) {
		p := m.st.Projects[pid]
		if p.Status != "cancelled" {
			continue
		}
		held := domain.Zero
		var funds []string
		for _, fid := range keys(p.Funds) {
			if bal := m.flow(domain.ProjectAccount(pid, fid)).Balance; bal.IsPositive() {
				held = held.Add(bal)
				funds = append(funds, fmt.Sprintf("%s yuan of fund %s", bal, fid))
			}
		}
		if !held.IsPositive() {
			continue
		}
		f := Finding{Kind: "cancelled_holding", Title: "未实施项目资金未收回", Severity: severityMedium, Project: pid, Village: p.Info.Village,
			Amount: held, Evidence: []Evidence{{Seq: p.StatusSeq, ID: pid}},
			Detail: fmt.Sprintf("project cancelled on %s still holds %s", p.Dates["cancelled"], joinList(funds))}
		if len(funds) == 1 {
			for _, fid := range keys(p.Funds) {
				if m.flow(domain.ProjectAccount(pid, fid)).Balance.IsPositive() {
					f.Fund = fid
				}
			}
		}
		add(f, pid)
	}
}

// fundFindings reports idle funds and funds paid before they were funded.
//
// Idle (资金闲置): money of a fiscal year before the year of the day the
// findings speak of still unspent. That day is the business cut's date, or
// for a read of the whole ledger the latest business date its books reach
// (booksDay): findings that age count from the cut's date, not from the
// day someone happens to ask, so a 2019 county audited in 2026 reads as it
// did at the close of its books.
//
// Paid before funded (先支后拨): on a business cut a fund can stand below
// zero — money was paid from it on a date before the fund was dated to
// arrive (the writer allowed it, the fund having arrived by the record
// time). The shortfall is the finding's amount.
func (m *Model) fundFindings(add func(Finding, string)) {
	year := 0
	if day := m.booksDay(); len(day) >= 4 {
		year, _ = strconv.Atoi(day[:4])
	}
	for _, fid := range keys(m.st.Funds) {
		f := m.st.Funds[fid]
		bal := m.flow(domain.FundAccount(f.Pool, fid)).Balance
		if bal.IsPositive() && year != 0 && f.FiscalYear < year {
			add(Finding{Kind: "idle_fund", Title: "资金闲置", Severity: severityMedium, Fund: fid, Amount: bal,
				Evidence: []Evidence{{Seq: f.Seq, ID: fid}},
				Detail: fmt.Sprintf("fund of fiscal year %d (%s) still holds %s yuan on %s",
					f.FiscalYear, f.DocumentNo, bal, m.booksDay())}, fid)
		}
	}
	// A fund not yet dated to arrive has no record in the cut, only the
	// account its draws left below zero: look at the accounts.
	for a, fl := range m.st.Accounts {
		if a.Kind() != domain.KindPool || !fl.Received.Sub(fl.Spent).IsNegative() {
			continue
		}
		_, fid, ok := strings.Cut(a.ID(), "/")
		if !ok {
			continue
		}
		short := fl.Received.Sub(fl.Spent).Neg()
		f := Finding{Kind: "paid_before_funded", Title: "资金未到位先行支出", Severity: severityHigh, Fund: fid, Amount: short,
			Detail: fmt.Sprintf("fund %s stands %s yuan below zero as of %s: money was paid from it on dates before it was dated to arrive",
				fid, short, m.booksDay())}
		for _, id := range keys(m.st.Writes) {
			if w := m.st.Writes[id]; w.Fund == fid && w.Polarity > 0 && m.stands(id) && w.Type != domain.TypeFundAllocated && w.Type != domain.TypeFundIntegrated {
				f.Evidence = append(f.Evidence, Evidence{Seq: w.Seq, ID: id})
			}
		}
		add(f, fid)
	}
}

// booksDay is the day findings speak of: the business cut's date, or the
// latest business date of the commits folded ("" for an empty model).
func (m *Model) booksDay() string {
	if d := m.BusinessDate(); d != "" {
		return d
	}
	var latest uint64
	for _, run := range m.st.Days {
		latest = max(latest, run[1])
	}
	if latest < 10000101 { // none, or only undated test commits (year 1)
		return m.Day()
	}
	n := strconv.FormatUint(latest, 10)
	return n[:4] + "-" + n[4:6] + "-" + n[6:]
}

// idNumberFindings reports ID numbers that head several households: the
// later households' counting payouts are the money at issue.
func (m *Model) idNumberFindings(add func(Finding, string)) {
	byNumber := map[string][]string{}
	for _, hid := range keys(m.st.Households) {
		n := domain.CanonicalIDNumber(m.st.Households[hid].Info.IDNumber)
		byNumber[n] = append(byNumber[n], hid)
	}
	for _, n := range keys(byNumber) {
		hids := byNumber[n]
		if len(hids) < 2 {
			continue
		}
		sort.SliceStable(hids, func(i, j int) bool { return m.st.Households[hids[i]].Seq < m.st.Households[hids[j]].Seq })
		f := Finding{Kind: "duplicate_id_number", Title: "身份证号重复（一人多户）", Severity: severityHigh, Household: hids[1],
			Village: m.st.Households[hids[1]].Info.Village,
			Detail:  fmt.Sprintf("one ID number heads %d households: %s", len(hids), joinList(hids))}
		for i, hid := range hids {
			h := m.st.Households[hid]
			f.Evidence = append(f.Evidence, Evidence{Seq: h.Seq, ID: hid})
			if i == 0 {
				continue
			}
			for j := range h.Lines {
				if l := &h.Lines[j]; l.counts() {
					f.Amount = f.Amount.Add(l.Amount)
				}
			}
		}
		add(f, n)
	}
}

func joinList(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
