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
// invalid UTF-8 and exact duplicate names (jsontext's defaults), names that
// differ only in case, and a body that is not one object.
func checkNames(body []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	// names[d] holds the folded names seen so far in the object open at
	// depth d; maps are cleared and reused so a batch of many small line
	// objects costs few allocations.
	var names []map[string]string
	values := 0
	for {
		depth := dec.StackDepth()
		kind, length := dec.StackIndex(depth)
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
		switch {
		case kind == '{' && length%2 == 0 && k != '}':
			name := tok.String()
			folded := fold(name)
			seen := names[depth-1]
			if prev, dup := seen[folded]; dup {
				field := pointerField(dec.StackPointer().Parent().AppendToken(name))
				return &Error{Code: CodeInvalidJSON, Field: field, Message: fmt.Sprintf(
					"the body names %q and %q in one object; names must be unique and differ in more than case", prev, name)}
			}
			seen[folded] = name
		case k == '{':
			d := dec.StackDepth() // the new object's depth
			for len(names) < d {
				names = append(names, nil)
			}
			if names[d-1] == nil {
				names[d-1] = map[string]string{}
			} else {
				clear(names[d-1])
			}
		}
	}
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
