package api

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/export"
)

// exportBuffer is how much of a streamed export is gathered before the
// first bytes go out: a small export whose chain is broken still gets an
// ordinary error answer, and a large one goes out in chunks of this size.
const exportBuffer = 32 << 10

// export streams the ledger's history as a file, from the store directly
// and checking the hash chain as it goes: it never waits for nor holds the
// ledger's writer, so writes go on meanwhile, and the file ends at the
// sequence fixed when the request arrived (named in its file name).
//
// A chain found broken before anything is sent answers 503
// ledger_damaged; once the response has begun, the connection is aborted
// without the final chunk, so the client sees a failed download rather
// than a short file that looks complete.
func (s *Server) export(c echo.Context) error {
	code := c.Param("ledger")
	f, ok := export.Lookup(c.QueryParam("format"))
	if !ok {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "format",
			Message: fmt.Sprintf("format %q is not an export format: give %s", c.QueryParam("format"), export.Names())}
	}
	cut, err := asOf(c)
	if err != nil {
		return err
	}
	if !eventstore.ValidLedgerCode(code) {
		return newError(http.StatusNotFound, "unknown_ledger", "ledger %q is not open", code)
	}
	// Shutdown ends an export rather than wait for a long one to finish.
	ctx, cancel := s.untilShutdown(c.Request().Context(), nil)
	defer cancel()
	seq, err := export.Resolve(ctx, s.store, code, cut)
	switch {
	case errors.Is(err, export.ErrUnknownLedger):
		return newError(http.StatusNotFound, "unknown_ledger", "ledger %q is not open", code)
	case err == nil && cut.IsBusiness() && f.Name == "ndjson":
		err = export.ErrDatedLog
		fallthrough
	case errors.Is(err, export.ErrBeyondHead), errors.Is(err, export.ErrBeforeFirst):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: "as_of", Message: strings.TrimPrefix(err.Error(), "export: ")}
	case err != nil:
		return s.exportFailed(err)
	}

	h := c.Response().Header()
	h.Set(echo.HeaderContentType, f.ContentType)
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+f.FileName(code, seq)+`"`)
	h.Set("Cache-Control", "private, no-store")
	if !f.Streamed {
		var buf bytes.Buffer
		if _, err := export.WriteDated(ctx, s.store, code, seq, cut.Date, f, &buf); err != nil {
			return s.exportFailed(err)
		}
		h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
		c.Response().WriteHeader(http.StatusOK)
		_, err := c.Response().Write(buf.Bytes())
		return err
	}
	bw := bufio.NewWriterSize(c.Response(), exportBuffer)
	res, err := export.WriteDated(ctx, s.store, code, seq, cut.Date, f, bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		return nil
	}
	if !c.Response().Committed {
		return s.exportFailed(err)
	}
	if d := s.damageIn(code, err); d != nil {
		s.log.Error("export aborted mid-stream: history damaged", "request_id", requestID(c), "ledger", code, "after_seq", res.Seq, "err", err)
	} else {
		s.log.Warn("export aborted mid-stream", "request_id", requestID(c), "ledger", code, "after_seq", res.Seq, "err", err)
	}
	// net/http closes the connection without the terminating chunk, and
	// Echo's Recover lets this one panic through.
	panic(http.ErrAbortHandler)
}

// exportFailed answers an export that failed before its first byte; a
// damaged history becomes ledger_damaged in the error handler.
func (s *Server) exportFailed(err error) error {
	if errors.Is(err, context.Canceled) {
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the server is shutting down; retry shortly", RetryAfter: 1}
	}
	return err
}

// exportContent documents the media types of the export route.
func exportContent() map[string]any {
	out := map[string]any{}
	for _, f := range export.Formats {
		schema := map[string]any{"type": "string"}
		if f.Streamed {
			schema["contentMediaType"] = f.ContentType
		} else {
			schema["contentEncoding"] = "binary"
		}
		out[f.ContentType] = map[string]any{"schema": schema}
	}
	return out
}
