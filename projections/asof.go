package projections

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cut says how far into a ledger's history a read looks. The zero Cut is the
// live model; a Seq cut includes commits up to and including Seq; a Time cut
// includes every commit whose time is at or before Time (commit times never
// go backwards, so this is a clean prefix of the log).
type Cut struct {
	Seq  uint64
	Time time.Time
}

// IsZero reports whether the cut is the live model.
func (c Cut) IsZero() bool { return c.Seq == 0 && c.Time.IsZero() }

// includes reports whether a commit of seq and time t lies within the cut.
func (c Cut) includes(seq uint64, t time.Time) bool {
	if c.Seq != 0 && seq > c.Seq {
		return false
	}
	if !c.Time.IsZero() && t.After(c.Time) {
		return false
	}
	return true
}

func (c Cut) String() string {
	switch {
	case c.IsZero():
		return "live"
	case c.Seq != 0:
		return "seq " + strconv.FormatUint(c.Seq, 10)
	default:
		return c.Time.Format(time.RFC3339Nano)
	}
}

// ParseAsOf reads an as_of value: "" is live; digits are a sequence number
// ("123"); a date ("2019-06-30") means the end of that day in China Standard
// Time (UTC+8), the day the county's documents would give; an RFC 3339 time
// ("2019-06-30T18:00:00+08:00") is taken as written.
func ParseAsOf(s string) (Cut, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Cut{}, nil
	}
	if isDigits(s) {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			return Cut{}, fmt.Errorf("as_of %q: a sequence number must be a whole number from 1", s)
		}
		return Cut{Seq: n}, nil
	}
	if d, err := time.ParseInLocation("2006-01-02", s, chinaTime); err == nil {
		return Cut{Time: d.AddDate(0, 0, 1).Add(-time.Nanosecond)}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if t.IsZero() { // the zero Cut is the live model: never let a time in year 1 read as "now"
			return Cut{}, fmt.Errorf("as_of %q is before any ledger; give a later time", s)
		}
		return Cut{Time: t}, nil
	}
	return Cut{}, fmt.Errorf("as_of %q is not understood: give a sequence number (123), a date (2019-06-30, end of that day China time) or an RFC 3339 time (2019-06-30T18:00:00+08:00)", s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
