package projections

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
)

// TestExportCSVNeutralisesFormulas: a payee named like a formula is
// written as text ('=…) in the balances CSV; amounts stay plain numbers.
func TestExportCSVNeutralisesFormulas(t *testing.T) {
	m := NewModel("341504")
	s := domain.NewState()
	prev := domain.GenesisHash
	calc := `=cmd|' /C calc'!A0`
	for i, c := range []domain.Command{
		domain.OpenLedger{Code: "341504", Name: "某县"},
		domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "1000.00"},
		domain.ApproveProject{ID: "P1", Name: "路", Category: "infrastructure", Batch: "1", Budget: "500.00", ApprovalDoc: "d"},
		domain.Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "500.00"},
		domain.Pay{Project: "P1", ID: "PY1", Fund: "A1", Payee: calc, Amount: "100.00", VoucherNo: "v", Method: "treasury"},
	} {
		events, err := domain.Decide(s, c)
		if err != nil {
			t.Fatalf("%s: %v", c.CommandName(), err)
		}
		for _, e := range events {
			s.Apply(e)
		}
		raw, _ := domain.EncodeEvents(events)
		cm := &domain.Commit{Ledger: "341504", Seq: uint64(i + 1), Events: raw, PrevHash: prev}
		cm.Seal()
		prev = cm.Hash
		if err := m.Apply(cm); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := m.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if row[0] == "payees" {
			found = true
			if row[1] != "'"+calc || row[2] != "100.00" || row[4] != "100.00" {
				t.Errorf("payee row %q", row)
			}
		}
		if strings.HasPrefix(row[1], "=") {
			t.Errorf("row %q would run a formula", row)
		}
	}
	if !found {
		t.Fatalf("no payee row in\n%s", buf.String())
	}
}
