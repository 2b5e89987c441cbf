package offers

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
)

// BenchmarkNearSearchEdited: words near a point (the words' sets,
// sql_wordsets.go) in a city where a listing's text changes between every
// two searches: a random listing gains or loses "perceuse", so that each
// search patches the set with the listing changed since the previous one.
// The edits themselves are not timed.
func BenchmarkNearSearchEdited(b *testing.B) {
	for _, c := range []struct {
		name string
		q    func(r *rand.Rand) Query
	}{
		{"text", func(r *rand.Rand) Query { return Query{Near: benchPoint(r), RadiusM: 5000, Text: "perceuse"} }},
		{"recent+text+radius2km", func(r *rand.Rand) Query {
			return Query{Near: benchPoint(r), RadiusM: 2000, Text: "perceuse", Sort: SortRecent}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchEach(b, func(b *testing.B, d *benchData) {
				ctx := context.Background()
				st := d.svc.store
				edit := func(r *rand.Rand) error {
					l, err := st.GetListing(ctx, d.ter.ID, 1+r.Int64N(benchSize), false)
					if err != nil {
						return err
					}
					if t, ok := strings.CutPrefix(l.Title, "Perceuse "); ok {
						l.Title = t
					} else {
						l.Title = "Perceuse " + l.Title
					}
					return st.UpdateListing(ctx, l)
				}
				if _, err := d.svc.Search(ctx, access.Actor{}, d.ter, c.q(rand.New(rand.NewPCG(1, 1)))); err != nil {
					b.Fatal(err) // the set, built once
				}
				timedAfter(b, edit, func(r *rand.Rand) (int, error) {
					res, err := d.svc.Search(ctx, access.Actor{}, d.ter, c.q(r))
					return len(res.Items), err
				})
			})
		})
	}
}
