package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/ledger"
)

// write answers the route of command d: the JSON body is the command, and
// the path's :id fills the field d.Param names. The ledger is the path's,
// or for opening one the body's code; a token scoped to one ledger may
// open only that one.
func (s *Server) write(d domain.CommandSpec) echo.HandlerFunc {
	return func(c echo.Context) error {
		body, err := readJSON(c)
		if err != nil {
			return err
		}
		cmd, err := d.Decode(body, c.Param("id"), decodeStrict)
		if err != nil {
			return err
		}
		code := c.Param("ledger")
		if open, ok := cmd.(domain.OpenLedger); ok {
			if p := principal(c); p != nil && p.Ledger != "" && open.Code != "" && p.Ledger != open.Code {
				return newError(http.StatusForbidden, "wrong_ledger", "your token is limited to ledger %s and cannot open ledger %s", p.Ledger, open.Code)
			}
			code = open.Code
		}
		return s.submit(c, code, cmd, body)
	}
}

// maxKey bounds an Idempotency-Key: a UUID or a clerk's reference fits.
const maxKey = 128

// requestHash identifies a request's content for its Idempotency-Key:
// SHA-256 over the method, the path with its query (uploads carry the batch
// fields there) and the raw body bytes.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	h.Write([]byte(r.Method))
	h.Write([]byte{0})
	h.Write([]byte(r.URL.EscapedPath()))
	if r.URL.RawQuery != "" {
		h.Write([]byte("?" + r.URL.RawQuery))
	}
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// submit writes cmd on ledger and answers 201 {"seq","hash","events"}; a
// replay of an Idempotency-Key answers the original result the same way.
func (s *Server) submit(c echo.Context, code string, cmd domain.Command, body []byte) error {
	res, err := s.submitRequest(c, code, cmd, body, false)
	if err != nil {
		return err
	}
	return s.answerWrite(c, code, res)
}

// submitRequest hands cmd to the ledger's writer, or with dry only has it
// decided, and answers the writer's result.
func (s *Server) submitRequest(c echo.Context, code string, cmd domain.Command, body []byte, dry bool) (ledger.Result, error) {
	r := c.Request()
	key := r.Header.Get("Idempotency-Key")
	if len(key) > maxKey || !printable(key) {
		return ledger.Result{}, &Error{Status: http.StatusBadRequest, Code: "invalid_idempotency_key", Field: "Idempotency-Key",
			Message: "Idempotency-Key must be at most 128 printable ASCII characters"}
	}
	c.Set("command", cmd.CommandName())
	return s.manager.Submit(r.Context(), code, ledger.Request{
		Command: cmd, Actor: actor(c), IdempotencyKey: key, RequestHash: requestHash(r, body), DryRun: dry,
	})
}

// answerWrite answers an accepted write: 201 {"seq","hash","events"}.
func (s *Server) answerWrite(c echo.Context, code string, res ledger.Result) error {
	// Wake the projections only for a ledger they do not follow yet: a
	// followed ledger's commits reach them through the store, and each
	// Notify costs the projector a listing of the store's ledgers.
	if s.projector != nil && s.projector.Seq(code) == 0 {
		s.projector.Notify(code)
	}
	if res.Replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	if res.Events == nil {
		res.Events = []domain.RawEvent{}
	}
	c.Set("seq", res.Seq)
	return writeResult(c, http.StatusCreated, res)
}

func printable(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
