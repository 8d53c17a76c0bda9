package console

import (
	"embed"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/fundledger/fundledger/api"
)

// API is what the console needs of the HTTP API: its handler (called in
// process for every read and write), its route table (which uploads,
// downloads and query parameters exist) and its token check.
type API interface {
	http.Handler
	Routes() []api.Route
	Authenticate(bearer string) (api.Principal, bool)
}

// Options tune a console; the zero value is ready.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // sessions' clock (tests)
}

// Console serves /console/. Build it with New and mount it on the API's
// server (api.Server.Mount).
type Console struct {
	api      API
	log      *slog.Logger
	sessions *sessions
	mux      *http.ServeMux
}

//go:embed templates/*.html static/*
var files embed.FS

// Prefix is where the console is served.
const Prefix = "/console/"

// New builds the console over a.
func New(a API, opts Options) *Console {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Console{api: a, log: opts.Logger, sessions: newSessions(opts.Now), mux: http.NewServeMux()}
	m := c.mux
	m.HandleFunc("GET /console/{$}", c.signedIn(c.home, false))
	m.HandleFunc("GET /console/signin", c.signinPage)
	m.HandleFunc("POST /console/signin", c.signin)
	m.HandleFunc("POST /console/signout", c.signedIn(c.signout, false))
	m.HandleFunc("GET /console/static/console.css", c.stylesheet)
	m.HandleFunc("GET /console/open", c.signedIn(c.openForm, true))
	m.HandleFunc("POST /console/open", c.signedIn(c.openForm, true))
	const L = "/console/l/{ledger}"
	m.HandleFunc("GET "+L+"/{$}", c.signedIn(c.dashboard, false))
	m.HandleFunc("GET "+L+"/list/{kind}", c.signedIn(c.list, false))
	m.HandleFunc("GET "+L+"/r/{kind}/{id}", c.signedIn(c.record, false))
	m.HandleFunc("GET "+L+"/trace/{kind}/{id}", c.signedIn(c.trace, false))
	m.HandleFunc("GET "+L+"/findings", c.signedIn(c.findings, false))
	m.HandleFunc("GET "+L+"/verify", c.signedIn(c.verify, false))
	m.HandleFunc("GET "+L+"/downloads", c.signedIn(c.downloads, false))
	m.HandleFunc("GET "+L+"/download", c.signedIn(c.download, false))
	m.HandleFunc("GET "+L+"/write", c.signedIn(c.writeIndex, true))
	m.HandleFunc("GET "+L+"/write/{cmd}", c.signedIn(c.writeForm, true))
	m.HandleFunc("POST "+L+"/write/{cmd}", c.signedIn(c.writeForm, true))
	m.HandleFunc("GET "+L+"/upload/{cmd}", c.signedIn(c.uploadForm, true))
	m.HandleFunc("POST "+L+"/upload/{cmd}", c.signedIn(c.uploadPreview, true))
	m.HandleFunc("POST "+L+"/upload/{cmd}/commit", c.signedIn(c.uploadCommit, true))
	return c
}

// ServeHTTP answers every console path, with headers that keep its pages
// out of caches, frames and other sites' referrers, and a policy that lets
// them load nothing but the console's own stylesheet.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if !strings.HasPrefix(r.URL.Path, "/console/static/") {
		h.Set("Cache-Control", "no-store")
	}
	c.mux.ServeHTTP(w, r)
}

// handler is a console page for a signed-in clerk.
type handler func(w http.ResponseWriter, r *http.Request, s *session)

// maxForm bounds a posted form: an upload of the API's largest batch file
// and its fields.
const maxForm = api.MaxUpload + 1<<20

// signedIn lets a request through with its session: without one it goes
// to the sign-in page; a POST must carry the session's CSRF token (else
// 403, nothing done); write pages need the finance (or admin) role.
func (c *Console) signedIn(h handler, write bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := c.session(r)
		if s == nil {
			if r.Method == http.MethodPost {
				c.fail(w, r, nil, http.StatusForbidden, "会话已失效", "请重新登录后再提交。")
				return
			}
			http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseMultipartForm(8 << 20); err != nil && err != http.ErrNotMultipart {
				c.fail(w, r, s, http.StatusRequestEntityTooLarge, "提交内容过大或无法读取", err.Error())
				return
			}
			if !sameToken(r.PostFormValue("csrf"), s.csrf) {
				c.log.Warn("console: form without its CSRF token refused", "path", r.URL.Path, "actor", s.principal.ID)
				c.fail(w, r, s, http.StatusForbidden, "表单已失效", "这个表单没有有效的校验码（CSRF），未执行任何操作。请回到页面重新提交。")
				return
			}
		}
		if write && !canWrite(s.principal.Role) {
			c.fail(w, r, s, http.StatusForbidden, "无此权限", "录入和导入需要财务（finance）角色的令牌；审计令牌只能查看。")
			return
		}
		h(w, r, s)
	}
}

func canWrite(role string) bool { return role == api.RoleFinance || role == api.RoleAdmin }

// session answers the request's live session, or nil.
func (c *Console) session(r *http.Request) *session {
	ck, err := r.Cookie(CookieName)
	if err != nil || ck.Value == "" {
		return nil
	}
	s, ok := c.sessions.get(ck.Value)
	if !ok {
		return nil
	}
	return s
}

func (c *Console) stylesheet(w http.ResponseWriter, r *http.Request) {
	b, _ := files.ReadFile("static/console.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}
