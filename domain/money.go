package domain

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an amount of yuan with at most two decimals (fen). It is carried as
// a decimal, never as a float, and written as a string with exactly two
// decimals ("1013.70").
type Money struct{ d decimal.Decimal }

// MaxAmount is the largest amount a request may carry: 10^12 yuan, far above
// any county's yearly budget, low enough to catch a mistyped figure.
var MaxAmount = Money{decimal.New(1, 12)}

// Zero is 0.00 yuan.
var Zero = Money{}

// Yuan makes Money from whole yuan (for tests and demo data).
func Yuan(n int64) Money { return Money{decimal.NewFromInt(n)} }

// Fen makes Money from fen (hundredths of a yuan).
func Fen(n int64) Money { return Money{decimal.New(n, -2)} }

// ParseAmount reads a request amount strictly: plain digits with an optional
// '.' and one or two decimals, positive, at most MaxAmount. It rejects signs,
// exponents, grouping, spaces, NaN and three decimals, so that "1.001" or
// "1e3" is never silently read as something else.
func ParseAmount(s string) (Money, error) {
	m, err := parseMoney(s)
	if err != nil {
		return Money{}, err
	}
	if !m.IsPositive() {
		return Money{}, fmt.Errorf("must be greater than 0.00 yuan, got %q", s)
	}
	if m.Cmp(MaxAmount) > 0 {
		return Money{}, fmt.Errorf("%q is above the ceiling of 1000000000000.00 yuan", s)
	}
	return m, nil
}

// parseMoney reads digits[.d[d]] with no sign; zero is allowed.
func parseMoney(s string) (Money, error) {
	if s == "" {
		return Money{}, fmt.Errorf("is empty; write yuan like \"1000.00\"")
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return Money{}, fmt.Errorf("%q is not a plain yuan figure; write digits with at most two decimals, like \"1000.00\"", s)
	}
	if len(frac) > 2 {
		return Money{}, fmt.Errorf("%q has more than two decimals; the smallest unit is the fen (0.01)", s)
	}
	if len(strings.TrimLeft(intPart, "0")) > 15 { // leading zeros add no value (found by FuzzParseAmount)
		return Money{}, fmt.Errorf("%q is above the ceiling of 1000000000000.00 yuan", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Money{}, fmt.Errorf("%q: %v", s, err)
	}
	return Money{d}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MustParse parses a non-negative amount or panics; for tests and constants.
func MustParse(s string) Money {
	m, err := parseMoney(s)
	if err != nil {
		panic(err)
	}
	return m
}

func (m Money) Add(o Money) Money        { return Money{m.d.Add(o.d)} }
func (m Money) Sub(o Money) Money        { return Money{m.d.Sub(o.d)} }
func (m Money) Neg() Money               { return Money{m.d.Neg()} }
func (m Money) Cmp(o Money) int          { return m.d.Cmp(o.d) }
func (m Money) Equal(o Money) bool       { return m.d.Equal(o.d) }
func (m Money) IsZero() bool             { return m.d.IsZero() }
func (m Money) IsNegative() bool         { return m.d.IsNegative() }
func (m Money) IsPositive() bool         { return m.d.IsPositive() }
func (m Money) Decimal() decimal.Decimal { return m.d }

// MulInt multiplies by a count (e.g. a per-person standard by members).
func (m Money) MulInt(n int64) Money { return Money{m.d.Mul(decimal.NewFromInt(n))} }

// String writes exactly two decimals: "80000.00", "-5.10".
func (m Money) String() string { return m.d.StringFixed(2) }

// Ratio answers a ÷ b as a string with four decimals rounded half-up
// ("0.5224"); "0.0000" when b is zero.
func Ratio(a, b Money) string {
	if b.IsZero() {
		return "0.0000"
	}
	return a.d.DivRound(b.d, 8).Round(4).StringFixed(4)
}

// MarshalJSON writes the amount as a two-decimal string.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(`"` + m.String() + `"`), nil }

// UnmarshalJSON accepts a string ("1000.00") or an exact JSON number (1000.5)
// and applies the strict request rules except positivity, which each command
// checks with the field's name. Stored events use the same reader, so history
// holds only well-formed amounts. A leading '-' is accepted only for stored
// postings (signed), never from requests: see ParseAmount.
func (m *Money) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	// ParseStoredMoney is this very reading with a fast path for the
	// usual "digits.dd" (FuzzParseStoredMoney checks they agree); every
	// snapshot and stored event is full of amounts.
	v, err := ParseStoredMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseStoredMoney reads an amount as stored (Money.String or a stored
// event's field): an optional '-', digits and at most two decimals, read
// by exactly the rules of UnmarshalJSON. The usual form, digits with two
// decimals that fit in int64 fen, takes a fast path that builds the same
// decimal (coefficient and exponent) as decimal.NewFromString would;
// FuzzParseStoredMoney checks the two agree on every input.
func ParseStoredMoney(s string) (Money, error) {
	if m, ok := parseFenFast(s); ok {
		return m, nil
	}
	return parseStoredSlow(s)
}

// parseStoredSlow is UnmarshalJSON's reading of an unquoted amount.
func parseStoredSlow(s string) (Money, error) {
	neg := strings.HasPrefix(s, "-")
	v, err := parseMoney(strings.TrimPrefix(s, "-"))
	if err != nil {
		return Money{}, err
	}
	if neg {
		v = v.Neg()
	}
	return v, nil
}

// parseFenFast reads [-]d{1,15}.dd; ok is false for anything else, which
// the slow path then reads (or rejects).
func parseFenFast(s string) (Money, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	n := len(s)
	if n < 4 || n > 18 || s[n-3] != '.' {
		return Money{}, false
	}
	var fen int64
	for i := 0; i < n; i++ {
		if i == n-3 {
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return Money{}, false
		}
		fen = fen*10 + int64(c-'0')
	}
	if neg {
		fen = -fen
	}
	return Money{decimal.New(fen, -2)}, true
}
