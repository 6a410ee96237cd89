package clock

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day without a time of day or zone: a deadline or the
// start of a period. It is "2006-01-02" in JSON and midnight UTC in the
// database. The zero Date is "no date".
type Date struct{ t time.Time }

// DateLayout is how dates are written.
const DateLayout = "2006-01-02"

// DateOf returns the day y-m-d.
func DateOf(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DayOf returns the UTC calendar day of t.
func DayOf(t time.Time) Date {
	t = t.UTC()
	return DateOf(t.Year(), t.Month(), t.Day())
}

// Today is the clock's current day (UTC).
func Today(c Clock) Date { return DayOf(c.Now()) }

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date (YYYY-MM-DD): %q", s)
	}
	return Date{t}, nil
}

// Time is the day's midnight UTC.
func (d Date) Time() time.Time { return d.t }

// IsZero reports whether d is no date.
func (d Date) IsZero() bool { return d.t.IsZero() }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(DateLayout)
}

// AddDays is the day n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.t.After(o.t) }

// DaysUntil is the number of days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.t.Sub(d.t).Hours() / 24) }

// MonthEnd is the last day of d's month.
func (d Date) MonthEnd() Date {
	return Date{time.Date(d.t.Year(), d.t.Month()+1, 0, 0, 0, 0, 0, time.UTC)}
}

// Month is "2006-01".
func (d Date) Month() string { return d.t.Format("2006-01") }

// MarshalJSON writes "2006-01-02", or null for no date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "2006-01-02" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("not a date (YYYY-MM-DD)")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	*d = p
	return err
}

// Scan reads a DATE column (a time from both engines; text from SQLite
// expressions).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = DayOf(v)
	case string:
		if len(v) < len(DateLayout) {
			return fmt.Errorf("clock.Date: cannot read %q", v)
		}
		p, err := ParseDate(v[:len(DateLayout)])
		*d = p
		return err
	case []byte:
		return d.Scan(string(v))
	default:
		return fmt.Errorf("clock.Date: cannot read %T", src)
	}
	return nil
}

// Value writes midnight UTC, or NULL for no date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.t, nil
}
