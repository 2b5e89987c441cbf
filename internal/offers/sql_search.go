package offers

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// Search: what both dialects share. A near search finds candidate ids and
// public positions in the spatial index (sql_sqlite.go, sql_postgres.go),
// ranks them in Go, then reads one page of rows.

func (s *SQLStore) Search(ctx context.Context, territoryID int64, within geo.BBox, q Query, now time.Time) (Result, error) {
	need := q.Offset + q.Limit + 1 // one more tells whether a next page exists
	var cands []cand
	var err error
	switch {
	case q.Near != nil && q.Sort == SortDistance:
		// Frequent words: the walk of the cells around the point, in
		// their set (sql_wordsets.go) if kept, else (SQLite) asking FTS5
		// about each listing met.
		var match string
		var words *wordSet
		if q.Text != "" {
			if match, err = s.wordsMatch(ctx, territoryID, q.Text); err == nil && match != "" {
				words, err = s.wordSet(ctx, territoryID, match)
			}
		}
		switch {
		case err != nil:
		case words != nil || (match != "" && !s.postgres()):
			cands, err = s.nearCells(ctx, territoryID, within, q, now, need, match, words)
		case s.postgres():
			cands, err = s.nearPostgres(ctx, territoryID, q, now, need)
		case q.Text == "":
			cands, err = s.nearCells(ctx, territoryID, within, q, now, need, "", nil)
		default:
			cands, err = s.nearSQLite(ctx, territoryID, within, q, now, need)
		}
	case q.Near != nil && q.RadiusM > 0 && q.Text == "":
		cands, err = s.recentInCircle(ctx, territoryID, within, q, now, need)
	case q.Near != nil && q.RadiusM > 0:
		// Recent within a circle, with words: frequent words from their
		// set (sql_wordsets.go), else every match of the circle.
		var match string
		kept := false
		if match, err = s.wordsMatch(ctx, territoryID, q.Text); err == nil && match != "" {
			cands, kept, err = s.recentWithWords(ctx, territoryID, within, q, now, need, match)
		}
		if err != nil || kept {
			break
		}
		if s.postgres() {
			if cands, kept, err = s.newestWithWordsPostgres(ctx, territoryID, q, now, need); err == nil && !kept {
				cands, err = s.newestPostgres(ctx, territoryID, q, now, need)
			}
		} else {
			cands, err = s.circleSQLite(ctx, territoryID, q, now)
		}
		sortByCreated(cands)
	default:
		return s.recent(ctx, territoryID, q, now)
	}
	if err != nil {
		return Result{}, err
	}
	res := Result{Items: []Hit{}}
	if len(cands) > q.Offset+q.Limit {
		res.More = true
	}
	if q.Offset >= len(cands) {
		return res, nil
	}
	cands = cands[q.Offset:min(len(cands), q.Offset+q.Limit)]
	if rowsRead(cands) {
		res.Items = make([]Hit, len(cands))
		var uncovered []Hit
		for i, c := range cands {
			res.Items[i] = Hit{Listing: c.row}
			if !c.row.coverRead {
				uncovered = append(uncovered, res.Items[i])
			}
		}
		err = s.covers(ctx, territoryID, uncovered)
	} else {
		ids := make([]int64, len(cands))
		for i, c := range cands {
			ids[i] = c.id
		}
		res.Items, err = s.byIDs(ctx, territoryID, ids)
	}
	if err != nil {
		return Result{}, err
	}
	setDistances(res.Items, q.Near)
	return res, nil
}

// textArgs: see planFor (PostgreSQL only).
func (s *SQLStore) textArgs(q Query, args []any) []any {
	if s.postgres() {
		return planFor(q, args)
	}
	return args
}

// cand is a listing found in a spatial index.
type cand struct {
	id      int64
	dist    float64 // metres from the query point
	created time.Time
	row     *Listing // the listing's public columns, when the index query read them
}

func rowsRead(cs []cand) bool {
	for _, c := range cs {
		if c.row == nil {
			return false
		}
	}
	return true
}

// sortByDistance orders candidates by distance, then id, and keeps those
// within radius (0: no limit).
func sortByDistance(cs []cand, radius float64) []cand {
	if radius > 0 {
		kept := cs[:0]
		for _, c := range cs {
			if c.dist <= radius {
				kept = append(kept, c)
			}
		}
		cs = kept
	}
	sort.Slice(cs, func(a, b int) bool {
		if cs[a].dist != cs[b].dist {
			return cs[a].dist < cs[b].dist
		}
		return cs[a].id < cs[b].id
	})
	return cs
}

// recent lists searchable listings newest first, filtered, without a place.
func (s *SQLStore) recent(ctx context.Context, territoryID int64, q Query, now time.Time) (Result, error) {
	w := &where{}
	w.add("l.territory_id = ?", territoryID)
	w.add(s.searchable())
	w.add("l.expires_at > ?", now)
	if q.Category != "" {
		w.add("l.category = ?", q.Category)
	}
	if q.Mode != "" {
		w.add("l.mode = ?", q.Mode)
	}
	if q.Kind != "" {
		w.add("l.kind = ?", q.Kind)
	}
	if terms := textsearch.QueryTerms(q.Text); len(terms) > 0 {
		if s.postgres() {
			w.add("l.search @@ to_tsquery('sc_simple', ?)", textsearch.TSQuery(terms, ""))
		} else {
			w.add("l.id IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)",
				textsearch.FTS5Match(terms, territoryFacet(territoryID)))
		}
	}
	ls, err := s.listings(ctx, false, `SELECT `+publicColumns+` FROM listings l WHERE `+w.String()+
		` ORDER BY l.created_at DESC, l.id DESC LIMIT ? OFFSET ?`, s.textArgs(q, append(w.args, q.Limit+1, q.Offset))...)
	if err != nil {
		return Result{}, err
	}
	res := Result{Items: make([]Hit, 0, len(ls))}
	if len(ls) > q.Limit {
		res.More, ls = true, ls[:q.Limit]
	}
	for _, l := range ls {
		res.Items = append(res.Items, Hit{Listing: l})
	}
	if err := s.covers(ctx, territoryID, res.Items); err != nil {
		return Result{}, err
	}
	setDistances(res.Items, q.Near)
	return res, nil
}

// byIDs reads listings (public columns) in the order of ids, with covers.
func (s *SQLStore) byIDs(ctx context.Context, territoryID int64, ids []int64) ([]Hit, error) {
	if len(ids) == 0 {
		return []Hit{}, nil
	}
	if s.postgres() {
		return s.pageByIDsPostgres(ctx, territoryID, ids)
	}
	return s.pageByIDsSQLite(ctx, territoryID, ids)
}

// hitsInOrder returns the listings of byID in the order of ids.
func hitsInOrder(ids []int64, byID map[int64]*Listing) []Hit {
	hits := make([]Hit, 0, len(ids))
	for _, id := range ids {
		if l := byID[id]; l != nil {
			hits = append(hits, Hit{Listing: l})
		}
	}
	return hits
}

// covers adds each hit's first photo.
func (s *SQLStore) covers(ctx context.Context, territoryID int64, hits []Hit) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.Listing.ID
	}
	photos, err := s.Photos(ctx, territoryID, ids, true)
	if err != nil {
		return err
	}
	for _, h := range hits {
		if ps := photos[h.Listing.ID]; ps != nil {
			h.Listing.Photos = ps
		}
	}
	return nil
}

func setDistances(hits []Hit, p *geo.Point) {
	if p == nil {
		return
	}
	for i := range hits {
		hits[i].DistanceM = math.Round(geo.Distance(*p, hits[i].Listing.Position))
	}
}

// where collects SQL conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string { return strings.Join(w.conds, " AND ") }
