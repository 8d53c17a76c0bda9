package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Principal is who a request acts for: a token's id (the actor written in
// every commit, never the token itself), its role and its ledger scope.
type Principal struct {
	ID     string
	Role   string
	Ledger string // "" for every ledger
}

// AdminActor is the actor of writes made with FUNDLEDGER_ADMIN_TOKEN.
const AdminActor = "admin"

const (
	ctxPrincipal = "principal"
	ctxErrorCode = "error_code"
	ctxRequestID = "request_id"
)

// principal answers who the request acts for (nil on public routes).
func principal(c echo.Context) *Principal {
	p, _ := c.Get(ctxPrincipal).(*Principal)
	return p
}

func actor(c echo.Context) string {
	if p := principal(c); p != nil {
		return p.ID
	}
	return ""
}

// authenticate finds the principal of a bearer token.
func (s *Server) authenticate(bearer string) (*Principal, bool) {
	if s.adminToken != "" && subtle.ConstantTimeCompare([]byte(bearer), []byte(s.adminToken)) == 1 {
		return &Principal{ID: AdminActor, Role: RoleAdmin}, true
	}
	tok, ok := s.tokens.Lookup(bearer)
	if !ok {
		return nil, false
	}
	return &Principal{ID: tok.ID, Role: tok.Role, Ledger: tok.Ledger}, true
}

// auth lets a request through if its bearer token has at least role and,
// when the token is scoped to a ledger, the path names that ledger.
// Missing, unknown or revoked token: 401; wrong role or ledger: 403.
func (s *Server) auth(role string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			scheme, bearer, _ := strings.Cut(h, " ")
			bearer = strings.TrimSpace(bearer)
			if h == "" || !strings.EqualFold(scheme, "Bearer") || bearer == "" {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="fundledger"`)
				return newError(http.StatusUnauthorized, "unauthenticated", "this route needs a bearer token: send the header \"Authorization: Bearer <token>\"")
			}
			p, ok := s.authenticate(bearer)
			if !ok {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="fundledger", error="invalid_token"`)
				return newError(http.StatusUnauthorized, "invalid_token", "the bearer token is unknown or was revoked")
			}
			c.Set(ctxPrincipal, p)
			if roleRank[p.Role] < roleRank[role] {
				return newError(http.StatusForbidden, "forbidden", "this route needs the %s role; your token has the %s role", role, p.Role)
			}
			if l := c.Param("ledger"); p.Ledger != "" && l != "" && l != p.Ledger {
				return newError(http.StatusForbidden, "wrong_ledger", "your token is limited to ledger %s and cannot use ledger %s", p.Ledger, l)
			}
			return next(c)
		}
	}
}
