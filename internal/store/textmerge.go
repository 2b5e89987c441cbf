package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Text indexes are built by the writes themselves: each SQLite write
// transaction adds a small FTS5 segment (b-tree) that FTS5's automerge folds
// into larger ones level by level, and a PostgreSQL GIN index with
// fastupdate queues new entries in a pending list. Either way a lookup ends
// up reading several structures (16 FTS5 segments for 1,000,000 listings
// loaded in batches, each seeked for every term looked up). MergeText folds
// them back, a bounded piece of work at a time, for a periodic job.

// TextIndex names one module's text index in each dialect.
type TextIndex struct {
	FTS5 string   // SQLite: the FTS5 table
	GIN  []string // PostgreSQL: its GIN indexes
}

// TextMergeOptions bound one run of MergeText.
type TextMergeOptions struct {
	// Pages is the work of one step: FTS5's 'merge' writes about that many
	// pages, in one write transaction of its own (so writers wait for one
	// step, never for the whole run).
	Pages int
	// MaxSegments: with more segments than this, a run merges them all
	// into one; otherwise it only lets FTS5 finish what it started.
	MaxSegments int
	// Budget bounds the run's time; a merge left unfinished is carried on
	// by the next run (FTS5 keeps its state in the index).
	Budget time.Duration
}

// DefaultTextMerge suits an index of a million rows: a step of 200 pages
// takes tens of milliseconds.
var DefaultTextMerge = TextMergeOptions{Pages: 200, MaxSegments: 3, Budget: 20 * time.Second}

// TextMerge reports what a run did.
type TextMerge struct {
	Steps          int   // SQLite: merge steps that did some work
	SegmentsBefore int   // SQLite: FTS5 segments before the run
	SegmentsAfter  int   // SQLite: and after
	PendingPages   int64 // PostgreSQL: pending-list pages moved into the GIN indexes
	Done           bool  // nothing left to merge within the run's rule
}

// LogValue lets a module log a run as one attribute.
func (m TextMerge) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("steps", m.Steps), slog.Int("segments_before", m.SegmentsBefore),
		slog.Int("segments_after", m.SegmentsAfter), slog.Int64("pending_pages", m.PendingPages), slog.Bool("done", m.Done))
}

// Worked reports whether the run merged anything (worth a log line).
func (m TextMerge) Worked() bool { return m.Steps > 0 || m.PendingPages > 0 }

// MergeText merges ix's text index incrementally (see TextIndex).
func (db *DB) MergeText(ctx context.Context, ix TextIndex, o TextMergeOptions) (TextMerge, error) {
	if db.dialect == Postgres {
		return db.cleanGINPending(ctx, ix.GIN)
	}
	return db.mergeFTS5(ctx, ix.FTS5, o)
}

// FTS5Segments counts the segments of an FTS5 table: every segment has at
// least one row in its %_idx shadow table.
func (db *DB) FTS5Segments(ctx context.Context, table string) (int, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(DISTINCT segid) FROM `+table+`_idx`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: %s segments: %w", table, err)
	}
	return n, nil
}

// mergeFTS5 runs 'merge' steps. A negative page count merges every
// segment, whatever its level, into one; a positive one only carries on a
// merge already started or merges a level that reached FTS5's automerge
// count. A step that changes fewer than two rows did nothing: FTS5's own
// sign that nothing is left to merge.
func (db *DB) mergeFTS5(ctx context.Context, table string, o TextMergeOptions) (TextMerge, error) {
	var m TextMerge
	var err error
	if m.SegmentsBefore, err = db.FTS5Segments(ctx, table); err != nil {
		return m, err
	}
	pages := o.Pages
	if m.SegmentsBefore > o.MaxSegments {
		pages = -pages
	}
	deadline := time.Now().Add(o.Budget)
	for time.Now().Before(deadline) {
		var did bool
		err := db.InTx(ctx, func(tx *Tx) error {
			var before, after int64
			if err := tx.QueryRow(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+table+`(`+table+`, rank) VALUES ('merge', ?)`, pages); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
				return err
			}
			did = after-before >= 2
			return nil
		})
		if err != nil {
			return m, fmt.Errorf("store: merge %s: %w", table, err)
		}
		if !did {
			m.Done = true
			break
		}
		m.Steps++
	}
	if m.SegmentsAfter, err = db.FTS5Segments(ctx, table); err != nil {
		return m, err
	}
	return m, nil
}

// cleanGINPending moves the pending lists of GIN indexes into their main
// structure (what autovacuum does, but now): a search reads the whole
// pending list sequentially, however few of its entries match.
func (db *DB) cleanGINPending(ctx context.Context, indexes []string) (TextMerge, error) {
	var m TextMerge
	for _, ix := range indexes {
		var n int64
		if err := db.QueryRowW(ctx, `SELECT gin_clean_pending_list(CAST(? AS regclass))`, ix).Scan(&n); err != nil {
			return m, fmt.Errorf("store: clean pending list of %s: %w", ix, err)
		}
		m.PendingPages += n
	}
	m.Done = true
	return m, nil
}
