package console_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/fundledger/fundledger/console"
	"github.com/fundledger/fundledger/internal/demo"
)

const L = "/console/l/" + demo.Ledger

// TestSignInSetsAStrictSessionCookie: a valid token starts a session whose
// cookie script cannot read and other sites cannot send, scoped to the
// console, Secure over TLS.
func TestSignInSetsAStrictSessionCookie(t *testing.T) {
	e := startEnv(t)
	_, fin := e.token("finance")
	k := e.newClerk()
	p := k.signIn(fin)
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign in answered %d, want 303", p.status)
	}
	var ck *http.Cookie
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == console.CookieName {
			ck = c
		}
	}
	if ck == nil || ck.Value == "" {
		t.Fatal("no session cookie")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/console/" || ck.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/console/, not Secure over plain HTTP", ck)
	}
	if strings.Contains(ck.Value, fin) || strings.Contains(p.body, fin) {
		t.Error("the bearer token left the server")
	}

	// Over TLS the cookie is Secure: the same sign-in, on the node's
	// handler, with a TLS connection state.
	pre := httptest.NewRequest("GET", "/console/signin", nil)
	pre.TLS = &tls.ConnectionState{}
	w := httptest.NewRecorder()
	e.n.Server.ServeHTTP(w, pre)
	var preCk *http.Cookie
	for _, c := range w.Result().Cookies() {
		preCk = c
	}
	if preCk == nil || !preCk.Secure {
		t.Fatalf("sign-in form cookie over TLS: %+v, want Secure", preCk)
	}
	r := httptest.NewRequest("POST", "/console/signin", strings.NewReader(url.Values{"token": {fin}, "csrf": {preCk.Value}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(preCk)
	r.TLS = &tls.ConnectionState{}
	w = httptest.NewRecorder()
	e.n.Server.ServeHTTP(w, r)
	secure := false
	for _, c := range w.Result().Cookies() {
		secure = secure || c.Name == console.CookieName && c.Secure && c.Value != ""
	}
	if w.Code != http.StatusSeeOther || !secure {
		t.Errorf("TLS sign in: %d, Secure session cookie %v", w.Code, secure)
	}
}

// TestSignInRefusesAnUnknownToken: a wrong or revoked token starts no session.
func TestSignInRefusesAnUnknownToken(t *testing.T) {
	e := startEnv(t)
	id, aud := e.token("auditor")
	if st, _ := e.api("DELETE", "/v1/tokens/"+id, adminToken, nil); st != 204 {
		t.Fatalf("revoke: %d", st)
	}
	for _, tok := range []string{"flt_not-a-token", aud, ""} {
		k := e.newClerk()
		p := k.signIn(tok)
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "令牌无效") {
			t.Errorf("token %q: %d, want 401 with the reason", tok, p.status)
		}
		if p := k.get("/console/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/signin" {
			t.Errorf("token %q: a session was started (%d)", tok, p.status)
		}
	}
}

// TestFormsWithoutTheirCSRFTokenAreRefused: every POST — a write, sign
// out, sign in — without the form's CSRF token (or with another) is 403
// and does nothing.
func TestFormsWithoutTheirCSRFTokenAreRefused(t *testing.T) {
	e := startEnv(t)
	e.loadDemo(200)
	_, fin := e.token("finance")
	k := e.newClerk()
	k.mustSignIn(fin)
	before := e.seq(demo.Ledger)
	village := url.Values{"id": {"V900"}, "name": {"试验村"}, "township": {"城关镇"}}
	for _, csrf := range []string{"", "forged-" + strings.Repeat("x", 40)} {
		v := url.Values{"csrf": {csrf}}
		for key, val := range village {
			v[key] = val
		}
		if p := k.post(L+"/write/register_village", v); p.status != http.StatusForbidden || !strings.Contains(p.body, "CSRF") {
			t.Errorf("write with csrf %q: %d, want 403", csrf, p.status)
		}
		if p := k.post("/console/signout", url.Values{"csrf": {csrf}}); p.status != http.StatusForbidden {
			t.Errorf("sign out with csrf %q: %d, want 403", csrf, p.status)
		}
	}
	if after := e.seq(demo.Ledger); after != before {
		t.Fatalf("a forged form wrote: seq %v → %v", before, after)
	}
	if p := k.get(L + "/"); p.status != 200 {
		t.Fatalf("session ended by a forged sign-out: %d", p.status)
	}
	// With its token the same form writes.
	if p := k.post(L+"/write/register_village", village); p.status != 200 || !strings.Contains(p.body, `id="done-seq"`) {
		t.Fatalf("write with its CSRF token: %d %s", p.status, p.body)
	}
	if after := e.seq(demo.Ledger); after != before+1 {
		t.Fatalf("seq %v → %v, want one commit", before, after)
	}
	// The sign-in form has its own (pre-session) token.
	fresh := e.newClerk()
	fresh.get("/console/signin")
	if p := fresh.post("/console/signin", url.Values{"token": {fin}, "csrf": {""}}); p.status != http.StatusForbidden {
		t.Errorf("sign in without CSRF: %d, want 403", p.status)
	}
}

// TestSignOutEndsTheSession: after sign out the cookie opens nothing.
func TestSignOutEndsTheSession(t *testing.T) {
	e := startEnv(t)
	e.loadDemo(200)
	_, aud := e.token("auditor")
	k := e.newClerk()
	k.mustSignIn(aud)
	old := k.c.Jar.Cookies(mustURL(e.url + "/console/"))
	p := k.post("/console/signout", url.Values{})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/console/signin") {
		t.Fatalf("sign out: %d %s", p.status, p.header.Get("Location"))
	}
	if p := k.get(L + "/"); p.status != http.StatusSeeOther {
		t.Errorf("after sign out the dashboard answered %d", p.status)
	}
	// The old session id, replayed, is dead too.
	replay := e.newClerk()
	replay.c.Jar.SetCookies(mustURL(e.url+"/console/"), old)
	if p := replay.get(L + "/"); p.status != http.StatusSeeOther {
		t.Errorf("a signed-out session id still opens pages: %d", p.status)
	}
}

// TestRevokedTokenEndsItsSession: revoking the token signs its clerk out
// at the next page, since every page calls the API with it.
func TestRevokedTokenEndsItsSession(t *testing.T) {
	e := startEnv(t)
	e.loadDemo(200)
	id, aud := e.token("auditor")
	k := e.newClerk()
	k.mustSignIn(aud)
	if p := k.get(L + "/list/households"); p.status != 200 {
		t.Fatalf("list: %d", p.status)
	}
	e.api("DELETE", "/v1/tokens/"+id, adminToken, nil)
	if p := k.get(L + "/list/households"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/signin" {
		t.Errorf("after revocation: %d %s", p.status, p.header.Get("Location"))
	}
}

// TestPagesAreRoleAware: an auditor reads every page but has no forms and
// is refused the write pages; finance gets a form for every command.
func TestPagesAreRoleAware(t *testing.T) {
	e := startEnv(t)
	e.loadDemo(200)
	_, aud := e.token("auditor")
	_, fin := e.token("finance")
	a := e.newClerk()
	a.mustSignIn(aud)
	dash := a.get(L + "/")
	if dash.status != 200 || !strings.Contains(dash.body, `<svg class="chart"`) || !strings.Contains(dash.body, "资金规模") {
		t.Fatalf("auditor dashboard: %d", dash.status)
	}
	if strings.Contains(dash.body, "录入与导入") {
		t.Error("auditor sees the write menu")
	}
	for _, path := range []string{L + "/write", L + "/write/allocate", L + "/upload/payout_batch"} {
		if p := a.get(path); p.status != http.StatusForbidden {
			t.Errorf("auditor GET %s: %d, want 403", path, p.status)
		}
	}
	if p := a.post(L+"/write/allocate", url.Values{"id": {"A-X"}}); p.status != http.StatusForbidden {
		t.Errorf("auditor POST a write: %d, want 403", p.status)
	}
	f := e.newClerk()
	f.mustSignIn(fin)
	idx := f.get(L + "/write")
	if idx.status != 200 {
		t.Fatalf("finance write index: %d", idx.status)
	}
	for _, name := range []string{"register_village", "register_household", "allocate", "payout_batch", "reverse", "exit_household", "bank_results"} {
		if !strings.Contains(idx.body, "/write/"+name) {
			t.Errorf("write index lacks %s", name)
		}
	}
	form := f.get(L + "/write/allocate")
	for _, want := range []string{`name="source_level"`, `<option value="central">中央</option>`, `name="amount"`, "资金级次", `name="idem"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("allocate form lacks %q", want)
		}
	}
}

// TestRefusedWriteShowsTheDomainsReasonAndMarksTheField: the API's
// refusal comes back in the form, in Chinese, with the field marked and
// the values kept; nothing is written.
func TestRefusedWriteShowsTheDomainsReasonAndMarksTheField(t *testing.T) {
	e := startEnv(t)
	e.loadDemo(200)
	_, fin := e.token("finance")
	k := e.newClerk()
	k.mustSignIn(fin)
	k.get(L + "/write/appropriate")
	before := e.seq(demo.Ledger)
	p := k.post(L+"/write/appropriate", url.Values{"_param": {"P001"}, "id": {"AP-console-1"}, "fund": {"NO-SUCH-FUND"}, "amount": {"100.00"}})
	if p.status != http.StatusNotFound || !strings.Contains(p.body, "找不到所指记录") {
		t.Fatalf("unknown fund: %d, want 404 with 找不到所指记录\n%s", p.status, p.body)
	}
	if !strings.Contains(p.body, `class="field bad"`) || !strings.Contains(p.body, `value="NO-SUCH-FUND"`) {
		t.Error("the refused field is not marked, or the values were lost")
	}
	k.get(L + "/write/allocate")
	p = k.post(L+"/write/allocate", url.Values{"id": {"A-console"}, "source_level": {"central"}, "programme": {"x"}, "fiscal_year": {"2019"}, "document_no": {"d"}, "amount": {"12.345"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `<div class="field bad">`+"\n"+`<label for="f-amount">`) {
		t.Errorf("bad amount: %d, amount not marked\n%s", p.status, p.body)
	}
	if after := e.seq(demo.Ledger); after != before {
		t.Fatalf("a refused write wrote: %v → %v", before, after)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
