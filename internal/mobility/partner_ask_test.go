package mobility

import (
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/territory"
)

// TestPartnerAsk: what a search asks partner platforms: ±the window
// asked, else the service's SearchWindow, held to the local day; nothing
// for a query the search refuses.
func TestPartnerAsk(t *testing.T) {
	ter := &territory.Territory{Slug: "lyon", BBox: lyonBox, TimeZone: "Europe/Paris"}
	now := local(2026, 3, 20, 10, 0)
	svc := NewService(nil, nil, nil, nil, func() time.Time { return now }, Options{SearchWindow: 30 * time.Minute})
	from, to := bellecour.Point(), vaulxEnVel.Point()
	h := func(hh, mm int) time.Duration { return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute }
	for _, c := range []struct {
		name     string
		q        Query
		day      time.Time
		min, max time.Duration
		drivers  bool
		refused  bool
	}{
		{name: "now, the service's window", q: Query{From: from, To: to}, day: local(2026, 3, 20, 0, 0), min: h(9, 30), max: h(10, 30), drivers: true},
		{name: "a time and a window", q: Query{From: from, To: to, At: local(2026, 3, 21, 8, 0), Window: 2 * time.Hour},
			day: local(2026, 3, 21, 0, 0), min: h(6, 0), max: h(10, 0), drivers: true},
		{name: "held to the day's start", q: Query{From: from, To: to, At: local(2026, 3, 21, 0, 10)}, day: local(2026, 3, 21, 0, 0), min: 0, max: h(0, 40), drivers: true},
		{name: "held to the day's end", q: Query{From: from, To: to, At: local(2026, 3, 21, 23, 50), Kind: KindRequest},
			day: local(2026, 3, 21, 0, 0), min: h(23, 20), max: h(23, 59) + 59*time.Second},
		{name: "a time in UTC is the territory's day", q: Query{From: from, To: to, At: time.Date(2026, 3, 21, 23, 30, 0, 0, time.UTC)},
			day: local(2026, 3, 22, 0, 0), min: 0, max: h(1, 0), drivers: true},
		{name: "outside the territory", q: Query{From: parisPlace, To: to}, refused: true},
		{name: "a window over a day", q: Query{From: from, To: to, Window: 25 * time.Hour}, refused: true},
		{name: "a negative window", q: Query{From: from, To: to, Window: -time.Hour}, refused: true},
		{name: "an unknown kind", q: Query{From: from, To: to, Kind: "taxi"}, refused: true},
		{name: "no place", q: Query{To: to}, refused: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ask, err := svc.PartnerAsk(ter, c.q)
			if c.refused {
				if err == nil {
					t.Fatalf("asked %+v", ask)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !ask.Day.Equal(c.day) || ask.Day.Location().String() != "Europe/Paris" || ask.Window != (DayWindow{Min: c.min, Max: c.max}) || ask.Drivers != c.drivers {
				t.Fatalf("got %s %+v drivers=%v, want %s %v-%v drivers=%v", ask.Day, ask.Window, ask.Drivers, c.day, c.min, c.max, c.drivers)
			}
		})
	}
	// Without a window of its own, the service's default is an hour.
	svc = NewService(nil, nil, nil, nil, func() time.Time { return now }, Options{})
	if ask, err := svc.PartnerAsk(ter, Query{From: from, To: to}); err != nil || ask.Window != (DayWindow{Min: h(9, 0), Max: h(11, 0)}) {
		t.Fatalf("default window: %+v %v", ask, err)
	}
}
