package domain

import "testing"

// batchWithFailedLine pays H0001 and H0002 in batch B1; the bank pays
// H0002 and fails H0001's closed card.
func batchWithFailedLine(t *testing.T) *book {
	b := newBook(t)
	b.allocate("A1", "100000.00")
	b.must(PayoutBatch{ID: "B1", Fund: "A1", Item: "产业直补", Period: "2019",
		Control: ControlRequest{Count: 2, Amount: "8000.00"},
		Lines:   []BatchLineRequest{{Household: "H0001", Amount: "5000.00"}, {Household: "H0002", Amount: "3000.00"}}})
	b.must(RecordBankResults{Batch: "B1", Lines: []BankResultRequest{
		{Household: "H0001", Status: "failed", Reason: "账户已销户"}, {Household: "H0002", Status: "paid"}}})
	return b
}

func reissue(id, household, ref string) Payout {
	p := payout(id, household, "A1", "5000.00")
	p.ReissueOf = ref
	return p
}

func TestReissueToTheCardThatFailedIsRefused(t *testing.T) {
	b := batchWithFailedLine(t)
	b.refused(reissue("R1", "H0001", "B1/H0001"), ErrSameCard)
	b.must(ChangeBankCard{Household: "H0001", BankName: "农商银行", BankAccount: "6217000099998888"})
	b.must(reissue("R1", "H0001", "B1/H0001"))
	if got := b.s.Batches["B1"].Lines["H0001"].ReissuedBy; got != "R1" {
		t.Errorf("the failed line is re-issued by %q, want R1", got)
	}
}

func TestReissueNamesAFailedLineOfTheSameHousehold(t *testing.T) {
	b := batchWithFailedLine(t)
	b.must(ChangeBankCard{Household: "H0001", BankName: "农商银行", BankAccount: "6217000099998888"})
	for name, c := range map[string]Payout{
		"a paid line":            reissue("R1", "H0002", "B1/H0002"),
		"another household":      reissue("R1", "H0002", "B1/H0001"),
		"a single payout's id":   func() Payout { b.must(payout("P9", "H0002", "A1", "10.00")); return reissue("R1", "H0002", "P9") }(),
		"a line awaiting a bank": func() Payout { b.must(onePersonBatch("B2")); return reissue("R1", "H0001", "B2/H0001") }(),
	} {
		t.Run(name, func(t *testing.T) { b.refused(c, ErrNotReissuable) })
	}
	b.refused(reissue("R1", "H0001", "B9/H0001"), ErrNotFound)
	b.refused(reissue("R1", "H0001", "NOPE"), ErrNotFound)
}

func onePersonBatch(id string) PayoutBatch {
	return PayoutBatch{ID: id, Fund: "A1", Item: "光伏", Period: "2019", Control: ControlRequest{Count: 1, Amount: "10.00"},
		Lines: []BatchLineRequest{{Household: "H0001", Amount: "10.00"}}}
}

func TestALineIsReissuedOnceUnlessTheReissueIsReversed(t *testing.T) {
	b := batchWithFailedLine(t)
	b.must(ChangeBankCard{Household: "H0001", BankName: "农商银行", BankAccount: "6217000099998888"})
	b.must(reissue("R1", "H0001", "B1/H0001"))
	b.refused(reissue("R2", "H0001", "B1/H0001"), ErrNotReissuable)
	b.must(Reverse{ID: "X1", Reverses: "R1", Reason: "错发"})
	b.must(reissue("R2", "H0001", "B1/H0001"))
}

func TestAStatedStandardIsOptionalAndMayBeZero(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100000.00")
	for id, st := range map[string]AmountText{"P1": "", "P2": "0.00", "P3": "5000"} {
		p := payout(id, "H0001", "A1", "10.00")
		p.Standard = st
		b.must(p)
	}
	p := payout("P4", "H0001", "A1", "10.00")
	p.Standard = "-1.00"
	b.refused(p, ErrInvalid)
}
