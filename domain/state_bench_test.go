package domain

import (
	"fmt"
	"testing"
)

// BenchmarkDecideApply decides and applies one command on a ledger of
// 10,000 households: a payout (two known accounts) and an allocation (a
// new fund, so a new account), the writer's work per command without the
// store. Issue 14 compared it before and after compacting the state.
func BenchmarkDecideApply(b *testing.B) {
	setup := func(b *testing.B) *State {
		s := NewState()
		run := func(c Command) {
			events, err := Decide(s, c)
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range events {
				s.Apply(e)
			}
		}
		run(OpenLedger{Code: "341504", Name: "某县"})
		run(RegisterVillage{ID: "V001", Name: "罗田村", Township: "某镇"})
		for h := range 10_000 {
			first17 := fmt.Sprintf("11010519491%06d", h)
			run(RegisterHousehold{ID: fmt.Sprintf("H%06d", h), Village: "V001", HeadName: "户主", IDNumber: first17 + string(IDNumberCheck(first17)),
				Members: 3, Category: "ordinary", Status: "poor", BankName: "农商银行", BankAccount: "6217000011112222"})
		}
		for f := range 50 {
			run(Allocate{ID: fmt.Sprintf("A%02d", f), SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "100000000.00"})
		}
		return s
	}
	b.Run("payout", func(b *testing.B) {
		s := setup(b)
		b.ResetTimer()
		for i := range b.N {
			events, err := Decide(s, Payout{ID: fmt.Sprintf("PO%08d", i), Household: fmt.Sprintf("H%06d", i%10_000), Item: "产业直补",
				Standard: "1000.00", Period: "2019", Fund: fmt.Sprintf("A%02d", i%50), Amount: "1.00"})
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range events {
				s.Apply(e)
			}
		}
	})
	b.Run("allocate", func(b *testing.B) {
		s := setup(b)
		b.ResetTimer()
		for i := range b.N {
			events, err := Decide(s, Allocate{ID: fmt.Sprintf("N%08d", i), SourceLevel: "central", Programme: "专项", FiscalYear: 2019, DocumentNo: "d", Amount: "1000.00"})
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range events {
				s.Apply(e)
			}
		}
	})
}
