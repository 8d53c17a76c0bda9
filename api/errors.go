package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/internal/sheet"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// Error is the body of every failed request: {"error":{"code","message"}},
// plus the request field at fault when there is one.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Rows lists the refused rows of an uploaded file (code invalid_rows).
	Rows []sheet.RowProblem `json:"rows,omitempty"`
	// RetryAfter, in seconds, is sent as the Retry-After header (503).
	RetryAfter int `json:"-"`
}

func (e *Error) Error() string { return e.Message }

type errorBody struct {
	Error *Error `json:"error"`
}

func newError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// statusOf maps a domain rejection's kind to its HTTP status.
var statusOf = map[domain.Kind]int{
	domain.KindInvalid:   http.StatusBadRequest,
	domain.KindNotFound:  http.StatusNotFound,
	domain.KindDuplicate: http.StatusConflict,
	domain.KindRule:      http.StatusUnprocessableEntity,
	// A damaged ledger: nothing the caller can change in the request helps.
	domain.KindUnavailable: http.StatusServiceUnavailable,
}

// toError turns any handler error into the answer the client sees. Errors
// that are not ours (store down, bugs) become a 500 whose message says
// nothing of the internals; the log has the cause.
func toError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var de *domain.Error
	if errors.As(err, &de) {
		status, ok := statusOf[de.Kind]
		if !ok {
			status = http.StatusUnprocessableEntity
		}
		return &Error{Status: status, Code: de.Code, Message: de.Message, Field: de.Field}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		switch he.Code {
		case http.StatusNotFound:
			return newError(he.Code, "route_not_found", "no such path; see /v1/openapi.json for the routes")
		case http.StatusMethodNotAllowed:
			return newError(he.Code, "method_not_allowed", "this path does not accept that method; see /v1/openapi.json")
		case http.StatusRequestEntityTooLarge:
			return newError(he.Code, "too_large", "the request body is too large")
		}
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		return newError(he.Code, "http_error", "%s", msg)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Code: "timeout", Message: "the ledger did not answer in time; retry shortly", RetryAfter: 1}
	case errors.Is(err, eventstore.ErrClosed):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the server is shutting down; retry shortly", RetryAfter: 1}
	}
	return newError(http.StatusInternalServerError, "internal", "the server failed to answer; the request id in the logs names the cause")
}

// errorHandler is Echo's HTTPErrorHandler: it writes every error in the one
// shape, and keeps the code for the request log.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	// The store could not give back history a request needed: quarantine
	// the ledger (writes stop, /readyz says so) and answer what is gone,
	// never a bare 500.
	if d := s.damageIn(c.Param("ledger"), err); d != nil {
		err = d.Rejection()
	}
	ae := toError(err)
	c.Set(ctxErrorCode, ae.Code)
	if ae.Status >= 500 && ae.Status != http.StatusServiceUnavailable {
		s.log.Error("request failed", "request_id", requestID(c), "err", err)
	}
	if ae.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", fmt.Sprint(ae.RetryAfter))
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(ae.Status)
		return
	}
	_ = c.JSON(ae.Status, errorBody{ae})
}

// damageIn quarantines the ledger when err says its history is damaged
// (the store could not give a record back, the chain broke, a snapshot saw
// history the log no longer holds) and answers the damage; nil otherwise.
func (s *Server) damageIn(code string, err error) *ledger.Damage {
	var seen *projections.DamagedError
	if errors.As(err, &seen) {
		return s.manager.Quarantine(seen.Ledger, seen.Seq, seen.Reason)
	}
	if d := ledger.AsDamage(code, err); d != nil {
		return s.manager.Quarantine(d.Ledger, d.FirstBadSeq, d.Reason)
	}
	return nil
}
