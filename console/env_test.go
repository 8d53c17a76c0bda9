package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fundledger/fundledger/internal/demo"
	"github.com/fundledger/fundledger/internal/node"
)

const adminToken = "console-test-admin-9c1e"

// env is one fundledger node as serve wires it (the console mounted on the
// API's server), over embedded JetStream, reached over real HTTP.
type env struct {
	t   testing.TB
	url string
	n   *node.Node
}

func startEnv(t testing.TB) *env {
	t.Helper()
	n, err := node.Open(context.Background(), node.Config{DataDir: t.TempDir(), AdminToken: adminToken,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	n.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.Serve(ln)
	t.Cleanup(func() { _ = n.Close() })
	return &env{t: t, url: "http://" + ln.Addr().String(), n: n}
}

// api calls the JSON API with a bearer token and answers status and body.
func (e *env) api(method, path, token string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// token issues a token of role.
func (e *env) token(role string) (id, bearer string) {
	e.t.Helper()
	st, out := e.api("POST", "/v1/tokens", adminToken, map[string]string{"role": role})
	if st != 201 {
		e.t.Fatalf("issue %s token: %d %v", role, st, out)
	}
	return out["id"].(string), out["token"].(string)
}

// loadDemo writes a small demo county (about n households).
func (e *env) loadDemo(n int) *demo.County {
	e.t.Helper()
	c := demo.Build(n)
	if _, err := demo.Load(context.Background(), e.n.Manager, c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// seq answers the ledger's head sequence as the API reads it.
func (e *env) seq(ledger string) float64 {
	e.t.Helper()
	_, out := e.api("GET", "/v1/ledgers/"+ledger+"/verify", adminToken, nil)
	s, _ := out["seq"].(float64)
	return s
}

// clerk is a browser-like client of the console: a cookie jar, no
// automatic redirects, so each answer can be looked at.
type clerk struct {
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) newClerk() *clerk {
	jar, _ := cookiejar.New(nil)
	return &clerk{e: e, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (k *clerk) do(req *http.Request) page {
	k.e.t.Helper()
	res, err := k.c.Do(req)
	if err != nil {
		k.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	p := page{status: res.StatusCode, header: res.Header, body: string(b)}
	if m := csrfField.FindStringSubmatch(p.body); m != nil {
		k.csrf = html.UnescapeString(m[1])
	}
	return p
}

func (k *clerk) get(path string) page {
	req, _ := http.NewRequest("GET", k.e.url+path, nil)
	return k.do(req)
}

// post sends a form; the clerk's CSRF token is added unless vals has one
// (an empty "csrf" sends none).
func (k *clerk) post(path string, vals url.Values) page {
	if _, set := vals["csrf"]; !set {
		vals.Set("csrf", k.csrf)
	} else if vals.Get("csrf") == "" {
		vals.Del("csrf")
	}
	req, _ := http.NewRequest("POST", k.e.url+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return k.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs the clerk in with token and answers the sign-in's answer.
func (k *clerk) signIn(token string) page {
	k.e.t.Helper()
	if p := k.get("/console/signin"); p.status != 200 {
		k.e.t.Fatalf("sign-in page: %d", p.status)
	}
	return k.post("/console/signin", url.Values{"token": {token}})
}

func (k *clerk) mustSignIn(token string) {
	k.e.t.Helper()
	if p := k.signIn(token); p.status != http.StatusSeeOther {
		k.e.t.Fatalf("sign in: %d %s", p.status, p.body)
	}
	p := k.get("/console/") // picks up the session's CSRF token
	if loc := p.header.Get("Location"); p.status == http.StatusSeeOther && loc != "" {
		k.get(loc)
	}
	if k.csrf == "" {
		k.e.t.Fatal("no CSRF token on the first page after sign-in")
	}
}

func fmtSscan(s string, f *float64) (int, error) { return fmt.Sscan(s, f) }
