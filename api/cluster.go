package api

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/internal/owner"
)

// Headers of a server among several on one NATS cluster.
const (
	// HeaderNode names the server that wrote or read an answer: on a
	// forwarded write, the owner's name comes back, not the forwarder's.
	HeaderNode = "Fundledger-Node"
	// HeaderForwarded marks a write one server forwarded to the ledger's
	// owner, naming the forwarder: a server that receives one and does not
	// own the ledger answers 307 or 503, never forwards it again.
	HeaderForwarded = "Fundledger-Forwarded-By"
)

// nodeHeader sets Fundledger-Node on every answer.
func (s *Server) nodeHeader(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(HeaderNode, s.owners.Self().Name)
		return next(c)
	}
}

// forward sends a write on a ledger this server does not own to its owner
// (a reverse proxy: method, path, query, body and headers, Authorization
// and Idempotency-Key included, as they came) and answers the owner's
// answer. A ledger with no live owner is taken here (acquire on demand).
// It runs before auth: the owner authenticates the write.
func (s *Server) forward(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		code := c.Param("ledger")
		if code == "" && r.Method == http.MethodPost && c.Path() == "/v1/ledgers" {
			code = openedCode(r)
		}
		if !eventstore.ValidLedgerCode(code) {
			return next(c) // not a ledger's write, or the handler refuses it
		}
		claim, err := s.owners.Claim(r.Context(), code)
		switch {
		case err != nil:
			s.log.Warn("no owner for a write", "ledger", code, "err", err)
			return &Error{Status: http.StatusServiceUnavailable, Code: "no_owner", RetryAfter: 1,
				Message: "no server can take ledger " + code + " now; retry in a second"}
		case claim.Self:
			return next(c)
		case r.Header.Get(HeaderForwarded) != "" || claim.Owner.URL == "":
			return notOwner(c, code, claim)
		}
		return s.proxy(c, code, claim)
	}
}

// notOwner answers a write this server will not forward: 307 to the owner
// when it is known (the client makes the hop, not a server), else 503.
func notOwner(c echo.Context, code string, claim owner.Claim) error {
	target, err := url.Parse(claim.Owner.URL)
	if err != nil || claim.Owner.URL == "" {
		return &Error{Status: http.StatusServiceUnavailable, Code: "not_owner", RetryAfter: retryAfter(claim),
			Message: "ledger " + code + " is written by server " + claim.Owner.Name + ", which cannot be reached from here; retry shortly"}
	}
	c.Response().Header().Set(echo.HeaderLocation, target.JoinPath(c.Request().URL.EscapedPath()).String()+query(c.Request()))
	return &Error{Status: http.StatusTemporaryRedirect, Code: "not_owner",
		Message: "ledger " + code + " is written by server " + claim.Owner.Name + "; send the write there"}
}

func query(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

// proxy forwards the write to the owner. If the owner cannot be reached
// (it died; its lease has not run out yet), the answer is 503 with
// Retry-After until the lease expires, when this server may take over.
func (s *Server) proxy(c echo.Context, code string, claim owner.Claim) error {
	target, err := url.Parse(claim.Owner.URL)
	if err != nil {
		return notOwner(c, code, claim)
	}
	var failed error
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
			pr.Out.Header.Set(HeaderForwarded, s.owners.Self().Name)
			pr.Out.Header.Set(echo.HeaderXRequestID, requestID(c))
		},
		Transport:    s.forwarder,
		ErrorHandler: func(_ http.ResponseWriter, _ *http.Request, err error) { failed = err },
	}
	// The owner's answer carries its own headers (Fundledger-Node, the
	// request id): none of this server's may be added to them.
	h := c.Response().Header()
	saved := h.Clone()
	clear(h)
	rp.ServeHTTP(c.Response(), c.Request())
	if failed == nil || c.Response().Committed {
		return nil
	}
	for k, v := range saved {
		h[k] = v
	}
	s.log.Warn("write not forwarded: the ledger's owner did not answer", "ledger", code, "owner", claim.Owner.Name, "err", failed)
	return &Error{Status: http.StatusServiceUnavailable, Code: "owner_unreachable", RetryAfter: retryAfter(claim),
		Message: "ledger " + code + " is written by server " + claim.Owner.Name + ", which did not answer; retry when its lease runs out"}
}

// retryAfter answers the seconds until the owner's lease runs out (when
// another server may take the ledger), at least 1.
func retryAfter(claim owner.Claim) int {
	if claim.Expires.IsZero() {
		return 1
	}
	return max(1, int(math.Ceil(time.Until(claim.Expires).Seconds())))
}

// openedCode answers the code of a ledger being opened (POST /v1/ledgers
// {"code"}), leaving the body readable again. A body it cannot read
// answers "": the handler refuses it.
func openedCode(r *http.Request) string {
	if r.ContentLength > MaxBody || r.Body == nil {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), r.Body))
	if err != nil {
		return ""
	}
	var open struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(b, &open) != nil {
		return ""
	}
	return open.Code
}

// newForwarder is the transport of forwarded writes: short connect
// timeout (a dead owner is known in a second), kept-alive connections.
func newForwarder() *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
}
