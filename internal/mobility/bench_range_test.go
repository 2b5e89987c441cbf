package mobility

import (
	"context"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// BenchmarkTripSearchRange compares, over BenchmarkTripSearch's city, the
// search an RDEX partner asks (7 days, 7:00-9:00 each day) done as one
// range search ("range") with the 7 searches of one day each the RDEX
// adapter ran before ("per-day").
//
//	go test -run '^$' -bench BenchmarkTripSearchRange -benchtime 500x ./internal/mobility/
func BenchmarkTripSearchRange(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("SHARINGCITY_MOBILITY_TRIPS")); err == nil && v > 0 {
		n = v
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		if dialect == "postgres" && os.Getenv(storetest.EnvPostgres) == "" {
			continue
		}
		var db *store.DB
		if dialect == "sqlite" {
			db = storetest.OpenSQLite(b)
		} else {
			db = storetest.OpenPostgres(b)
		}
		e := newEnv(b, db)
		box := geo.BBox{MinLon: 4.72, MinLat: 45.62, MaxLon: 5.05, MaxLat: 45.88}
		start := e.clock.now().Add(24 * time.Hour).Truncate(24 * time.Hour)
		r := rand.New(rand.NewPCG(7, 11))
		trips, _ := bulkTrips(b, e, r, box, start, n)
		loc := e.ter.Location()
		first := start.In(loc)
		first = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
		for _, mode := range []string{"range", "per-day"} {
			b.Run(dialect+"/"+mode, func(b *testing.B) {
				r := rand.New(rand.NewPCG(5, 6)) // the same queries in both modes
				ctx := context.Background()
				lat := make([]time.Duration, 0, b.N)
				found := 0
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuTime(b)
				for i := 0; i < b.N; i++ {
					var a, z geo.Point
					if i%2 == 0 {
						tr := trips[r.IntN(len(trips))]
						a = offset(onLine(tr.line, 0.1+0.3*r.Float64()), 800*r.Float64(), 800*r.Float64())
						z = offset(onLine(tr.line, 0.6+0.3*r.Float64()), 800*r.Float64(), 800*r.Float64())
					} else {
						a, z = randomPoint(r, box), randomPoint(r, box)
					}
					t := time.Now()
					var err error
					if mode == "range" {
						q := RangeQuery{From: a, To: z, Earliest: first, Latest: first.AddDate(0, 0, 7).Add(-time.Microsecond), OnePerTrip: true}
						for d := range q.Times {
							q.Times[d] = &DayWindow{Min: 7 * time.Hour, Max: 9 * time.Hour}
						}
						var got []Match
						got, err = e.svc.SearchRange(ctx, e.driver, e.ter, q)
						found += len(got)
					} else {
						for d := 0; d < 7 && err == nil; d++ {
							var got []Match
							got, err = e.svc.Search(ctx, e.driver, e.ter, Query{From: a, To: z, At: first.AddDate(0, 0, d).Add(8 * time.Hour), Window: time.Hour})
							found += len(got)
						}
					}
					lat = append(lat, time.Since(t))
					if err != nil && !strings.Contains(keyOf(err), "same_place") {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				pct := func(p float64) float64 {
					return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
				}
				b.ReportMetric(pct(0.50), "p50-ms")
				b.ReportMetric(pct(0.99), "p99-ms")
				b.ReportMetric(float64(found)/float64(b.N), "results/op")
			})
		}
	}
}
