// Package hours reads weekly opening hours, written as a map from "mon".."sun"
// to spans "HH:MM-HH:MM" in the territory's local time (the close may be
// "24:00"), and tells whether a local instant falls inside them. Bookable
// resources (internal/booking) and carpool destinations (internal/mobility)
// share it.
package hours

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// DayKeys are the weekday keys, Monday first.
var DayKeys = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// span is an opening span in minutes since local midnight, [open, close).
type span struct{ open, close int }

// Week is parsed opening hours; a nil *Week means always open.
type Week struct{ days [7][]span }

func parseClock(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// Parse reads opening hours. No entry at all gives nil (always open); a day
// missing from a non-empty map is closed.
func Parse(h map[string][]string) (*Week, error) {
	if len(h) == 0 {
		return nil, nil
	}
	var w Week
	for key, spans := range h {
		day := -1
		for i, k := range dayKeys {
			if k == key {
				day = i
			}
		}
		if day < 0 {
			return nil, fmt.Errorf("unknown day %q", key)
		}
		for _, s := range spans {
			a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
			open, ok1 := parseClock(strings.TrimSpace(a))
			closeAt, ok2 := parseClock(strings.TrimSpace(b))
			if !ok || !ok1 || !ok2 || closeAt <= open {
				return nil, fmt.Errorf("bad span %q", s)
			}
			w.days[day] = append(w.days[day], span{open, closeAt})
		}
		sort.Slice(w.days[day], func(i, j int) bool { return w.days[day][i].open < w.days[day][j].open })
	}
	return &w, nil
}

// minutesOf returns the local date and minutes since local midnight of t.
func minutesOf(t time.Time, loc *time.Location) (time.Time, int) {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC), l.Hour()*60 + l.Minute()
}

// OpenAt reports whether the local instant is inside a span (as a start, the
// close itself excluded) or, with asEnd, at its close included.
func (w *Week) OpenAt(t time.Time, loc *time.Location, asEnd bool) bool {
	if w == nil {
		return true
	}
	_, m := minutesOf(t, loc)
	day := int(t.In(loc).Weekday())
	if asEnd && m == 0 {
		// Midnight is the 24:00 close of the day before.
		day, m = (day+6)%7, 24*60
	}
	for _, s := range w.days[day] {
		if (!asEnd && s.open <= m && m < s.close) || (asEnd && s.open < m && m <= s.close) {
			return true
		}
	}
	return false
}

// WithinOneSpan reports whether [start, end) lies inside one opening span
// of one local day.
func (w *Week) WithinOneSpan(start, end time.Time, loc *time.Location) bool {
	if w == nil {
		return true
	}
	d0, m0 := minutesOf(start, loc)
	d1, m1 := minutesOf(end, loc)
	if m1 == 0 && d1.Equal(d0.AddDate(0, 0, 1)) {
		d1, m1 = d0, 24*60
	}
	if !d0.Equal(d1) {
		return false
	}
	for _, s := range w.days[int(start.In(loc).Weekday())] {
		if s.open <= m0 && m1 <= s.close {
			return true
		}
	}
	return false
}
