package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/jobs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestTextMergeJob: the periodic job runs through the queue, and merging
// the text index (down to one FTS5 segment on SQLite; the GIN pending
// lists on PostgreSQL) changes no search result.
func TestTextMergeJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		for i := range 40 { // one transaction each: one FTS5 segment each
			name := fmt.Sprintf("Grainothèque %d", i)
			if i%2 == 0 {
				name = fmt.Sprintf("Atelier vélo %d", i)
			}
			e.published(t, sample(name, 45.75+float64(i%8)*0.002, 4.83+float64(i/8)*0.003))
		}
		p := geo.Point{Lat: 45.755, Lon: 4.84}
		queries := []Query{{Text: "velo"}, {Text: "grainotheque", Limit: 5, Offset: 2}, {Text: "partage", Sort: SortName},
			{Text: "atel", Near: &p}}
		search := func() string {
			e.svc.ForgetSearches()
			var out string
			for _, q := range queries {
				res, err := e.svc.Search(ctx, e.ter, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Items {
					out += fmt.Sprint(h.Initiative.ID, " ")
				}
				out += fmt.Sprintln(res.Total)
			}
			return out
		}
		before := search()
		m, err := e.svc.MergeText(ctx, store.TextMergeOptions{Pages: 4, MaxSegments: 1, Budget: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == store.SQLite {
			if m.SegmentsBefore < 2 || m.SegmentsAfter != 1 || m.Steps == 0 || !m.Done {
				t.Fatalf("merge: %+v", m)
			}
		} else if !m.Done {
			t.Fatalf("merge: %+v", m)
		}
		if after := search(); after != before {
			t.Fatalf("results changed by the merge:\n%s\nthen\n%s", before, after)
		}

		q := jobs.New(db, slog.New(slog.DiscardHandler), e.clock.now, jobs.Options{})
		ran := 0
		e.svc.RegisterJobs(func(kind string, h func(context.Context, json.RawMessage) error) {
			q.Register(kind, func(ctx context.Context, args json.RawMessage) error {
				ran++
				return h(ctx, args)
			})
		}, q.Every)
		if _, err := q.RunDue(ctx); err != nil || ran != 1 {
			t.Fatalf("job run %d times: %v", ran, err)
		}
		if _, _, failed, err := q.Stats(ctx); err != nil || failed != 0 {
			t.Fatalf("failed jobs: %d %v", failed, err)
		}
	})
}
