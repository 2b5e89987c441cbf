package booking

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Times: reservations are stored as UTC instants. Rules are read in the
// territory's local time: opening hours and closures against the local wall
// clock of each instant, durations as the difference of the local wall
// clocks. So 01:00-04:00 on the night clocks go forward is three hours for
// the rules (as on any other night) although two hours pass, and a loan
// from Saturday 10:00 to the next Saturday 10:00 is seven days either way.

var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// DayKeys are the weekday keys of Rules.Hours, Monday first.
var DayKeys = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// span is an opening span in minutes since local midnight, [open, close).
type span struct{ open, close int }

// week is the parsed opening hours; nil means always open.
type week *[7][]span

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

func parseHours(h map[string][]string) (week, error) {
	if len(h) == 0 {
		return nil, nil
	}
	var w [7][]span
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
			w[day] = append(w[day], span{open, closeAt})
		}
		sort.Slice(w[day], func(i, j int) bool { return w[day][i].open < w[day][j].open })
	}
	return &w, nil
}

// wall is t's local wall clock as if it were UTC: differences of walls are
// local durations, unaffected by daylight-saving changes.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// WallDuration is end-start measured on the local wall clock.
func WallDuration(start, end time.Time, loc *time.Location) time.Duration {
	return wall(end, loc).Sub(wall(start, loc))
}

// ParseLocal reads a local date and time typed in a form ("2006-01-02T15:04"
// or with seconds) in loc. A time that does not exist (skipped when clocks go
// forward) is refused rather than silently moved; an ambiguous one (repeated
// when they go back) is the first, summer-time occurrence.
func ParseLocal(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		// ParseInLocation moves a skipped time; it then does not read back.
		if t.In(loc).Format(layout) != s {
			return time.Time{}, errs.E(errs.Invalid, "err.booking.time_nonexistent", "Time", s)
		}
		// Of a repeated time, Go does not promise which; take the first.
		for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
			if wall(t.Add(-d), loc).Equal(wall(t, loc)) {
				t = t.Add(-d)
				break
			}
		}
		return t.UTC(), nil
	}
	return time.Time{}, errs.E(errs.Invalid, "err.booking.time_format")
}

// minutesOf returns the local date and minutes since local midnight of t.
func minutesOf(t time.Time, loc *time.Location) (time.Time, int) {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC), l.Hour()*60 + l.Minute()
}

// openAt reports whether the local instant is inside a span (as a start, the
// close itself excluded) or, with asEnd, at its close included.
func openAt(w week, t time.Time, loc *time.Location, asEnd bool) bool {
	if w == nil {
		return true
	}
	_, m := minutesOf(t, loc)
	day := int(t.In(loc).Weekday())
	if asEnd && m == 0 {
		// Midnight is the 24:00 close of the day before.
		day, m = (day+6)%7, 24*60
	}
	for _, s := range w[day] {
		if (!asEnd && s.open <= m && m < s.close) || (asEnd && s.open < m && m <= s.close) {
			return true
		}
	}
	return false
}

// withinOneSpan: [start, end) lies inside one opening span of one local day.
func withinOneSpan(w week, start, end time.Time, loc *time.Location) bool {
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
	for _, s := range w[int(start.In(loc).Weekday())] {
		if s.open <= m0 && m1 <= s.close {
			return true
		}
	}
	return false
}

// closedOn reports the closure covering the local date of t, if any.
func closedOn(closures []Closure, t time.Time, loc *time.Location) (Closure, bool) {
	d := t.In(loc).Format(time.DateOnly)
	for _, c := range closures {
		if c.From <= d && d <= c.To {
			return c, true
		}
	}
	return Closure{}, false
}

// checkTimes applies the resource's rules to [start, end) at now. It
// returns a field error: the member can fix it.
func checkTimes(r *Resource, start, end, now time.Time, loc *time.Location) error {
	ru := &r.Rules
	fail := func(field, key string, args ...any) error {
		var v errs.Validator
		v.Add(field, key, args...)
		return v.Err()
	}
	if !end.After(start) {
		return fail("end", "err.booking.end_before_start")
	}
	if end.Sub(start) > MaxSpanDays*24*time.Hour {
		return fail("end", "err.booking.too_long", "Minutes", MaxSpanDays*24*60)
	}
	if start.Before(now) {
		return fail("start", "err.booking.in_the_past")
	}
	if lead := time.Duration(ru.LeadMinutes) * time.Minute; start.Before(now.Add(lead)) {
		return fail("start", "err.booking.lead_time", "Minutes", ru.LeadMinutes)
	}
	if ru.MaxAdvanceDays > 0 && start.After(now.AddDate(0, 0, ru.MaxAdvanceDays)) {
		return fail("start", "err.booking.too_far_ahead", "Days", ru.MaxAdvanceDays)
	}
	d := WallDuration(start, end, loc)
	if ru.MinMinutes > 0 && d < time.Duration(ru.MinMinutes)*time.Minute {
		return fail("end", "err.booking.too_short", "Minutes", ru.MinMinutes)
	}
	if ru.MaxMinutes > 0 && d > time.Duration(ru.MaxMinutes)*time.Minute {
		return fail("end", "err.booking.too_long", "Minutes", ru.MaxMinutes)
	}
	if c, ok := closedOn(ru.Closures, start, loc); ok {
		return fail("start", "err.booking.closed", "From", c.From, "To", c.To)
	}
	if c, ok := closedOn(ru.Closures, end.Add(-time.Nanosecond), loc); ok {
		return fail("end", "err.booking.closed", "From", c.From, "To", c.To)
	}
	w, err := parseHours(ru.Hours)
	if err != nil {
		return fmt.Errorf("resource %d: stored hours: %w", r.ID, err)
	}
	if r.Kind == KindRoom {
		if !withinOneSpan(w, start, end, loc) {
			return fail("start", "err.booking.outside_hours")
		}
		return nil
	}
	if !openAt(w, start, loc, false) {
		return fail("start", "err.booking.outside_hours")
	}
	if !openAt(w, end, loc, true) {
		return fail("end", "err.booking.outside_hours")
	}
	return nil
}

// Slot is a holding reservation's share of a resource.
type Slot struct {
	Start, End time.Time
	Quantity   int
}

// peak is the largest total quantity of slots at any instant of [start, end).
func peak(slots []Slot, start, end time.Time) int {
	type ev struct {
		at time.Time
		d  int
	}
	evs := make([]ev, 0, 2*len(slots))
	for _, s := range slots {
		a, b := s.Start, s.End
		if a.Before(start) {
			a = start
		}
		if b.After(end) {
			b = end
		}
		if !a.Before(b) {
			continue
		}
		evs = append(evs, ev{a, s.Quantity}, ev{b, -s.Quantity})
	}
	// Ends sort before starts at the same instant: [a,b) and [b,c) do not overlap.
	sort.Slice(evs, func(i, j int) bool {
		if evs[i].at.Equal(evs[j].at) {
			return evs[i].d < evs[j].d
		}
		return evs[i].at.Before(evs[j].at)
	})
	cur, best := 0, 0
	for _, e := range evs {
		cur += e.d
		best = max(best, cur)
	}
	return best
}
