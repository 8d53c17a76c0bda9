package domain

import (
	"strings"
	"testing"
)

func TestAppropriateRejectsOverdraftOfTheFund(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100.00")
	b.project("P1", "500.00")
	b.must(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "60.00"})
	e := b.refused(Appropriate{Project: "P1", ID: "AP2", Fund: "A1", Amount: "40.01"}, ErrInsufficientFunds)
	if !strings.Contains(e.Message, "A1") || !strings.Contains(e.Message, "40.00") {
		t.Errorf("message should name the fund and what it holds: %q", e.Message)
	}
	b.must(Appropriate{Project: "P1", ID: "AP2", Fund: "A1", Amount: "40.00"})
	if got := b.balance(FundAccount(PoolPoverty, "A1")); got != "0.00" {
		t.Fatalf("fund balance %s", got)
	}
}

func TestProjectCannotPayMoreThanAppropriatedFromThatFund(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "1000.00")
	b.allocate("A2", "1000.00")
	b.project("P1", "1000.00")
	b.must(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "300.00"})
	pay := func(id, fund, amount string) Pay {
		return Pay{Project: "P1", ID: id, Fund: fund, Payee: "某建筑公司", Amount: AmountText(amount), VoucherNo: "凭-1", Method: "treasury"}
	}
	// Nothing was appropriated to P1 from A2, though A2 holds money.
	b.refused(pay("PY1", "A2", "1.00"), ErrInsufficientFunds)
	b.must(pay("PY1", "A1", "299.99"))
	b.refused(pay("PY2", "A1", "0.02"), ErrInsufficientFunds)
	b.must(pay("PY2", "A1", "0.01"))
	if got := b.balance(PayeeAccount("某建筑公司")); got != "300.00" {
		t.Fatalf("payee got %s", got)
	}
}

func TestFundCannotBeAppropriatedAndPaidOutTwiceOver(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "10000.00")
	b.project("P1", "20000.00")
	b.must(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "6000.00"})
	b.refused(payout("PO1", "H0001", "A1", "5000.00"), ErrInsufficientFunds)
	b.must(payout("PO1", "H0001", "A1", "4000.00"))
	b.refused(Appropriate{Project: "P1", ID: "AP2", Fund: "A1", Amount: "0.01"}, ErrInsufficientFunds)
}

func TestAppropriationAboveBudgetIsRefused(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "10000.00")
	b.project("P1", "100.00")
	b.refused(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "100.01"}, ErrOverBudget)
	b.must(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "100.00"})
}

func TestUnknownReferencesAreNotFound(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100.00")
	b.project("P1", "100.00")
	for _, c := range []Command{
		RegisterHousehold{ID: "H9", Village: "V404", HeadName: "王五", IDNumber: "11010519491231002X", Members: 1,
			Category: "ordinary", BankName: "农商银行", BankAccount: "62170000"},
		ApproveProject{ID: "P2", Name: "路", Village: "V404", Category: "infrastructure", Batch: "1", Budget: "1.00", ApprovalDoc: "d"},
		Appropriate{Project: "P404", ID: "X1", Fund: "A1", Amount: "1.00"},
		Appropriate{Project: "P1", ID: "X1", Fund: "A404", Amount: "1.00"},
		payout("X1", "H404", "A1", "1.00"),
		payout("X1", "H0001", "A404", "1.00"),
		PayoutBatch{ID: "B1", Fund: "A1", Item: "i", Period: "2019", Control: ControlRequest{1, "1.00"},
			Lines: []BatchLineRequest{{"H404", "1.00"}}},
		RecordBankResults{Batch: "B404", Lines: []BankResultRequest{{Household: "H0001", Status: "paid"}}},
		Reverse{ID: "R1", Reverses: "NOPE", Reason: "错"},
		ChangeProjectStatus{Project: "P404", Status: "started", Date: "2019-05-01"},
		RemoveHousehold{Household: "H404", Reason: "清退"},
	} {
		b.refused(c, ErrNotFound)
	}
}

func TestReusedIDsAreDuplicates(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100.00")
	b.project("P1", "100.00")
	b.refused(OpenLedger{Code: "341504", Name: "某县"}, ErrDuplicate)
	b.refused(RegisterVillage{ID: "V001", Name: "x", Township: "y"}, ErrDuplicate)
	b.refused(Allocate{ID: "A1", SourceLevel: "county", Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}, ErrDuplicate)
	// Write ids are one namespace: an integration cannot take an allocation's id.
	b.refused(Integrate{ID: "A1", Programme: "农业综合开发", FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}, ErrDuplicate)
	b.must(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "1.00"})
	b.refused(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "1.00"}, ErrDuplicate)
	b.refused(payout("AP1", "H0001", "A1", "1.00"), ErrDuplicate)
}

func TestBadAmountsAreInvalidAndNameTheField(t *testing.T) {
	b := newBook(t)
	for _, amt := range []AmountText{"1.001", "-5", "1e3", "NaN", "", "0", "2000000000000.00"} {
		e := b.refused(Allocate{ID: "A1", SourceLevel: "central", Programme: "p", FiscalYear: 2019, DocumentNo: "d", Amount: amt}, ErrInvalid)
		if e.Field != "amount" {
			t.Errorf("%q: field %q, want amount", amt, e.Field)
		}
	}
}

func TestBatchDisagreeingWithControlTotalsIsRefusedWhole(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100000.00")
	lines := []BatchLineRequest{{"H0001", "5000.00"}, {"H0002", "5000.00"}}
	batch := func(count int, amount AmountText) PayoutBatch {
		return PayoutBatch{ID: "B1", Fund: "A1", Item: "产业直补", Standard: "5000.00", Period: "2019",
			Control: ControlRequest{Count: count, Amount: amount}, Lines: lines}
	}
	b.refused(batch(3, "10000.00"), ErrControlMismatch)
	b.refused(batch(2, "10000.01"), ErrControlMismatch)
	if got := b.balance(HouseholdAccount("H0001")); got != "0.00" {
		t.Fatalf("a refused batch paid %s", got)
	}
	b.must(batch(2, "10000.00"))
	if got := b.balance(FundAccount(PoolPoverty, "A1")); got != "90000.00" {
		t.Fatalf("fund %s", got)
	}
}

func TestBatchWithAHouseholdTwiceIsRefused(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100000.00")
	b.refused(PayoutBatch{ID: "B1", Fund: "A1", Item: "i", Period: "2019", Control: ControlRequest{2, "2.00"},
		Lines: []BatchLineRequest{{"H0001", "1.00"}, {"H0001", "1.00"}}}, ErrDuplicateLine)
}

func TestPayoutToRemovedHouseholdIsRefused(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "100000.00")
	b.must(RemoveHousehold{Household: "H0002", Reason: "不符合识别标准", DocumentNo: "清退〔2019〕1号"})
	b.refused(payout("PO1", "H0002", "A1", "100.00"), ErrHouseholdRemoved)
	b.refused(PayoutBatch{ID: "B1", Fund: "A1", Item: "i", Period: "2019", Control: ControlRequest{2, "2.00"},
		Lines: []BatchLineRequest{{"H0001", "1.00"}, {"H0002", "1.00"}}}, ErrHouseholdRemoved)
	b.refused(RemoveHousehold{Household: "H0002", Reason: "again"}, ErrHouseholdState)
}

func TestFailedBankLinesGoBackToTheFundUntilReissued(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "10000.00")
	b.must(PayoutBatch{ID: "B1", Fund: "A1", Item: "光伏扶贫补助", Period: "2019", Control: ControlRequest{2, "10000.00"},
		Lines: []BatchLineRequest{{"H0001", "5000.00"}, {"H0002", "5000.00"}}})
	b.must(RecordBankResults{Batch: "B1", Lines: []BankResultRequest{
		{Household: "H0001", Status: "paid", BankRef: "T1"}, {Household: "H0002", Status: "failed", Reason: "账户冻结"}}})
	if got := b.balance(FundAccount(PoolPoverty, "A1")); got != "5000.00" {
		t.Fatalf("failed line did not return to the fund: %s", got)
	}
	if got := b.balance(HouseholdAccount("H0002")); got != "0.00" {
		t.Fatalf("household kept a failed line: %s", got)
	}
	b.refused(RecordBankResults{Batch: "B1", Lines: []BankResultRequest{{Household: "H0002", Status: "paid"}}}, ErrBankResult)
	b.must(RecordBankResults{Batch: "B1", Lines: []BankResultRequest{{Household: "H0001", Status: "returned"}}})
	// Re-issue both from the fund.
	b.must(payout("RE1", "H0002", "A1", "5000.00"))
	b.must(payout("RE2", "H0001", "A1", "5000.00"))
	if got := b.balance(FundAccount(PoolPoverty, "A1")); got != "0.00" {
		t.Fatalf("fund %s", got)
	}
	b.refused(Reverse{ID: "R1", Reverses: "B1", Reason: "错"}, ErrNotReversible)
}

func TestReversalMovesMoneyBackOnceAndCanItselfBeReversed(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "1000.00")
	b.must(payout("PO1", "H0001", "A1", "400.00"))
	b.refused(Reverse{ID: "R1", Reverses: "PO1", Reason: ""}, ErrInvalid) // a reversal says why
	b.must(Reverse{ID: "R1", Reverses: "PO1", Reason: "发放对象错误"})
	if b.balance(HouseholdAccount("H0001")) != "0.00" || b.balance(FundAccount(PoolPoverty, "A1")) != "1000.00" {
		t.Fatal("reversal did not move the money back")
	}
	b.refused(Reverse{ID: "R2", Reverses: "PO1", Reason: "again"}, ErrAlreadyReversed)
	// Reversing the reversal restores the payout; the restore cannot be repeated.
	b.must(Reverse{ID: "R2", Reverses: "R1", Reason: "冲正有误"})
	if b.balance(HouseholdAccount("H0001")) != "400.00" {
		t.Fatal("reversal of reversal did not restore")
	}
	b.refused(Reverse{ID: "R3", Reverses: "R1", Reason: "again"}, ErrAlreadyReversed)
	if !b.s.Active("PO1") || b.s.Active("R1") || !b.s.Active("R2") {
		t.Fatal("Active disagrees with the reversal chain")
	}
}

func TestReversingAnAppropriationAlreadySpentIsRefused(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "1000.00")
	b.project("P1", "1000.00")
	b.must(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "500.00"})
	b.must(Pay{Project: "P1", ID: "PY1", Fund: "A1", Payee: "某公司", Amount: "300.00", VoucherNo: "v", Method: "reimbursement"})
	de := b.refused(Reverse{ID: "R1", Reverses: "AP1", Reason: "错"}, ErrInsufficientFunds)
	// A reversal has no amount: the error names the field it has, and the
	// write in words.
	if de.Field != "reverses" || !strings.Contains(de.Message, `"AP1" cannot be reversed`) || !strings.Contains(de.Message, "project/fund P1/A1") {
		t.Fatalf("field %q, message %q", de.Field, de.Message)
	}
	b.must(Reverse{ID: "R1", Reverses: "PY1", Reason: "重复报账"})
	b.must(Reverse{ID: "R2", Reverses: "AP1", Reason: "错"})
	if p := b.s.Projects["P1"]; !p.Appropriated.IsZero() {
		t.Fatalf("appropriated after reversal: %s", p.Appropriated)
	}
}

func TestProjectStatusFollowsItsLifeCycle(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "1000.00")
	b.project("P1", "1000.00")
	b.refused(ChangeProjectStatus{Project: "P1", Status: "started", Date: "2019-13-01"}, ErrInvalid)
	b.refused(ChangeProjectStatus{Project: "P1", Status: "approved", Date: "2019-05-01"}, ErrInvalid)
	b.must(ChangeProjectStatus{Project: "P1", Status: "started", Date: "2019-05-01"})
	b.refused(ChangeProjectStatus{Project: "P1", Status: "started", Date: "2019-05-02"}, ErrStatusChange)
	b.must(ChangeProjectStatus{Project: "P1", Status: "cancelled", Date: "2019-06-01"})
	b.refused(Appropriate{Project: "P1", ID: "AP1", Fund: "A1", Amount: "1.00"}, ErrProjectClosed)
	b.refused(ChangeProjectStatus{Project: "P1", Status: "completed", Date: "2019-07-01"}, ErrStatusChange)
	// A later stage may be recorded without the earlier; never backwards,
	// and a completed project cannot be cancelled.
	b.project("P2", "1000.00")
	b.must(ChangeProjectStatus{Project: "P2", Status: "completed", Date: "2019-08-01"})
	b.refused(ChangeProjectStatus{Project: "P2", Status: "started", Date: "2019-08-02"}, ErrStatusChange)
	b.refused(ChangeProjectStatus{Project: "P2", Status: "cancelled", Date: "2019-08-02"}, ErrStatusChange)
	b.must(ChangeProjectStatus{Project: "P2", Status: "accepted", Date: "2019-09-01"})
	b.refused(ChangeProjectStatus{Project: "P2", Status: "completed", Date: "2019-09-02"}, ErrStatusChange)
}

func TestHouseholdChangesFollowTheRegister(t *testing.T) {
	b := newBook(t)
	b.refused(ReturnHousehold{Household: "H0001", Year: 2019}, ErrHouseholdState)
	b.must(ExitHousehold{Household: "H0001", Year: 2019})
	b.refused(ExitHousehold{Household: "H0001", Year: 2019}, ErrHouseholdState)
	b.must(ReturnHousehold{Household: "H0001", Year: 2020, Reason: "因病返贫"})
	b.must(ChangeBankCard{Household: "H0001", BankName: "邮储银行", BankAccount: "6221888899990000"})
	if h := b.s.Households["H0001"]; h.Status != "returned" || h.BankAccount != "6221888899990000" {
		t.Fatalf("got %+v", h)
	}
	b.refused(RegisterHousehold{ID: "H9", Village: "V001", HeadName: "王五", IDNumber: "110105194912310021", Members: 1,
		Category: "ordinary", BankName: "农商银行", BankAccount: "62170000"}, ErrInvalid)
}

func TestNothingButOpenLedgerBeforeTheLedgerIsOpen(t *testing.T) {
	s := NewState()
	if _, err := Decide(s, RegisterVillage{ID: "V1", Name: "n", Township: "t"}); err == nil {
		t.Fatal("accepted a write to an unopened ledger")
	}
}
