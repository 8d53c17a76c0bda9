package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// asOf reads the as_of and known_at query parameters: as_of a sequence
// number or a time (a record cut) or a date (a business cut), known_at a
// sequence number or a time (the record point a business cut is asked at).
func asOf(c echo.Context) (projections.Cut, error) {
	cut, err := projections.ParseAsOf(c.QueryParam("as_of"))
	if err != nil {
		return cut, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "as_of", Message: err.Error()}
	}
	known, err := projections.ParseKnownAt(c.QueryParam("known_at"))
	if err == nil {
		cut, err = cut.KnownAt(known)
	}
	if err != nil {
		return cut, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "known_at", Message: err.Error()}
	}
	return cut, nil
}

// durableHead answers the ledger's durable head, or a 404 for a ledger
// never opened. On the ledger's owner it is the writer's (no round trip);
// a server that does not own the ledger asks the store, where every write
// the owner acknowledged already is: its own writer does not follow
// another server's writes, and a read must reflect them (read your writes
// on any server).
func (s *Server) durableHead(ctx context.Context, code string) (uint64, string, error) {
	if s.owners.Holds(code) {
		return s.manager.Head(ctx, code)
	}
	head, err := s.store.Head(ctx, code)
	var damaged *eventstore.DamagedError
	if head == 0 || errors.As(err, &damaged) {
		return s.manager.Head(ctx, code) // unknown, damaged: answered as on the owner
	}
	if err != nil {
		return 0, "", err
	}
	c, err := s.manager.Commit(ctx, code, head)
	if err != nil {
		return 0, "", err
	}
	return head, c.Hash, nil
}

// readWith runs fn on the model at the request's point (every read of the
// projections goes through it: readModel, the downloads),
// with the same answers for an unknown ledger or an as_of past the head.
func (s *Server) readWith(c echo.Context, fn func(m *projections.Model) error) error {
	code, cut, head, err := s.readPoint(c)
	if err != nil {
		return err
	}
	err = s.projector.Read(c.Request().Context(), code, cut, fn)
	switch {
	case errors.Is(err, projections.ErrUnknownLedger):
		return newError(http.StatusNotFound, "unknown_ledger", "ledger %q is not open", code)
	case errors.Is(err, projections.ErrBeyondHead):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "as_of",
			Message: "as_of names a sequence past the ledger's head (" + itoa(head) + ")"}
	}
	return err
}

// readModel answers a read from the projections: it waits (bounded by
// readWait) until they reflect every write acknowledged before the request
// arrived, then answers fn's value for the model as of the request's
// as_of. Every answer embeds projections.Head, which gives it its
// top-level seq and head_hash.
func readModel[T projections.Answer](s *Server, c echo.Context, fn func(m *projections.Model) (T, error)) error {
	var out T
	err := s.readWith(c, func(m *projections.Model) error {
		var err error
		out, err = fn(m)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// readPoint resolves a read: its ledger, its as_of cut and the ledger's
// durable head when it arrived; it waits until the projections reflect that
// head, so a read sees every write acknowledged before it.
func (s *Server) readPoint(c echo.Context) (code string, cut projections.Cut, head uint64, err error) {
	code = c.Param("ledger")
	if cut, err = asOf(c); err != nil {
		return
	}
	ctx := c.Request().Context()
	if head, _, err = s.durableHead(ctx, code); err != nil {
		return
	}
	err = s.waitProjections(ctx, code, head)
	return
}

// waitProjections waits, bounded, until the projections reflect seq; past
// the bound the read answers 503 with Retry-After.
func (s *Server) waitProjections(ctx context.Context, code string, seq uint64) error {
	wctx, cancel := context.WithTimeout(ctx, s.readWait)
	defer cancel()
	if err := s.projector.WaitFor(wctx, code, seq); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, projections.ErrUnknownLedger) {
			return newError(http.StatusNotFound, "unknown_ledger", "ledger %q is not open", code)
		}
		return &Error{Status: http.StatusServiceUnavailable, Code: "projections_behind", RetryAfter: 1,
			Message: "the read models have not yet caught up with the writes acknowledged before this read; retry in a second"}
	}
	return nil
}

// balance answers GET …/balances/{kind}/{id}, or …/balances/{kind}?id=…
// for a name a proxy will not pass through a path segment.
func (s *Server) balance(c echo.Context) error {
	kind, id := c.Param("kind"), c.Param("id")
	if id == "" {
		if id = c.QueryParam("id"); id == "" {
			return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "id",
				Message: "name the " + singular(kind) + ": …/balances/" + kind + "/{id}, or ?id= for a name holding \"/\""}
		}
	}
	known := false
	for _, k := range projections.Kinds {
		known = known || k == kind
	}
	if !known {
		return newError(http.StatusNotFound, "unknown_kind", "balances are kept for %s; not for %q", strings.Join(projections.Kinds, ", "), kind)
	}
	var missing *notInCut
	err := readModel(s, c, func(m *projections.Model) (projections.Balance, error) {
		v, ok := m.Balance(kind, id)
		if !ok {
			return nil, &notInCut{seq: m.Seq()}
		}
		return v, nil
	})
	if !errors.As(err, &missing) {
		return err
	}
	return s.notFoundAt(c, kind, id, missing.seq)
}

// notInCut is a balance's id missing from the model a read was answered from.
type notInCut struct{ seq uint64 }

func (e *notInCut) Error() string { return "not in the ledger at this cut" }

// notFoundAt answers the 404 of an id missing at seq. A read as of a past
// cut may name something recorded later (the README's fund at an early
// sequence): the answer says so, and from which sequence it exists when the
// ledger knows, instead of a bare "not in ledger".
func (s *Server) notFoundAt(c echo.Context, kind, id string, seq uint64) error {
	code := c.Param("ledger")
	what := singular(kind)
	if cut, _ := asOf(c); !cut.IsZero() {
		var first uint64
		later := false
		_ = s.projector.Read(c.Request().Context(), code, projections.Cut{}, func(m *projections.Model) error {
			first, later = m.Recorded(kind, id)
			return nil
		})
		switch {
		case later && first > 0:
			return newError(http.StatusNotFound, "not_found", "%s %q is not yet in ledger %s at this cut (seq %d): it first appears at seq %d; read as_of=%d or later",
				what, id, code, seq, first, first)
		case later:
			return newError(http.StatusNotFound, "not_found", "%s %q is not yet in ledger %s at this cut (seq %d): it was recorded after it; read a later as_of",
				what, id, code, seq)
		}
	}
	return newError(http.StatusNotFound, "not_found", "%s %q is not in ledger %s", what, id, code)
}

func singular(kind string) string {
	switch kind {
	case projections.KindSources:
		return "source level"
	case projections.KindPools:
		return "pool"
	}
	return strings.TrimSuffix(kind, "s")
}

func (s *Server) summary(c echo.Context) error {
	return readModel(s, c, func(m *projections.Model) (projections.Summary, error) { return m.Summary(), nil })
}

// findings answers the audit findings (审计发现) of the ledger.
func (s *Server) findings(c echo.Context) error {
	return readModel(s, c, func(m *projections.Model) (projections.Findings, error) { return m.Findings(), nil })
}

// standards answers the ledger's table of subsidy standards.
func (s *Server) standards(c echo.Context) error {
	return readModel(s, c, func(m *projections.Model) (projections.Standards, error) { return m.Standards(), nil })
}

// acknowledge answers 404 for a finding the ledger does not report now,
// before the acknowledgement is written: an answer to a mistyped id would
// otherwise sit in the ledger attached to nothing.
func (s *Server) acknowledge(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.projector == nil {
			return next(c)
		}
		_, cut, _, err := s.readPoint(c)
		if err != nil {
			return err
		}
		found := false
		err = s.projector.Read(c.Request().Context(), c.Param("ledger"), cut, func(m *projections.Model) error {
			for _, f := range m.Findings().Findings {
				found = found || f.ID == c.Param("id")
			}
			return nil
		})
		switch {
		case errors.Is(err, projections.ErrUnknownLedger):
			return newError(http.StatusNotFound, "unknown_ledger", "ledger %q is not open", c.Param("ledger"))
		case err != nil:
			return err
		case !found:
			return newError(http.StatusNotFound, "not_found", "finding %q is not among the ledger's findings (GET …/findings)", c.Param("id"))
		}
		return next(c)
	}
}

// verify walks the ledger's hash chain and checks it against the head
// witness; a damaged ledger answers 200 valid:false naming the first bad
// sequence (the answer is the finding, not a failure of the request).
func (s *Server) verify(c echo.Context) error {
	v, err := s.manager.Verify(c.Request().Context(), c.Param("ledger"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// publicVerify lets anyone check a sequence and hash printed on a notice.
func (s *Server) publicVerify(c echo.Context) error {
	code := c.Param("ledger")
	seq, err := parseSeq(c.QueryParam("seq"), "seq", true)
	if err != nil {
		return err
	}
	hash := c.QueryParam("hash")
	if hash == "" {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "hash", Message: "hash is required: the 64-character commit hash to check"}
	}
	ctx := c.Request().Context()
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	if d, ok := s.manager.Damaged(code); ok && seq >= d.FirstBadSeq {
		// Printed before the loss: the ledger can no longer vouch for it.
		return c.JSON(http.StatusOK, map[string]any{"valid": false, "seq": seq, "hash": hash})
	}
	head, _, err := s.durableHead(ctx, code)
	if errors.Is(err, ledger.ErrDamaged) {
		head, err = s.lastGood(code), nil
	}
	if err != nil {
		return err
	}
	valid := false
	if seq <= head {
		cm, err := s.manager.Commit(ctx, code, seq)
		if err != nil {
			return err
		}
		valid = cm.Hash == strings.ToLower(hash) && cm.ComputeHash() == cm.Hash
	}
	return c.JSON(http.StatusOK, map[string]any{"valid": valid, "seq": seq, "hash": hash})
}

// lastGood answers the last commit of a damaged ledger known good.
func (s *Server) lastGood(code string) uint64 {
	d, _ := s.manager.Damaged(code)
	return d.Seq
}
