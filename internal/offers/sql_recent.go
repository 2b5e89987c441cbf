package offers

import (
	"context"
	"sort"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// "Newest first within a circle" without words (migration 00022). Two ways,
// each cheap where the other is not:
//   - newest: the territory's listings newest first, from a covering index
//     in order of creation, filtered, until need of them lie in the circle
//     (nothing older can come before them) or recentScan were read. A busy
//     circle (2 km downtown with a mode: one listing in a hundred of the
//     city) is answered within a few thousand entries, none of them
//     leaving SQLite;
//   - cells: every listing of the filters in the circle's cells (SQLite:
//     the covering cell indexes, which hold the creation date, sorted by
//     SQLite; PostgreSQL: the GiST indexes). The first way failing means
//     the circle holds less than need/recentScan of the territory's
//     listings with the filters, so this reads little.
// Either way at most recentScan index entries plus need/recentScan of the
// territory's. On 1,000,000 listings (SQLite, thread CPU p50/p99 of 2 km
// with a mode): a scan of 2,048 gave 7.0/13.6 ms, 4,096 1.1/7.0 ms, 16,384
// 1.0/3.7 ms, 32,768 1.1/4.0 ms.

// recentScan bounds the walk of the newest; with a category the circle is
// read first, up to recentCellsFirst rows (PostgreSQL), or (SQLite) only,
// sorted there, within recentSortedRadius metres (variables for tests). With a mode or a category
// SQLite walks the filter's own newest (00025): 2 km with a mode went from
// 1.1/4.3 ms to 0.40/1.2 ms of thread CPU p50/p99. PostgreSQL walks a
// mode's own newest too (00030): 724 entries for a page of 2 km, where
// every listing's newest read 3,526.
var (
	recentScan         = 16384
	recentCellsFirst   = 1024
	recentSortedRadius = 1000.0
)

func (s *SQLStore) recentInCircle(ctx context.Context, territoryID int64, within geo.BBox, q Query, now time.Time, need int) ([]cand, error) {
	switch {
	case q.Category != "" && !s.postgres() && q.RadiusM <= recentSortedRadius:
		// A small circle's rows of one category are few (about 450 in
		// 500 m of a city of 1,000,000 listings): SQLite reads and sorts
		// them, a page comes here.
		cs, err := s.newestInCells(ctx, territoryID, within, q, now, need)
		sortByCreated(cs)
		return cs, err
	case q.Category != "" && s.postgres():
		// The walk of the newest reads every category's (one in eleven is
		// of the query's), where the GiST index of the category holds only
		// its own: those first, up to a bound (a row read costs about five
		// of the walk's entries).
		cs, complete, err := s.circlePostgres(ctx, territoryID, q, now, need, recentCellsFirst)
		if err != nil || complete {
			sortByCreated(cs)
			return cs, err
		}
	case !s.postgres():
		cs, ok, err := s.newestWalkSQLite(ctx, territoryID, q, now, need)
		if err == nil && !ok {
			cs, err = s.newestInCells(ctx, territoryID, within, q, now, need)
		}
		sortByCreated(cs)
		return cs, err
	}
	// The box holds 4/π times the circle's area: ask for a margin of box
	// matches, more if the circle was short of them.
	for limit := need*3/2 + 8; ; limit *= 4 {
		cs, inBox, err := s.newestInCircle(ctx, territoryID, q, now, limit)
		if err != nil {
			return nil, err
		}
		if len(cs) >= need {
			sortByCreated(cs)
			return cs, nil
		}
		if inBox < limit || limit > recentScan {
			break // scanned recentScan, or the whole territory
		}
	}
	cs, _, err := s.circlePostgres(ctx, territoryID, q, now, need, 0)
	sortByCreated(cs)
	return cs, err
}

// newestInCells returns the need newest listings of the circle with the
// filters (fewer if there are fewer), from the covering cell indexes
// (SQLite). SQLite sorts the cells' rows by date itself and returns the
// first ones only: a row brought into Go costs about ten times one it
// sorts. Its circle test is flat and generous (the smallest cosine of the
// box, 1 % more radius), so that it keeps every point of the exact circle,
// which is then checked here.
func (s *SQLStore) newestInCells(ctx context.Context, territoryID int64, within geo.BBox, q Query, now time.Time, need int) ([]cand, error) {
	all := block{cellRow(within.MinLat), cellRow(within.MaxLat), cellCol(within.MinLon), cellCol(within.MaxLon)}
	p := *q.Near
	box := geo.Around(p, q.RadiusM)
	b := block{cellRow(box.MinLat), cellRow(box.MaxLat), cellCol(box.MinLon), cellCol(box.MaxLon)}.clamp(all)
	if b.empty() {
		return nil, nil
	}
	text, args := s.cellsQuery(territoryID, q, now, b.minus(block{1, 0, 1, 0}), true)
	text += ` AND ` + flatCircle("l.") + ` ORDER BY l.created_at DESC, l.id DESC LIMIT ?`
	args = append(args, flatCircleArgs(p, q.RadiusM)...)
	for limit := need + need/4 + 8; ; limit *= 4 {
		read := 0
		cs, err := s.circleRows(ctx, text, append(args, limit), p, q.RadiusM, &read)
		if err != nil || len(cs) >= need || read < limit {
			return cs, err
		}
	}
}

// newestInCircle (PostgreSQL; SQLite's is newestWalkSQLite) walks the
// territory's recentScan newest listings until limit of them lie in the
// circle's box with the filters (the inner rows are pulled only as the
// outer LIMIT needs them), and returns those in the circle, with how many
// were in the box.
func (s *SQLStore) newestInCircle(ctx context.Context, territoryID int64, q Query, now time.Time, limit int) ([]cand, int, error) {
	box := geo.Around(*q.Near, q.RadiusM)
	inner := &where{} // the walk: its index's columns before created_at
	inner.add("l.territory_id = ?", territoryID)
	inner.add(s.searchable())
	if q.Mode != "" {
		// PostgreSQL's own (00030); a category keeps the walk of every
		// listing, after the circle (recentInCircle).
		inner.add("l.mode_code = CAST(? AS SMALLINT)", modeCodes[q.Mode])
	}
	w := &where{}
	w.add("pub_lat BETWEEN ? AND ?", box.MinLat, box.MaxLat)
	w.add("pub_lon BETWEEN ? AND ?", box.MinLon, box.MaxLon)
	w.add("expires_at > ?", now)
	if q.Category != "" {
		w.add("category_code = ?", categoryCodes[q.Category])
	}
	if q.Mode != "" {
		w.add("mode_code = ?", modeCodes[q.Mode])
	}
	if q.Kind != "" {
		w.add("kind_code = ?", kindCodes[q.Kind])
	}
	scan, cond, last := pgGenericWalk(recentScan, w.String(), limit) // planned once
	args := append(inner.args, w.args...)
	inBox := 0
	cs, err := s.circleRows(ctx, `SELECT id, pub_lat, pub_lon, created_at FROM (
		SELECT l.id, l.pub_lat, l.pub_lon, l.created_at, l.mode_code, l.category_code, l.kind_code, l.expires_at
		FROM listings l WHERE `+inner.String()+`
		ORDER BY l.created_at DESC, l.id DESC LIMIT `+scan+`) n WHERE `+cond+` LIMIT `+last,
		args, *q.Near, q.RadiusM, &inBox)
	return cs, inBox, err
}

// circleRows runs a query of (id, pub_lat, pub_lon, created_at) and keeps
// the rows within radius of p; read counts the rows, if not nil.
func (s *SQLStore) circleRows(ctx context.Context, text string, args []any, p geo.Point, radius float64, read *int) ([]cand, error) {
	rows, err := s.q.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cand
	var c cand // scanned into again: see inCells
	var pt geo.Point
	var created any
	for rows.Next() {
		if err := rows.Scan(&c.id, &pt.Lat, &pt.Lon, &created); err != nil {
			return nil, err
		}
		if read != nil {
			*read++
		}
		if c.dist = geo.Distance(p, pt); c.dist > radius {
			continue
		}
		if c.created, err = auxTime(created); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// sortByCreated orders candidates newest first, then by id, descending.
func sortByCreated(cs []cand) {
	sort.Slice(cs, func(a, b int) bool {
		if !cs[a].created.Equal(cs[b].created) {
			return cs[a].created.After(cs[b].created)
		}
		return cs[a].id > cs[b].id
	})
}

// newestWithWordsPostgres returns the need newest listings of the circle
// with q's filters and words (fewer if there are fewer) from the walk of
// the territory's newest (listings_recent_cover, index only), asking the
// table whether a listing holds the words only for those in the circle's
// box: about 200 of them, 3 µs each, for a page of "perceuse" within 2 km
// downtown, where the plan of newestPostgres read the box's 65,716 GiST
// entries and 41,568 heap blocks (0.3-0.5 s). ok is false when the walk
// met too few: the caller then asks newestPostgres, which is cheap exactly
// then (rare words through the GIN index, or a quiet circle).
func (s *SQLStore) newestWithWordsPostgres(ctx context.Context, territoryID int64, q Query, now time.Time, need int) (_ []cand, ok bool, _ error) {
	terms := textsearch.QueryTerms(q.Text)
	if len(terms) == 0 {
		return nil, false, nil
	}
	box := geo.Around(*q.Near, q.RadiusM)
	w := &where{}
	w.add("pub_lat BETWEEN ? AND ?", box.MinLat, box.MaxLat)
	w.add("pub_lon BETWEEN ? AND ?", box.MinLon, box.MaxLon)
	pgFilters(w, "", q, now, pgSmallint)
	// The box's rows newest first, up to limit; of those in the circle
	// (a flat, generous test: the smallest cosine of the box, 1 % more
	// radius), the table is asked for the words in that order, and only
	// until need of them have the words: the first need in the exact
	// circle are the answer.
	p := *q.Near
	text := `SELECT b.id, b.pub_lat, b.pub_lon, b.created_at FROM (
		SELECT id, pub_lat, pub_lon, created_at FROM (
			SELECT l.id, l.pub_lat, l.pub_lon, l.created_at, l.mode_code, l.category_code, l.kind_code, l.expires_at
			FROM listings l WHERE l.territory_id = ? AND ` + s.searchable() + `
			ORDER BY l.created_at DESC, l.id DESC LIMIT ?) n WHERE ` + w.String() + ` LIMIT ?) b
		WHERE ` + flatCircle("b.") + `
		AND (SELECT t.search @@ to_tsquery('sc_simple', ?) FROM listings t WHERE t.id = b.id) LIMIT ?`
	// "perceuse" (one listing in eight) within 2 km downtown: about 160
	// of the box's rows for a page of 20. A quieter circle walks four
	// times further (an index-only walk: 65,536 entries cost less than
	// the fallback's heap pages, 24,000 for 2 km at the city's edge).
	// The flat test lets in a few rows of the box outside the circle:
	// a margin of them, more if they took it.
	for limit, scan, round := 16*need+32, recentScan, 0; round < 2; limit, scan, round = limit*4, scan*4, round+1 {
		for page := need + need/4 + 8; ; page *= 2 {
			args := append(append(append([]any{territoryID, scan}, w.args...), limit),
				append(flatCircleArgs(p, q.RadiusM), textsearch.TSQuery(terms, ""), page)...)
			read := 0
			cs, err := s.circleRows(ctx, text, args, p, q.RadiusM, &read)
			if err != nil || len(cs) >= need {
				return cs, err == nil, err
			}
			if read < page {
				break // the box's first limit rows hold no more
			}
		}
	}
	return nil, false, nil
}
