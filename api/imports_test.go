package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// upload posts a file as the body with its Content-Type.
func (e *env) upload(path, token, contentType string, body []byte) response {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(req)
}

// registryRows are a registry as a clerk types it: Chinese headers and
// words, a village by name and by id, an ID number with a lower-case x.
func registryRows(ids ...string) [][]string {
	rows := [][]string{{"户编号", "村", "户主姓名", "身份证号", "人口数", "类别", "状态", "开户银行", "银行卡号"}}
	for i, id := range ids {
		village, cat, status := "罗田村", "低保户", "贫困户"
		if i%2 == 1 {
			village, cat, status = "V001", "一般户", "已脱贫"
		}
		first17 := fmt.Sprintf("3415041985%07d", 3000000+i*7919)
		rows = append(rows, []string{id, village, "张" + id, strings.ToLower(first17 + string(checkDigit(first17))), fmt.Sprint(2 + i%4), cat, status,
			"农商银行", fmt.Sprintf("62170099%011d", i+1)})
	}
	return rows
}

func checkDigit(first17 string) byte { return idNumber(first17)[17] }

func csvOf(rows [][]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\r\n")
	}
	return []byte(b.String())
}

func gbkOf(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// xlsxOf writes rows to an XLSX, each at its own row number (a nil row
// stays blank), cells as text.
func xlsxOf(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// headOf answers a ledger's durable head (seq and hash) as its writer
// knows it: a write would move it.
func (e *env) headOf(_, code string) string {
	e.t.Helper()
	seq, hash, err := e.mgr.Head(context.Background(), code)
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprint(seq, " ", hash)
}

// openCounty opens a ledger with village V001 罗田村.
func (e *env) openCounty(fin, code string) {
	e.t.Helper()
	e.must(e.call("POST", "/v1/ledgers", fin, map[string]any{"code": code, "name": "某县"}), 201)
	e.must(e.call("POST", "/v1/ledgers/"+code+"/villages", fin, map[string]any{"id": "V001", "name": "罗田村", "township": "城关镇", "poor_village": true}), 201)
}

// TestRegistryImportsIdenticallyFromUTF8GBKAndXLSX: one registry saved as
// CSV UTF-8 with a BOM, CSV GBK and XLSX, imported into three ledgers,
// writes the same events, in one commit each.
func TestRegistryImportsIdenticallyFromUTF8GBKAndXLSX(t *testing.T) {
	e := startEnv(t, "")
	_, fin := e.token("finance", "")
	rows := registryRows("H1001", "H1002", "H1003", "H1004")
	files := []struct {
		code, mime string
		body       []byte
	}{
		{"341504", "text/csv", append([]byte("\ufeff"), csvOf(rows)...)},
		{"341502", "text/csv", gbkOf(t, csvOf(rows))},
		{"341503", mimeXLSX, xlsxOf(t, rows)},
	}
	var first string
	for _, f := range files {
		e.openCounty(fin, f.code)
		before := e.must(e.call("GET", "/v1/ledgers/"+f.code+"/events", fin, nil), 200)
		r := e.must(e.upload("/v1/ledgers/"+f.code+"/households/import", fin, f.mime, f.body), 201)
		events, _ := json.Marshal(r.body["events"])
		if first == "" {
			first = string(events)
			if n := len(r.body["events"].([]any)); n != 4 {
				t.Fatalf("%d events, want 4: %s", n, r.raw)
			}
			for _, want := range []string{`"category":"dibao"`, `"status":"exited"`, `"village":"V001"`, `"members":3`, `X"`} {
				if !strings.Contains(first, want) {
					t.Errorf("events lack %s: %s", want, first)
				}
			}
		} else if string(events) != first {
			t.Errorf("%s (%s) wrote\n%s\nthe UTF-8 file wrote\n%s", f.code, f.mime, events, first)
		}
		if seq := r.num("seq"); seq != before.num("seq")+1 {
			t.Errorf("%s: the file took commit %v after %v, want one commit", f.code, seq, before.num("seq"))
		}
	}
	l := e.must(e.call("GET", "/v1/ledgers/341502/households", fin, nil), 200)
	if n := len(l.body["items"].([]any)); n != 4 {
		t.Fatalf("GBK ledger lists %d households: %s", n, l.raw)
	}
}

// TestRegistryImportListsEveryBadRowAndWritesNothing: a file with bad rows
// answers 422 invalid_rows naming each row as Excel numbers it and the
// column as written, the head unchanged; dry_run writes nothing; the
// fixed file imports.
func TestRegistryImportListsEveryBadRowAndWritesNothing(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100.00") // H0001 holds idNumber("34150419800101001")
	L := "/v1/ledgers/" + county
	good := registryRows("H2001", "H2002", "H2003", "H2004", "H2005", "H2006", "H2007")
	bad := make([][]string, len(good))
	for i := range good {
		bad[i] = append([]string(nil), good[i]...)
	}
	bad[2][3] = bad[2][3][:17] + "0" // row 3: check digit wrong (the good one is never 0 here)
	if good[2][3][17] == '0' {
		bad[2][3] = bad[2][3][:17] + "1"
	}
	bad[3][3] = idNumber("34150419800101001") // row 4: H0001's ID number
	bad[4][1] = "不存在村"                        // row 5: unknown village
	bad[5][4] = "四"                           // row 6: members not a number
	bad[6][0] = "H2001"                       // row 7: household id on row 2 too
	bad = append(bad, append([]string(nil), bad[1]...))
	bad[8][0] = "H2099" // row 9: the ID number of row 2
	head := e.headOf(fin, county)

	for _, f := range []struct {
		name, mime string
		body       []byte
	}{{"csv", "text/csv", csvOf(bad)}, {"xlsx", mimeXLSX, xlsxOf(t, bad)}} {
		r := e.upload(L+"/households/import", fin, f.mime, f.body)
		if r.status != 422 || r.errCode() != "invalid_rows" {
			t.Fatalf("%s: %d %s", f.name, r.status, r.raw)
		}
		rows := r.body["error"].(map[string]any)["rows"].([]any)
		want := []struct {
			row    int
			column string
		}{{3, "身份证号"}, {4, "身份证号"}, {5, "村"}, {6, "人口数"}, {7, "户编号"}, {9, "身份证号"}}
		if len(rows) != len(want) {
			t.Fatalf("%s: rows %s", f.name, r.raw)
		}
		for i, w := range want {
			got := rows[i].(map[string]any)
			if int(got["row"].(float64)) != w.row || got["column"] != w.column || got["reason"] == "" {
				t.Errorf("%s: problem %d is %v, want row %d column %s", f.name, i, got, w.row, w.column)
			}
		}
		if h := e.headOf(fin, county); h != head {
			t.Fatalf("%s: head moved from %s to %s", f.name, head, h)
		}
	}

	// A blank row keeps Excel's numbering: the bad row is row 4.
	blank := [][]string{good[0], good[1], {}, bad[2]}
	for _, body := range [][]byte{csvOf(blank), xlsxOf(t, blank)} {
		mime := "text/csv"
		if body[0] == 'P' {
			mime = mimeXLSX
		}
		r := e.upload(L+"/households/import", fin, mime, body)
		if rows, _ := r.body["error"].(map[string]any)["rows"].([]any); r.status != 422 || len(rows) != 1 || rows[0].(map[string]any)["row"] != 4.0 {
			t.Fatalf("%s file with a blank row: %d %s", mime, r.status, r.raw)
		}
	}

	dry := e.must(e.upload(L+"/households/import?dry_run=true", fin, "text/csv", csvOf(good)), 200)
	if dry.body["dry_run"] != true || dry.num("count") != 7 || len(dry.body["events"].([]any)) != 7 {
		t.Fatalf("dry run: %s", dry.raw)
	}
	if h := e.headOf(fin, county); h != head {
		t.Fatalf("dry run moved the head from %s to %s", head, h)
	}
	if r := e.upload(L+"/households/import?dry_run=true", fin, "text/csv", csvOf(bad)); r.status != 422 || r.errCode() != "invalid_rows" {
		t.Fatalf("dry run of the bad file: %d %s", r.status, r.raw)
	}
	// The same command as JSON: rows by position in the list, columns by field.
	js := e.call("POST", L+"/households/import", fin, map[string]any{"households": []any{
		map[string]any{"id": "H2901", "village": "V001", "head_name": "孙八", "id_number": "341504199001010130", "members": 2,
			"category": "ordinary", "bank_name": "农商银行", "bank_account": "6217000099990009"}}})
	if rows, _ := js.body["error"].(map[string]any)["rows"].([]any); js.status != 422 || len(rows) != 1 ||
		rows[0].(map[string]any)["row"] != 1.0 || rows[0].(map[string]any)["column"] != "id_number" {
		if idNumber("34150419900101013") != "341504199001010130" {
			t.Fatalf("JSON import: %d %s", js.status, js.raw)
		}
	}
	e.must(e.upload(L+"/households/import", fin, "text/csv", csvOf(good)), 201)
	if r := e.must(e.call("GET", L+"/households?q=H20", fin, nil), 200); len(r.body["items"].([]any)) != 7 {
		t.Fatalf("after import: %s", r.raw)
	}
	// The same file again: every row is now a duplicate of the ledger.
	r := e.upload(L+"/households/import", fin, "text/csv", csvOf(good))
	if rows, _ := r.body["error"].(map[string]any)["rows"].([]any); r.status != 422 || len(rows) != 7 {
		t.Fatalf("re-import: %d %s", r.status, r.raw)
	}
}

// TestRegistryImportRefusesUnknownColumnsAndNonText: a header the registry
// does not know, and a file that is neither UTF-8 nor GBK, answer 400
// invalid_file.
func TestRegistryImportRefusesUnknownColumnsAndNonText(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100.00")
	L := "/v1/ledgers/" + county
	rows := registryRows("H3001")
	rows[0][2] = "户主名字"
	if r := e.upload(L+"/households/import", fin, "text/csv", csvOf(rows)); r.status != 400 || r.errCode() != "invalid_file" {
		t.Fatalf("unknown column: %d %s", r.status, r.raw)
	}
	if r := e.upload(L+"/households/import", fin, "text/csv", []byte("\xff\xfe户\x00")); r.status != 400 || r.errCode() != "invalid_file" {
		t.Fatalf("UTF-16: %d %s", r.status, r.raw)
	}
}

// TestBankResultFile: the bank's result file (成功/失败 with 流水号 and
// 原因) records the results; a file naming a household not in the batch
// is refused row by row and writes nothing.
func TestBankResultFile(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100.00")
	L := "/v1/ledgers/" + county
	e.must(e.call("POST", L+"/households", fin, household("H0003")), 201)
	e.must(e.call("POST", L+"/payout-batches", fin, map[string]any{"id": "B1", "fund": "A1", "item": "产业扶持", "period": "2019",
		"control": map[string]any{"count": 2, "amount": "30.00"}, "lines": []any{
			map[string]any{"household": "H0001", "amount": "10.00"}, map[string]any{"household": "H0003", "amount": "20.00"}}}), 201)
	head := e.headOf(fin, county)
	bad := "户编号,状态,银行流水号,原因\nH0001,成功,R1,\nH0009,失败,,\nH0003,作废,,\n"
	r := e.upload(L+"/payout-batches/B1/bank-results", fin, "text/csv", gbkOf(t, []byte(bad)))
	if r.status != 422 || r.errCode() != "invalid_rows" {
		t.Fatalf("bad bank file: %d %s", r.status, r.raw)
	}
	rows := r.body["error"].(map[string]any)["rows"].([]any)
	if len(rows) != 2 || rows[0].(map[string]any)["row"] != 3.0 || rows[0].(map[string]any)["column"] != "户编号" ||
		rows[1].(map[string]any)["row"] != 4.0 || rows[1].(map[string]any)["column"] != "状态" {
		t.Fatalf("rows %s", r.raw)
	}
	if h := e.headOf(fin, county); h != head {
		t.Fatalf("head moved: %s → %s", head, h)
	}
	good := "户编号,状态,银行流水号,原因\nH0001,成功,R1,\nH0003,失败,R2,账户已销户\n"
	e.must(e.upload(L+"/payout-batches/B1/bank-results?dry_run=true", fin, "text/csv", []byte(good)), 200)
	if h := e.headOf(fin, county); h != head {
		t.Fatalf("dry run moved the head: %s → %s", head, h)
	}
	e.must(e.upload(L+"/payout-batches/B1/bank-results", fin, mimeXLSX, xlsxOf(t, [][]string{
		{"户编号", "状态", "银行流水号", "原因"}, {"H0001", "成功", "R1", ""}, {"H0003", "失败", "R2", "账户已销户"}})), 201)
	b := e.must(e.call("GET", L+"/payout-batches/B1", fin, nil), 200)
	rec := b.body["reconciliation"].(map[string]any)
	if rec["paid"].(map[string]any)["amount"] != "10.00" || rec["failed"].(map[string]any)["amount"] != "20.00" {
		t.Fatalf("batch after the bank file: %s", b.raw)
	}
}

// TestPayoutBatchFileListsBadLines: a batch file's bad lines answer 422
// invalid_rows with Excel row numbers; nothing is written.
func TestPayoutBatchFileListsBadLines(t *testing.T) {
	e := startEnv(t, "")
	fin := e.seedCounty("100.00")
	L := "/v1/ledgers/" + county
	head := e.headOf(fin, county)
	q := "?id=B1&fund=A1&item=光伏扶贫补助&period=2019&control_count=3&control_amount=6.00"
	r := e.upload(L+"/payout-batches"+q, fin, "text/csv", []byte("户编号,金额\nH0001,1.00\nH0009,2.00\nH0002,3.00\n"))
	if r.status != 422 || r.errCode() != "invalid_rows" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	rows := r.body["error"].(map[string]any)["rows"].([]any)
	if len(rows) != 2 || rows[0].(map[string]any)["row"] != 3.0 || rows[1].(map[string]any)["row"] != 4.0 ||
		rows[1].(map[string]any)["column"] != "户编号" {
		t.Fatalf("rows %s", r.raw)
	}
	if h := e.headOf(fin, county); h != head {
		t.Fatalf("head moved: %s → %s", head, h)
	}
}
