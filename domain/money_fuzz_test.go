package domain

import (
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
		inRange := derr == nil && d.IsPositive() && d.Cmp(MaxAmount.d) <= 0
		want := plainAmount.MatchString(s) && inRange
		if (err == nil) != want {
			t.Fatalf("ParseAmount(%q) = %v, %v; want accepted %v", s, m, err, want)
		}
		if err != nil {
			return
		}
		if !m.d.Equal(d) {
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
