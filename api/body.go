package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
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

// readJSON checks the content type and size and reads a JSON body.
func readJSON(c echo.Context) ([]byte, error) {
	if r := c.Request(); r.ContentLength > MaxBody {
		return nil, tooLarge(MaxBody)
	}
	if mt := mediaType(c.Request()); mt != echo.MIMEApplicationJSON {
		return nil, unsupported(c, echo.MIMEApplicationJSON)
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

// decodeStrict reads one JSON value into v, refusing unknown fields and
// anything after the value, and names the field at fault.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return newError(http.StatusBadRequest, "empty_body", "the request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return newError(http.StatusBadRequest, "invalid_json", "the body holds more than one JSON value; send exactly one object")
	}
	return nil
}

func jsonError(err error) *Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		e := newError(http.StatusBadRequest, "unknown_field", "field %q is not part of this request; see /v1/openapi.json for the fields", field)
		e.Field = field
		return e
	case errors.As(err, &syn):
		return newError(http.StatusBadRequest, "invalid_json", "the body is not valid JSON (at byte %d): %v", syn.Offset, syn)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return newError(http.StatusBadRequest, "invalid_json", "the body must be a JSON object, not a %s", typ.Value)
		}
		e := newError(http.StatusBadRequest, "invalid_request", "%s must be a %s, not a %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
		e.Field = typ.Field
		return e
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newError(http.StatusBadRequest, "invalid_json", "the body is not valid JSON: it ends too early")
	}
	return newError(http.StatusBadRequest, "invalid_json", "the body is not valid JSON: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "uint64", "float64":
		return "number"
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	case "bool":
		return "true or false"
	}
	return k
}
