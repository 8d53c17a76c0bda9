package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// readyLag is how many commits the projections may trail a ledger's head
// and still count as caught up: under a steady write load they are always a
// group commit or two behind, which a read absorbs by waiting.
const readyLag = 100

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the store answers, no ledger is damaged and every
// ledger's projections are within readyLag commits of its head, else 503
// with the reason (a damaged ledger is named, with its first bad sequence).
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if _, err := s.store.Ledgers(ctx); err != nil {
		c.Response().Header().Set("Retry-After", "1")
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "not_ready", "reason": "the event store does not answer"})
	}
	if damaged := s.manager.DamagedLedgers(); len(damaged) > 0 {
		// Not a wait-and-retry: an operator must restore these ledgers.
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "damaged",
			"reason": "ledger history is damaged; writes to these ledgers are refused", "damaged": damaged})
	}
	lag := s.lag(ctx)
	behind := map[string]uint64{}
	for code, n := range lag {
		if n > readyLag {
			behind[code] = n
		}
	}
	if len(behind) > 0 {
		c.Response().Header().Set("Retry-After", "1")
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "not_ready",
			"reason": "projections are catching up", "lag": behind})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "ledgers": len(lag)})
}
