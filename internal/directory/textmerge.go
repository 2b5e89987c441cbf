package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// JobTextMerge is the kind of the periodic job that merges the text index
// (FTS5 segments on SQLite, the GIN pending lists on PostgreSQL).
const JobTextMerge = "directory.text_merge"

// TextMergeEvery is its interval: a run is bounded (store.DefaultTextMerge)
// and the next one carries on.
const TextMergeEvery = 10 * time.Minute

// textMerger is the store's side of MergeText. It is asserted, not part of
// Store, so that stores without a text index of their own need nothing.
type textMerger interface {
	MergeText(ctx context.Context, o store.TextMergeOptions) (store.TextMerge, error)
}

// RegisterJobs hooks the module's periodic job into the queue (jobs.Queue's
// Register and Every, which run it once across instances). Merging is
// idempotent: each run does what is left.
func (s *Service) RegisterJobs(register func(kind string, h func(ctx context.Context, args json.RawMessage) error), every func(kind string, interval time.Duration)) {
	register(JobTextMerge, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.MergeText(ctx, store.DefaultTextMerge)
		return err
	})
	every(JobTextMerge, TextMergeEvery)
}

// MergeText merges the initiatives' text index a bounded piece at a time
// (see store.DB.MergeText): fewer FTS5 segments to seek for each term.
// Search results do not change, so caches keyed by data version stay valid.
func (s *Service) MergeText(ctx context.Context, o store.TextMergeOptions) (store.TextMerge, error) {
	m, ok := s.store.(textMerger)
	if !ok {
		return store.TextMerge{Done: true}, nil
	}
	res, err := m.MergeText(ctx, o)
	if err != nil {
		return res, fmt.Errorf("directory: merge text index: %w", err)
	}
	if res.Worked() {
		s.log.InfoContext(ctx, "directory: text index merged", "merge", res)
	}
	return res, nil
}

// MergeText: see textMerger.
func (s *SQLStore) MergeText(ctx context.Context, o store.TextMergeOptions) (store.TextMerge, error) {
	return s.db.MergeText(ctx, store.TextIndex{FTS5: "initiatives_fts",
		GIN: []string{"initiative_search_search", "initiative_search_name"}}, o)
}
