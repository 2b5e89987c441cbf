package mobility

import (
	"time"
)

// occurrencesOf lists the departures of t whose local date lies in
// [from, until] (inclusive, "YYYY-MM-DD"), in the zone loc. A weekly
// departure is built from its local date and time with time.Date, so the
// wall clock stays put when the offset changes: 7:40 in Paris is 06:40 UTC
// in winter and 05:40 UTC in summer. A local time the spring change skips
// (02:30) moves forward by the gap, as time.Date does.
func occurrencesOf(t *Trip, loc *time.Location, from, until string) []Occurrence {
	if t.Departure != nil {
		d := t.Departure.In(loc)
		date := d.Format(time.DateOnly)
		if date < from || date > until {
			return nil
		}
		return []Occurrence{{DepartsAt: t.Departure.UTC(), LocalDate: date, LocalTime: d.Format("15:04"), Zone: loc.String()}}
	}
	w := t.Weekly
	if w == nil {
		return nil
	}
	if w.From > from {
		from = w.From
	}
	if w.Until != "" && w.Until < until {
		until = w.Until
	}
	start, err1 := time.Parse(time.DateOnly, from)
	end, err2 := time.Parse(time.DateOnly, until)
	if err1 != nil || err2 != nil {
		return nil
	}
	days := map[time.Weekday]bool{}
	for _, d := range w.Days {
		days[d] = true
	}
	var out []Occurrence
	for day := start; !day.After(end); day = day.AddDate(0, 0, 1) {
		if !days[day.Weekday()] {
			continue
		}
		date := day.Format(time.DateOnly)
		for _, leg := range []struct {
			clock string
			back  bool
		}{{w.Time, false}, {w.Return, true}} {
			h, m, ok := parseClock(leg.clock)
			if !ok {
				continue
			}
			at := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
			out = append(out, Occurrence{Return: leg.back, DepartsAt: at.UTC(), LocalDate: date, LocalTime: leg.clock, Zone: loc.String()})
		}
	}
	return out
}
