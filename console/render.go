package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/disclosure"
	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/projections"
	"github.com/shopspring/decimal"
)

// page is what every template gets: who is signed in, the ledger and cut
// being looked at, and the page's own Data.
type page struct {
	Title    string
	Section  string // the navigation entry to mark
	CSRF     string
	SignedIn bool
	Actor    string
	Role     string
	CanWrite bool
	Ledger   string
	AsOf     string
	ShowAsOf bool
	Message  string // a refusal to show above the content
	Notice   string // a success to show above the content
	Err      *apiError
	Data     any
}

// newPage starts the page of a signed-in clerk for r.
func (c *Console) newPage(r *http.Request, s *session, title string, data any) *page {
	p := &page{Title: title, Data: data, Ledger: r.PathValue("ledger"), AsOf: r.URL.Query().Get("as_of")}
	if s != nil {
		p.SignedIn, p.CSRF, p.Actor, p.Role, p.CanWrite = true, s.csrf, s.principal.ID, s.principal.Role, canWrite(s.principal.Role)
	}
	return p
}

// L answers the console path of the page's ledger plus path, keeping the
// cut being looked at (as_of) and adding query pairs (empty values are left
// out).
func (p *page) L(path string, kv ...string) string {
	u := "/console/l/" + url.PathEscape(p.Ledger) + "/" + path
	q := url.Values{}
	if p.AsOf != "" {
		q.Set("as_of", p.AsOf)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// ErrTitle is the Chinese title of the page's API error.
func (p *page) ErrTitle() string { return errorTitle(p.Err) }

var roleLabels = map[string]string{api.RoleAuditor: "审计", api.RoleFinance: "财务", api.RoleAdmin: "管理员"}

var funcs = template.FuncMap{
	"label":      label,
	"value":      valueLabel,
	"kindTitle":  func(k string) string { return kindTitles[k] },
	"roleLabel":  func(r string) string { return roleLabels[r] },
	"pe":         url.PathEscape,
	"maskID":     disclosure.MaskID,
	"maskCard":   disclosure.MaskCard,
	"pct":        pct,
	"cmdTitle":   func(d domain.CommandSpec) string { return commandTitle(d) },
	"short":      func(h string) string { return shortHash(h) },
	"join":       strings.Join,
	"add":        func(a, b int) int { return a + b },
	"kvs":        kvRows,
	"bankStatus": bankLabel,
	"bankOrder":  func() []string { return bankOrder },
	"cmdName":    cmdName,
	"when":       when,
	"card":       maskCardOnce,
	"eventTitle": eventTitle,
	"nonce":      randomToken,
	"list":       func() []string { return projections.ListKinds },
	"isDate":     func(s string) bool { return isoDate.MatchString(s) },
}

var isoDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// maskCardOnce masks a card number unless it is masked already.
func maskCardOnce(v string) string {
	if v == "" || strings.HasPrefix(v, "*") {
		return v
	}
	return disclosure.MaskCard(v)
}

// cmdName answers the Chinese name of a stored command name.
func cmdName(name string) string {
	if d, ok := domain.CommandNamed(name); ok {
		return commandTitle(d)
	}
	return name
}

// chinaTime is the time zone of the ledgers' clerks (UTC+8, no DST).
var chinaTime = time.FixedZone("CST", 8*3600)

// when shows an RFC 3339 time as the clerk reads it, in China time to the second.
func when(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.In(chinaTime).Format("2006-01-02 15:04:05")
}

// pct shows a four-decimal ratio ("0.5224") as a percentage (52.24%).
func pct(ratio string) string {
	d, err := decimal.NewFromString(ratio)
	if err != nil {
		return ratio
	}
	return fmt.Sprintf("%s%%", d.Shift(2).StringFixed(2))
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// pages are the parsed templates, one set per page: the layout, the
// shared parts (_*.html) and the page.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	var shared []string
	for _, n := range names {
		if strings.HasPrefix(n, "templates/_") {
			shared = append(shared, n)
		}
	}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if strings.HasPrefix(base, "_") {
			continue
		}
		out[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(files, append(shared, n)...))
	}
	return out
}()

// render writes a page; a template that fails is logged and answered 500
// without half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		c.log.Error("console: template failed", "page", name, "err", err)
		http.Error(w, "页面生成失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, status int, title, msg string) {
	p := c.newPage(r, s, title, nil)
	p.Message = msg
	c.render(w, r, status, "error.html", p)
}

// apiFail shows what the API refused. A token revoked since sign-in (401)
// ends the session.
func (c *Console) apiFail(w http.ResponseWriter, r *http.Request, s *session, e *apiError) {
	if e.Status == http.StatusUnauthorized && s != nil {
		c.sessions.end(s.id)
		http.SetCookie(w, cookie(r, CookieName, "", -1))
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
			return
		}
	}
	p := c.newPage(r, s, errorTitle(e), nil)
	p.Err = e
	p.ShowAsOf = r.URL.Query().Get("as_of") != ""
	c.render(w, r, e.Status, "error.html", p)
}
