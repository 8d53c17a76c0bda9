package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// listQuery are the query parameters of a list.
var listQuery = append([]string{"q", "page_size", "page_token"}, readQuery...)

// LedgerItem is one ledger a token may read.
type LedgerItem struct {
	Ledger   string `json:"ledger"`
	Name     string `json:"name"`
	Seq      uint64 `json:"seq"`
	HeadHash string `json:"head_hash"`
	// Damaged names the first bad sequence of a quarantined ledger.
	Damaged *ledger.Damage `json:"damaged,omitempty"`
}

// ledgers answers the ledgers the token may read, with each one's head.
func (s *Server) ledgers(c echo.Context) error {
	ctx := c.Request().Context()
	codes, err := s.manager.Ledgers(ctx)
	if err != nil {
		return err
	}
	for _, d := range s.manager.DamagedLedgers() {
		codes = append(codes, d.Ledger)
	}
	p := principal(c)
	out := struct {
		Ledgers []LedgerItem `json:"ledgers"`
	}{Ledgers: []LedgerItem{}}
	seen := map[string]bool{}
	for _, code := range codes {
		if seen[code] || p != nil && p.Ledger != "" && p.Ledger != code {
			continue
		}
		seen[code] = true
		it := LedgerItem{Ledger: code}
		if d, ok := s.manager.Damaged(code); ok {
			it.Seq, it.HeadHash, it.Damaged = d.Seq, d.HeadHash, &d
		} else if err := s.projector.Read(ctx, code, projections.Cut{}, func(m *projections.Model) error {
			it.Name, it.Seq, it.HeadHash = m.LedgerInfo().Name, m.Seq(), m.HeadHash()
			return nil
		}); err != nil && !errors.Is(err, projections.ErrUnknownLedger) {
			return err
		}
		out.Ledgers = append(out.Ledgers, it)
	}
	return c.JSON(http.StatusOK, out)
}

// list answers a page of one kind of a ledger's records (funds, projects,
// villages, households, payees, payout batches), by keyset in id order.
func (s *Server) list(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		size := projections.DefaultPageSize
		if v := c.QueryParam("page_size"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > projections.MaxPageSize {
				return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "page_size",
					Message: "page_size must be a whole number from 1 to " + strconv.Itoa(projections.MaxPageSize)}
			}
			size = n
		}
		return readModel(s, c, func(m *projections.Model) (projections.List, error) {
			l, _, err := m.List(kind, c.QueryParam("q"), c.QueryParam("page_token"), size)
			if err != nil {
				return l, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "page_token", Message: err.Error()}
			}
			return l, nil
		})
	}
}

// batch answers one payout batch with each line's bank status, reconciled.
func (s *Server) batch(c echo.Context) error {
	return readModel(s, c, func(m *projections.Model) (projections.BatchDetail, error) {
		b, ok := m.Batch(c.Param("id"))
		if !ok {
			return b, newError(http.StatusNotFound, "not_found", "payout batch %q is not in ledger %s", c.Param("id"), c.Param("ledger"))
		}
		return b, nil
	})
}

// traceFund answers where every fen of a fund went (资金溯源).
func (s *Server) traceFund(c echo.Context) error {
	if file, err := wantsFile(c); file || err != nil {
		if err != nil {
			return err
		}
		return s.traceFundFile(c)
	}
	return readModel(s, c, func(m *projections.Model) (projections.FundTrace, error) {
		t, ok := m.TraceFund(c.Param("id"))
		if !ok {
			return t, newError(http.StatusNotFound, "not_found", "fund %q is not in ledger %s", c.Param("id"), c.Param("ledger"))
		}
		return t, nil
	})
}

// traceHousehold answers every payout line of a household with its fund.
func (s *Server) traceHousehold(c echo.Context) error {
	if file, err := wantsFile(c); file || err != nil {
		if err != nil {
			return err
		}
		return s.traceHouseholdFile(c)
	}
	return readModel(s, c, func(m *projections.Model) (projections.HouseholdTrace, error) {
		t, ok := m.TraceHousehold(c.Param("id"))
		if !ok {
			return t, newError(http.StatusNotFound, "not_found", "household %q is not in ledger %s", c.Param("id"), c.Param("ledger"))
		}
		return t, nil
	})
}

// listRoutes are the lists, the batch detail and the traces (auditor).
func (s *Server) listRoutes(r func(path, op, summary string, h echo.HandlerFunc) Route) []Route {
	const L = "/v1/ledgers/:ledger"
	out := []Route{}
	for _, kind := range projections.ListKinds {
		rt := r(L+"/"+kind, "list_"+strings.ReplaceAll(kind, "-", "_"),
			"List the ledger's "+strings.ReplaceAll(kind, "-", " ")+" in id order, each with its received, spent and balance (a batch: its amount); q searches ids and names; keyset paging with page_size (at most 1000) and page_token.", s.list(kind))
		rt.Query, rt.Answer = listQuery, "List"
		out = append(out, rt)
	}
	return append(out,
		r(L+"/payout-batches/:id", "payout_batch", "A payout batch: its lines with each one's bank status, and the batch reconciled to the fen by status.", s.batch),
		traceRoute(r(L+"/trace/funds/:id", "trace_fund", "Where every fen of a fund went (资金溯源): projects (payees, recovered, held), payouts to households, still held; sums exactly to the fund. format=xlsx downloads it as a workbook.", s.traceFund)),
		traceRoute(r(L+"/trace/households/:id", "trace_household", "Every payout line of a household with its fund, document, batch and bank result. format=xlsx downloads it as a workbook.", s.traceHousehold)),
	)
}

// traceRoute adds format (json, or xlsx for a workbook) to a trace's query.
func traceRoute(rt Route) Route {
	rt.Query = append(append([]string(nil), rt.Query...), "format")
	return rt
}
