package store

import (
	"fmt"
	"time"
)

// The SQLite driver writes times in its "sqlite" layout (_time_format,
// Open); SQL's own functions and older rows may use the others. A column
// read as text (CAST(col AS TEXT): the driver then does not parse it
// itself, trying a first layout that always fails and allocates its error)
// is parsed by ParseTime, by hand for the layout the store writes in UTC.
var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

// ParseTime reads a time as SQLite keeps it, in one of sqliteTimeLayouts.
func ParseTime(s string) (time.Time, error) {
	if t, ok := parseUTC(s); ok {
		return t, nil
	}
	for _, layout := range sqliteTimeLayouts {
		// Only the layouts with the same separator of date and time: a
		// failed time.Parse allocates its error.
		if len(s) > 10 && s[10] != layout[10] {
			continue
		}
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: unknown layout", s)
}

// parseUTC reads "2006-01-02 15:04:05[.fraction]+00:00", what the store
// writes, without time.Parse; ok is false for anything else.
func parseUTC(s string) (time.Time, bool) {
	n := len(s)
	if n < 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[n-6:] != "+00:00" {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		v := 0
		for i := from; i < to; i++ {
			d := s[i] - '0'
			if d > 9 {
				return 0, false
			}
			v = v*10 + int(d)
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	nanos, frac := 0, s[19:n-6]
	ok7 := true
	if frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		nanos, ok7 = num(20, n-6)
		for range 10 - len(frac) {
			nanos *= 10
		}
	}
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nanos, time.UTC)
	if t.Day() != d { // 31 April and the like: time.Parse's error
		return time.Time{}, false
	}
	return t, true
}

// TimeColumn scans a time the driver parsed (time.Time) or one read as
// SQLite's text (ParseTime).
type TimeColumn struct{ T *time.Time }

func (c TimeColumn) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case time.Time:
		*c.T = v
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("time from %T", src)
	}
	t, err := ParseTime(s)
	if err != nil {
		return err
	}
	*c.T = t
	return nil
}
