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
