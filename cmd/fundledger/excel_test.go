package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/fundledger/fundledger/domain"
)

// registryCSV is a registry file as a clerk saves it: Chinese headers and
// words, the village by name, GBK-encodable.
func registryCSV(rows ...string) string {
	return "户编号,村,户主姓名,身份证号,人口数,类别,状态,开户银行,银行卡号\r\n" + strings.Join(rows, "\r\n") + "\r\n"
}

func idNo(first17 string) string { return first17 + string(domain.IDNumberCheck(first17)) }

// TestImportHouseholdsIsAllOrNothing: a GBK registry with a bad row exits
// with an error and writes nothing; --dry-run writes nothing; the fixed
// file is one commit; the same file again writes nothing new.
func TestImportHouseholdsIsAllOrNothing(t *testing.T) {
	dir := importedCounty(t)
	_, before := ledgerState(t, dir)
	good1 := "H0101,罗田村,王五," + idNo("34150419900101011") + ",3,低保户,贫困户,农商银行,6217000099990001"
	good2 := "H0102,V001,赵六," + idNo("34150419900101012") + ",1,五保户,,农商银行,6217000099990002"
	bad := "H0103,V001,钱七,341504199001010130,2,一般户,贫困户,农商银行,6217000099990003" // check digit
	if idNo("34150419900101013") == "341504199001010130" {
		bad = strings.Replace(bad, "0130,", "0131,", 1)
	}
	gbk := func(s string) string {
		b, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	badFile := writeImportFile(t, "registry.csv", gbk(registryCSV(good1, bad, good2)))
	if err := runImport([]string{"households", "--data-dir", dir, "--ledger", "341504", badFile}); err == nil {
		t.Fatal("a file with a bad row imported")
	}
	goodFile := writeImportFile(t, "registry.csv", gbk(registryCSV(good1, good2)))
	if err := runImport([]string{"households", "--data-dir", dir, "--ledger", "341504", goodFile, "--dry-run"}); err != nil {
		t.Fatal(err)
	}
	if _, last := ledgerState(t, dir); last.Seq != before.Seq {
		t.Fatalf("a refused file or a dry run moved the head from %d to %d", before.Seq, last.Seq)
	}
	if err := runImport([]string{"households", "--data-dir", dir, "--ledger", "341504", goodFile}); err != nil {
		t.Fatal(err)
	}
	s, last := ledgerState(t, dir)
	if last.Seq != before.Seq+1 || last.Command != "register_households" {
		t.Fatalf("the file made commits up to %d (%s) after %d; want one", last.Seq, last.Command, before.Seq)
	}
	if h := s.Households["H0101"]; h == nil || h.Village != "V001" || h.Category != "dibao" || h.Members != 3 {
		t.Fatalf("H0101 registered as %+v", h)
	}
	if h := s.Households["H0102"]; h == nil || h.Status != "poor" || h.Category != "wubao" {
		t.Fatalf("H0102 registered as %+v", h)
	}
	if err := runImport([]string{"households", "--data-dir", dir, "--ledger", "341504", goodFile}); err != nil {
		t.Fatalf("the same file again: %v", err)
	}
	if _, again := ledgerState(t, dir); again.Seq != last.Seq {
		t.Fatalf("the same file again wrote up to seq %d", again.Seq)
	}
}

// TestAuditWorkbookTracesSumToTheFunds: fundledger audit writes a workbook
// excelize opens, with its four sheets, whose 资金溯源 amounts sum per fund
// to each fund's amount on the 资金 sheet.
func TestAuditWorkbookTracesSumToTheFunds(t *testing.T) {
	dir := importedCounty(t)
	out := filepath.Join(t.TempDir(), "report.xlsx")
	if err := runAudit([]string{"--data-dir", dir, "--ledger", "341504", "--as-of", "14", "--out", out}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "汇总,资金,审计发现,资金溯源" {
		t.Fatalf("sheets %s", got)
	}
	summary, _ := f.GetRows("汇总")
	if len(summary) < 5 || summary[3][1] != "14" {
		t.Fatalf("summary does not name seq 14: %v", summary)
	}
	funds := sheetSums(t, f, "资金", "资金编号", "金额")
	traced := sheetSums(t, f, "资金溯源", "资金编号", "金额")
	if len(funds) != 2 {
		t.Fatalf("funds %v", funds)
	}
	for id, amount := range funds {
		if traced[id] != amount {
			t.Errorf("fund %s: amount %s, its trace sums to %s", id, amount, traced[id])
		}
	}
}

// sheetSums sums a sheet's amount column by its key column, exactly (the
// cells' raw values read as money).
func sheetSums(t *testing.T, f *excelize.File, sheet, key, amount string) map[string]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) == 0 {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	ki, ai := -1, -1
	for i, h := range rows[0] {
		switch h {
		case key:
			ki = i
		case amount:
			ai = i
		}
	}
	sums := map[string]domain.Money{}
	for _, r := range rows[1:] {
		if ai >= len(r) || r[ai] == "" {
			continue
		}
		d, err := decimal.NewFromString(r[ai])
		if err != nil {
			t.Fatalf("sheet %s: amount %q: %v", sheet, r[ai], err)
		}
		sums[r[ki]] = sums[r[ki]].Add(domain.MustParse(d.Abs().StringFixed(2)).MulInt(int64(d.Sign())))
	}
	out := map[string]string{}
	for k, v := range sums {
		out[k] = v.String()
	}
	return out
}
