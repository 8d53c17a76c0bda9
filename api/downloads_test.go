package api_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// get downloads a file.
func (e *env) get(path, token string) response {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.url+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(req)
}

// unzipText answers every part of an XLSX (a zip) as one text, so a test
// can search what the file holds whatever sheet or shared-string table
// a value sits in.
func unzipText(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not an XLSX: %v", err)
	}
	var out strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out.Write(b)
	}
	return out.String()
}

// payoutCounty seeds a county with a project (paid, recovered, holding),
// a batch of two lines one of which the bank failed, and answers the
// finance token.
func (e *env) payoutCounty() string {
	e.t.Helper()
	fin := e.seedCounty("1000.00")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/households", fin, household("H0003")), 201)
	e.must(e.call("POST", L+"/projects", fin, map[string]any{"id": "P1", "name": "道路硬化", "village": "V001", "category": "infrastructure",
		"batch": "2019-1", "budget": "500.00", "approval_doc": "某扶〔2019〕3号"}), 201)
	e.must(e.call("POST", L+"/projects/P1/appropriations", fin, map[string]any{"id": "AP1", "fund": "A1", "amount": "400.00"}), 201)
	e.must(e.call("POST", L+"/projects/P1/payments", fin, map[string]any{"id": "PY1", "fund": "A1", "payee": "=某建筑公司", "amount": "250.50",
		"voucher_no": "凭证1", "method": "treasury"}), 201)
	e.must(e.call("POST", L+"/projects/P1/recoveries", fin, map[string]any{"id": "R1", "fund": "A1", "amount": "20.00", "reason": "结余收回"}), 201)
	e.must(e.call("POST", L+"/payout-batches", fin, map[string]any{"id": "B1", "fund": "A1", "item": "产业扶持", "period": "2019",
		"control": map[string]any{"count": 2, "amount": "30.25"}, "lines": []any{
			map[string]any{"household": "H0001", "amount": "10.25"}, map[string]any{"household": "H0003", "amount": "20.00"}}}), 201)
	e.must(e.call("POST", L+"/payout-batches/B1/bank-results", fin, map[string]any{"lines": []any{
		map[string]any{"household": "H0003", "status": "failed", "reason": "账户冻结"}}}), 201)
	return fin
}

// TestBankFileHasFullNumbersAndPublicityNone: the 代发文件 holds the full
// ID and card numbers (auditor may download it, the download is logged
// without them); the 公示清册, XLSX or CSV, holds none, only masked ones.
func TestBankFileHasFullNumbersAndPublicityNone(t *testing.T) {
	e := startEnv(t, "")
	e.payoutCounty()
	_, aud := e.token("auditor", "")
	L := "/v1/ledgers/" + county
	full := household("H0001")["id_number"].(string)
	masked := full[:3] + strings.Repeat("*", 11) + full[14:]

	r := e.must(e.get(L+"/payout-batches/B1/bank-file", aud), 200)
	if ct := r.header.Get("Content-Type"); ct != mimeXLSX || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("bank file answered %s, %s", ct, r.header.Get("Content-Disposition"))
	}
	bank := unzipText(t, r.raw)
	for _, want := range []string{full, testBankAcct, "张三", "代发文件", "户主姓名"} {
		if !strings.Contains(bank, want) {
			t.Errorf("the bank file lacks %q", want)
		}
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"bank file downloaded"`) || !strings.Contains(logs, `"batch":"B1"`) || !strings.Contains(logs, `"lines":2`) {
		t.Errorf("the download is not logged with batch and lines: %s", logs)
	}
	if strings.Contains(logs, testBankAcct) || strings.Contains(logs, full) {
		t.Error("the log holds a full card or ID number")
	}

	pub := e.must(e.get(L+"/payout-batches/B1/publicity", aud), 200)
	pubCSV := e.must(e.get(L+"/payout-batches/B1/publicity?format=csv", aud), 200)
	for name, text := range map[string]string{"xlsx": unzipText(t, pub.raw), "csv": string(pubCSV.raw)} {
		if strings.Contains(text, full) || strings.Contains(text, testBankAcct) || strings.Contains(text, full[:14]) {
			t.Errorf("the %s publicity list holds a full number", name)
		}
		if !strings.Contains(text, masked) || !strings.Contains(text, "*"+testBankAcct[len(testBankAcct)-4:]) || !strings.Contains(text, "张三") {
			t.Errorf("the %s publicity list lacks the masked numbers or the name", name)
		}
	}
	if !strings.HasPrefix(string(pubCSV.raw), "\ufeff序号,村") {
		t.Errorf("publicity CSV starts %.40q", pubCSV.raw)
	}
	if r := e.get(L+"/payout-batches/B9/bank-file", aud); r.status != 404 {
		t.Errorf("unknown batch: %d", r.status)
	}
	if r := e.get(L+"/payout-batches/B1/bank-file", ""); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
}

// TestTraceAndAuditWorkbooks: a fund's trace as XLSX sums to the fund, a
// household's opens, and the audit workbook has its four sheets with the
// trace summing to every fund and text kept as text (a payee "=…" is not
// a formula).
func TestTraceAndAuditWorkbooks(t *testing.T) {
	e := startEnv(t, "")
	fin := e.payoutCounty()
	L := "/v1/ledgers/" + county

	r := e.must(e.get(L+"/trace/funds/A1?format=xlsx", fin), 200)
	f := openXLSX(t, r.raw)
	sums := sumBy(t, f, f.GetSheetList()[0], 0, 6)
	if sums["A1"] != "1000.00" {
		t.Fatalf("fund trace sums to %v, want 1000.00", sums)
	}
	r = e.must(e.get(L+"/trace/households/H0003?format=xlsx", fin), 200)
	rows, _ := openXLSX(t, r.raw).GetRows("户溯源 H0003")
	if len(rows) != 2 || rows[1][7] != "发放失败" {
		t.Fatalf("household trace rows %v", rows)
	}
	if r := e.get(L+"/trace/funds/A1?format=pdf", fin); r.status != 400 {
		t.Fatalf("format=pdf: %d", r.status)
	}

	r = e.must(e.get(L+"/audit", fin), 200)
	f = openXLSX(t, r.raw)
	if got := strings.Join(f.GetSheetList(), ","); got != "汇总,资金,审计发现,资金溯源" {
		t.Fatalf("sheets %s", got)
	}
	traced := sumBy(t, f, "资金溯源", 0, 6)
	funds := sumBy(t, f, "资金", 0, 5)
	if len(funds) != 1 || traced["A1"] != funds["A1"] || funds["A1"] != "1000.00" {
		t.Fatalf("funds %v, traces %v", funds, traced)
	}
	if formulas := unzipText(t, r.raw); strings.Contains(formulas, "<f>") {
		t.Fatal("the workbook holds a formula")
	}
	early := e.must(e.get(L+"/audit?as_of=6", fin), 200)
	if rows, _ := openXLSX(t, early.raw).GetRows("汇总"); rows[4][1] != "6" {
		t.Fatalf("audit as_of=6 summary %v", rows)
	}
}

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("excelize cannot open it: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sumBy sums column val of a sheet by column key, exactly.
func sumBy(t *testing.T, f *excelize.File, sheet string, key, val int) map[string]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]decimal.Decimal{}
	for _, r := range rows[1:] {
		if val >= len(r) || r[val] == "" {
			continue
		}
		d, err := decimal.NewFromString(r[val])
		if err != nil {
			t.Fatalf("%s: %q is not a number", sheet, r[val])
		}
		sums[r[key]] = sums[r[key]].Add(d)
	}
	out := map[string]string{}
	for k, v := range sums {
		out[k] = v.StringFixed(2)
	}
	return out
}
