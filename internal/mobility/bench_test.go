package mobility

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/route"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// BenchmarkTripSearch searches a metropolis of 100,000 one-off trips (set
// SHARINGCITY_MOBILITY_TRIPS for another count) spread over 14 days of
// 6:00–20:00 departures, 3–25 km long, with detours of 1–3 km. Half the
// searches start and end near a real trip's route, half at random points.
// It reports the latency percentiles of one search (index read, exact
// check and sort).
//
//	go test -run '^$' -bench BenchmarkTripSearch -benchtime 2000x ./internal/mobility/
func BenchmarkTripSearch(b *testing.B) {
	benchCities(b, func(b *testing.B, dialect string, c *benchCity) {
		b.Run(dialect, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			measureSearches(b, func(i int) (int, error) {
				a, z, tr, onRoute := c.ends(r, i)
				at := tr.at.Add(time.Duration(r.IntN(60)-30) * time.Minute)
				if !onRoute {
					at = c.start.Add(time.Duration(r.IntN(14))*24*time.Hour + time.Duration(6*60+r.IntN(14*60))*time.Minute)
				}
				got, err := c.e.svc.Search(context.Background(), c.e.driver, c.e.ter, Query{From: a, To: z, At: at})
				return len(got), err
			})
		})
	})
}

// benchCity is the city the search benchmarks share, loaded once per
// database.
type benchCity struct {
	e     *env
	box   geo.BBox
	start time.Time
	trips []benchTrip
}

// benchCities loads the city on each database, outside b.Run: a benchmark
// function runs more than once (b.N = 1 first), and loading takes minutes.
func benchCities(b *testing.B, run func(b *testing.B, dialect string, c *benchCity)) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("SHARINGCITY_MOBILITY_TRIPS")); err == nil && v > 0 {
		n = v
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		if dialect == "postgres" && os.Getenv(storetest.EnvPostgres) == "" {
			b.Logf("%s is not set: PostgreSQL skipped", storetest.EnvPostgres)
			continue
		}
		var db *store.DB
		if dialect == "sqlite" {
			db = storetest.OpenSQLite(b)
		} else {
			db = storetest.OpenPostgres(b)
		}
		c := &benchCity{e: newEnv(b, db), box: geo.BBox{MinLon: 4.72, MinLat: 45.62, MaxLon: 5.05, MaxLat: 45.88}} // about 25 by 29 km
		c.start = c.e.clock.now().Add(24 * time.Hour).Truncate(24 * time.Hour)
		t0 := time.Now()
		var cells int
		c.trips, cells = bulkTrips(b, c.e, rand.New(rand.NewPCG(7, 11)), c.box, c.start, n)
		b.Logf("%s: loaded %d trips, %d cells (%.1f per departure) in %v", dialect, n, cells, float64(cells)/float64(n), time.Since(t0).Round(time.Second))
		run(b, dialect, c)
	}
}

// ends picks a search's two points: for even i near a real trip's route
// (onRoute, that trip returned), otherwise at random in the city.
func (c *benchCity) ends(r *rand.Rand, i int) (a, z geo.Point, tr benchTrip, onRoute bool) {
	if i%2 == 0 {
		tr = c.trips[r.IntN(len(c.trips))]
		a = offset(onLine(tr.line, 0.1+0.3*r.Float64()), 800*r.Float64(), 800*r.Float64())
		z = offset(onLine(tr.line, 0.6+0.3*r.Float64()), 800*r.Float64(), 800*r.Float64())
		return a, z, tr, true
	}
	return randomPoint(r, c.box), randomPoint(r, c.box), tr, false
}

// measureSearches runs search b.N times and reports the process's CPU per
// search (PostgreSQL's own is not counted: steadier than latencies on a
// shared machine), the latency percentiles and the results per search.
func measureSearches(b *testing.B, search func(i int) (found int, err error)) {
	lat := make([]time.Duration, 0, b.N)
	found := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for i := 0; i < b.N; i++ {
		t := time.Now()
		n, err := search(i)
		lat = append(lat, time.Since(t))
		if err != nil && !strings.Contains(keyOf(err), "same_place") {
			b.Fatal(err)
		}
		found += n
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
}

type benchTrip struct {
	line []geo.Point
	at   time.Time
}

func onLine(line []geo.Point, f float64) geo.Point {
	a, z := line[0], line[len(line)-1]
	return geo.Point{Lat: a.Lat + f*(z.Lat-a.Lat), Lon: a.Lon + f*(z.Lon-a.Lon)}
}

// bulkTrips writes n one-off trips with their departure and search cells
// straight into the tables, many rows per statement: the service would
// take an hour to publish them one by one.
func bulkTrips(b *testing.B, e *env, r *rand.Rand, box geo.BBox, start time.Time, n int) ([]benchTrip, int) {
	ctx := context.Background()
	loc := e.ter.Location()
	out := make([]benchTrip, 0, n)
	cellCount := 0
	const batch = 500
	now := e.clock.now()
	for done := 0; done < n; {
		err := e.db.InTx(ctx, func(tx *store.Tx) error {
			var tq, oq, cq strings.Builder
			var targs, oargs []any
			type pending struct {
				cells []int64
				at    time.Time
			}
			var ps []pending
			firstID := int64(done + 1)
			for k := 0; k < batch && done+k < n; k++ {
				var from, to geo.Point
				for {
					from = randomPoint(r, box)
					bearing := r.Float64() * 6.283
					km := 3 + 22*r.Float64()
					to = offset(from, km*1000*math.Sin(bearing), km*1000*math.Cos(bearing))
					if box.Contains(to) {
						break
					}
				}
				at := start.Add(time.Duration(r.IntN(14))*24*time.Hour + time.Duration(6*60+r.IntN(14*60))*time.Minute)
				rt, _ := route.DefaultStraight.Route(ctx, []geo.Point{from, to})
				detour := 1000 + r.IntN(2000)
				if k > 0 {
					tq.WriteString(", ")
					oq.WriteString(", ")
				}
				tq.WriteString("(" + store.Placeholders(15) + ", 'active')")
				targs = append(targs, int64(done+k+1), e.ter.ID, e.driver.UserID, KindOffer, from.Lat, from.Lon, to.Lat, to.Lon,
					at, 3, ContributionFree, detour, encodeLine(rt.Points), now, now)
				oq.WriteString("(" + store.Placeholders(8) + ", 'active')")
				lt := at.In(loc)
				oargs = append(oargs, int64(done+k+1), e.ter.ID, int64(done+k+1), at, lt.Format(time.DateOnly), lt.Format("15:04"), loc.String(), 3)
				cs := corridorCells(rt.Points, float64(detour))
				ps = append(ps, pending{cs, at})
				out = append(out, benchTrip{line: rt.Points, at: at})
			}
			override := ""
			if e.db.Dialect() == store.Postgres {
				override = "OVERRIDING SYSTEM VALUE "
			}
			if _, err := tx.Exec(ctx, `INSERT INTO trips (id, territory_id, user_id, kind, from_lat, from_lon, to_lat, to_lon,
				departure, seats, contribution_kind, max_detour, polyline, created_at, updated_at, status) `+override+`
				VALUES `+tq.String(), targs...); err != nil {
				return fmt.Errorf("trips: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO trip_occurrences (id, territory_id, trip_id, departs_at, local_date, local_time,
				zone, seats_left, status) `+override+`VALUES `+oq.String(), oargs...); err != nil {
				return fmt.Errorf("occurrences: %w", err)
			}
			var cargs []any
			rows := 0
			flush := func() error {
				if rows == 0 {
					return nil
				}
				_, err := tx.Exec(ctx, `INSERT INTO trip_cells (occurrence_id, cell, territory_id, departs_at) VALUES `+cq.String(), cargs...)
				cq.Reset()
				cargs, rows = cargs[:0], 0
				return err
			}
			for i, p := range ps {
				for _, c := range p.cells {
					if rows > 0 {
						cq.WriteString(", ")
					}
					cq.WriteString("(?, ?, ?, ?)")
					cargs = append(cargs, firstID+int64(i), c, e.ter.ID, p.at)
					rows++
					cellCount++
					if rows == 1000 {
						if err := flush(); err != nil {
							return err
						}
					}
				}
			}
			return flush()
		})
		if err != nil {
			b.Fatal(err)
		}
		done += min(batch, n-done)
	}
	if e.db.Dialect() == store.Postgres {
		for _, t := range []string{"trips", "trip_occurrences"} {
			if _, err := e.db.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := e.db.Exec(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	} else if _, err := e.db.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return out, cellCount
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
