package console_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

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

// TestBatchUploadPreviewsThenCommits: a payout-batch file is previewed
// (its lines and total against the control totals, nothing written), then
// committed as previewed; a preview commits once; a file whose control
// totals disagree is refused whole with the domain's reason.
func TestBatchUploadPreviewsThenCommits(t *testing.T) {
	e := startEnv(t)
	e.loadDemo(200)
	fund := e.fundWith(1000)
	_, fin := e.token("finance")
	k := e.newClerk()
	k.mustSignIn(fin)
	k.get(L + "/upload/payout_batch")
	file := []byte("household,amount\nH0002,100.00\nH0003,150.50\n")
	fields := url.Values{"id": {"B-console-1"}, "fund": {fund}, "item": {"测试补助"}, "period": {"2019"},
		"control_count": {"2"}, "control_amount": {"250.50"}}
	before := e.seq(demo.Ledger)
	p := k.postFile(L+"/upload/payout_batch", fields, "batch.csv", file)
	if p.status != 200 || !strings.Contains(p.body, `id="preview-lines">2`) || !strings.Contains(p.body, "250.50 元") || strings.Contains(p.body, `class="bad-text"`) {
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
	if st, b := e.api("GET", "/v1/ledgers/"+demo.Ledger+"/payout-batches/B-console-1", adminToken, nil); st != 200 || b["amount"] != "250.50" {
		t.Fatalf("batch after commit: %d %v", st, b)
	}
	if p := k.post(L+"/upload/payout_batch/commit", url.Values{"upload": {id[1]}}); p.status != http.StatusConflict {
		t.Errorf("second commit of one preview: %d, want 409", p.status)
	}

	// Control totals that disagree: the preview says so, the ledger refuses.
	fields.Set("id", "B-console-2")
	fields.Set("control_amount", "999.00")
	k.get(L + "/upload/payout_batch")
	p = k.postFile(L+"/upload/payout_batch", fields, "batch.csv", file)
	if !strings.Contains(p.body, `class="bad-text"`) {
		t.Errorf("preview does not flag the control amount")
	}
	id = uploadID.FindStringSubmatch(p.body)
	before = e.seq(demo.Ledger)
	p = k.post(L+"/upload/payout_batch/commit", url.Values{"upload": {id[1]}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "控制数与明细不符") {
		t.Errorf("mismatched commit: %d", p.status)
	}
	if e.seq(demo.Ledger) != before {
		t.Error("a refused batch wrote")
	}
}
