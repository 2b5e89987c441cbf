package mobility

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkTripSearchRange compares, over BenchmarkTripSearch's city, the
// search an RDEX partner asks (7 days, 7:00-9:00 each day) done as one
// range search ("range") with the 7 searches of one day each the RDEX
// adapter ran before ("per-day").
//
//	go test -run '^$' -bench BenchmarkTripSearchRange -benchtime 500x ./internal/mobility/
func BenchmarkTripSearchRange(b *testing.B) {
	benchCities(b, func(b *testing.B, dialect string, c *benchCity) {
		loc := c.e.ter.Location()
		first := c.start.In(loc)
		first = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
		for _, mode := range []string{"range", "per-day"} {
			b.Run(dialect+"/"+mode, func(b *testing.B) {
				r := rand.New(rand.NewPCG(5, 6)) // the same queries in both modes
				ctx := context.Background()
				measureSearches(b, func(i int) (int, error) {
					a, z, _, _ := c.ends(r, i)
					if mode == "range" {
						q := RangeQuery{From: a, To: z, Earliest: first, Latest: first.AddDate(0, 0, 7).Add(-time.Microsecond), OnePerTrip: true}
						for d := range q.Times {
							q.Times[d] = &DayWindow{Min: 7 * time.Hour, Max: 9 * time.Hour}
						}
						got, err := c.e.svc.SearchRange(ctx, c.e.driver, c.e.ter, q)
						return len(got), err
					}
					found := 0
					for d := 0; d < 7; d++ {
						got, err := c.e.svc.Search(ctx, c.e.driver, c.e.ter, Query{From: a, To: z, At: first.AddDate(0, 0, d).Add(8 * time.Hour), Window: time.Hour})
						if err != nil {
							return found, err
						}
						found += len(got)
					}
					return found, nil
				})
			})
		}
	})
}
