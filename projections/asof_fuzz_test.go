package projections

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParseAsOf: ParseAsOf never panics; anything but blank is either
// refused or a real cut (never the live model, which would answer a
// question about the past with the present); a sequence cut is the number
// written; a time or date cut survives being written and read back.
func FuzzParseAsOf(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseAsOf(s)
		if err != nil {
			if !c.IsZero() {
				t.Fatalf("ParseAsOf(%q) failed but answered %v", s, c)
			}
			return
		}
		trimmed := strings.TrimSpace(s)
		if trimmed == "" {
			if !c.IsZero() {
				t.Fatalf("blank as_of %q answered %v, not live", s, c)
			}
			return
		}
		if c.IsZero() {
			t.Fatalf("ParseAsOf(%q) is the live model", s)
		}
		if c.Seq != 0 {
			if n, err := strconv.ParseUint(trimmed, 10, 64); err != nil || n != c.Seq || !c.Time.IsZero() {
				t.Fatalf("ParseAsOf(%q) = seq %d", s, c.Seq)
			}
			return
		}
		back, err := ParseAsOf(c.String())
		if err != nil || back.Seq != 0 || !back.Time.Equal(c.Time) || back.Date != c.Date {
			t.Fatalf("ParseAsOf(%q) = %v; read back from %q: %v, %v", s, c, c.String(), back, err)
		}
	})
}
