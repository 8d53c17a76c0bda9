package domain

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an amount of yuan with at most two decimals, held as a whole
// number of fen (分), never as a float, and written as a string with
// exactly two decimals ("1013.70").
//
// A request's amount is at most MaxAmount (10^14 fen), but balances and
// gross counters are sums that grow with circulation and have no bound a
// decision could enforce, so a value that leaves int64 is carried exactly
// in big instead of wrapping: big is nil for every value that fits int64
// (the form is canonical, so == and reflect.DeepEqual mean equality), and
// set, with fen zero, only for one that does not. The fast path is 16
// bytes and no allocation, where a decimal was a pointer to a big.Int.
type Money struct {
	fen int64
	big *big.Int // nil unless the value in fen is outside int64; never mutated
}

// MaxAmount is the largest amount a request may carry: 10^12 yuan, far above
// any county's yearly budget, low enough to catch a mistyped figure.
var MaxAmount = Money{fen: 100_000_000_000_000}

// Zero is 0.00 yuan.
var Zero = Money{}

// Yuan makes Money from whole yuan (for tests and demo data).
func Yuan(n int64) Money { return Fen(n).MulInt(100) }

// Fen makes Money from fen (hundredths of a yuan).
func Fen(n int64) Money { return Money{fen: n} }

// fromBig answers b in canonical form (b is not kept if it fits int64, and
// is never mutated afterwards if it is).
func fromBig(b *big.Int) Money {
	if b.IsInt64() {
		return Money{fen: b.Int64()}
	}
	return Money{big: b}
}

// bigFen answers the value in fen as a big.Int the caller may not mutate.
func (m Money) bigFen() *big.Int {
	if m.big != nil {
		return m.big
	}
	return big.NewInt(m.fen)
}

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
	intPart = strings.TrimLeft(intPart, "0") // leading zeros add no value (found by FuzzParseAmount)
	if len(intPart) > 15 {
		return Money{}, fmt.Errorf("%q is above the ceiling of 1000000000000.00 yuan", s)
	}
	// At most 15 + 2 digits: always within int64.
	var fen int64
	for i := 0; i < len(intPart); i++ {
		fen = fen*10 + int64(intPart[i]-'0')
	}
	for i := 0; i < 2; i++ {
		fen *= 10
		if i < len(frac) {
			fen += int64(frac[i] - '0')
		}
	}
	return Money{fen: fen}, nil
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

// Add answers m + o, exactly: a sum that leaves int64 goes to big.
func (m Money) Add(o Money) Money {
	if m.big == nil && o.big == nil {
		s := m.fen + o.fen
		if (s^m.fen)&(s^o.fen) >= 0 { // no signed overflow
			return Money{fen: s}
		}
	}
	return fromBig(new(big.Int).Add(m.bigFen(), o.bigFen()))
}

// Sub answers m − o, exactly.
func (m Money) Sub(o Money) Money {
	if m.big == nil && o.big == nil {
		d := m.fen - o.fen
		if (m.fen^o.fen)&(d^m.fen) >= 0 { // no signed overflow
			return Money{fen: d}
		}
	}
	return fromBig(new(big.Int).Sub(m.bigFen(), o.bigFen()))
}

// Neg answers −m (−MinInt64 fen goes to big).
func (m Money) Neg() Money {
	if m.big == nil && m.fen != minFen {
		return Money{fen: -m.fen}
	}
	return fromBig(new(big.Int).Neg(m.bigFen()))
}

const minFen = -1 << 63

// Cmp answers -1, 0 or +1 as m is less than, equal to or more than o.
func (m Money) Cmp(o Money) int {
	if m.big == nil && o.big == nil {
		switch {
		case m.fen < o.fen:
			return -1
		case m.fen > o.fen:
			return 1
		}
		return 0
	}
	return m.bigFen().Cmp(o.bigFen())
}

func (m Money) Equal(o Money) bool {
	if m.big == nil && o.big == nil {
		return m.fen == o.fen
	}
	return m.Cmp(o) == 0
}

func (m Money) IsZero() bool { return m.big == nil && m.fen == 0 }

func (m Money) IsNegative() bool { return m.Sign() < 0 }

func (m Money) IsPositive() bool { return m.Sign() > 0 }

// Sign answers -1, 0 or +1.
func (m Money) Sign() int {
	if m.big != nil {
		return m.big.Sign()
	}
	switch {
	case m.fen < 0:
		return -1
	case m.fen > 0:
		return 1
	}
	return 0
}

// Decimal answers the amount as a decimal in yuan (exponent -2), for
// arithmetic at the edges (ratios, charts, spreadsheets).
func (m Money) Decimal() decimal.Decimal {
	if m.big != nil {
		return decimal.NewFromBigInt(m.big, -2)
	}
	return decimal.New(m.fen, -2)
}

// MulInt multiplies by a count (e.g. a per-person standard by members).
func (m Money) MulInt(n int64) Money {
	if m.big == nil {
		p := m.fen * n
		// Overflow iff the division does not give n back (and the one
		// product division cannot check, MinInt64 × -1).
		if m.fen == 0 || (p/m.fen == n && !(m.fen == -1 && n == minFen) && !(n == -1 && m.fen == minFen)) {
			return Money{fen: p}
		}
	}
	return fromBig(new(big.Int).Mul(m.bigFen(), big.NewInt(n)))
}

// String writes exactly two decimals: "80000.00", "-5.10".
func (m Money) String() string {
	var buf [24]byte
	return string(m.AppendText(buf[:0]))
}

// AppendText appends String's text to b (without an allocation of its own
// on the int64 path).
func (m Money) AppendText(b []byte) []byte {
	if m.big != nil {
		return appendFenDigits(b, m.big.Sign() < 0, new(big.Int).Abs(m.big).String())
	}
	u := uint64(m.fen)
	if m.fen < 0 {
		u = -u // two's complement: right for MinInt64 too
	}
	var digits [20]byte
	return appendFenDigits(b, m.fen < 0, string(strconv.AppendUint(digits[:0], u, 10)))
}

// appendFenDigits writes the fen digits d as yuan with two decimals.
func appendFenDigits(b []byte, neg bool, d string) []byte {
	if neg {
		b = append(b, '-')
	}
	for len(d) < 3 {
		d = "0" + d
	}
	b = append(b, d[:len(d)-2]...)
	b = append(b, '.')
	return append(b, d[len(d)-2:]...)
}

// Ratio answers a ÷ b as a string with four decimals rounded half-up
// ("0.5224"); "0.0000" when b is zero.
func Ratio(a, b Money) string {
	if b.IsZero() {
		return "0.0000"
	}
	return a.Decimal().DivRound(b.Decimal(), 8).Round(4).StringFixed(4)
}

// MarshalJSON writes the amount as a two-decimal string.
func (m Money) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = m.AppendText(b)
	return append(b, '"'), nil
}

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
// decimals, takes a fast path; FuzzParseStoredMoney checks the two agree
// on every input.
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
	return Money{fen: fen}, true
}
