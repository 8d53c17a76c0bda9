package console

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// download is one file a page links to: the API path it comes from.
type download struct {
	Label string
	Path  string // the API path with its query
	Note  string
}

// fileRoutes are the API's file downloads the console offers, by route
// path: for each query parameter a link may carry, the values it may take
// ("" = left out). as_of may always be added: every file is as of a cut.
// A route the API does not have is not offered. Full names, ID and card
// numbers appear only in the bank's payout file (代发文件, finance and
// auditors, logged by the API); the ledger's NDJSON export, which also
// carries them, is left to the API and the CLI.
var fileRoutes = map[string]map[string][]string{
	"/v1/ledgers/:ledger/export":                       {"format": {"csv", "xlsx", "iati"}},
	"/v1/ledgers/:ledger/payout-batches/:id/bank-file": nil,
	"/v1/ledgers/:ledger/payout-batches/:id/publicity": {"format": {"", "csv"}},
	"/v1/ledgers/:ledger/trace/funds/:id":              {"format": {"xlsx"}},
	"/v1/ledgers/:ledger/trace/households/:id":         {"format": {"xlsx"}},
	"/v1/ledgers/:ledger/audit":                        nil,
}

// offered reports whether the console may fetch the API path p (with its
// query) as a download for ledger l.
func (c *Console) offered(l string, p *url.URL) bool {
	if !strings.HasPrefix(p.Path, ledgerPath(l)+"/") {
		return false
	}
	rt, ok := c.matchRoute(http.MethodGet, p.Path)
	if !ok {
		return false
	}
	need, ok := fileRoutes[rt.Path]
	if !ok {
		return false
	}
	q := p.Query()
	for k := range q {
		if _, known := need[k]; !known && k != "as_of" {
			return false
		}
	}
	for k, allowed := range need {
		if len(q[k]) > 1 || !slices.Contains(allowed, q.Get(k)) {
			return false
		}
	}
	return true
}

// downloads lists the ledger's files.
func (c *Console) downloads(w http.ResponseWriter, r *http.Request, s *session) {
	l := r.PathValue("ledger")
	var ds []download
	if _, ok := c.route(http.MethodGet, "/v1/ledgers/:ledger/export"); ok {
		ds = append(ds,
			download{"资金流水（CSV，Excel 可直接打开）", ledgerPath(l, "export") + "?format=csv", ""},
			download{"资金流水（XLSX）", ledgerPath(l, "export") + "?format=xlsx", ""},
			download{"IATI 格式活动文件", ledgerPath(l, "export") + "?format=iati", "供其他系统导入"})
	}
	if _, ok := c.route(http.MethodGet, "/v1/ledgers/:ledger/audit"); ok {
		ds = append(ds, download{"审计工作簿（XLSX）", ledgerPath(l, "audit"), "汇总、审计发现及证据、资金溯源"})
	}
	p := c.newPage(r, s, "下载", ds)
	p.Section, p.ShowAsOf = "downloads", true
	c.render(w, r, http.StatusOK, "downloads.html", p)
}

// batchDownloads are a batch's files, where the API has them.
func (c *Console) batchDownloads(l, id string) []download {
	var out []download
	if _, ok := c.route(http.MethodGet, "/v1/ledgers/:ledger/payout-batches/:id/bank-file"); ok {
		out = append(out, download{"代发文件（交银行，含完整姓名和卡号）", ledgerPath(l, "payout-batches", id, "bank-file"), "下载将记入日志"})
	}
	if _, ok := c.route(http.MethodGet, "/v1/ledgers/:ledger/payout-batches/:id/publicity"); ok {
		out = append(out, download{"公示清册（已脱敏，XLSX）", ledgerPath(l, "payout-batches", id, "publicity"), ""},
			download{"公示清册（CSV）", ledgerPath(l, "payout-batches", id, "publicity") + "?format=csv", ""})
	}
	return out
}

// download fetches one of the API's files for the clerk, streaming it
// with the API's own type and file name; a refusal is shown as a page.
func (c *Console) download(w http.ResponseWriter, r *http.Request, s *session) {
	l := r.PathValue("ledger")
	target, err := url.Parse(r.URL.Query().Get("p"))
	if err != nil || !c.offered(l, target) {
		c.fail(w, r, s, http.StatusBadRequest, "不能下载", "该文件不在可下载之列。")
		return
	}
	q := target.Query()
	if v := r.URL.Query().Get("as_of"); v != "" && q.Get("as_of") == "" {
		q.Set("as_of", v)
	}
	c.log.Info("console: download", "actor", s.principal.ID, "path", target.Path, "query", q.Encode())
	req := c.request(r, s, http.MethodGet, target.Path, q, "", nil)
	pw := &passWriter{out: w, header: http.Header{}}
	c.api.ServeHTTP(pw, req)
	if pw.status == 0 {
		pw.WriteHeader(http.StatusOK)
	}
	if !pw.passing {
		a := answer{Status: pw.status, Header: pw.header, Body: pw.buf.Bytes()}
		c.apiFail(w, r, s, a.failure())
	}
}

// passWriter streams a successful API answer to the clerk and keeps a
// failed one to be shown as a page.
type passWriter struct {
	out     http.ResponseWriter
	header  http.Header
	status  int
	passing bool
	buf     bytes.Buffer
}

func (w *passWriter) Header() http.Header { return w.header }

func (w *passWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if code == http.StatusOK {
		for _, k := range []string{"Content-Type", "Content-Disposition", "Content-Length", "Last-Modified", "Etag"} {
			if v := w.header.Get(k); v != "" {
				w.out.Header().Set(k, v)
			}
		}
		w.out.Header().Del("Content-Security-Policy")
		w.out.WriteHeader(code)
		w.passing = true
	}
}

func (w *passWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.passing {
		return w.out.Write(p)
	}
	return w.buf.Write(p)
}

// Flush lets a streamed export reach the clerk as it is made.
func (w *passWriter) Flush() {
	if w.passing {
		_ = http.NewResponseController(w.out).Flush()
	}
}
