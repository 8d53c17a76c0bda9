package console_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/internal/demo"
)

// postFile sends a multipart form with the clerk's CSRF token and a file.
func (k *clerk) postFile(path string, vals url.Values, name string, file []byte) page {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrf", k.csrf)
	for key, vs := range vals {
		for _, v := range vs {
			_ = mw.WriteField(key, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", k.e.url+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return k.do(req)
}

var uploadID = regexp.MustCompile(`name="upload" value="([^"]+)"`)

// fundWith answers a demo fund holding at least amount.
func (e *env) fundWith(min float64) string {
	e.t.Helper()
	_, out := e.api("GET", "/v1/ledgers/"+demo.Ledger+"/funds?page_size=1000", adminToken, nil)
	for _, it := range out["items"].([]any) {
		f := it.(map[string]any)
		var bal float64
		if _, err := fmtSscan(f["balance"].(string), &bal); err == nil && bal >= min {
			return f["id"].(string)
		}
	}
	e.t.Fatal("no demo fund holds enough")
	return ""
}

// TestBatchUploadPreviewsThenCommits: a payout-batch file is previewed by
// the ledger's own dry run (its count and lines, nothing written), then
// committed as previewed, once; a file the ledger refuses (control totals
// that disagree, a line naming no household) is refused at the preview
// with the domain's reason or its rows as Excel numbers them, no commit is
// offered and nothing is written.
func TestBatchUploadPreviewsThenCommits(t *testing.T) {
	e := startEnv(t)
	e.loadDemo(200)
	fund := e.fundWith(1000)
	_, fin := e.token("finance")
	k := e.newClerk()
	k.mustSignIn(fin)
	k.get(L + "/upload/payout_batch")
	file := []byte("户编号,金额\nH0002,100.00\nH0003,150.50\n")
	fields := url.Values{"id": {"B-console-1"}, "fund": {fund}, "item": {"测试补助"}, "period": {"2019"},
		"control_count": {"2"}, "control_amount": {"250.50"}}
	before := e.seq(demo.Ledger)
	p := k.postFile(L+"/upload/payout_batch", fields, "batch.csv", file)
	if p.status != 200 || !strings.Contains(p.body, `id="preview-count">2<`) || !strings.Contains(p.body, "150.50") ||
		!strings.Contains(p.body, "H0003") || strings.Contains(p.body, `id="error"`) {
		t.Fatalf("preview: %d\n%s", p.status, p.body)
	}
	if e.seq(demo.Ledger) != before {
		t.Fatal("the preview wrote")
	}
	id := uploadID.FindStringSubmatch(p.body)
	if id == nil {
		t.Fatal("no commit form in the preview")
	}
	p = k.post(L+"/upload/payout_batch/commit", url.Values{"upload": {id[1]}})
	if p.status != 200 || !strings.Contains(p.body, `id="done-seq"`) {
		t.Fatalf("commit: %d\n%s", p.status, p.body)
	}
	if got := e.seq(demo.Ledger); got != before+1 {
		t.Fatalf("the commit moved the head from %v to %v, want one commit", before, got)
	}
	if st, b := e.api("GET", "/v1/ledgers/"+demo.Ledger+"/payout-batches/B-console-1", adminToken, nil); st != 200 || b["amount"] != "250.50" {
		t.Fatalf("batch after commit: %d %v", st, b)
	}
	if p := k.post(L+"/upload/payout_batch/commit", url.Values{"upload": {id[1]}}); p.status != http.StatusConflict {
		t.Errorf("second commit of one preview: %d, want 409", p.status)
	}
	if got := e.seq(demo.Ledger); got != before+1 {
		t.Errorf("a second commit of one preview wrote (head %v)", got)
	}

	// Refused at the preview: the reason shown, no commit offered, nothing written.
	refused := func(what string, fields url.Values, file []byte, want ...string) {
		t.Helper()
		k.get(L + "/upload/payout_batch")
		before := e.seq(demo.Ledger)
		p := k.postFile(L+"/upload/payout_batch", fields, "batch.csv", file)
		if p.status != http.StatusUnprocessableEntity || uploadID.MatchString(p.body) || !strings.Contains(p.body, `id="upload-form"`) {
			t.Errorf("%s: %d, want 422 with the form again and no commit", what, p.status)
		}
		for _, w := range want {
			if !strings.Contains(p.body, w) {
				t.Errorf("%s: the page does not say %q\n%s", what, w, p.body)
			}
		}
		if e.seq(demo.Ledger) != before {
			t.Errorf("%s: the refused preview wrote", what)
		}
	}
	fields.Set("id", "B-console-2")
	fields.Set("control_amount", "999.00")
	refused("control totals", fields, file, "控制数与明细不符")
	fields.Set("control_amount", "250.50")
	refused("unknown household", fields, []byte("户编号,金额\nH0002,100.00\nH-nobody,150.50\n"),
		`id="row-errors"`, "<td>3</td><td>户编号</td>", "H-nobody")
}

// TestRegistryAndBankResultUploads: the household registry and a batch's
// bank result file go through the ledger's dry run too. A registry CSV
// with a bad ID number is refused at the preview with its Excel row named
// and no full number on the page; the fixed file is previewed (masked),
// committed once, and its households are listed. A bank result file is
// previewed, then committed, and the batch's line shows its new status.
func TestRegistryAndBankResultUploads(t *testing.T) {
	e := startEnv(t)
	county := e.loadDemo(200)
	_, fin := e.token("finance")
	k := e.newClerk()
	k.mustSignIn(fin)
	village := county.Households[0].Village
	id1 := "11010119850101001"
	id1 += string(domain.IDNumberCheck(id1))
	id2 := "11010119850101002"
	good2 := id2 + string(domain.IDNumberCheck(id2))
	bad2 := id2 + string("0123456789X"[(strings.IndexByte("0123456789X", good2[17])+1)%11])
	registry := func(second string) []byte {
		return []byte("户编号,村,户主姓名,身份证号,人口数,类别,状态,开户银行,银行卡号\n" +
			"H8001," + village + ",测试丙," + id1 + ",4,一般户,贫困户,农商银行,6228480000000000033\n" +
			"H8002," + village + ",测试丁," + second + ",1,五保户,贫困户,农商银行,6228480000000000044\n")
	}
	noNumbers := func(what string, p page, numbers ...string) {
		t.Helper()
		for _, n := range numbers {
			if strings.Contains(p.body, n) {
				t.Errorf("%s shows the full number %s", what, n)
			}
		}
	}
	before := e.seq(demo.Ledger)
	k.get(L + "/upload/register_households")
	p := k.postFile(L+"/upload/register_households", url.Values{}, "registry.csv", registry(bad2))
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "<td>3</td><td>身份证号</td>") || uploadID.MatchString(p.body) {
		t.Errorf("registry with a bad row: %d\n%s", p.status, p.body)
	}
	noNumbers("the refused registry", p, id1, bad2, "6228480000000000033", "6228480000000000044")
	if e.seq(demo.Ledger) != before {
		t.Fatal("a refused registry wrote")
	}
	p = k.postFile(L+"/upload/register_households", url.Values{}, "registry.csv", registry(good2))
	if p.status != 200 || !strings.Contains(p.body, `id="preview-count">2<`) || !strings.Contains(p.body, "测试丁") {
		t.Fatalf("registry preview: %d\n%s", p.status, p.body)
	}
	noNumbers("the registry preview", p, id1, good2, "6228480000000000033", "6228480000000000044")
	id := uploadID.FindStringSubmatch(p.body)
	if e.seq(demo.Ledger) != before || id == nil {
		t.Fatal("the registry preview wrote, or offers no commit")
	}
	if p = k.post(L+"/upload/register_households/commit", url.Values{"upload": {id[1]}}); p.status != 200 || !strings.Contains(p.body, `id="done-seq"`) {
		t.Fatalf("registry commit: %d\n%s", p.status, p.body)
	}
	if e.seq(demo.Ledger) != before+1 {
		t.Errorf("the registry wrote %v commits, want 1", e.seq(demo.Ledger)-before)
	}
	if p = k.get(L + "/list/households?q=H800"); !strings.Contains(p.body, "测试丙") || !strings.Contains(p.body, "测试丁") {
		t.Errorf("the imported households are not listed:\n%s", p.body)
	}

	// A bank result file for a fresh batch of two lines.
	fund := e.fundWith(1000)
	k.get(L + "/upload/payout_batch")
	p = k.postFile(L+"/upload/payout_batch", url.Values{"id": {"B-results"}, "fund": {fund}, "item": {"测试补助"}, "period": {"2019"},
		"control_count": {"2"}, "control_amount": {"200.00"}}, "batch.csv", []byte("户编号,金额\nH8001,100.00\nH8002,100.00\n"))
	if id = uploadID.FindStringSubmatch(p.body); id == nil {
		t.Fatalf("batch preview: %d\n%s", p.status, p.body)
	}
	k.post(L+"/upload/payout_batch/commit", url.Values{"upload": {id[1]}})
	before = e.seq(demo.Ledger)
	results := []byte("户编号,状态,银行流水号,原因\nH8001,成功,BR-1,\nH8002,失败,BR-2,账户已冻结\n")
	k.get(L + "/upload/bank_results?_param=B-results")
	p = k.postFile(L+"/upload/bank_results", url.Values{"_param": {"B-results"}}, "results.csv", results)
	if p.status != 200 || !strings.Contains(p.body, `id="preview-count">2<`) || !strings.Contains(p.body, "账户已冻结") {
		t.Fatalf("bank results preview: %d\n%s", p.status, p.body)
	}
	if id = uploadID.FindStringSubmatch(p.body); id == nil || e.seq(demo.Ledger) != before {
		t.Fatal("the bank results preview wrote, or offers no commit")
	}
	if p = k.post(L+"/upload/bank_results/commit", url.Values{"upload": {id[1]}}); p.status != 200 || e.seq(demo.Ledger) != before+1 {
		t.Fatalf("bank results commit: %d, head %v (was %v)\n%s", p.status, e.seq(demo.Ledger), before, p.body)
	}
	_, b := e.api("GET", "/v1/ledgers/"+demo.Ledger+"/payout-batches/B-results", adminToken, nil)
	statuses := map[string]any{}
	for _, l := range b["lines"].([]any) {
		line := l.(map[string]any)
		statuses[line["household"].(string)] = line["bank_status"]
	}
	if statuses["H8001"] != "paid" || statuses["H8002"] != "failed" {
		t.Errorf("bank statuses after the results: %v", statuses)
	}
}
