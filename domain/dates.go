package domain

import (
	"reflect"
	"time"
)

// DateLayout is how a business date is written: 2019-06-30.
const DateLayout = "2006-01-02"

// ChinaTime is China Standard Time (UTC+8), in which county documents date
// things; fixed, so that no time zone database is needed.
var ChinaTime = time.FixedZone("CST", 8*3600)

// ChinaDay answers the day t falls on in China time, as a business date.
func ChinaDay(t time.Time) string { return t.In(ChinaTime).Format(DateLayout) }

// ValidDate reports whether s is a business date: YYYY-MM-DD, a real day.
func ValidDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil && len(s) == len(DateLayout)
}

// DateOf answers the business date a command carries in its Date field
// ("" if none). Every command of the catalogue has one (a catalogue test
// checks it), so reading it by reflection keeps a new command from being
// forgotten here.
func DateOf(c Command) string {
	v := reflect.ValueOf(c)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName("Date")
	if !f.IsValid() || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

// DateCommand settles the business date (记账日期/发生日期) of a command
// recorded at the given time: its own date if it names one, else the
// record day in China time. A date that is not YYYY-MM-DD, or that falls
// after the record day, is refused naming `date`: a clerk may enter last
// month's voucher (补录), never tomorrow's. It answers the command with the
// date filled where an event keeps it (a project's status date, the day a
// standard takes effect).
//
// The domain has no clock: the writer passes the record time in.
func DateCommand(c Command, recorded time.Time) (Command, string, error) {
	today := ChinaDay(recorded)
	d := DateOf(c)
	switch {
	case d == "":
		d = today
	case !ValidDate(d):
		return nil, "", invalid("date", "date %q must be a business date like 2019-05-01", d)
	case d > today:
		return nil, "", invalid("date", "date %s is after the record day %s (China time): a write cannot be dated in the future", d, today)
	}
	switch s := c.(type) { // where an event keeps the date itself
	case ChangeProjectStatus:
		if s.Date == "" {
			s.Date = d
			c = s
		}
	case SetStandard:
		if s.Date == "" {
			s.Date = d
			c = s
		}
	}
	return c, d, nil
}
