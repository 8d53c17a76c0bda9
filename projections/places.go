package projections

import (
	"github.com/fundledger/fundledger/domain"
)

// ProjectFund is a project's money of one fund.
type ProjectFund struct {
	Fund         string       `json:"fund"`
	Appropriated domain.Money `json:"appropriated"`
	Paid         domain.Money `json:"paid"`
	Recovered    domain.Money `json:"recovered"`
	Balance      domain.Money `json:"balance"`
}

// ProjectBalance is one project: received is what was appropriated to it,
// spent what it paid out or had reclaimed, split by fund.
type ProjectBalance struct {
	Head
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Flow
	Name         string            `json:"name"`
	Village      string            `json:"village,omitempty"`
	Category     string            `json:"category"`
	Batch        string            `json:"batch"`
	ApprovalDoc  string            `json:"approval_doc"`
	Budget       domain.Money      `json:"budget"`
	Appropriated domain.Money      `json:"appropriated"`
	Paid         domain.Money      `json:"paid"`
	Recovered    domain.Money      `json:"recovered"`
	Status       string            `json:"status"`
	Dates        map[string]string `json:"dates"`
	Funds        []ProjectFund     `json:"funds"`
}

func (m *Model) projectBalance(id string) (ProjectBalance, bool) {
	p := m.st.Projects[id]
	if p == nil {
		return ProjectBalance{}, false
	}
	out := ProjectBalance{Head: m.head(), Kind: "project", ID: id, Name: p.Info.Name, Village: p.Info.Village,
		Category: p.Info.Category, Batch: p.Info.Batch, ApprovalDoc: p.Info.ApprovalDoc, Budget: p.Info.Budget,
		Status: p.Status, Dates: p.Dates, Funds: []ProjectFund{}}
	for _, fid := range keys(p.Funds) {
		pf := p.Funds[fid]
		fl := m.flow(domain.ProjectAccount(id, fid))
		out.Flow.add(fl)
		out.Appropriated = out.Appropriated.Add(pf.Appropriated)
		out.Paid = out.Paid.Add(pf.Paid)
		out.Recovered = out.Recovered.Add(pf.Recovered)
		out.Funds = append(out.Funds, ProjectFund{Fund: fid, Appropriated: pf.Appropriated, Paid: pf.Paid,
			Recovered: pf.Recovered, Balance: fl.Balance})
	}
	return out, true
}

// PayoutLine is one payout to a household, with the bank's answer.
type PayoutLine struct {
	Write    string       `json:"write"` // payout id, or batch id for a batch line
	Batch    bool         `json:"batch"`
	Item     string       `json:"item"`
	Standard domain.Money `json:"standard"`
	Period   string       `json:"period"`
	Fund     string       `json:"fund"`
	Amount   domain.Money `json:"amount"`
	Seq      uint64       `json:"seq"`
	Bank     string       `json:"bank_status"` // pending, paid, failed, returned
	BankRef  string       `json:"bank_ref,omitempty"`
	Reason   string       `json:"reason,omitempty"`
	Reversed bool         `json:"reversed"`
	Counts   bool         `json:"counts"` // the money stands with the household
	// ReissueOf names the line this payout re-issues; ReissuedBy, on a
	// failed or returned line, the payout that re-issued it.
	ReissueOf  string `json:"reissue_of,omitempty"`
	ReissuedBy string `json:"reissued_by,omitempty"`
}

// ItemPeriod totals a household's counting lines of one item and period.
type ItemPeriod struct {
	Item   string       `json:"item"`
	Period string       `json:"period"`
	Lines  int          `json:"lines"`
	Amount domain.Money `json:"amount"`
}

// HouseholdBalance is what reached one household's card.
type HouseholdBalance struct {
	Head
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Flow
	Village       string       `json:"village"`
	Category      string       `json:"category"`
	Status        string       `json:"status"`
	Removed       bool         `json:"removed"`
	Members       int          `json:"members"`
	TotalReceived domain.Money `json:"total_received"`
	ByItem        []ItemPeriod `json:"by_item"`
	Lines         []PayoutLine `json:"lines"`
	Undelivered   []PayoutLine `json:"undelivered"` // failed or returned by the bank, not re-issued
}

func (m *Model) householdBalance(id string) (HouseholdBalance, bool) {
	h := m.st.Households[id]
	if h == nil {
		return HouseholdBalance{}, false
	}
	out := HouseholdBalance{Head: m.head(), Kind: "household", ID: id, Flow: m.flow(domain.HouseholdAccount(id)),
		Village: h.Info.Village, Category: h.Info.Category, Status: h.Info.Status, Removed: h.Removed, Members: h.Info.Members,
		ByItem: []ItemPeriod{}, Lines: make([]PayoutLine, 0, len(h.Lines)), Undelivered: []PayoutLine{}}
	idx := map[[2]string]int{}
	for i := range h.Lines {
		l := &h.Lines[i]
		b := l.banked()
		pl := PayoutLine{Write: l.Write, Batch: l.Batch, Item: l.Item, Standard: l.Standard, Period: l.Period, Fund: l.Fund,
			Amount: l.Amount, Seq: l.Seq, Bank: b.Bank, BankRef: b.BankRef, Reason: b.Reason, Reversed: l.Reversed, Counts: l.counts(),
			ReissueOf: b.ReissueOf, ReissuedBy: b.ReissuedBy}
		if pl.Bank == "" {
			pl.Bank = "pending"
			if !l.Batch {
				pl.Bank = "accepted" // a single payout has no bank report; it counts once accepted
			}
		}
		out.Lines = append(out.Lines, pl)
		if (b.Bank == "failed" || b.Bank == "returned") && b.ReissuedBy == "" {
			out.Undelivered = append(out.Undelivered, pl)
		}
		if !pl.Counts {
			continue
		}
		out.TotalReceived = out.TotalReceived.Add(l.Amount)
		k := [2]string{l.Item, l.Period}
		j, ok := idx[k]
		if !ok {
			j = len(out.ByItem)
			idx[k] = j
			out.ByItem = append(out.ByItem, ItemPeriod{Item: l.Item, Period: l.Period})
		}
		out.ByItem[j].Lines++
		out.ByItem[j].Amount = out.ByItem[j].Amount.Add(l.Amount)
	}
	return out, true
}

// VillageTotals are a village's projects or households summed.
type VillageTotals struct {
	Count int `json:"count"`
	Flow
}

// VillageProjects adds the project figures a village notice board shows.
type VillageProjects struct {
	VillageTotals
	Budget       domain.Money `json:"budget"`
	Appropriated domain.Money `json:"appropriated"`
	Paid         domain.Money `json:"paid"`
	Recovered    domain.Money `json:"recovered"`
}

// VillageHouseholds adds the payout lines that count.
type VillageHouseholds struct {
	VillageTotals
	Lines int `json:"lines"`
}

// VillageBalance is the sum over a village's projects and its households'
// payouts. Received is gross (appropriated to its projects plus payouts that
// count) and Recovered stands beside it, as on the disclosure: see the
// package doc's one basis. Spent includes what was recovered, so balance is
// still received − spent.
type VillageBalance struct {
	Head
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Flow
	Recovered   domain.Money      `json:"recovered"`
	Name        string            `json:"name"`
	Township    string            `json:"township"`
	PoorVillage bool              `json:"poor_village"`
	ExitYear    int               `json:"exit_year,omitempty"`
	Projects    VillageProjects   `json:"projects"`
	Households  VillageHouseholds `json:"households"`
}

func (m *Model) villageBalance(id string) (VillageBalance, bool) {
	v := m.st.Villages[id]
	if v == nil || v.Info.ID == "" {
		return VillageBalance{}, false
	}
	out := VillageBalance{Head: m.head(), Kind: "village", ID: id, Name: v.Info.Name, Township: v.Info.Township,
		PoorVillage: v.Info.PoorVillage, ExitYear: v.Info.ExitYear}
	for _, pid := range v.Projects {
		p, _ := m.projectBalance(pid)
		out.Projects.Count++
		out.Projects.Flow.add(p.Flow)
		out.Projects.Budget = out.Projects.Budget.Add(p.Budget)
		out.Projects.Appropriated = out.Projects.Appropriated.Add(p.Appropriated)
		out.Projects.Paid = out.Projects.Paid.Add(p.Paid)
		out.Projects.Recovered = out.Projects.Recovered.Add(p.Recovered)
	}
	for _, hid := range v.Households {
		out.Households.Count++
		out.Households.Flow.add(m.flow(domain.HouseholdAccount(hid)))
		for i := range m.st.Households[hid].Lines {
			if m.st.Households[hid].Lines[i].counts() {
				out.Households.Lines++
			}
		}
	}
	out.Flow.add(out.Projects.Flow)
	out.Flow.add(out.Households.Flow)
	out.Recovered = out.Projects.Recovered
	return out, true
}
