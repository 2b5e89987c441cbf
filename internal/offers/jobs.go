package offers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// Job kinds of the module.
const (
	JobExpire    = "offers.expire"     // periodic: flag expired listings, which leaves the search indexes
	JobTextMerge = "offers.text_merge" // periodic: merge the text index (FTS5 segments, GIN pending list)
)

// Intervals of the periodic jobs. Searches skip expired listings by date
// whatever the job, which only keeps the indexes lean; merging is bounded
// per run (store.DefaultTextMerge) and carried on by the next.
const (
	ExpireEvery    = time.Hour
	TextMergeEvery = 10 * time.Minute
)

// RegisterJobs hooks the module's periodic jobs into the queue (jobs.Queue's
// Register and Every, which run each once across instances). Both are
// idempotent: expiring flags what is due now, merging does what is left.
func (s *Service) RegisterJobs(register func(kind string, h func(ctx context.Context, args json.RawMessage) error), every func(kind string, interval time.Duration)) {
	register(JobExpire, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.ExpireDue(ctx, s.clock())
		return err
	})
	every(JobExpire, ExpireEvery)
	register(JobTextMerge, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.MergeText(ctx, store.DefaultTextMerge)
		return err
	})
	every(JobTextMerge, TextMergeEvery)
}

// MergeText merges the listings' text index a bounded piece at a time (see
// store.DB.MergeText): with fewer FTS5 segments, a search with words near
// a point looks each listing up in fewer b-trees. Results do not change.
func (s *Service) MergeText(ctx context.Context, o store.TextMergeOptions) (store.TextMerge, error) {
	m, err := s.store.MergeText(ctx, o)
	if err != nil {
		return m, fmt.Errorf("offers: merge text index: %w", err)
	}
	if m.Worked() {
		s.log.InfoContext(ctx, "offers: text index merged", "merge", m)
	}
	return m, nil
}

// MergeText: see Store.
// The text changes the words' sets are patched with (sql_wordsets.go) are
// pruned on the way: the same periodic job, no other.
func (s *SQLStore) MergeText(ctx context.Context, o store.TextMergeOptions) (store.TextMerge, error) {
	if _, err := s.pruneTextChanges(ctx); err != nil {
		return store.TextMerge{}, fmt.Errorf("prune text changes: %w", err)
	}
	return s.db.MergeText(ctx, store.TextIndex{FTS5: "listings_fts", GIN: []string{"listings_search"}}, o)
}
