package projections

import (
	"github.com/fundledger/fundledger/disclosure"
	"github.com/fundledger/fundledger/domain"
)

// What the Excel downloads of a payout batch are made of: the bank's
// payout file (代发文件), with full names and card numbers, and the
// publicity list (公示清册), masked here so that no full number leaves the
// projections on that path.

// PayLine is one line of a batch with the household it pays.
type PayLine struct {
	Household   string
	Village     string
	VillageName string
	HeadName    string
	IDNumber    string // full in a bank file; masked (341***********1234) in a publicity list
	Members     int
	BankName    string
	BankAccount string // full in a bank file; masked (*1234) in a publicity list
	Amount      domain.Money
	BankStatus  string
}

// PayList is a payout batch's lines with their households.
type PayList struct {
	Head
	Name   string // the county
	Batch  string
	Fund   string
	Doc    string // the fund's document number
	Item   string
	Period string
	Lines  []PayLine
	Amount domain.Money
}

// BankFile answers a batch's lines as the bank pays them: every line that
// stands (not reversed), with the household's name, ID number and current
// card in full. false if there is no such batch.
func (m *Model) BankFile(id string) (PayList, bool) {
	return m.payList(id, false)
}

// Publicity answers a batch's publicity list (公示清册): every line that
// stands, ID and card numbers masked as on the notice board.
func (m *Model) Publicity(id string) (PayList, bool) {
	return m.payList(id, true)
}

func (m *Model) payList(id string, masked bool) (PayList, bool) {
	b := m.st.Batches[id]
	if b == nil {
		return PayList{}, false
	}
	out := PayList{Head: m.head(), Name: m.st.Info.Name, Batch: id, Fund: b.Fund, Item: b.Item, Period: b.Period, Lines: []PayLine{}}
	if f := m.st.Funds[b.Fund]; f != nil {
		out.Doc = f.DocumentNo
	}
	for _, hid := range b.Households {
		l, h := m.line(hid, id), m.st.Households[hid]
		if l == nil || h == nil || l.Reversed {
			continue
		}
		pl := PayLine{Household: hid, Village: h.Info.Village, HeadName: h.Info.HeadName, IDNumber: h.Info.IDNumber,
			Members: h.Info.Members, BankName: h.Info.BankName, BankAccount: h.Info.BankAccount, Amount: l.Amount, BankStatus: bankStatus(l)}
		if v := m.st.Villages[h.Info.Village]; v != nil {
			pl.VillageName = v.Info.Name
		}
		if masked {
			pl.IDNumber, pl.BankAccount = disclosure.MaskID(pl.IDNumber), disclosure.MaskCard(pl.BankAccount)
		}
		out.Lines = append(out.Lines, pl)
		out.Amount = out.Amount.Add(l.Amount)
	}
	return out, true
}

// VillageNames maps what a registry file's 村 column may hold to a village
// id: each id, and each name that names one village only (a name two
// villages share is left to their ids).
func (m *Model) VillageNames() map[string]string {
	out := map[string]string{}
	byName := map[string][]string{}
	for id, v := range m.st.Villages {
		if v.Info.ID == "" {
			continue
		}
		out[id] = id
		byName[v.Info.Name] = append(byName[v.Info.Name], id)
	}
	for name, ids := range byName {
		if _, isID := out[name]; len(ids) == 1 && !isID && name != "" {
			out[name] = ids[0]
		}
	}
	return out
}
