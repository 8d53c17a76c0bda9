package projections

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fundledger/fundledger/domain"
)

// Cut says how far into a ledger's history a read looks, on two axes.
//
// Record time (what the ledger held then): the zero Seq and Time are the
// head; a Seq cut includes commits up to and including Seq; a Time cut
// every commit recorded at or before Time (commit times never go
// backwards, so this is a clean prefix of the log).
//
// Business time: a Date cut ("2019-06-30") includes, of the commits within
// the record cut, those dated on or before Date, in record order, plus the
// registrations of the ledger, its villages and households, which exist in
// every business cut (a payout dated before its household's registration
// still finds it). A Date with a record cut is "what the ledger said at
// Seq/Time about Date" (as_of=DATE&known_at=N).
type Cut struct {
	Seq  uint64
	Time time.Time
	Date string // business date, YYYY-MM-DD; "" for a record cut
}

// IsZero reports whether the cut is the live model.
func (c Cut) IsZero() bool { return c.Seq == 0 && c.Time.IsZero() && c.Date == "" }

// IsBusiness reports whether the cut is a business cut (by date).
func (c Cut) IsBusiness() bool { return c.Date != "" }

// record answers the cut's record part: the head it is known at.
func (c Cut) record() Cut { return Cut{Seq: c.Seq, Time: c.Time} }

// includes reports whether a commit of seq and time t lies within the
// cut's record part.
func (c Cut) includes(seq uint64, t time.Time) bool {
	if c.Seq != 0 && seq > c.Seq {
		return false
	}
	if !c.Time.IsZero() && t.After(c.Time) {
		return false
	}
	return true
}

// Holds reports whether commit c is within the cut: within its record part
// and, for a business cut, dated on or before its date or a registration.
func (c Cut) Holds(cm *domain.Commit) bool {
	if !c.includes(cm.Seq, cm.Time) {
		return false
	}
	return c.Date == "" || inEveryCut(cm.Command) || cm.BusinessDate() <= c.Date
}

// inEveryCut reports whether a commit of this command belongs to every
// business cut whatever its date: the registers (the ledger, its villages,
// its households) are places and people, not money, and a write dated
// before a registration must still find what it names.
func inEveryCut(command string) bool {
	switch command {
	case "open_ledger", "register_village", "register_household":
		return true
	}
	return false
}

func (c Cut) String() string {
	var rec string
	switch {
	case c.Seq != 0:
		rec = "seq " + strconv.FormatUint(c.Seq, 10)
	case !c.Time.IsZero():
		rec = c.Time.Format(time.RFC3339Nano)
	}
	switch {
	case c.Date != "" && rec != "":
		return c.Date + " known at " + rec
	case c.Date != "":
		return c.Date
	case rec != "":
		return rec
	}
	return "live"
}

// ParseAsOf reads an as_of value: "" is live; digits are a sequence number
// ("123", a record cut); an RFC 3339 time ("2019-06-30T18:00:00+08:00",
// a record cut) is taken as written; a plain date ("2019-06-30") is a
// business cut: every write dated on or before that day, as known at the
// head.
func ParseAsOf(s string) (Cut, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Cut{}, nil
	}
	if len(s) == len(domain.DateLayout) && strings.Count(s, "-") == 2 {
		if !domain.ValidDate(s) {
			return Cut{}, fmt.Errorf("as_of %q is not a real day: give a date like 2019-06-30", s)
		}
		return Cut{Date: s}, nil
	}
	c, err := parseRecord("as_of", s)
	if err != nil {
		return Cut{}, fmt.Errorf("%w, or a date (2019-06-30: every write dated on or before that day)", err)
	}
	return c, nil
}

// ParseKnownAt reads a known_at value: a record cut, a sequence number or
// an RFC 3339 time ("" for none).
func ParseKnownAt(s string) (Cut, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Cut{}, nil
	}
	return parseRecord("known_at", s)
}

// KnownAt adds a record cut (known_at) to c. With a business cut it says
// when the ledger is asked; alone it is a record cut; beside a record
// as_of it is ambiguous and refused.
func (c Cut) KnownAt(k Cut) (Cut, error) {
	switch {
	case k.IsZero():
		return c, nil
	case c.IsZero():
		return k, nil
	case c.Date == "":
		return Cut{}, fmt.Errorf("known_at goes with a business as_of (a date such as 2019-06-30); as_of %s is already a record cut", c)
	}
	c.Seq, c.Time = k.Seq, k.Time
	return c, nil
}

func parseRecord(name, s string) (Cut, error) {
	if isDigits(s) {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			return Cut{}, fmt.Errorf("%s %q: a sequence number must be a whole number from 1", name, s)
		}
		return Cut{Seq: n}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if t.IsZero() { // the zero Cut is the live model: never let a time in year 1 read as "now"
			return Cut{}, fmt.Errorf("%s %q is before any ledger; give a later time", name, s)
		}
		return Cut{Time: t}, nil
	}
	return Cut{}, fmt.Errorf("%s %q is not understood: give a sequence number (123) or an RFC 3339 time (2019-06-30T18:00:00+08:00)", name, s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
