package console

import (
	"regexp"
	"strings"

	"github.com/fundledger/fundledger/disclosure"
)

// longNumber finds runs of digits long enough to be an ID or card number
// (an ID number may end in X).
var longNumber = regexp.MustCompile(`[0-9]{12,}[0-9Xx]?`)

// scrub masks what looks like an ID or card number in free text (an
// API's refusal may quote the value it refused): 18 characters as an ID
// number, other runs of 12 or more digits as a card. Digits beside a
// decimal point are an amount and stay.
func scrub(s string) string {
	locs := longNumber.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if l[0] > 0 && s[l[0]-1] == '.' || l[1] < len(s) && s[l[1]] == '.' {
			continue
		}
		n := s[l[0]:l[1]]
		b.WriteString(s[last:l[0]])
		if len(n) == 18 {
			b.WriteString(disclosure.MaskID(n))
		} else {
			b.WriteString(disclosure.MaskCard(n))
		}
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
