package projections

import (
	"fmt"
	"testing"

	"github.com/fundledger/fundledger/domain"
)

func TestFindingsNameWhatAuditorsHunt(t *testing.T) {
	m := NewModel("341504")
	s := domain.NewState()
	seq := uint64(0)
	prev := domain.GenesisHash
	do := func(c domain.Command) {
		t.Helper()
		events, err := domain.Decide(s, c)
		if err != nil {
			t.Fatalf("%s: %v", c.CommandName(), err)
		}
		for _, e := range events {
			s.Apply(e)
		}
		raw, _ := domain.EncodeEvents(events)
		seq++
		cm := &domain.Commit{Ledger: "341504", Seq: seq, Events: raw, PrevHash: prev}
		cm.Seal()
		prev = cm.Hash
		if err := m.Apply(cm); err != nil {
			t.Fatal(err)
		}
	}
	do(domain.OpenLedger{Code: "341504", Name: "某县"})
	do(domain.RegisterVillage{ID: "V1", Name: "罗田村", Township: "某镇"})
	for i, h := range []string{"H1", "H2"} {
		first17 := fmt.Sprintf("1101051949123100%d", i)
		do(domain.RegisterHousehold{ID: h, Village: "V1", HeadName: "户主", IDNumber: first17 + string(domain.IDNumberCheck(first17)), Members: 2,
			Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: "6217000011112222"})
	}
	do(domain.Allocate{ID: "A1", SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "100000.00"})
	pay := func(id, h, amount string) domain.Payout {
		return domain.Payout{ID: id, Household: h, Item: "产业直补", Standard: "5000.00", Period: "2019", Fund: "A1", Amount: domain.AmountText(amount)}
	}
	do(pay("P1", "H1", "5000.00"))
	do(pay("P2", "H1", "5000.00")) // the same item and period again
	do(pay("P3", "H2", "6000.00")) // above the standard
	do(domain.RemoveHousehold{Household: "H2", Reason: "不符合条件"})
	do(domain.ApproveProject{ID: "PJ1", Name: "路", Village: "V1", Category: "infrastructure", Batch: "1", Budget: "1000.00", ApprovalDoc: "d"})
	do(domain.Appropriate{Project: "PJ1", ID: "AP1", Fund: "A1", Amount: "1000.00"})
	do(domain.ChangeProjectStatus{Project: "PJ1", Status: "cancelled", Date: "2019-08-01"})
	do(domain.Reverse{ID: "R1", Reverses: "P1", Reason: "重复"}) // after this, no duplicate for H1 remains...
	f := m.Findings()
	want := map[string]int{"over_standard": 1, "ineligible_payout": 1, "unreclaimed_project": 1}
	for k, n := range want {
		if f.Count[k] != n {
			t.Errorf("%s: %d findings, want %d (%+v)", k, f.Count[k], n, f.Findings)
		}
	}
	if f.Count["duplicate_payout"] != 0 {
		t.Errorf("a reversed duplicate is still reported: %+v", f.Findings)
	}
	do(pay("P4", "H1", "5000.00")) // ...until it is paid twice again
	if f := m.Findings(); f.Count["duplicate_payout"] != 1 || f.Findings[0].Amount.String() != "5000.00" {
		t.Errorf("duplicate not found: %+v", f.Findings)
	}
}
