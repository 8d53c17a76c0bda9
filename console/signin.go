package console

import (
	"net/http"
	"net/url"
	"strings"
)

// signinPage shows the sign-in form. Before there is a session the form's
// CSRF token is a random value also set as a cookie (double submit), so
// another site cannot sign a clerk in under its own token.
func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	c.showSignin(w, r, http.StatusOK, "")
}

func (c *Console) showSignin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	pre := ""
	if ck, err := r.Cookie(preCookie); err == nil && len(ck.Value) >= 32 {
		pre = ck.Value
	} else {
		pre = randomToken()
		http.SetCookie(w, cookie(r, preCookie, pre, 3600))
	}
	p := &page{Title: "登录", CSRF: pre, Message: msg}
	if r.URL.Query().Get("out") != "" {
		p.Notice = "已退出登录。"
	}
	c.render(w, r, status, "signin.html", p)
}

// signin checks the token with the API's token store and starts a session.
func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, nil, http.StatusBadRequest, "无法读取表单", err.Error())
		return
	}
	ck, err := r.Cookie(preCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), ck.Value) {
		c.fail(w, r, nil, http.StatusForbidden, "表单已失效", "登录表单没有有效的校验码（CSRF），请刷新登录页后重试。")
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	p, ok := c.api.Authenticate(token)
	if token == "" || !ok {
		c.log.Info("console: sign-in refused", "remote", r.RemoteAddr)
		c.showSignin(w, r, http.StatusUnauthorized, "令牌无效或已吊销。")
		return
	}
	s := c.sessions.start(p, token)
	c.log.Info("console: signed in", "actor", p.ID, "role", p.Role, "ledger", p.Ledger)
	http.SetCookie(w, cookie(r, CookieName, s.id, 0))
	http.SetCookie(w, cookie(r, preCookie, "", -1))
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// signout ends the session and clears its cookie.
func (c *Console) signout(w http.ResponseWriter, r *http.Request, s *session) {
	c.sessions.end(s.id)
	c.log.Info("console: signed out", "actor", s.principal.ID)
	http.SetCookie(w, cookie(r, CookieName, "", -1))
	http.Redirect(w, r, "/console/signin?out=1", http.StatusSeeOther)
}

// ledgerItem is one ledger of GET /v1/ledgers.
type ledgerItem struct {
	Ledger   string `json:"ledger"`
	Name     string `json:"name"`
	Seq      uint64 `json:"seq"`
	HeadHash string `json:"head_hash"`
	Damaged  any    `json:"damaged"`
}

// home lists the ledgers the token may read; with only one, it opens it.
func (c *Console) home(w http.ResponseWriter, r *http.Request, s *session) {
	var out struct {
		Ledgers []ledgerItem `json:"ledgers"`
	}
	if e := c.get(r, s, "/v1/ledgers", nil, &out); e != nil {
		c.apiFail(w, r, s, e)
		return
	}
	if len(out.Ledgers) == 1 {
		http.Redirect(w, r, "/console/l/"+url.PathEscape(out.Ledgers[0].Ledger)+"/", http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "home.html", c.newPage(r, s, "账本", out.Ledgers))
}
