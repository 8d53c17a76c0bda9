package console

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/fundledger/fundledger/disclosure"
	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/projections"
)

// readQuery is the query a read page passes on to the API: the cut.
func readQuery(r *http.Request) url.Values {
	q := url.Values{}
	if v := r.URL.Query().Get("as_of"); v != "" {
		q.Set("as_of", v)
	}
	return q
}

// dashData is the county dashboard: the summary and its charts.
type dashData struct {
	Sum      projections.Summary
	Sources  template.HTML
	Projects template.HTML
	Payouts  template.HTML
}

// dashboard shows the county summary with bar charts drawn as inline SVG
// (disclosure.BarChart, as the notice board draws them).
func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, s *session) {
	l := r.PathValue("ledger")
	var d dashData
	if e := c.get(r, s, ledgerPath(l, "summary"), readQuery(r), &d.Sum); e != nil {
		c.apiFail(w, r, s, e)
		return
	}
	var src []disclosure.Bar
	for _, b := range d.Sum.Funds.BySourceLevel {
		if !b.Amount.IsZero() {
			src = append(src, disclosure.Bar{Label: valueLabel(b.Key), Value: b.Amount, Note: b.Amount.String() + " 元"})
		}
	}
	d.Sources = barChart("资金来源（按级次）", src)
	var prj []disclosure.Bar
	for _, g := range d.Sum.Projects.ByCategory {
		prj = append(prj, disclosure.Bar{Label: valueLabel(g.Key), Value: g.Paid, Max: g.Budget,
			Note: "已付 " + g.Paid.String() + "（" + pct(domain.Ratio(g.Paid, g.Budget)) + "）"})
	}
	d.Projects = barChart("项目支出进度（按类别）", prj)
	var pay []disclosure.Bar
	for _, it := range d.Sum.Payouts.ByItem {
		pay = append(pay, disclosure.Bar{Label: it.Item, Value: it.Amount, Note: it.Amount.String() + " 元"})
	}
	d.Payouts = barChart("补助发放（按项目）", pay)
	p := c.newPage(r, s, "概览", d)
	p.Section, p.ShowAsOf = "dashboard", true
	c.render(w, r, http.StatusOK, "dashboard.html", p)
}

// listPageSize is how many rows a console list shows at once.
const listPageSize = "50"

// listData is one page of a list.
type listData struct {
	Kind   string
	Q      string
	Token  string
	List   projections.List
	Import *cmdLink // the file import that adds to this list, for a clerk who may write
}

// listImports are the file imports that add records to a list.
var listImports = map[string]string{"households": "register_households", "payout-batches": "payout_batch"}

// list shows a page of one kind of record, searched with q and paged by
// the API's keyset token.
func (c *Console) list(w http.ResponseWriter, r *http.Request, s *session) {
	l, kind := r.PathValue("ledger"), r.PathValue("kind")
	if _, ok := kindTitles[kind]; !ok {
		c.fail(w, r, s, http.StatusNotFound, "没有这个列表", "列表有：资金、项目、行政村、建档立卡户、收款单位、发放批次。")
		return
	}
	d := listData{Kind: kind, Q: r.URL.Query().Get("q"), Token: r.URL.Query().Get("page_token")}
	q := readQuery(r)
	q.Set("page_size", listPageSize)
	if d.Q != "" {
		q.Set("q", d.Q)
	}
	if d.Token != "" {
		q.Set("page_token", d.Token)
	}
	if e := c.get(r, s, ledgerPath(l, kind), q, &d.List); e != nil {
		c.apiFail(w, r, s, e)
		return
	}
	if cmd, ok := command(listImports[kind]); ok && canWrite(s.principal.Role) {
		if _, up := c.uploadRoute(cmd); up {
			d.Import = &cmdLink{Spec: cmd, Title: commandTitle(cmd), Upload: true}
		}
	}
	p := c.newPage(r, s, kindTitles[kind], d)
	p.Section, p.ShowAsOf = kind, true
	c.render(w, r, http.StatusOK, "list.html", p)
}

// traceData is a fund's or a household's trace.
type traceData struct {
	Kind      string
	ID        string
	Fund      *projections.FundTrace
	Household *projections.HouseholdTrace
	Who       *projections.ListItem // the household's row: name, masked numbers
	XLSX      string                // the API's XLSX download of this trace, when it has one
}

// trace shows where a fund's money went, or every payout line of a household.
func (c *Console) trace(w http.ResponseWriter, r *http.Request, s *session) {
	l, kind, id := r.PathValue("ledger"), r.PathValue("kind"), r.PathValue("id")
	d := traceData{Kind: kind, ID: id}
	var e *apiError
	switch kind {
	case "funds":
		d.Fund = &projections.FundTrace{}
		e = c.get(r, s, ledgerPath(l, "trace", "funds", id), readQuery(r), d.Fund)
	case "households":
		d.Household = &projections.HouseholdTrace{}
		e = c.get(r, s, ledgerPath(l, "trace", "households", id), readQuery(r), d.Household)
		if e == nil {
			d.Who = c.findItem(r, s, l, kind, id)
		}
	default:
		c.fail(w, r, s, http.StatusNotFound, "没有这种溯源", "可以追溯资金（funds）和农户（households）。")
		return
	}
	if e != nil {
		c.apiFail(w, r, s, e)
		return
	}
	if c.routeAccepts(http.MethodGet, "/v1/ledgers/:ledger/trace/"+kind+"/:id", "format") {
		d.XLSX = "trace/" + kind + "/" + url.PathEscape(id) + "?format=xlsx"
	}
	title := "资金溯源 " + id
	if kind == "households" {
		title = "农户溯源 " + id
	}
	p := c.newPage(r, s, title, d)
	p.Section, p.ShowAsOf = kind, true
	c.render(w, r, http.StatusOK, "trace.html", p)
}

// findItem answers a record's list row (a household's name and masked
// numbers), found by searching its id.
func (c *Console) findItem(r *http.Request, s *session, l, kind, id string) *projections.ListItem {
	q := readQuery(r)
	q.Set("q", id)
	q.Set("page_size", "1000")
	var list projections.List
	if e := c.get(r, s, ledgerPath(l, kind), q, &list); e != nil {
		return nil
	}
	for i := range list.Items {
		if list.Items[i].ID == id {
			return &list.Items[i]
		}
	}
	return nil
}
