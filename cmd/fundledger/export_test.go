package main

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

func exportTo(t *testing.T, dir, name string, extra ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	args := append([]string{"--data-dir", dir, "--ledger", "341504", "--out", out}, extra...)
	if err := runExport(args); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExportMovementsBalancePerCommit(t *testing.T) {
	dir := importedCounty(t)

	b := exportTo(t, dir, "movements.csv", "--format", "csv")
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBFseq,time,command,write_id,event_type,account,amount\r\n")) {
		t.Fatalf("csv does not start with a BOM and the header: %.80q", b)
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[1:]
	perSeq := map[string]decimal.Decimal{}
	for _, r := range rows {
		perSeq[r[0]] = perSeq[r[0]].Add(decimal.RequireFromString(r[6]))
	}
	// Money moves in allocation, integration, appropriation, payment,
	// recovery, payout, batch, bank results and reversal: 9 commits.
	if len(perSeq) != 9 {
		t.Fatalf("%d commits move money, want 9", len(perSeq))
	}
	for seq, sum := range perSeq {
		if !sum.IsZero() {
			t.Errorf("rows of seq %s sum to %s", seq, sum)
		}
	}
	if got := strings.Join(rows[0], ","); !strings.HasPrefix(got, "5,2") || !strings.HasSuffix(got, ",allocate,A1,fund.allocated,source:central/中央财政专项扶贫资金,-1000000.00") {
		t.Fatalf("first row %q", got)
	}

	// As of seq 6: the allocation and the integration only.
	early := exportTo(t, dir, "early.csv", "--seq", "6")
	if n := bytes.Count(early, []byte("\r\n")); n != 1+4 {
		t.Fatalf("as of seq 6: %d lines, want header and 4 postings", n)
	}

	xb := exportTo(t, dir, "movements.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(xb))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xrows, err := f.GetRows("movements")
	if err != nil || len(xrows) != len(rows)+1 {
		t.Fatalf("xlsx has %d rows (%v), csv %d", len(xrows), err, len(rows)+1)
	}
	typ, err := f.GetCellType("movements", "G2")
	if err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Fatalf("amount cell is not numeric: %v %v", typ, err)
	}
	if v, _ := f.GetCellValue("movements", "G2"); v != "-1000000.00" {
		t.Fatalf("G2 shows %q", v)
	}
}

type codeAttr struct {
	Code string `xml:"code,attr"`
}

func TestExportIATIMapsWritesToTransactionTypes(t *testing.T) {
	dir := importedCounty(t)
	b := exportTo(t, dir, "county.xml")
	var doc struct {
		Version    string `xml:"version,attr"`
		Activities []struct {
			ID           string   `xml:"iati-identifier"`
			Status       codeAttr `xml:"activity-status"`
			Transactions []struct {
				Ref  string   `xml:"ref,attr"`
				Type codeAttr `xml:"transaction-type"`
				Date struct {
					ISODate string `xml:"iso-date,attr"`
				} `xml:"transaction-date"`
				Value struct {
					Currency  string `xml:"currency,attr"`
					ValueDate string `xml:"value-date,attr"`
					Amount    string `xml:",chardata"`
				} `xml:"value"`
			} `xml:"transaction"`
		} `xml:"iati-activity"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, b)
	}
	if doc.Version != "2.03" || len(doc.Activities) != 2 || doc.Activities[0].ID != "CN-COUNTY-341504-FUNDS" || doc.Activities[1].ID != "CN-COUNTY-341504-P001" {
		t.Fatalf("activities: %+v", doc.Activities)
	}
	totals := map[string]decimal.Decimal{}
	for _, a := range doc.Activities {
		for _, tx := range a.Transactions {
			v := tx.Value
			if v.Currency != "CNY" || v.ValueDate == "" || v.ValueDate != tx.Date.ISODate {
				t.Errorf("%s: value %+v dated %s", tx.Ref, v, tx.Date.ISODate)
			}
			if _, frac, ok := strings.Cut(v.Amount, "."); !ok || len(frac) != 2 {
				t.Errorf("%s: amount %q is not two decimals", tx.Ref, v.Amount)
			}
			totals[tx.Type.Code] = totals[tx.Type.Code].Add(decimal.RequireFromString(v.Amount))
		}
	}
	want := map[string]string{
		"1": "1050000", // allocation + integration
		"2": "200000",  // appropriation
		"3": "152000",  // payment 150000 + payout 3000 + batch 5000 − failed line 3000 − reversed payout 3000
		"7": "10000",   // recovery
	}
	if len(totals) != len(want) {
		t.Errorf("transaction types %v, want %v", totals, want)
	}
	for typ, w := range want {
		if got := totals[typ]; !got.Equal(decimal.RequireFromString(w)) {
			t.Errorf("type %s totals %s, want %s", typ, got, w)
		}
	}
	if doc.Activities[1].Status.Code != "2" {
		t.Errorf("started project has activity status %s, want 2", doc.Activities[1].Status.Code)
	}
	var reversal string
	for _, tx := range doc.Activities[0].Transactions {
		if tx.Ref == "RV1" {
			reversal = tx.Type.Code + " " + tx.Value.Amount
		}
	}
	if reversal != "3 -3000.00" {
		t.Errorf("reversal of the payout is %q, want a disbursement of -3000.00", reversal)
	}
	if !bytes.Contains(b, []byte("seq "+strconv.Itoa(countyWrites)+", head hash ")) {
		t.Errorf("the file does not name the seq and head hash it was built from")
	}
}
