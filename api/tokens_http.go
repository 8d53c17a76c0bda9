package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/eventstore"
)

// tokenRequest is the body of POST /v1/tokens.
type tokenRequest struct {
	Role   string `json:"role"`
	Ledger string `json:"ledger,omitempty"`
	Label  string `json:"label,omitempty"`
}

// tokenIssued is the answer: the bearer token appears here once and is
// stored nowhere.
type tokenIssued struct {
	ID     string  `json:"id"`
	Token  string  `json:"token"`
	Role   string  `json:"role"`
	Ledger *string `json:"ledger"`
}

func (s *Server) createToken(c echo.Context) error {
	body, err := readJSON(c)
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	if req.Role != RoleFinance && req.Role != RoleAuditor {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "role",
			Message: "role must be finance or auditor (the admin token comes from FUNDLEDGER_ADMIN_TOKEN)"}
	}
	if req.Ledger != "" && !eventstore.ValidLedgerCode(req.Ledger) {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "ledger",
			Message: "ledger must be a county's division code, e.g. 341504"}
	}
	if len(req.Label) > 128 {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "label", Message: "label is longer than 128 characters"}
	}
	tok, bearer, err := s.tokens.Issue(req.Role, req.Ledger, req.Label)
	if err != nil {
		return err
	}
	s.log.Info("token issued", "request_id", requestID(c), "token_id", tok.ID, "role", tok.Role, "ledger", tok.Ledger, "by", actor(c))
	out := tokenIssued{ID: tok.ID, Token: bearer, Role: tok.Role}
	if tok.Ledger != "" {
		out.Ledger = &tok.Ledger
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) revokeToken(c echo.Context) error {
	id := c.Param("id")
	if err := s.tokens.Revoke(id); err != nil {
		if errors.Is(err, ErrTokenNotFound) {
			return newError(http.StatusNotFound, "not_found", "no token has id %q", id)
		}
		return err
	}
	s.log.Info("token revoked", "request_id", requestID(c), "token_id", id, "by", actor(c))
	return c.NoContent(http.StatusNoContent)
}
