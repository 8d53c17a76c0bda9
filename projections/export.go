package projections

import (
	"io"

	"github.com/fundledger/fundledger/internal/csvsafe"
)

// Export is everything a Model answers, for the replay CLI and exports: the
// summary and every balance of every kind.
type Export struct {
	Head
	Summary  Summary                       `json:"summary"`
	Balances map[string]map[string]Balance `json:"balances"` // kind → id → balance
}

// Export answers the summary and all balances.
func (m *Model) Export() Export {
	out := Export{Head: m.head(), Summary: m.Summary(), Balances: map[string]map[string]Balance{}}
	for _, kind := range Kinds {
		byID := map[string]Balance{}
		for _, id := range m.IDs(kind) {
			if v, ok := m.Balance(kind, id); ok {
				byID[id] = v
			}
		}
		out.Balances[kind] = byID
	}
	return out
}

// WriteCSV writes every balance as one row: kind, id, received, spent,
// balance, and the seq and head hash they reflect. It starts with a UTF-8
// byte order mark so that Excel reads Chinese names correctly. Cells go
// through csvsafe: a payee named "=cmd|…" is text, not a formula.
func (m *Model) WriteCSV(w io.Writer) error {
	cw, err := csvsafe.NewWriter(w, true)
	if err != nil {
		return err
	}
	_ = cw.Write([]string{"kind", "id", "received", "spent", "balance", "seq", "head_hash"})
	seq := itoa(int(m.st.Seq))
	for _, kind := range Kinds {
		for _, id := range m.IDs(kind) {
			v, ok := m.Balance(kind, id)
			if !ok {
				continue
			}
			f := v.balanceFlow()
			_ = cw.Write([]string{kind, id, f.Received.String(), f.Spent.String(), f.Balance.String(), seq, m.st.Hash})
		}
	}
	return cw.Flush()
}
