package booking

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/hours"
)

// Times: reservations are stored as UTC instants. Rules are read in the
// territory's local time: opening hours and closures against the local wall
// clock of each instant, durations as the difference of the local wall
// clocks. So 01:00-04:00 on the night clocks go forward is three hours for
// the rules (as on any other night) although two hours pass, and a loan
// from Saturday 10:00 to the next Saturday 10:00 is seven days either way.

// DayKeys are the weekday keys of Rules.Hours, Monday first.
var DayKeys = hours.DayKeys

// parseHours reads a resource's opening hours (internal/hours).
func parseHours(h map[string][]string) (*hours.Week, error) { return hours.Parse(h) }

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
		if !w.WithinOneSpan(start, end, loc) {
			return fail("start", "err.booking.outside_hours")
		}
		return nil
	}
	if !w.OpenAt(start, loc, false) {
		return fail("start", "err.booking.outside_hours")
	}
	if !w.OpenAt(end, loc, true) {
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
