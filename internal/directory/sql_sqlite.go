package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// SQLite: an R*Tree (kept by triggers) for places, FTS5 (kept here) for text.

// bm25 weights of the FTS5 columns name, body, tags and facets: facets are
// filters, not relevance.
const ftsRank = `bm25(initiatives_fts, 10.0, 1.0, 4.0, 0.0)`

// syncText keeps the FTS5 row of an initiative: present while published.
func (s *SQLStore) syncText(ctx context.Context, in *Initiative) error {
	if s.postgres() {
		return nil // a generated tsvector column
	}
	if _, err := s.q.Exec(ctx, `DELETE FROM initiatives_fts WHERE rowid = ?`, in.ID); err != nil {
		return fmt.Errorf("initiative %d: unindex: %w", in.ID, err)
	}
	if in.Status != StatusPublished {
		return nil
	}
	name, body, tags, facets := ftsColumns(in)
	if _, err := s.q.Exec(ctx, `INSERT INTO initiatives_fts (rowid, name, body, tags, facets) VALUES (?, ?, ?, ?, ?)`,
		in.ID, name, body, tags, facets); err != nil {
		return fmt.Errorf("initiative %d: index: %w", in.ID, err)
	}
	return nil
}

// ftsColumns is what the FTS5 table holds for an initiative.
func ftsColumns(in *Initiative) (name, body, tags, facets string) {
	body = strings.Join([]string{in.Summary, in.Description, in.Address,
		in.Commons.Resource, in.Commons.Community, in.Commons.Governance}, "\n")
	f := []string{territoryFacet(in.TerritoryID), kindFacet(in.Kind)}
	for _, c := range in.Categories {
		f = append(f, categoryFacet(c))
	}
	return withStems(in.Name), withStems(body), withStems(strings.Join(in.Tags, " ")), strings.Join(f, " ")
}

// ftsFacets are the filter tokens of a search.
func ftsFacets(territoryID int64, cats []string, kinds []Kind) []string {
	out := []string{territoryFacet(territoryID)}
	if len(cats) > 0 {
		alts := make([]string, len(cats))
		for i, c := range cats {
			alts[i] = categoryFacet(c)
		}
		out = append(out, strings.Join(alts, " OR "))
	}
	if len(kinds) > 0 {
		alts := make([]string, len(kinds))
		for i, k := range kinds {
			alts[i] = kindFacet(k)
		}
		out = append(out, strings.Join(alts, " OR "))
	}
	return out
}

const rtreeBox = `max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ?`

func boxArgs(b geo.BBox) []any { return []any{b.MinLon, b.MaxLon, b.MinLat, b.MaxLat} }

// searchBox is the box a query is limited to, if any.
func searchBox(q Query) (geo.BBox, bool) {
	var box geo.BBox
	has := false
	if q.BBox != nil {
		box, has = *q.BBox, true
	}
	if q.Near != nil && q.RadiusM > 0 {
		around := geo.Around(*q.Near, q.RadiusM)
		if has {
			var ok bool
			if box, ok = box.Intersect(around); !ok {
				box = geo.BBox{MinLon: around.MinLon, MinLat: around.MinLat, MaxLon: around.MinLon, MaxLat: around.MinLat}
			}
		} else {
			box, has = around, true
		}
	}
	return box, has
}

func (s *SQLStore) searchSQLite(ctx context.Context, territoryID int64, q Query) (Result, error) {
	terms := queryTerms(q.Text)
	useFTS := len(terms) > 0 || len(q.Categories) > 0 || len(q.Kinds) > 0
	match := ftsMatch(terms, ftsFacets(territoryID, q.Categories, q.Kinds))
	box, hasBox := searchBox(q)
	relevance := q.Sort == SortRelevance && len(terms) > 0
	var res Result

	// The common case, words and filters without a place, is answered by
	// the FTS5 index alone; the main table is read for one page only.
	if useFTS && !hasBox && q.Near == nil {
		if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM initiatives_fts WHERE initiatives_fts MATCH ?`, match).Scan(&res.Total); err != nil {
			return res, fmt.Errorf("search count: %w", err)
		}
		if relevance {
			hits, err := s.hits(ctx, `SELECT `+initiativeColumns+`, f.score FROM (SELECT rowid AS fid, `+ftsRank+` AS score
				FROM initiatives_fts WHERE initiatives_fts MATCH ? ORDER BY score LIMIT ? OFFSET ?) f
				JOIN initiatives i ON i.id = f.fid WHERE i.territory_id = ? ORDER BY f.score, i.id`,
				match, q.Limit, q.Offset, territoryID)
			res.Items = hits
			return res, err
		}
	}

	w := &where{}
	w.add("i.territory_id = ?", territoryID)
	w.add("i.status = 'published'")
	if useFTS {
		w.add("i.id IN (SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ?)", match)
	}
	if hasBox {
		w.add("i.id IN (SELECT id FROM initiatives_rtree WHERE "+rtreeBox+" AND territory_id = ?)", append(boxArgs(box), territoryID)...)
	}
	extra, extraArgs := "0.0", []any(nil)
	if q.Near != nil {
		expr, args := planarAt(*q.Near).sql()
		extra, extraArgs = expr, args
		if q.RadiusM > 0 {
			w.add(expr+" <= ?", append(args, radiusDeg2(q.RadiusM))...)
		}
	}
	if !(useFTS && !hasBox && q.Near == nil) {
		if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM initiatives i WHERE `+w.String(), w.args...).Scan(&res.Total); err != nil {
			return res, fmt.Errorf("search count: %w", err)
		}
	}
	from, fromArgs := "initiatives i", []any(nil)
	order := orderBy(q.Sort, q.Near != nil)
	if relevance {
		from = `(SELECT rowid AS fid, ` + ftsRank + ` AS score FROM initiatives_fts WHERE initiatives_fts MATCH ?) f
			JOIN initiatives i ON i.id = f.fid`
		fromArgs, order = []any{match}, "f.score, i.id"
	}
	args := append(append(append(extraArgs, fromArgs...), w.args...), q.Limit, q.Offset)
	hits, err := s.hits(ctx, `SELECT `+initiativeColumns+`, `+extra+` AS dist2 FROM `+from+` WHERE `+w.String()+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	setDistances(hits, q.Near)
	res.Items = hits
	return res, err
}

func (s *SQLStore) inBoxSQLite(ctx context.Context, territoryID int64, box geo.BBox, f Filter, limit int) ([]MapPoint, error) {
	w := &where{}
	w.add("r."+strings.ReplaceAll(rtreeBox, "AND ", "AND r."), boxArgs(box)...)
	w.add("r.territory_id = ?", territoryID)
	s.mapFilterSQLite(w, territoryID, f)
	return s.points(ctx, `SELECT i.id, i.name, i.lat, i.lon, i.categories, i.kind
		FROM initiatives_rtree r JOIN initiatives i ON i.id = r.id WHERE `+w.String()+` LIMIT ?`, append(w.args, limit)...)
}

func (s *SQLStore) mapFilterSQLite(w *where, territoryID int64, f Filter) {
	if terms := queryTerms(f.Text); len(terms) > 0 {
		w.add("i.id IN (SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ?)",
			ftsMatch(terms, ftsFacets(territoryID, nil, nil)))
	}
	w.filter(f.Categories, f.Kinds)
}

func (s *SQLStore) clustersSQLite(ctx context.Context, territoryID int64, box geo.BBox, cellLon, cellLat float64, f Filter) ([]Cluster, error) {
	// The grid is anchored at (-180, -90) so that cells do not move when
	// the map pans. Without filters the R*Tree alone answers.
	cell := `CAST((r.min_lon + 180.0) / ? AS INTEGER) AS cx, CAST((r.min_lat + 90.0) / ? AS INTEGER) AS cy,
		COUNT(*), AVG(r.min_lat), AVG(r.min_lon), MIN(r.id)`
	w := &where{}
	w.add("r."+strings.ReplaceAll(rtreeBox, "AND ", "AND r."), boxArgs(box)...)
	w.add("r.territory_id = ?", territoryID)
	from := "initiatives_rtree r"
	if f.Text != "" || len(f.Categories) > 0 || len(f.Kinds) > 0 {
		from += " JOIN initiatives i ON i.id = r.id"
		s.mapFilterSQLite(w, territoryID, f)
	}
	return s.clusters(ctx, `SELECT `+cell+` FROM `+from+` WHERE `+w.String()+` GROUP BY cx, cy`,
		append([]any{cellLon, cellLat}, w.args...)...)
}

// nearSQLite grows a box around p until it holds limit initiatives all
// closer than the box's inner radius, so that the R*Tree reads only a
// neighbourhood however large the territory.
func (s *SQLStore) nearSQLite(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]Hit, error) {
	type cand struct {
		id   int64
		dist float64
	}
	radius := 300.0
	var best []cand
	for {
		box := geo.Around(p, radius)
		covers := box.MinLon <= within.MinLon && box.MaxLon >= within.MaxLon && box.MinLat <= within.MinLat && box.MaxLat >= within.MaxLat
		rows, err := s.q.Query(ctx, `SELECT id, min_lat, min_lon FROM initiatives_rtree WHERE `+rtreeBox+` AND territory_id = ?`,
			append(boxArgs(box), territoryID)...)
		if err != nil {
			return nil, err
		}
		best = best[:0]
		for rows.Next() {
			var c cand
			var pt geo.Point
			if err := rows.Scan(&c.id, &pt.Lat, &pt.Lon); err != nil {
				rows.Close()
				return nil, err
			}
			c.dist = geo.Distance(p, pt)
			best = append(best, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if covers || len(best) >= limit && kthSmallest(best, limit, func(c cand) float64 { return c.dist }) <= radius {
			break
		}
		radius *= 3
	}
	if len(best) == 0 {
		return nil, nil
	}
	// Candidates are ranked on the R*Tree's 32-bit coordinates; the
	// closest few are read in full and ranked again exactly.
	sortBy(best, func(c cand) float64 { return c.dist })
	n := min(len(best), limit+limit/4+2)
	ids := make([]any, 0, n+1)
	ids = append(ids, territoryID)
	for _, c := range best[:n] {
		ids = append(ids, c.id)
	}
	hits, err := s.hits(ctx, `SELECT `+initiativeColumns+`, 0.0 FROM initiatives i WHERE i.territory_id = ? AND i.id IN (`+
		strings.Repeat("?, ", n-1)+`?)`, ids...)
	if err != nil {
		return nil, err
	}
	return nearest(hits, p, limit), nil
}
