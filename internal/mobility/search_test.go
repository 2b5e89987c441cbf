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

// offset moves p by north and east metres.
func offset(p geo.Point, north, east float64) geo.Point {
	const m = 111195.0
	return geo.Point{Lat: p.Lat + north/m, Lon: p.Lon + east/(m*0.7)}
}

func TestSearchAlongTheRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		dep := local(2026, 3, 23, 7, 40)
		tr := e.publish(t, &Trip{From: bellecour, To: vaulxEnVel, Seats: 3, Weekly: &Weekly{
			Days: Days{time.Monday}, Time: "07:40", Return: "17:30", From: "2026-03-23"}})
		mid := geo.Point{Lat: (bellecour.Lat + vaulxEnVel.Lat) / 2, Lon: (bellecour.Lon + vaulxEnVel.Lon) / 2}
		home := offset(mid, 2000, 0) // 2 km off the route
		far := offset(mid, 4000, 0)  // beyond the 3 km detour
		near := offset(vaulxEnVel.Point(), 300, 0)
		for _, tc := range []struct {
			name     string
			from, to geo.Point
			at       time.Time
			want     int
			back     bool
		}{
			{"2 km off the route, on time", home, near, dep.Add(20 * time.Minute), 1, false},
			{"from the origin", bellecour.Point(), near, dep, 1, false},
			{"too far from the route", far, near, dep, 0, false},
			{"wrong order finds the way back", near, home, local(2026, 3, 23, 17, 30), 1, true},
			{"wrong order in the morning", near, home, dep, 0, false},
			{"outside the window", home, near, dep.Add(3 * time.Hour), 0, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.svc.Search(ctx, e.driver, e.ter, Query{From: tc.from, To: tc.to, At: tc.at})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != tc.want {
					t.Fatalf("%d results, want %d: %+v", len(got), tc.want, got)
				}
				if tc.want == 1 {
					m := got[0]
					if m.Trip.ID != tr.ID || m.Occurrence.Return != tc.back || m.Trip.Phone != "" {
						t.Fatalf("match %+v", m)
					}
					if m.PickupMeters > 2100 || m.DetourMeters < 0 || m.PickupAt.Before(m.Occurrence.DepartsAt) {
						t.Fatalf("pickup %d m, detour %d m, at %v", m.PickupMeters, m.DetourMeters, m.PickupAt)
					}
				}
			})
		}
		if _, err := e.svc.Search(ctx, e.driver, e.ter, Query{From: home, To: parisPlace}); keyOf(err) != "err.outside_territory" {
			t.Fatalf("outside: %v", err)
		}
		if _, err := e.svc.Search(ctx, e.driver, e.ter, Query{From: home, To: home}); keyOf(err) != "err.mobility.same_place" {
			t.Fatalf("same place: %v", err)
		}
	})
}

// randomPoint is a point of the test territory.
func randomPoint(r *rand.Rand, box geo.BBox) geo.Point {
	return geo.Point{Lat: box.MinLat + r.Float64()*(box.MaxLat-box.MinLat), Lon: box.MinLon + r.Float64()*(box.MaxLon-box.MinLon)}
}

// The index finds exactly what checking every departure would find.
func TestSearchMatchesBruteForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := rand.New(rand.NewPCG(1, 2))
		box := geo.BBox{MinLon: 4.78, MinLat: 45.70, MaxLon: 4.95, MaxLat: 45.82}
		start := e.clock.now().Add(time.Hour)
		for i := 0; i < 300; i++ {
			d := start.Add(time.Duration(r.IntN(6*60)) * time.Minute)
			from, to := randomPoint(r, box), randomPoint(r, box)
			tr := &Trip{From: Place{Lat: from.Lat, Lon: from.Lon}, To: Place{Lat: to.Lat, Lon: to.Lon}, Departure: &d, Seats: 3,
				MaxDetour: 500 + r.IntN(3000)}
			if geo.Distance(from, to) < MinTripMeters {
				continue
			}
			e.publish(t, tr)
		}
		var trips []Candidate
		rows, err := db.Query(ctx, `SELECT `+tripColumns+`, `+occurrenceColumns+` FROM trips t JOIN trip_occurrences o ON o.trip_id = t.id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c Candidate
			if c.Trip, err = scanTrip(rows, occurrenceDest(&c.Occurrence)...); err != nil {
				t.Fatal(err)
			}
			trips = append(trips, c)
		}
		rows.Close()
		total := 0
		for q := 0; q < 200; q++ {
			a, b := randomPoint(r, box), randomPoint(r, box)
			if geo.Distance(a, b) < MinTripMeters {
				continue
			}
			at := start.Add(time.Duration(r.IntN(6*60)) * time.Minute)
			got, err := e.svc.Search(ctx, e.driver, e.ter, Query{From: a, To: b, At: at, Window: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, c := range trips {
				d := c.Occurrence.DepartsAt.UTC()
				if d.Before(at.Add(-time.Hour)) || d.After(at.Add(time.Hour)) {
					continue
				}
				if _, ok := matchOf(c, a, b); ok {
					want = append(want, c.Occurrence.ID)
				}
			}
			var ids []int64
			for _, m := range got {
				ids = append(ids, m.Occurrence.ID)
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
			if len(ids) != len(want) {
				t.Fatalf("query %d: index %v, brute force %v", q, ids, want)
			}
			for i := range ids {
				if ids[i] != want[i] {
					t.Fatalf("query %d: index %v, brute force %v", q, ids, want)
				}
			}
			total += len(want)
		}
		if total == 0 {
			t.Fatal("no query matched anything: the test proves nothing")
		}
		t.Logf("%d matches over 200 queries", total)
	})
}
