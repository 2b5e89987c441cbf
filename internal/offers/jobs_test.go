package offers

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

// TestTextMergeJob: the periodic jobs run through the queue, and merging
// the text index (down to one FTS5 segment on SQLite; the GIN pending list
// on PostgreSQL) changes no search result, on either path of a search with
// words near a point.
func TestTextMergeJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		// One listing per transaction: each adds an FTS5 segment.
		for i := range 60 {
			title := fmt.Sprintf("Vélo %d", i)
			if i%3 == 0 {
				title = fmt.Sprintf("Perceuse %d", i)
			}
			e.create(t, e.owner, sample(title, 45.75+float64(i%10)*0.002, 4.83+float64(i/10)*0.003))
		}
		p := geo.Point{Lat: 45.755, Lon: 4.84}
		queries := []Query{{Text: "perceuse"}, {Text: "velo", Limit: 5, Offset: 3}, {Text: "perceuse", Near: &p},
			{Text: "vél", Near: &p, RadiusM: 800}, {Near: &p, Limit: 7}}
		search := func() string {
			var out string
			defer func(n int) { frequentPostings = n }(frequentPostings)
			for _, frequent := range []int{frequentPostings, 0} { // both paths of words near a point
				frequentPostings = frequent
				e.forgetFrequencies()
				for _, q := range queries {
					res, err := e.svc.Search(ctx, e.anon, e.ter, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, h := range res.Items {
						out += fmt.Sprint(h.Listing.ID, " ")
					}
					out += fmt.Sprintln(res.More)
				}
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
		// Merged already: nothing more to do.
		if m, err := e.svc.MergeText(ctx, store.DefaultTextMerge); err != nil || m.Steps != 0 || !m.Done {
			t.Fatalf("second merge: %+v %v", m, err)
		}

		// Through the queue: both periodic jobs run once and succeed.
		e.create(t, e.owner, sample("Perceuse neuve", 45.751, 4.831))
		q := jobs.New(db, slog.New(slog.DiscardHandler), e.clock.now, jobs.Options{})
		ran := map[string]int{}
		e.svc.RegisterJobs(func(kind string, h func(context.Context, json.RawMessage) error) {
			q.Register(kind, func(ctx context.Context, args json.RawMessage) error {
				ran[kind]++
				return h(ctx, args)
			})
		}, q.Every)
		if _, err := q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if ran[JobTextMerge] != 1 || ran[JobExpire] != 1 {
			t.Fatalf("jobs run: %v", ran)
		}
		if _, _, failed, err := q.Stats(ctx); err != nil || failed != 0 {
			t.Fatalf("failed jobs: %d %v", failed, err)
		}
	})
}
