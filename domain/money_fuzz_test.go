package domain

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"
)

// plainAmount is the request grammar ParseAmount promises: digits, and at
// most two decimals after a dot.
var plainAmount = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)

// twoDecimals is what Money.String writes.
var twoDecimals = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)

// FuzzParseAmount: ParseAmount accepts exactly the plain figures above
// 0.00 and at most 10^12 yuan, and an accepted amount round-trips through
// its two-decimal string to the same value; AmountText and Money read from
// JSON agree with it.
func FuzzParseAmount(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseAmount(s)
		d, derr := decimal.NewFromString(s)
		inRange := derr == nil && d.IsPositive() && d.Cmp(MaxAmount.Decimal()) <= 0
		want := plainAmount.MatchString(s) && inRange
		if (err == nil) != want {
			t.Fatalf("ParseAmount(%q) = %v, %v; want accepted %v", s, m, err, want)
		}
		if err != nil {
			return
		}
		if !m.Decimal().Equal(d) {
			t.Fatalf("ParseAmount(%q) = %s, not the value written", s, m)
		}
		str := m.String()
		if !twoDecimals.MatchString(str) {
			t.Fatalf("ParseAmount(%q).String() = %q, not two decimals", s, str)
		}
		back, err := ParseAmount(str)
		if err != nil || !back.Equal(m) || back.String() != str {
			t.Fatalf("%q → %q → %v, %v: no round trip", s, str, back, err)
		}
		var fromJSON Money
		if err := fromJSON.UnmarshalJSON([]byte(`"` + s + `"`)); err != nil || !fromJSON.Equal(m) {
			t.Fatalf("Money.UnmarshalJSON(%q) = %v, %v; ParseAmount says %s", s, fromJSON, err, m)
		}
		var text AmountText
		if err := text.UnmarshalJSON([]byte(s)); err != nil || string(text) != s {
			t.Fatalf("AmountText.UnmarshalJSON(%s) = %q, %v", s, text, err)
		}
	})
}

// FuzzParseStoredMoney: the fast path of ParseStoredMoney reads exactly
// the amount the slow, UnmarshalJSON reading reads, and accepts nothing
// the slow one rejects.
func FuzzParseStoredMoney(f *testing.F) {
	for _, s := range []string{"0.00", "-0.00", "1013.70", "-5.10", "007.05", "999999999999999.99", "-999999999999999.99",
		"1000000000000000.00", "1.5", "1", "", "-", "1.0a", "+1.00", "1e3", ".00", "1.000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseFenFast(s)
		slow, err := parseStoredSlow(s)
		if !ok {
			if got, gerr := ParseStoredMoney(s); (gerr == nil) != (err == nil) || (err == nil && !reflect.DeepEqual(got, slow)) {
				t.Fatalf("ParseStoredMoney(%q) = %v, %v; slow %v, %v", s, got, gerr, slow, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("fast path accepts %q, slow rejects: %v", s, err)
		}
		if !reflect.DeepEqual(fast, slow) || fast.String() != slow.String() {
			t.Fatalf("%q: fast %s (%#v), slow %s (%#v)", s, fast, fast, slow, slow)
		}
		if d := decimal.RequireFromString(s); !fast.Decimal().Equal(d) {
			t.Fatalf("%q read as %s", s, fast)
		}
	})
}
