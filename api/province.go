package api

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/projections"
)

// MaxProvinceLedgers bounds how many ledgers one province view may name: a
// province has about a hundred counties; a longer list is a mistake.
const MaxProvinceLedgers = 1000

// provinceSummary answers GET /v1/summary?ledgers=341504,341502 (省级汇总):
// each county's own summary, read as GET …/{ledger}/summary reads it (after
// every write acknowledged before the request, at the same as_of), and
// their totals. Counties are independent partitions: each figure set comes
// from one consistent cut of its own ledger, named by its seq and head_hash;
// there is no province-wide sequence.
//
// Without ledgers, the view holds every ledger the token may read. A
// damaged ledger fails the whole view (503 ledger_damaged naming it) rather
// than dropping out of the totals unseen.
func (s *Server) provinceSummary(c echo.Context) error {
	codes, named, err := s.provinceLedgers(c)
	if err != nil {
		return err
	}
	cut, err := asOf(c)
	if err != nil {
		return err
	}
	if len(codes) > 1 {
		// A sequence number belongs to one ledger; across counties only a
		// time or a date names the same moment.
		for _, f := range []string{"as_of", "known_at"} {
			if v := c.QueryParam(f); v != "" && allDigits(v) {
				return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: f,
					Message: f + " is a sequence number, which names a point of one ledger; across several ledgers use an RFC 3339 time or a date"}
			}
		}
	}
	out := projections.Province{Ledgers: make([]projections.Summary, 0, len(codes))}
	for _, code := range codes {
		sum, err := s.countySummary(c.Request().Context(), code, cut)
		if errors.Is(err, errNotALedger) && !named {
			continue // a stream with no commit yet is no county to sum
		}
		if err != nil {
			return err
		}
		out.Ledgers = append(out.Ledgers, sum)
	}
	out.Totals = projections.RollUp(out.Ledgers)
	return c.JSON(http.StatusOK, out)
}

// errNotALedger marks a ledger the projections do not know.
var errNotALedger = errors.New("not a ledger")

// provinceLedgers answers the ledgers of the view, in the order named
// (duplicates dropped: naming a county twice still counts it once), or
// every ledger the token may read in code order, and whether they were
// named. A malformed code answers 400, a ledger outside the token's scope
// 403, both naming the code.
func (s *Server) provinceLedgers(c echo.Context) ([]string, bool, error) {
	p := principal(c)
	if _, named := c.QueryParams()["ledgers"]; !named {
		all, err := s.manager.Ledgers(c.Request().Context())
		if err != nil {
			return nil, false, err
		}
		for _, d := range s.manager.DamagedLedgers() {
			all = append(all, d.Ledger)
		}
		sort.Strings(all)
		var codes []string
		for i, code := range all {
			if (i > 0 && all[i-1] == code) || (p != nil && p.Ledger != "" && p.Ledger != code) {
				continue
			}
			codes = append(codes, code)
		}
		return codes, false, nil
	}
	bad := func(format string, args ...any) error {
		e := newError(http.StatusBadRequest, "invalid_request", format, args...)
		e.Field = "ledgers"
		return e
	}
	raw := strings.Join(c.QueryParams()["ledgers"], ",")
	if strings.TrimSpace(raw) == "" {
		return nil, true, bad("ledgers names no ledger: give comma-separated county codes (ledgers=341504,341502), or leave ledgers out for every ledger your token may read")
	}
	seen := map[string]bool{}
	var codes []string
	for _, code := range strings.Split(raw, ",") {
		code = strings.TrimSpace(code)
		switch {
		case !domain.ValidCountyCode(code):
			return nil, true, bad("ledgers: %q is not a county's 6-digit division code (GB/T 2260), e.g. 341504", code)
		case p != nil && p.Ledger != "" && p.Ledger != code:
			return nil, true, newError(http.StatusForbidden, "wrong_ledger", "your token is limited to ledger %s and cannot use ledger %s", p.Ledger, code)
		case seen[code]:
			continue
		}
		seen[code] = true
		codes = append(codes, code)
	}
	if len(codes) > MaxProvinceLedgers {
		return nil, true, bad("ledgers names %d ledgers; at most %d in one view", len(codes), MaxProvinceLedgers)
	}
	return codes, true, nil
}

// countySummary reads one ledger's summary exactly as GET …/summary does:
// after every write acknowledged before now, from one model, so its seq and
// head_hash are those its figures came from.
func (s *Server) countySummary(ctx context.Context, code string, cut projections.Cut) (projections.Summary, error) {
	var sum projections.Summary
	if d, ok := s.manager.Damaged(code); ok {
		return sum, d.Rejection()
	}
	head, _, err := s.durableHead(ctx, code)
	if err != nil {
		return sum, err
	}
	if err := s.waitProjections(ctx, code, head); err != nil {
		return sum, err
	}
	err = s.projector.Read(ctx, code, cut, func(m *projections.Model) error {
		sum = m.Summary()
		return nil
	})
	switch {
	case err == nil:
		return sum, nil
	case errors.Is(err, projections.ErrUnknownLedger):
		return sum, errors.Join(errNotALedger, newError(http.StatusNotFound, "unknown_ledger", "ledger %q is not open", code))
	case errors.Is(err, projections.ErrBeyondHead):
		return sum, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "as_of",
			Message: "as_of names a sequence past ledger " + code + "'s head (" + itoa(head) + ")"}
	}
	// History the store could not give back: quarantine and say which
	// ledger, as the error handler does for a route naming one.
	if d := s.damageIn(code, err); d != nil {
		return sum, d.Rejection()
	}
	return sum, err
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
