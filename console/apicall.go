package console

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// answer is what the API answered an internal call.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiError is an API error answer, {"error":{"code","message","field"}},
// with the rows of a refused file (code invalid_rows) when it has them.
type apiError struct {
	Status  int
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Field   string   `json:"field"`
	Rows    []rowErr `json:"rows"`
}

// rowErr is one refused row of an uploaded file: row counted as in Excel
// (header = row 1), the column and why.
type rowErr struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// failure answers the API error of a non-2xx answer, nil on success.
func (a answer) failure() *apiError {
	if a.Status >= 200 && a.Status < 300 {
		return nil
	}
	var body struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(a.Body, &body); err != nil || body.Error == nil {
		return &apiError{Status: a.Status, Code: "http_" + http.StatusText(a.Status), Message: strings.TrimSpace(string(a.Body))}
	}
	body.Error.Status = a.Status
	body.Error.Message = scrub(body.Error.Message)
	for i := range body.Error.Rows {
		body.Error.Rows[i].Reason = scrub(body.Error.Rows[i].Reason)
	}
	return body.Error
}

// recorder is the ResponseWriter of an internal call: it keeps the answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }
func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *recorder) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// request builds the internal request of a call on behalf of session s,
// in the context of the clerk's request r (so it ends when r ends).
func (c *Console) request(r *http.Request, s *session, method, path string, query url.Values, contentType string, body []byte) *http.Request {
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(r.Context(), method, target, rd)
	req.RemoteAddr = r.RemoteAddr
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "fundledger-console")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if s != nil {
		req.Header.Set("Authorization", "Bearer "+s.bearer)
	}
	return req
}

// call sends one request to the API's own handler, in process, and keeps
// the whole answer. Extra headers come in pairs (Idempotency-Key, …).
func (c *Console) call(r *http.Request, s *session, method, path string, query url.Values, contentType string, body []byte, headers ...string) answer {
	req := c.request(r, s, method, path, query, contentType, body)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	w := &recorder{header: http.Header{}}
	c.api.ServeHTTP(w, req)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return answer{Status: w.status, Header: w.header, Body: w.body.Bytes()}
}

// get reads a JSON answer of the API into out.
func (c *Console) get(r *http.Request, s *session, path string, query url.Values, out any) *apiError {
	a := c.call(r, s, http.MethodGet, path, query, "", nil)
	if e := a.failure(); e != nil {
		return e
	}
	if err := json.Unmarshal(a.Body, out); err != nil {
		return &apiError{Status: http.StatusBadGateway, Code: "bad_answer", Message: "the API's answer could not be read: " + err.Error()}
	}
	return nil
}

// ledgerPath is the API path of ledger l, with more segments (escaped).
func ledgerPath(l string, segs ...string) string {
	p := "/v1/ledgers/" + url.PathEscape(l)
	for _, s := range segs {
		p += "/" + url.PathEscape(s)
	}
	return p
}
