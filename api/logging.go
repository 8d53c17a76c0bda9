package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
)

// requestID answers the request's id (set by observe).
func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// validRequestID accepts a caller's X-Request-Id only if it is short and
// plain (the rule of record ids), so that it cannot smuggle anything into
// the logs.
func validRequestID(id string) bool { return domain.ValidID(id) }

// observe gives each request an id, answers errors in the one shape, counts
// the request in the metrics and logs one line for it. The log line names
// the route template, the path, the status, the actor (a token id, never a
// token) and the ledger, command and sequence of a write; it never carries
// headers, query strings or bodies, so no token, ID number or bank number
// reaches the log.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		if err := next(c); err != nil {
			c.Error(err)
		}
		took := time.Since(start)
		req, res := c.Request(), c.Response()
		route := c.Path()
		if code, _ := c.Get(ctxErrorCode).(string); code == "route_not_found" || route == "" {
			route = "unmatched"
		}
		s.meters.observeHTTP(req.Method, route, res.Status, took)
		// Room for every attribute the line may carry, so that adding
		// the actor, ledger, command and sequence of a write does not
		// copy the slice on every request.
		attrs := make([]slog.Attr, 0, 12)
		attrs = append(attrs,
			slog.String("request_id", id),
			slog.String("method", req.Method),
			slog.String("route", route),
			slog.String("path", req.URL.Path),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("took", took),
		)
		if a := actor(c); a != "" {
			attrs = append(attrs, slog.String("actor", a))
		}
		if l := c.Param("ledger"); l != "" {
			attrs = append(attrs, slog.String("ledger", l))
		}
		if cmd, ok := c.Get("command").(string); ok {
			attrs = append(attrs, slog.String("command", cmd))
		}
		if seq, ok := c.Get("seq").(uint64); ok {
			attrs = append(attrs, slog.Uint64("seq", seq))
		}
		if code, ok := c.Get(ctxErrorCode).(string); ok {
			attrs = append(attrs, slog.String("error_code", code))
		}
		level := slog.LevelInfo
		if res.Status >= http.StatusInternalServerError && res.Status != http.StatusServiceUnavailable {
			level = slog.LevelError
		}
		s.log.LogAttrs(req.Context(), level, "http request", attrs...)
		return nil
	}
}
