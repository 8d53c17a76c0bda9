package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// AmountText is a request amount as the client wrote it: a JSON string or an
// exact JSON number, kept as text so that Decide can parse it strictly and
// name the field when it is wrong ("1.001", "1e3", "-5" are rejected there).
type AmountText string

// UnmarshalJSON keeps the literal text of a number, or a string's text
// (escapes resolved). Any other JSON value is refused here so that the
// decoder names the field.
func (a *AmountText) UnmarshalJSON(b []byte) error {
	s := string(b)
	switch {
	case s == "null":
		s = ""
	case len(s) > 0 && s[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	case len(s) > 0 && (s[0] == '-' || s[0] >= '0' && s[0] <= '9'):
	default:
		return fmt.Errorf("an amount must be a string like \"1000.00\" or an exact number")
	}
	*a = AmountText(s)
	return nil
}

func amount(field string, a AmountText) (Money, error) {
	m, err := ParseAmount(string(a))
	if err != nil {
		return Money{}, invalid(field, "%s %v", field, err)
	}
	return m, nil
}

// maxText is the longest free-text reference (period, batch, document or
// voucher number) a write may carry.
const maxText = 64

// maxName is the longest name (of a village, person, project, programme, payee).
const maxName = 128

func text(field, v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return invalid(field, "%s is required", field)
	}
	if utf8.RuneCountInString(v) > max {
		return invalid(field, "%s is longer than %d characters", field, max)
	}
	return cleanText(field, v)
}

// forbiddenRune reports whether r may not appear in any text of a command:
// C0 and C1 control characters and DEL (a line break or NUL inside a name
// breaks CSV files, logs and the bank's fixed-width files), the Unicode line
// and paragraph separators (they end a line in JavaScript and some
// viewers), the byte-order mark / zero-width no-break space (invisible, so
// two names that look the same would differ), and the bidirectional
// embedding, override and isolate controls (they make a notice show a
// payee or amount in another order than the ledger holds it: "Trojan
// Source").
func forbiddenRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
	case r == 0x2028, r == 0x2029, r == 0xfeff:
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
	default:
		return false
	}
	return true
}

// cleanText refuses text that is not UTF-8 or holds a forbidden rune,
// naming the field and the character so the clerk can find it.
func cleanText(field, v string) error {
	for i, r := range v {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(v[i:]); size <= 1 {
				return invalid(field, "%s is not valid UTF-8 text (at byte %d)", field, i)
			}
		}
		if forbiddenRune(r) {
			return invalid(field, "%s holds the invisible or control character U+%04X at byte %d; remove it", field, r, i)
		}
	}
	return nil
}

func optionalText(field, v string, max int) error {
	if v == "" {
		return nil
	}
	return text(field, v, max)
}

// ValidID reports whether id can name a record: 1 to 64 ASCII letters, digits,
// '.', '-' or '_'. Ids appear in account names and URLs, so they are kept plain.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func id(field, v string) error {
	if v == "" {
		return invalid(field, "%s is required", field)
	}
	if !ValidID(v) {
		return invalid(field, "%s %q must be 1 to 64 letters, digits, '.', '-' or '_'", field, v)
	}
	return nil
}

func oneOf(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalid(field, "%s %q must be one of %s", field, v, strings.Join(allowed, ", "))
}

func year(field string, y int) error {
	if y < 1949 || y > 2200 {
		return invalid(field, "%s %d is not a plausible year", field, y)
	}
	return nil
}

func date(field, v string) error {
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return invalid(field, "%s %q must be a date like 2019-05-01", field, v)
	}
	return nil
}

// ValidIDNumber checks an 18-character resident ID number (GB 11643): 17
// digits and a check character (digit or X) computed by ISO 7064 MOD 11-2.
func ValidIDNumber(s string) bool {
	if len(s) != 18 || !allDigits(s[:17]) {
		return false
	}
	check := s[17]
	if check == 'x' {
		check = 'X'
	}
	return check == IDNumberCheck(s[:17])
}

// CanonicalIDNumber answers the form an ID number is stored and compared
// in: the check character 'x' written as 'X' (GB 11643 prints it upper
// case; clerks type either).
func CanonicalIDNumber(s string) string { return strings.ToUpper(s) }

// IDNumberCheck answers the check character for the first 17 digits of an
// ID number (used to build valid fake IDs for demo data).
func IDNumberCheck(first17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17 && i < len(first17); i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

func bankAccount(field, v string) error {
	if len(v) < 8 || len(v) > 30 || !allDigits(v) {
		return invalid(field, "%s must be 8 to 30 digits", field)
	}
	return nil
}
