package projections

import (
	"sort"

	"github.com/fundledger/fundledger/domain"
)

// Bank statuses of a payout line as traces and batches show them: a line
// the bank has not reported on yet is pending.
const (
	BankPending  = "pending"
	BankPaid     = "paid"
	BankFailed   = "failed"
	BankReturned = "returned"
	BankReversed = "reversed" // the payout or batch was reversed (冲正)
)

// TraceLine is one payout line to a household.
type TraceLine struct {
	Household  string       `json:"household"`
	Amount     domain.Money `json:"amount"`
	BankStatus string       `json:"bank_status"`
	// Counts is whether the line's money stands with the household (not
	// failed, returned or reversed); only counting lines are part of a
	// fund's sum, the others went back to the fund.
	Counts bool `json:"counts"`
}

// TracePayee is what one payee was paid from the fund by one project.
type TracePayee struct {
	Payee  string       `json:"payee"`
	Amount domain.Money `json:"amount"`
}

// TraceProject is the fund's money in one project: paid to payees,
// recovered (收回) and still held by the project.
type TraceProject struct {
	Project   string       `json:"project"`
	Name      string       `json:"name"`
	Payees    []TracePayee `json:"payees"`
	Recovered domain.Money `json:"recovered"`
	Held      domain.Money `json:"held"`
}

// TracePayout is one batch or single payout drawn on the fund.
type TracePayout struct {
	Batch      string      `json:"batch,omitempty"`
	Payout     string      `json:"payout,omitempty"`
	Item       string      `json:"item"`
	Period     string      `json:"period"`
	Households []TraceLine `json:"households"`
}

// FundTrace is where every fen of a fund went (资金溯源): into projects
// (paid to payees, recovered, held), out to households' cards, or still
// held by the fund. amount = Σ projects (payees + recovered + held) +
// Σ counting payout lines + held, exactly.
type FundTrace struct {
	Head
	Fund       string         `json:"fund"`
	DocumentNo string         `json:"document_no"`
	Amount     domain.Money   `json:"amount"`
	Projects   []TraceProject `json:"projects"`
	Payouts    []TracePayout  `json:"payouts"`
	Held       domain.Money   `json:"held"`
}

// TraceFund answers a fund's trace; false if the ledger has no such fund.
func (m *Model) TraceFund(id string) (FundTrace, bool) {
	f := m.st.Funds[id]
	if f == nil {
		return FundTrace{}, false
	}
	out := FundTrace{Head: m.head(), Fund: id, DocumentNo: f.DocumentNo, Amount: f.Amount,
		Projects: []TraceProject{}, Payouts: []TracePayout{}, Held: m.flow(domain.FundAccount(f.Pool, f.ID)).Balance}
	paid := m.paidByProjectAndPayee(id)
	for _, pid := range keys(m.st.Projects) {
		pf := m.st.Projects[pid].Funds[id]
		if pf == nil || pf.Appropriated.IsZero() && pf.Paid.IsZero() && pf.Recovered.IsZero() {
			continue
		}
		tp := TraceProject{Project: pid, Name: m.st.Projects[pid].Info.Name, Payees: []TracePayee{}, Recovered: pf.Recovered,
			Held: pf.Appropriated.Sub(pf.Paid).Sub(pf.Recovered)}
		for _, name := range keys(paid[pid]) {
			if a := paid[pid][name]; !a.IsZero() {
				tp.Payees = append(tp.Payees, TracePayee{name, a})
			}
		}
		out.Projects = append(out.Projects, tp)
	}
	out.Payouts = m.payoutsOf(id)
	return out, true
}

// paidByProjectAndPayee sums the fund's project payments that stand (not
// reversed), by project and payee.
func (m *Model) paidByProjectAndPayee(fund string) map[string]map[string]domain.Money {
	out := map[string]map[string]domain.Money{}
	for id, w := range m.st.Writes {
		if w.Type != domain.TypeProjectPaid || w.Fund != fund || !m.stands(id) {
			continue
		}
		if out[w.extra().Project] == nil {
			out[w.extra().Project] = map[string]domain.Money{}
		}
		out[w.extra().Project][w.extra().Payee] = out[w.extra().Project][w.extra().Payee].Add(w.Amount)
	}
	return out
}

// stands reports whether a write's effect stands: it was never reversed,
// or the reversal of it was itself reversed (and so on).
func (m *Model) stands(id string) bool {
	w := m.st.Writes[id]
	return w == nil || w.extra().ReversedBy == "" || !m.stands(w.extra().ReversedBy)
}

// payoutsOf lists the batches and single payouts drawn on a fund, with
// every line in the order written, in order of the commit that made them.
func (m *Model) payoutsOf(fund string) []TracePayout {
	byWrite := map[string]*TracePayout{}
	var order []string
	seqOf := map[string]uint64{}
	// The households in map order: the payouts are put in commit order
	// below and each one's lines in its own order, so no sort of every
	// household id is needed (it cost more than the scan at 100,000).
	for hid, h := range m.st.Households {
		for i := range h.Lines {
			l := &h.Lines[i]
			if l.Fund != fund {
				continue
			}
			tp := byWrite[l.Write]
			if tp == nil {
				tp = &TracePayout{Item: l.Item, Period: l.Period, Households: []TraceLine{}}
				if l.Batch {
					tp.Batch = l.Write
				} else {
					tp.Payout = l.Write
				}
				byWrite[l.Write], seqOf[l.Write] = tp, l.Seq
				order = append(order, l.Write)
			}
			tp.Households = append(tp.Households, TraceLine{Household: hid, Amount: l.Amount, BankStatus: bankStatus(l), Counts: l.counts()})
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		return seqOf[a] < seqOf[b] || seqOf[a] == seqOf[b] && a < b
	})
	out := make([]TracePayout, 0, len(order))
	for _, w := range order {
		tp := byWrite[w]
		if b := m.st.Batches[w]; b != nil { // lines in the batch's own order
			tp.Households = inOrder(tp.Households, b.Households)
		} else if len(tp.Households) > 1 { // a single payout has one line; if ever more, by household
			sort.Slice(tp.Households, func(i, j int) bool { return tp.Households[i].Household < tp.Households[j].Household })
		}
		out = append(out, *tp)
	}
	return out
}

func bankStatus(l *line) string {
	switch {
	case l.Reversed:
		return BankReversed
	case l.banked().Bank == "":
		return BankPending
	}
	return l.banked().Bank
}

// inOrder puts lines in the order of the batch's households, in one pass
// over the batch (a sort keyed through a map cost more than the rest of a
// busy fund's trace); a line of a household the batch does not name (there
// are none) keeps its place after them, and so does a second line of one.
func inOrder(lines []TraceLine, order []string) []TraceLine {
	at := make(map[string]int, len(lines))
	for i := len(lines) - 1; i >= 0; i-- { // the first line of a household wins
		at[lines[i].Household] = i
	}
	used := make([]bool, len(lines))
	out := make([]TraceLine, 0, len(lines))
	for _, h := range order {
		if i, ok := at[h]; ok && !used[i] {
			out, used[i] = append(out, lines[i]), true
		}
	}
	for i, l := range lines {
		if !used[i] {
			out = append(out, l)
		}
	}
	return out
}

// HouseholdTraceLine is one payout line of a household with where its
// money came from.
type HouseholdTraceLine struct {
	Fund       string       `json:"fund"`
	DocumentNo string       `json:"document_no"`
	Programme  string       `json:"programme"`
	Batch      string       `json:"batch,omitempty"`
	Payout     string       `json:"payout,omitempty"`
	Item       string       `json:"item"`
	Period     string       `json:"period"`
	Amount     domain.Money `json:"amount"`
	BankStatus string       `json:"bank_status"`
	Reason     string       `json:"reason,omitempty"`
	Counts     bool         `json:"counts"`
	Seq        uint64       `json:"commit_seq"`
}

// HouseholdTrace is every payout line of a household.
type HouseholdTrace struct {
	Head
	Household string               `json:"household"`
	Lines     []HouseholdTraceLine `json:"lines"`
	Received  domain.Money         `json:"received"` // the counting lines' sum
}

// TraceHousehold answers a household's trace; false if there is no such household.
func (m *Model) TraceHousehold(id string) (HouseholdTrace, bool) {
	h := m.st.Households[id]
	if h == nil {
		return HouseholdTrace{}, false
	}
	out := HouseholdTrace{Head: m.head(), Household: id, Lines: make([]HouseholdTraceLine, 0, len(h.Lines))}
	for i := range h.Lines {
		l := &h.Lines[i]
		tl := HouseholdTraceLine{Fund: l.Fund, Item: l.Item, Period: l.Period, Amount: l.Amount, BankStatus: bankStatus(l),
			Reason: l.banked().Reason, Counts: l.counts(), Seq: l.Seq}
		if f := m.st.Funds[l.Fund]; f != nil {
			tl.DocumentNo, tl.Programme = f.DocumentNo, f.Programme
		}
		if l.Batch {
			tl.Batch = l.Write
		} else {
			tl.Payout = l.Write
		}
		if tl.Counts {
			out.Received = out.Received.Add(l.Amount)
		}
		out.Lines = append(out.Lines, tl)
	}
	return out, true
}

// BatchStatus totals a batch's lines of one bank status.
type BatchStatus struct {
	Lines  int          `json:"lines"`
	Amount domain.Money `json:"amount"`
}

// BatchControl is a batch's control totals (its lines agreed with them,
// or it was refused).
type BatchControl struct {
	Count  int          `json:"count"`
	Amount domain.Money `json:"amount"`
}

// BatchLine is one line of a batch.
type BatchLine struct {
	Household  string       `json:"household"`
	Amount     domain.Money `json:"amount"`
	BankStatus string       `json:"bank_status"`
	BankRef    string       `json:"bank_ref,omitempty"`
	Reason     string       `json:"reason,omitempty"`
}

// BatchDetail is a payout batch with each line's bank status, reconciled
// to the fen: the reconciliation's amounts sum to the batch's amount.
type BatchDetail struct {
	Head
	ID             string                 `json:"id"`
	Fund           string                 `json:"fund"`
	Item           string                 `json:"item"`
	Period         string                 `json:"period"`
	Amount         domain.Money           `json:"amount"`
	Control        BatchControl           `json:"control"`
	Lines          []BatchLine            `json:"lines"`
	Reconciliation map[string]BatchStatus `json:"reconciliation"`
}

// Batch answers a payout batch's detail; false if there is no such batch.
func (m *Model) Batch(id string) (BatchDetail, bool) {
	b := m.st.Batches[id]
	if b == nil {
		return BatchDetail{}, false
	}
	return m.batchDetail(id, b), true
}

func (m *Model) batchDetail(id string, b *batch) BatchDetail {
	out := BatchDetail{Head: m.head(), ID: id, Fund: b.Fund, Item: b.Item, Period: b.Period, Lines: make([]BatchLine, 0, len(b.Households)),
		Reconciliation: map[string]BatchStatus{}}
	for _, st := range []string{BankPending, BankPaid, BankFailed, BankReturned, BankReversed} {
		out.Reconciliation[st] = BatchStatus{}
	}
	for _, hid := range b.Households {
		l := m.line(hid, id)
		if l == nil {
			continue
		}
		st := bankStatus(l)
		out.Lines = append(out.Lines, BatchLine{Household: hid, Amount: l.Amount, BankStatus: st, BankRef: l.banked().BankRef, Reason: l.banked().Reason})
		out.Amount = out.Amount.Add(l.Amount)
		r := out.Reconciliation[st]
		r.Lines++
		r.Amount = r.Amount.Add(l.Amount)
		out.Reconciliation[st] = r
	}
	out.Control = BatchControl{Count: len(out.Lines), Amount: out.Amount}
	return out
}
