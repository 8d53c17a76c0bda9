package domain

import (
	"errors"
	"fmt"
	"testing"
)

func registryRow(id, first17 string) RegisterHousehold {
	return RegisterHousehold{ID: id, Village: "V001", HeadName: "王五", IDNumber: first17 + string(IDNumberCheck(first17)),
		Members: 3, Category: "dibao", BankName: "农商银行", BankAccount: "6217000099990001"}
}

// rowsOf answers the rows a rejection lists, as "index:field:code".
func rowsOf(t *testing.T, err error) []string {
	t.Helper()
	var re *RowsError
	if !errors.As(err, &re) {
		t.Fatalf("%v is not a *RowsError", err)
	}
	var out []string
	for _, r := range re.Rows {
		out = append(out, fmt.Sprintf("%d:%s:%s", r.Index, r.Field, r.Code))
	}
	return out
}

// TestRegisterHouseholdsListsEveryBadRowAndWritesNone: every row at fault
// is listed (the domain's own rules, text, and duplicates within the file
// and against the ledger), and the command writes nothing; a clean file
// is one event per row.
func TestRegisterHouseholdsListsEveryBadRowAndWritesNone(t *testing.T) {
	b := newBook(t)
	rows := []RegisterHousehold{
		registryRow("H0101", "34150419900101011"),
		registryRow("H0102", "34150419900101012"),
		registryRow("H0101", "34150419900101013"), // id of row 0
		registryRow("H0104", "34150419900101012"), // ID number of row 1
		registryRow("H0105", "11010519491231002"), // H0001's ID number (check digit X)
		registryRow("H0106", "34150419900101016"),
		registryRow("H0107", "34150419900101017"),
	}
	rows[5].HeadName = "王\u202e五" // a bidi override
	rows[6].Village = "V404"
	err := b.do(RegisterHouseholds{Households: rows})
	want := []string{"2:id:duplicate", "3:id_number:duplicate_id_number", "4:id_number:duplicate_id_number",
		"5:head_name:invalid_request", "6:village:not_found"}
	if got := rowsOf(t, err); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if _, ok := b.s.Households["H0101"]; ok {
		t.Fatal("a refused file registered a household")
	}
	// The first row's rejection is what a caller that knows no rows sees.
	var de *Error
	if !errors.As(err, &de) || de.Field != "households[2].id" || de.Kind != KindDuplicate {
		t.Fatalf("unwrapped to %+v", de)
	}
	b.must(RegisterHouseholds{Households: rows[:2]})
	if len(b.s.Households) != 4 {
		t.Fatalf("%d households after a clean file", len(b.s.Households))
	}
}

// TestBatchAndBankResultsListEveryBadLine: a payout batch and a bank
// report list every bad line, and still answer the first as before.
func TestBatchAndBankResultsListEveryBadLine(t *testing.T) {
	b := newBook(t)
	b.allocate("A1", "1000.00")
	b.must(RemoveHousehold{Household: "H0002", Reason: "清退"})
	batch := PayoutBatch{ID: "B1", Fund: "A1", Item: "产业直补", Period: "2019", Control: ControlRequest{Count: 4, Amount: "4.00"},
		Lines: []BatchLineRequest{{"H0001", "1.00"}, {"H0009", "1.00"}, {"H0002", "1.00"}, {"H0001", "1.00"}}}
	err := b.do(batch)
	if got := rowsOf(t, err); fmt.Sprint(got) != "[1:household:not_found 2:household:household_removed 3:household:duplicate_line]" {
		t.Fatalf("batch rows %v", got)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("the first line's rejection is not not_found: %v", err)
	}
	b.must(PayoutBatch{ID: "B2", Fund: "A1", Item: "产业直补", Period: "2019", Control: ControlRequest{Count: 1, Amount: "1.00"},
		Lines: []BatchLineRequest{{"H0001", "1.00"}}})
	err = b.do(RecordBankResults{Batch: "B2", Lines: []BankResultRequest{{Household: "H0009", Status: "paid"}, {Household: "H0001", Status: "lost"}}})
	if got := rowsOf(t, err); fmt.Sprint(got) != "[0:household:not_found 1:status:invalid_request]" {
		t.Fatalf("bank result rows %v", got)
	}
}
