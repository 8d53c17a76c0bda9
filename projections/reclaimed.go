package projections

import "github.com/fundledger/fundledger/domain"

// KindReclaimed is the balance kind of money recovered (收回) from projects,
// per fund: GET …/balances/reclaimed/{fund}.
const KindReclaimed = "reclaimed"

// ReclaimedBalance is the reclaimed account of one fund: what was recovered
// from projects to it, held apart from the pool (received), what left it
// (spent; nothing does today) and what it holds, with the projects the
// money came back from.
type ReclaimedBalance struct {
	Head
	Kind string `json:"kind"`
	ID   string `json:"id"` // the fund
	Flow
	Pool        string          `json:"pool"`
	SourceLevel string          `json:"source_level"`
	Programme   string          `json:"programme"`
	FiscalYear  int             `json:"fiscal_year"`
	DocumentNo  string          `json:"document_no"`
	ByProject   []ProjectAmount `json:"by_project"` // recovered, net of reversed recoveries
}

// reclaimedBalance answers the reclaimed account of a fund the ledger
// holds, also one nothing was recovered to (all zero).
func (m *Model) reclaimedBalance(fundID string) (ReclaimedBalance, bool) {
	f := m.st.Funds[fundID]
	if f == nil {
		return ReclaimedBalance{}, false
	}
	out := ReclaimedBalance{Head: m.head(), Kind: "reclaimed", ID: fundID, Flow: m.flow(domain.ReclaimedAccount(fundID)),
		Pool: f.Pool, SourceLevel: f.Level, Programme: f.Programme, FiscalYear: f.FiscalYear, DocumentNo: f.DocumentNo,
		ByProject: []ProjectAmount{}}
	if f.Recovered.IsZero() {
		return out, true
	}
	for _, pid := range keys(m.st.Projects) {
		if pf := m.st.Projects[pid].Funds[fundID]; pf != nil && !pf.Recovered.IsZero() {
			out.ByProject = append(out.ByProject, ProjectAmount{pid, pf.Recovered})
		}
	}
	return out, true
}

// reclaimedIDs lists the funds with a reclaimed account (something was
// recovered to them, even if reversed since).
func (m *Model) reclaimedIDs() []string {
	var out []string
	for _, id := range keys(m.st.Funds) {
		if m.st.Accounts[domain.ReclaimedAccount(id)] != nil {
			out = append(out, id)
		}
	}
	return out
}
