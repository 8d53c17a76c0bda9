package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/fundledger/fundledger/api"
)

// Session limits. A session lives IdleTimeout past its last page and never
// beyond MaxLifetime; at most MaxSessions live at once (the oldest goes
// first), so sessions are bounded in memory whoever signs in.
const (
	IdleTimeout = 30 * time.Minute
	MaxLifetime = 12 * time.Hour
	MaxSessions = 10000
	// CookieName holds the session id; preCookie the sign-in form's CSRF
	// token before there is a session.
	CookieName = "fundledger_console"
	preCookie  = "fundledger_console_signin"
	cookiePath = "/console/"
)

// session is one signed-in clerk. The bearer token stays here, in memory,
// never in the cookie: the cookie carries only a random id.
type session struct {
	id        string
	principal api.Principal
	bearer    string
	csrf      string
	created   time.Time
	seen      time.Time
	// upload is the file of the last upload preview, kept until it is
	// committed or replaced, so the commit sends exactly what was previewed.
	upload *pendingUpload
}

// sessions keeps the live sessions in memory; a restart signs everyone out.
type sessions struct {
	mu  sync.Mutex
	all map[string]*session
	now func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{all: map[string]*session{}, now: now}
}

// randomToken answers 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// start opens a session for p, signed in with bearer.
func (ss *sessions) start(p api.Principal, bearer string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := ss.now()
	ss.sweepLocked(now)
	if len(ss.all) >= MaxSessions {
		var oldest *session
		for _, s := range ss.all {
			if oldest == nil || s.seen.Before(oldest.seen) {
				oldest = s
			}
		}
		delete(ss.all, oldest.id)
	}
	s := &session{id: randomToken(), principal: p, bearer: bearer, csrf: randomToken(), created: now, seen: now}
	ss.all[s.id] = s
	return s
}

// get answers the live session of id and marks it seen.
func (ss *sessions) get(id string) (*session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.all[id]
	if !ok {
		return nil, false
	}
	now := ss.now()
	if ss.expired(s, now) {
		delete(ss.all, id)
		return nil, false
	}
	s.seen = now
	return s, true
}

func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.all, id)
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) > IdleTimeout || now.Sub(s.created) > MaxLifetime
}

func (ss *sessions) sweepLocked(now time.Time) {
	for id, s := range ss.all {
		if ss.expired(s, now) {
			delete(ss.all, id)
		}
	}
}

// setUpload keeps u as the session's pending upload.
func (ss *sessions) setUpload(s *session, u *pendingUpload) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.upload = u
}

// takeUpload answers the session's pending upload of id and forgets it.
func (ss *sessions) takeUpload(s *session, id string) (*pendingUpload, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	u := s.upload
	if u == nil || subtle.ConstantTimeCompare([]byte(u.id), []byte(id)) != 1 {
		return nil, false
	}
	s.upload = nil
	return u, true
}

// cookie makes a console cookie: HttpOnly (no script reads it),
// SameSite=Strict (no other site's form or link sends it), Path=/console/,
// and Secure when the request came over TLS.
func cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: cookiePath, HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, MaxAge: maxAge}
}

// sameToken compares a form's CSRF token with the expected one in constant time.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
