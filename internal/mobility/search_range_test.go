package mobility

import (
	"context"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// The range search finds exactly what checking every departure against the
// dates, days, local windows, frequency and kinds would find.
func TestSearchRangeMatchesBruteForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := rand.New(rand.NewPCG(3, 4))
		box := geo.BBox{MinLon: 4.78, MinLat: 45.70, MaxLon: 4.95, MaxLat: 45.82}
		start := e.clock.now().Add(time.Hour)
		loc := e.ter.Location()
		for i := 0; i < 240; i++ {
			from, to := randomPoint(r, box), randomPoint(r, box)
			if geo.Distance(from, to) < MinTripMeters {
				continue
			}
			tr := &Trip{From: Place{Lat: from.Lat, Lon: from.Lon}, To: Place{Lat: to.Lat, Lon: to.Lon}, Seats: 3, MaxDetour: 500 + r.IntN(3000)}
			if i%4 == 0 {
				tr.Kind = KindRequest
			}
			if i%5 == 0 { // a weekly commute, some with a way back
				days := Days{time.Monday, time.Wednesday, time.Friday}
				if i%2 == 0 {
					days = Days{time.Tuesday, time.Thursday, time.Saturday, time.Sunday}
				}
				tr.Weekly = &Weekly{Days: days, Time: clockString(6*60 + r.IntN(4*60)), From: "2026-03-21"}
				if i%10 == 0 {
					tr.Weekly.Return = clockString(16*60 + r.IntN(3*60))
				}
			} else {
				d := start.Add(time.Duration(r.IntN(12*24*60)) * time.Minute)
				tr.Departure = &d
			}
			e.publish(t, tr)
		}
		all := allDepartures(t, db)
		total := 0
		for q := 0; q < 150; q++ {
			a, b := randomPoint(r, box), randomPoint(r, box)
			if geo.Distance(a, b) < MinTripMeters {
				continue
			}
			rq := RangeQuery{From: a, To: b, Earliest: start.Add(time.Duration(r.IntN(5*24)) * time.Hour)}
			rq.Latest = rq.Earliest.Add(time.Duration(1+r.IntN(10*24)) * time.Hour)
			rq.Frequency = []Frequency{AnyFrequency, Punctual, Regular}[r.IntN(3)]
			rq.Kinds = [][]Kind{nil, {KindOffer}, {KindRequest}, {KindOffer, KindRequest}}[r.IntN(4)]
			if r.IntN(2) == 0 {
				for d := range rq.Days {
					rq.Days[d] = r.IntN(2) == 0
				}
			}
			for d := range rq.Times {
				if r.IntN(3) > 0 {
					lo := time.Duration(r.IntN(20*60)) * time.Minute
					rq.Times[d] = &DayWindow{Min: lo, Max: min(lo+time.Duration(r.IntN(5*60))*time.Minute, 24*time.Hour-time.Minute)}
				}
			}
			got, err := e.svc.SearchRange(ctx, e.driver, e.ter, rq)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]bool{}
			for _, c := range all {
				if wantsDeparture(rq, c, loc) {
					if _, ok := matchOf(c, a, b); ok {
						want[c.Occurrence.ID] = true
					}
				}
			}
			var ids []int64
			for _, m := range got {
				if !want[m.Occurrence.ID] {
					t.Fatalf("query %d %+v: %d found, not wanted", q, rq, m.Occurrence.ID)
				}
				ids = append(ids, m.Occurrence.ID)
			}
			if len(ids) != min(len(want), MaxRangeResults) {
				t.Fatalf("query %d %+v: index %v, brute force %v", q, rq, ids, want)
			}
			total += len(want)
		}
		if total == 0 {
			t.Fatal("no query matched anything: the test proves nothing")
		}
		t.Logf("%d matches over 150 queries", total)
	})
}

// wantsDeparture is the range query's rule, written plainly.
func wantsDeparture(q RangeQuery, c Candidate, loc *time.Location) bool {
	o, tr := c.Occurrence, c.Trip
	if o.Status != TripActive || tr.Status != TripActive {
		return false
	}
	kinds := q.Kinds
	if len(kinds) == 0 {
		kinds = []Kind{KindOffer}
	}
	if !oneOf(tr.Kind, kinds...) {
		return false
	}
	if q.Frequency == Punctual && tr.Weekly != nil || q.Frequency == Regular && tr.Weekly == nil {
		return false
	}
	d := o.DepartsAt.In(loc)
	if d.Before(q.Earliest) || d.After(q.Latest) {
		return false
	}
	if q.Days != [7]bool{} && !q.Days[d.Weekday()] {
		return false
	}
	if w := q.Times[d.Weekday()]; w != nil {
		since := time.Duration(d.Hour())*time.Hour + time.Duration(d.Minute())*time.Minute + time.Duration(d.Second())*time.Second
		return since >= w.Min && since <= w.Max
	}
	return true
}

func allDepartures(t *testing.T, db *store.DB) []Candidate {
	t.Helper()
	var out []Candidate
	rows, err := db.Query(context.Background(), `SELECT `+tripColumns+`, `+occurrenceColumns+` FROM trips t JOIN trip_occurrences o ON o.trip_id = t.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Candidate
		if c.Trip, err = scanTrip(rows, occurrenceDest(&c.Occurrence)...); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func clockString(minutes int) string {
	return time.Date(2000, 1, 1, minutes/60, minutes%60, 0, 0, time.UTC).Format("15:04")
}

// A weekly 7:40 is found at 7:40 on both sides of the change to summer
// time (29 March 2026), once per direction with OnePerTrip.
func TestSearchRangeWindowsAndDaylightSaving(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tr := e.publish(t, &Trip{From: bellecour, To: vaulxEnVel, Seats: 3, Weekly: &Weekly{
			Days: Days{time.Monday, time.Wednesday}, Time: "07:40", Return: "17:30", From: "2026-03-23"}})
		morning := &DayWindow{Min: 7*time.Hour + 30*time.Minute, Max: 7*time.Hour + 50*time.Minute}
		q := RangeQuery{From: bellecour.Point(), To: vaulxEnVel.Point(), Earliest: local(2026, 3, 23, 0, 0), Latest: local(2026, 4, 2, 0, 0)}
		for d := range q.Times {
			q.Times[d] = morning
		}
		got, err := e.svc.SearchRange(ctx, e.driver, e.ter, q)
		if err != nil {
			t.Fatal(err)
		}
		var dates []string
		for _, m := range got {
			if m.Trip.ID != tr.ID || m.Occurrence.Return || m.Occurrence.LocalTime != "07:40" {
				t.Fatalf("match %+v", m.Occurrence)
			}
			dates = append(dates, m.Occurrence.LocalDate)
		}
		sort.Strings(dates)
		if want := []string{"2026-03-23", "2026-03-25", "2026-03-30", "2026-04-01"}; len(dates) != len(want) || dates[0] != want[0] || dates[3] != want[3] {
			t.Fatalf("dates %v, want %v", dates, want)
		}
		// Only Wednesdays, and one result per trip and direction.
		q.Days[time.Wednesday] = true
		q.OnePerTrip = true
		if got, err = e.svc.SearchRange(ctx, e.driver, e.ter, q); err != nil || len(got) != 1 || got[0].Occurrence.LocalDate != "2026-03-25" {
			t.Fatalf("wednesdays, one per trip: %v %+v", err, got)
		}
		// The way back, in the evening window, from the destination.
		q = RangeQuery{From: vaulxEnVel.Point(), To: bellecour.Point(), Earliest: q.Earliest, Latest: q.Latest, OnePerTrip: true, Frequency: Regular}
		q.Times[time.Monday] = &DayWindow{Min: 17 * time.Hour, Max: 18 * time.Hour}
		q.Days[time.Monday] = true
		if got, err = e.svc.SearchRange(ctx, e.driver, e.ter, q); err != nil || len(got) != 1 || !got[0].Occurrence.Return {
			t.Fatalf("way back: %v %+v", err, got)
		}
		q.Frequency = Punctual
		if got, err = e.svc.SearchRange(ctx, e.driver, e.ter, q); err != nil || len(got) != 0 {
			t.Fatalf("punctual only: %v %+v", err, got)
		}
	})
}

func TestSearchRangeRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		now := e.clock.now()
		ok := RangeQuery{From: bellecour.Point(), To: vaulxEnVel.Point(), Earliest: now, Latest: now.Add(48 * time.Hour)}
		for _, tc := range []struct {
			name string
			edit func(q *RangeQuery)
			key  string
		}{
			{"latest before earliest", func(q *RangeQuery) { q.Latest = now.Add(-time.Hour) }, "err.mobility.range_order"},
			{"no latest", func(q *RangeQuery) { q.Latest = time.Time{} }, "err.mobility.range_order"},
			{"too long", func(q *RangeQuery) { q.Latest = now.Add(16 * 24 * time.Hour) }, "err.mobility.range_too_long"},
			{"bad frequency", func(q *RangeQuery) { q.Frequency = "sometimes" }, "err.mobility.frequency"},
			{"bad kind", func(q *RangeQuery) { q.Kinds = []Kind{"taxi"} }, "err.mobility.kind"},
			{"window upside down", func(q *RangeQuery) { q.Times[1] = &DayWindow{Min: 9 * time.Hour, Max: 8 * time.Hour} }, "err.mobility.range_times"},
			{"outside", func(q *RangeQuery) { q.To = parisPlace }, "err.outside_territory"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				q := ok
				tc.edit(&q)
				if _, err := e.svc.SearchRange(context.Background(), e.driver, e.ter, q); keyOf(err) != tc.key {
					t.Fatalf("got %v, want %s", err, tc.key)
				}
			})
		}
	})
}
