package domain

import (
	"fmt"
	"strings"
	"testing"
)

// TestFreeTextRefusesControlAndInvisibleCharacters puts each forbidden
// character into a field of each kind of command (top level, path
// parameter, nested batch line and bank result) and expects 400 naming
// that field.
func TestFreeTextRefusesControlAndInvisibleCharacters(t *testing.T) {
	bad := []rune{0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x85, 0x9f, 0x2028, 0x2029, 0xfeff,
		0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069}
	for _, r := range bad {
		x := "甲" + string(r) + "乙"
		b := newBook(t)
		b.allocate("A1", "100.00")
		b.project("P1", "100.00")
		b.must(PayoutBatch{ID: "B1", Fund: "A1", Item: "i", Period: "2019", Control: ControlRequest{1, "1.00"},
			Lines: []BatchLineRequest{{"H0001", "1.00"}}})
		cases := []struct {
			cmd   Command
			field string
		}{
			{OpenLedger{Code: "341504", Name: x}, "name"},
			{RegisterVillage{ID: "V2", Name: "村", Township: x}, "township"},
			{RegisterHousehold{ID: "H9", Village: "V001", HeadName: x, IDNumber: "110105194912310038", Members: 1,
				Category: "ordinary", BankName: "行", BankAccount: "62170000"}, "head_name"},
			{RegisterHousehold{ID: "H9", Village: "V001", HeadName: "王五", IDNumber: "110105194912310038", Members: 1,
				Category: "ordinary", BankName: x, BankAccount: "62170000"}, "bank_name"},
			{ExitHousehold{Household: "H0001", Year: 2019, DocumentNo: x}, "document_no"},
			{ReturnHousehold{Household: "H0001", Year: 2019, Reason: x}, "reason"},
			{RemoveHousehold{Household: x, Reason: "r"}, "household"},
			{Allocate{ID: "A2", SourceLevel: "central", Programme: x, FiscalYear: 2019, DocumentNo: "d", Amount: "1.00"}, "programme"},
			{ApproveProject{ID: "P2", Name: "路", Category: "infrastructure", Batch: x, Budget: "1.00", ApprovalDoc: "d"}, "batch"},
			{Pay{Project: "P1", ID: "PY1", Fund: "A1", Payee: x, Amount: "1.00", VoucherNo: "v", Method: "treasury"}, "payee"},
			{Payout{ID: "PO1", Household: "H0001", Item: "i", Standard: "1.00", Period: x, Fund: "A1", Amount: "1.00"}, "period"},
			{PayoutBatch{ID: "B2", Fund: "A1", Item: "i", Period: "2019", Control: ControlRequest{1, "1.00"},
				Lines: []BatchLineRequest{{"H0001", "1.00"}, {x, "1.00"}}}, "lines[1].household"},
			{RecordBankResults{Batch: "B1", Lines: []BankResultRequest{{Household: "H0001", Status: "failed", Reason: x}}}, "lines[0].reason"},
			{Reverse{ID: "R1", Reverses: "B1", Reason: x}, "reason"},
		}
		for _, c := range cases {
			e := b.refused(c.cmd, ErrInvalid)
			if e.Field != c.field || !strings.Contains(e.Message, fmt.Sprintf("U+%04X", r)) {
				t.Errorf("%s with U+%04X: field %q message %q, want field %q naming the character", c.cmd.CommandName(), r, e.Field, e.Message, c.field)
			}
		}
	}
	// Chinese text, full-width punctuation and ordinary spaces stay allowed.
	b := newBook(t)
	b.must(RegisterVillage{ID: "V2", Name: "罗田村（一组）", Township: "城关镇 东"})
}

func TestLedgerCodeHasTheShapeOfAGBT2260Code(t *testing.T) {
	for _, code := range []string{"34150", "3415041", "000000", "FUNDLEDGER", "991234", "191234", "", "34150a", "３４１５０４"} {
		if _, err := Decide(NewState(), OpenLedger{Code: code, Name: "某县"}); err == nil || err.(*Error).Field != "code" {
			t.Errorf("code %q: %v, want a refusal naming code", code, err)
		}
		if err := Check(OpenLedger{Code: code, Name: "某县"}); err == nil {
			t.Errorf("Check accepted code %q", code)
		}
	}
	for _, code := range []string{"341504", "110101", "710000", "810000", "820000", "654321", "500101"} {
		if _, err := Decide(NewState(), OpenLedger{Code: code, Name: "某县"}); err != nil {
			t.Errorf("code %q refused: %v", code, err)
		}
	}
}

func TestOneIDNumberOneHousehold(t *testing.T) {
	b := newBook(t)
	h := RegisterHousehold{ID: "H9", Village: "V001", HeadName: "王五", Members: 1, Category: "ordinary", BankName: "行", BankAccount: "62170000"}
	h.IDNumber = "11010519491231002x" // H0001's, with a lower-case check character
	if e := b.refused(h, ErrDuplicateIDNumber); e.Field != "id_number" || e.Kind != KindRule || !strings.Contains(e.Message, "H0001") {
		t.Errorf("got %+v", e)
	}
	h.IDNumber = "110105194912310038" // H0002's, which was then removed
	b.must(RemoveHousehold{Household: "H0002", Reason: "清退"})
	b.refused(h, ErrDuplicateIDNumber)
	// A new person with an x check character is stored upper case.
	first17 := "34150419700101007"
	if IDNumberCheck(first17) != 'X' {
		t.Fatalf("fixture: %s does not end in X", first17)
	}
	h.IDNumber = first17 + "x"
	b.must(h)
	if got := b.s.Households["H9"].IDNumber; got != first17+"X" {
		t.Errorf("stored %q, want upper case", got)
	}
	h.ID, h.IDNumber = "H10", first17+"X"
	b.refused(h, ErrDuplicateIDNumber)
}
