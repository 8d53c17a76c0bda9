package api

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/ledger"
)

// writeResult answers a write's result as c.JSON would, byte for byte
// ({"seq":N,"hash":"…","events":[{"type":"…","data":…}]} and a newline),
// without encoding/json's reflection and its re-scan of every event's
// data. Every write pays for that answer, and the data is already compact
// JSON: the domain encodes it, or the store's copy was validated when the
// commit was decoded. Whatever this fast path cannot copy as is (a string
// that would need escaping, whitespace in an event's data, ?pretty or
// Echo's debug mode) goes through c.JSON instead.
func writeResult(c echo.Context, status int, res ledger.Result) error {
	if c.Request().URL.RawQuery != "" || c.Echo().Debug {
		return c.JSON(status, res)
	}
	b, ok := appendResult(make([]byte, 0, resultSize(res)), res)
	if !ok {
		return c.JSON(status, res)
	}
	return c.Blob(status, echo.MIMEApplicationJSON, b)
}

// resultSize is the length of res's answer, give or take the digits of seq.
func resultSize(res ledger.Result) int {
	n := len(`{"seq":,"hash":"","events":[]}`+"\n") + 20 + len(res.Hash)
	for _, e := range res.Events {
		n += len(`{"type":"","data":},`) + len(e.Type) + len(e.Data)
	}
	return n
}

// appendResult appends res as JSON; ok is false if some part of it cannot
// be copied as is.
func appendResult(b []byte, res ledger.Result) (_ []byte, ok bool) {
	if !plainString(res.Hash) {
		return b, false
	}
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, res.Seq, 10)
	b = append(b, `,"hash":"`...)
	b = append(b, res.Hash...)
	if res.Events == nil {
		return append(b, `","events":null}`+"\n"...), true
	}
	b = append(b, `","events":[`...)
	for i, e := range res.Events {
		if !plainString(e.Type) || !compact(e.Data) {
			return b, false
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"`...)
		b = append(b, e.Type...)
		b = append(b, `","data":`...)
		b = append(b, e.Data...)
		b = append(b, '}')
	}
	return append(b, "]}\n"...), true
}

// plainString reports whether encoding/json writes s as is between quotes:
// printable ASCII without '"' or '\' (hashes and event type names are).
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// compact reports whether encoding/json, which compacts a json.RawMessage
// (without HTML escaping here), would copy data unchanged: it is non-empty
// and holds no whitespace byte at all, not even inside a string (the
// conservative test, so that no scan is needed). data is valid JSON: the
// domain encoded it, or json.Unmarshal checked it when the commit was read.
func compact(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	for _, c := range data {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			return false
		}
	}
	return true
}
