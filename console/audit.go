package console

import (
	"net/http"
)

// findingView is one audit finding: its figures as the API gives them
// (shown whole, so evidence and fields added later appear), the records it
// names, and whether it can be acknowledged here.
type findingView struct {
	Kind    string
	Title   string
	ID      string
	Amount  string
	Fields  jnode
	Links   []recordLink
	CanAck  bool
	AckPath string
}

type recordLink struct {
	Label string
	Path  string // console path under the ledger
}

// findingLinks are the finding fields that name a record, and its list.
var findingLinks = []struct{ key, kind string }{
	{"household", "households"}, {"village", "villages"}, {"project", "projects"}, {"fund", "funds"},
}

// findings lists the audit findings with their evidence; with the
// acknowledgement command in the catalogue, finance can answer each.
func (c *Console) findings(w http.ResponseWriter, r *http.Request, s *session) {
	l := r.PathValue("ledger")
	a := c.call(r, s, http.MethodGet, ledgerPath(l, "findings"), readQuery(r), "", nil)
	if e := a.failure(); e != nil {
		c.apiFail(w, r, s, e)
		return
	}
	v, _ := decodeAny(a.Body)
	body, _ := v.(map[string]any)
	list, _ := body["findings"].([]any)
	ack, hasAck := command("acknowledge_finding")
	var out []findingView
	for _, x := range list {
		f, ok := x.(map[string]any)
		if !ok {
			continue
		}
		fv := findingView{Kind: str(f["kind"]), Title: str(f["title"]), ID: str(f["id"]), Amount: str(f["amount"])}
		rest := map[string]any{}
		for k, val := range f {
			if k != "kind" && k != "title" && k != "id" {
				rest[k] = val
			}
		}
		fv.Fields = kvRows(rest)
		for _, fl := range findingLinks {
			if id := str(f[fl.key]); id != "" {
				fv.Links = append(fv.Links, recordLink{label(fl.key) + " " + id, "r/" + fl.kind + "/" + id})
			}
		}
		if hasAck && fv.ID != "" && canWrite(s.principal.Role) {
			fv.CanAck, fv.AckPath = true, "write/"+ack.Name
		}
		out = append(out, fv)
	}
	p := c.newPage(r, s, "审计发现", out)
	p.Section, p.ShowAsOf = "findings", true
	c.render(w, r, http.StatusOK, "findings.html", p)
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// verifyData is the answer of the ledger's chain check.
type verifyData struct {
	Valid       bool    `json:"valid"`
	Seq         uint64  `json:"seq"`
	HeadHash    string  `json:"head_hash"`
	FirstBadSeq *uint64 `json:"first_bad_seq"`
}

// verify walks the ledger's hash chain (the API's verify) and says so.
func (c *Console) verify(w http.ResponseWriter, r *http.Request, s *session) {
	var v verifyData
	if e := c.get(r, s, ledgerPath(r.PathValue("ledger"), "verify"), nil, &v); e != nil {
		c.apiFail(w, r, s, e)
		return
	}
	p := c.newPage(r, s, "账本核验", v)
	p.Section = "verify"
	c.render(w, r, http.StatusOK, "verify.html", p)
}
