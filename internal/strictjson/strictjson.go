// Package strictjson is the one reader of JSON request bodies: the HTTP API
// and `fundledger import` both decode every write through Decode, so a body
// means the same thing whichever way it comes in.
//
// It is built on github.com/go-json-experiment/json (the proposed
// encoding/json/v2), whose defaults are what a ledger of public money needs:
// member names match case-sensitively, a repeated name is an error, and
// invalid UTF-8 (including a lone escaped surrogate) is an error rather than
// silently replaced. On top of that it refuses:
//   - two names of one object that differ only in case
//     ({"amount":"1.00","AMOUNT":"700.00"}): a reader that folds case, as
//     encoding/json v1 and many spreadsheets' importers do, would take the
//     other figure than we did;
//   - members the target type does not have (a misspelt field must not be
//     dropped silently);
//   - anything but exactly one JSON object.
package strictjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Codes of Error, stable and machine-readable.
const (
	CodeInvalidJSON    = "invalid_json"    // not one well-formed, unambiguous JSON object
	CodeUnknownField   = "unknown_field"   // a member the request does not have
	CodeInvalidRequest = "invalid_request" // a member of the wrong JSON kind
	CodeEmptyBody      = "empty_body"      // nothing but white space
)

// Error says why a body was refused. Field, when set, names the member at
// fault the way domain errors do ("lines[2].amount").
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

func fail(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Decode reads body, which must be exactly one JSON object, into v (a
// pointer to a struct), or answers an *Error and leaves v in an unspecified
// state.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fail(CodeEmptyBody, "", "the request body is empty; send a JSON object")
	}
	if err := checkNames(body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v, json.RejectUnknownMembers(true)); err != nil {
		return unmarshalError(err)
	}
	return nil
}

// checkNames walks the body token by token: it finds syntax errors,
// invalid UTF-8, names of one object that are equal or differ only in case,
// and a body that is not one object. The walk keeps its own record of each
// open object's names (exact duplicates included, so jsontext's own
// namespace is switched off rather than kept twice), and every buffer it
// uses comes from a pool: every write over HTTP goes through here, and this
// walk was over half of a small body's decode.
func checkNames(body []byte) error {
	w := walkers.Get().(*walker)
	defer w.release()
	w.r.Reset(body)
	w.dec.Reset(&w.r, jsontext.AllowDuplicateNames(true))
	dec := &w.dec
	values := 0
	for {
		depth := dec.StackDepth()
		kind, length := dec.StackIndex(depth)
		if kind == '{' && length%2 == 0 && dec.PeekKind() == '"' {
			raw, err := dec.ReadValue() // the name, quoted, valid until the next read
			if err != nil {
				return syntaxError(err)
			}
			if err := w.name(dec, depth, raw); err != nil {
				return err
			}
			continue
		}
		tok, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return syntaxError(err)
		}
		k := tok.Kind()
		if depth == 0 {
			if values++; values > 1 {
				return fail(CodeInvalidJSON, "", "the body holds more than one JSON value; send exactly one object")
			}
			if k != '{' {
				return fail(CodeInvalidJSON, "", "the body must be a JSON object, not %s", kindName(k))
			}
		}
		switch k {
		case '{':
			w.open(dec.StackDepth())
		case '}':
			w.arena = w.arena[:w.frames[depth-1].mark]
		}
	}
}

// walker is checkNames' state, pooled.
type walker struct {
	r   bytes.Reader
	dec jsontext.Decoder
	// arena holds the unquoted names of the objects open now, each
	// object's after its parent's (an object's are dropped when it
	// closes); frames[d-1] indexes the object open at depth d.
	arena  []byte
	frames []frame
}

// frame is one open object's names: spans of the arena, compared with
// bytes.EqualFold while there are few, and past smallObject also a map
// keyed by fold, so that an object of many names is not checked in
// quadratic time.
type frame struct {
	mark  int
	spans [][2]int
	big   map[string]string
}

// smallObject is the most names an object is checked for by comparing
// each new name with each earlier one.
const smallObject = 16

var walkers = sync.Pool{New: func() any { return new(walker) }}

func (w *walker) release() {
	w.r.Reset(nil)
	w.dec.Reset(&w.r) // drops the body and the options
	if cap(w.arena) > 64<<10 {
		w.arena = nil
	}
	if len(w.frames) > 64 {
		w.frames = nil
	}
	walkers.Put(w)
}

// open starts the record of the object just opened at depth d.
func (w *walker) open(d int) {
	for len(w.frames) < d {
		w.frames = append(w.frames, frame{})
	}
	f := &w.frames[d-1]
	f.mark, f.spans = len(w.arena), f.spans[:0]
	if f.big != nil {
		clear(f.big)
	}
}

// name records raw, a name of the object open at depth, or answers why it
// cannot be one: an earlier name of the object equals it, or differs from
// it only in case.
func (w *walker) name(dec *jsontext.Decoder, depth int, raw jsontext.Value) error {
	start := len(w.arena)
	if bytes.IndexByte(raw, '\\') < 0 {
		w.arena = append(w.arena, raw[1:len(raw)-1]...)
	} else {
		var err error
		if w.arena, err = jsontext.AppendUnquote(w.arena, raw); err != nil {
			return syntaxError(err)
		}
	}
	name := w.arena[start:]
	f := &w.frames[depth-1]
	var prev string
	dup := false
	if f.big == nil {
		for _, s := range f.spans {
			if bytes.EqualFold(w.arena[s[0]:s[1]], name) {
				prev, dup = string(w.arena[s[0]:s[1]]), true
				break
			}
		}
		if !dup && len(f.spans) == smallObject {
			f.big = make(map[string]string, 2*smallObject)
			for _, s := range f.spans {
				n := string(w.arena[s[0]:s[1]])
				f.big[fold(n)] = n
			}
		}
	}
	if f.big != nil && !dup {
		n := string(name)
		folded := fold(n)
		if prev, dup = f.big[folded]; !dup {
			f.big[folded] = n
		}
	}
	if dup {
		n := string(name)
		field := pointerField(dec.StackPointer().Parent().AppendToken(n))
		if prev == n {
			return &Error{Code: CodeInvalidJSON, Field: field, Message: fmt.Sprintf("the body names %q twice in one object; names must be unique", field)}
		}
		return &Error{Code: CodeInvalidJSON, Field: field, Message: fmt.Sprintf(
			"the body names %q and %q in one object; names must be unique and differ in more than case", prev, n)}
	}
	f.spans = append(f.spans, [2]int{start, len(w.arena)})
	return nil
}

// fold maps a name to one representative of its case-folding class (each
// rune's least fold, which for ASCII letters is the upper case), so that
// two names are equal after fold exactly when strings.EqualFold says they
// are ("amount", "AMOUNT", and with the Kelvin sign or long s too).
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

func syntaxError(err error) *Error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		field := pointerField(se.JSONPointer)
		if errors.Is(err, jsontext.ErrDuplicateName) {
			return &Error{Code: CodeInvalidJSON, Field: field, Message: fmt.Sprintf("the body names %q twice in one object; names must be unique", field)}
		}
		if strings.Contains(se.Err.Error(), "UTF-8") {
			return &Error{Code: CodeInvalidJSON, Field: field, Message: fmt.Sprintf("the body is not valid UTF-8 (at byte %d); send UTF-8 text", se.ByteOffset)}
		}
		return &Error{Code: CodeInvalidJSON, Field: field, Message: fmt.Sprintf("the body is not valid JSON (at byte %d): %v", se.ByteOffset, se.Err)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fail(CodeInvalidJSON, "", "the body is not valid JSON: it ends too early")
	}
	return fail(CodeInvalidJSON, "", "the body is not valid JSON: %v", err)
}

func unmarshalError(err error) *Error {
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		field := pointerField(sem.JSONPointer)
		switch {
		case errors.Is(err, json.ErrUnknownName):
			return &Error{Code: CodeUnknownField, Field: field, Message: fmt.Sprintf(
				"field %q is not part of this request (names are case-sensitive); see /v1/openapi.json for the fields", field)}
		case field == "":
			return fail(CodeInvalidJSON, "", "the body must be a JSON object")
		case sem.GoType != nil:
			return &Error{Code: CodeInvalidRequest, Field: field, Message: fmt.Sprintf("%s must be %s, not %s",
				field, goKindName(sem.GoType), kindName(sem.JSONKind))}
		}
		return &Error{Code: CodeInvalidRequest, Field: field, Message: fmt.Sprintf("%s is not valid: %v", field, sem.Err)}
	}
	return syntaxError(err)
}

// pointerField writes a JSON pointer as the domain names fields:
// /lines/2/amount → lines[2].amount.
func pointerField(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a JSON value"
}

func goKindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.Kind().String()
}
