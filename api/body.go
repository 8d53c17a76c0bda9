package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/internal/strictjson"
)

// mediaType answers the request's media type without parameters, lowercased.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// readBody reads the request body up to limit bytes. A Content-Length over
// the limit is refused before anything is read; a chunked body is cut off
// while reading. Both answer 413.
func readBody(c echo.Context, limit int64) ([]byte, error) {
	r := c.Request()
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(limit)
		}
		return nil, newError(http.StatusBadRequest, "unreadable_body", "the request body could not be read: %v", err)
	}
	return body, nil
}

func tooLarge(limit int64) *Error {
	return newError(http.StatusRequestEntityTooLarge, "too_large",
		"the request body is larger than the limit of %d bytes (%s) for this route", limit, humanBytes(limit))
}

func humanBytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readJSON checks the content type and size and reads a JSON body. JSON is
// UTF-8 (RFC 8259): a charset parameter naming anything else is refused
// with 415 rather than read as UTF-8 and misunderstood. The header is
// parsed once, and not at all when it is exactly "application/json", as
// nearly every write's is.
func readJSON(c echo.Context) ([]byte, error) {
	r := c.Request()
	if r.ContentLength > MaxBody {
		return nil, tooLarge(MaxBody)
	}
	if ct := r.Header.Get(echo.HeaderContentType); ct != echo.MIMEApplicationJSON {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || strings.ToLower(mt) != echo.MIMEApplicationJSON {
			return nil, unsupported(c, echo.MIMEApplicationJSON)
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return nil, newError(http.StatusUnsupportedMediaType, "unsupported_charset",
				"JSON bodies are UTF-8; the request says charset=%s", cs)
		}
	}
	return readBody(c, MaxBody)
}

func unsupported(c echo.Context, want ...string) *Error {
	got := c.Request().Header.Get(echo.HeaderContentType)
	if got == "" {
		got = "none"
	}
	return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"this route takes Content-Type %s; the request has %s", strings.Join(want, " or "), got)
}

// decodeStrict reads the body, exactly one JSON object, into v through the
// one strict decoder that `fundledger import` also uses (duplicate or
// case-variant names, unknown fields, invalid UTF-8 → 400).
func decodeStrict(body []byte, v any) error {
	if err := strictjson.Decode(body, v); err != nil {
		var se *strictjson.Error
		if errors.As(err, &se) {
			return &Error{Status: http.StatusBadRequest, Code: se.Code, Field: se.Field, Message: se.Message}
		}
		return newError(http.StatusBadRequest, "invalid_json", "the body is not valid JSON: %v", err)
	}
	return nil
}
