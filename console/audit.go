package console

import (
	"net/http"
	"strconv"
)

// findingView is one audit finding: its figures as the API gives them
// (shown whole, so evidence and fields added later appear), the records it
// names, and whether it can be acknowledged here.
type findingView struct {
	Kind    string
	Title   string
	ID      string
	Amount  string
	Detail  string
	Fields  jnode
	Links   []recordLink
	CanAck  bool
	AckPath string
}

type recordLink struct {
	Label string
	Path  string // console path under the ledger
}

// findingsPage is how many findings a page shows.
const findingsPage = 50

// findingsData is a page of findings, of one kind or all, with the count
// of each kind.
type findingsData struct {
	Kind   string
	Kinds  []kindCount
	Counts map[string]int
	Total  int
	Items  []findingView
	Next   int // offset of the next page; 0: none
}

type kindCount struct {
	Kind, Title string
	Count       int
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
	d := findingsData{Kind: r.URL.Query().Get("kind"), Counts: map[string]int{}}
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	from = max(from, 0)
	seen := 0
	for _, x := range list {
		f, ok := x.(map[string]any)
		if !ok {
			continue
		}
		kind := str(f["kind"])
		if d.Counts[kind] == 0 {
			d.Kinds = append(d.Kinds, kindCount{Kind: kind, Title: str(f["title"])})
		}
		d.Counts[kind]++
		d.Total++
		if d.Kind != "" && kind != d.Kind {
			continue
		}
		seen++
		if seen <= from || len(d.Items) == findingsPage {
			if seen > from+findingsPage {
				d.Next = from + findingsPage
			}
			continue
		}
		fv := findingView{Kind: kind, Title: str(f["title"]), ID: str(f["id"]), Amount: str(f["amount"])}
		rest := map[string]any{}
		for k, val := range f {
			if k != "kind" && k != "title" && k != "id" && k != "amount" && k != "detail" {
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
		fv.Detail = str(f["detail"])
		d.Items = append(d.Items, fv)
	}
	for i := range d.Kinds {
		d.Kinds[i].Count = d.Counts[d.Kinds[i].Kind]
	}
	p := c.newPage(r, s, "审计发现", d)
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
