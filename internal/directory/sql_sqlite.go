package directory

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/sharingcity/sharingcity/internal/textsearch"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// SQLite: an R*Tree (kept by triggers) for places, FTS5 (kept here) for text.

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
	return textsearch.WithStems(in.Name), textsearch.WithStems(body), textsearch.WithStems(strings.Join(in.Tags, " ")), strings.Join(f, " ")
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

// rtreeBox finds the points of a box in one territory (the third dimension).
const rtreeBox = `max_lon >= ? AND min_lon <= ? AND max_lat >= ? AND min_lat <= ? AND min_territory <= ? AND max_territory >= ?`

func rtreeArgs(b geo.BBox, territoryID int64) []any {
	return []any{b.MinLon, b.MaxLon, b.MinLat, b.MaxLat, territoryID, territoryID}
}

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
	terms := textsearch.QueryTerms(q.Text)
	facets := ftsFacets(territoryID, q.Categories, q.Kinds)
	useFTS := len(terms) > 0 || len(q.Categories) > 0 || len(q.Kinds) > 0
	match := ftsMatch(terms, facets)
	box, hasBox := searchBox(q)
	// Words and filters without a place are answered by the FTS5 index
	// alone; the main table is read for one page only.
	if q.Sort == SortRelevance && len(terms) > 0 && !hasBox && q.Near == nil && q.OrganisationID == 0 {
		if q.mem != nil {
			return s.rankedSQLiteMem(ctx, territoryID, q, terms, facets[1:])
		}
		return s.rankedSQLite(ctx, territoryID, q, terms, facets)
	}
	w := &where{}
	w.add("i.territory_id = ?", territoryID)
	w.add("i.status = 'published'")
	if q.OrganisationID != 0 {
		w.add("i.organisation_id = ?", q.OrganisationID)
	}
	if useFTS {
		w.add("i.id IN (SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ?)", match)
	}
	if hasBox {
		w.add("i.id IN (SELECT id FROM initiatives_rtree WHERE "+rtreeBox+")", rtreeArgs(box, territoryID)...)
	}
	extra, extraArgs := "0.0", []any(nil)
	if q.Near != nil {
		expr, args := planarAt(*q.Near).sql()
		extra, extraArgs = expr, args
		if q.RadiusM > 0 {
			w.add(expr+" <= ?", append(args, radiusDeg2(q.RadiusM))...)
		}
	}
	return s.searchWhere(ctx, territoryID, q, terms, w, extra, extraArgs)
}

// rankedSQLite ranks the matches (see rankPage) when there are at most
// countCap of them. Beyond, scoring every match would cost far more than
// the page is worth (a common word matches half the territory), so entries
// with the words in their name come first, then the others, newest first
// in each group: FTS5 walks its lists backwards and stops after one page.
func (s *SQLStore) rankedSQLite(ctx context.Context, territoryID int64, q Query, terms [][]string, facets []string) (Result, error) {
	match := ftsMatch(terms, facets)
	var res Result
	var err error
	if res.Total, res.TotalCapped, err = s.ftsCount(ctx, match, countCap); err != nil {
		return res, err
	}
	ranked := func(match string, limit, offset int) ([]Hit, error) {
		return s.rankedPage(ctx, territoryID, terms, limit, offset, `SELECT i.id, i.name_key, i.tags FROM initiatives i
			WHERE i.id IN (SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ?) AND i.territory_id = ?`, match, territoryID)
	}
	if !res.TotalCapped {
		res.Items, err = ranked(match, q.Limit, q.Offset)
		return res, err
	}
	nameMatch := ftsNameMatch(terms, facets)
	inName, many, err := s.ftsCount(ctx, nameMatch, countCap)
	if err != nil {
		return res, err
	}
	switch {
	case many:
		res.Items, err = s.ftsNewest(ctx, territoryID, nameMatch, q.Limit, q.Offset)
	case q.Offset < inName:
		res.Items, err = ranked(nameMatch, q.Limit, q.Offset)
	}
	if err != nil {
		return res, err
	}
	if len(res.Items) < q.Limit {
		if many { // a deep page: count the name group exactly
			if inName, _, err = s.ftsCount(ctx, nameMatch, 0); err != nil {
				return res, err
			}
		}
		rest, err := s.ftsNewest(ctx, territoryID, "("+match+") NOT ("+nameMatch+")",
			q.Limit-len(res.Items), max(0, q.Offset-inName))
		if err != nil {
			return res, err
		}
		res.Items = append(res.Items, rest...)
	}
	return res, nil
}

// ftsCount counts the matches, stopping at limit+1 (limit 0: no limit).
func (s *SQLStore) ftsCount(ctx context.Context, match string, limit int) (n int, capped bool, err error) {
	if limit == 0 {
		err = s.q.QueryRow(ctx, `SELECT COUNT(*) FROM initiatives_fts WHERE initiatives_fts MATCH ?`, match).Scan(&n)
		return n, false, err
	}
	err = s.q.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ? LIMIT ?)`,
		match, limit+1).Scan(&n)
	if err != nil {
		return 0, false, fmt.Errorf("search count: %w", err)
	}
	return min(n, limit), n > limit, nil
}

// ftsNewest reads one page of matches, newest first.
func (s *SQLStore) ftsNewest(ctx context.Context, territoryID int64, match string, limit, offset int) ([]Hit, error) {
	return s.hits(ctx, `SELECT `+s.cols()+`, 0.0 FROM (SELECT rowid AS fid FROM initiatives_fts
		WHERE initiatives_fts MATCH ? ORDER BY rowid DESC LIMIT ? OFFSET ?) f
		JOIN initiatives i ON i.id = f.fid WHERE i.territory_id = ? ORDER BY i.id DESC`,
		match, limit, offset, territoryID)
}

func (s *SQLStore) inBoxSQLite(ctx context.Context, territoryID int64, box geo.BBox, f Filter, limit int) ([]MapPoint, error) {
	w := &where{}
	w.add("r."+strings.ReplaceAll(rtreeBox, "AND ", "AND r."), rtreeArgs(box, territoryID)...)
	s.mapFilterSQLite(w, territoryID, f)
	return s.points(ctx, `SELECT i.id, i.name, i.lat, i.lon, i.categories, i.kind
		FROM initiatives_rtree r JOIN initiatives i ON i.id = r.id WHERE `+w.String()+` LIMIT ?`, append(w.args, limit)...)
}

func (s *SQLStore) mapFilterSQLite(w *where, territoryID int64, f Filter) {
	if terms := textsearch.QueryTerms(f.Text); len(terms) > 0 {
		w.add("i.id IN (SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ?)",
			ftsMatch(terms, ftsFacets(territoryID, nil, nil)))
	}
	w.filter(f.Categories, f.Kinds)
}

// nearRadius guesses the radius that holds about twice limit entries from
// the count kept for the 1.7 km cell around p, so that one R*Tree query
// usually suffices, in the dense centre as in the countryside.
func (s *SQLStore) nearRadius(ctx context.Context, territoryID int64, p geo.Point, limit int) float64 {
	const z = 12
	n := cellsPerSide(z)
	x, y := mercator(p)
	var count int
	err := s.q.QueryRow(ctx, `SELECT n FROM initiative_cells WHERE territory_id = ? AND z = ? AND cx = ? AND cy = ?`,
		territoryID, z, int64(x*n), int64(y*n)).Scan(&count)
	if err != nil || count <= 0 {
		return 300
	}
	side := 360 / n * metresPerDegree * math.Cos(p.Lat*math.Pi/180)
	r := 1.4 * math.Sqrt(float64(limit)*side*side/(math.Pi*float64(count)))
	return min(max(r, 20), 5000)
}

// nearSQLite grows a box around p until it holds limit initiatives all
// closer than the box's inner radius, so that the R*Tree reads only a
// neighbourhood however large the territory.
func (s *SQLStore) nearSQLite(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]Hit, error) {
	type cand struct {
		id   int64
		dist float64
	}
	radius := s.nearRadius(ctx, territoryID, p, limit)
	var best []cand
	for {
		box := geo.Around(p, radius)
		covers := box.MinLon <= within.MinLon && box.MaxLon >= within.MaxLon && box.MinLat <= within.MinLat && box.MaxLat >= within.MaxLat
		rows, err := s.q.Query(ctx, `SELECT id, min_lat, min_lon FROM initiatives_rtree WHERE `+rtreeBox,
			rtreeArgs(box, territoryID)...)
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
		if covers {
			break
		}
		if len(best) >= limit {
			// The box holds the circle of its inner radius: if the
			// limit-th candidate is inside, nothing outside can beat it;
			// otherwise a box of that distance holds the answer.
			kth := kthSmallest(best, limit, func(c cand) float64 { return c.dist })
			if kth <= radius {
				break
			}
			radius = kth * 1.001
			continue
		}
		// Too few: grow by what the density seen so far suggests.
		radius *= min(8, max(2, math.Sqrt(2*float64(limit)/float64(max(len(best), 1)))))
	}
	if len(best) == 0 {
		return nil, nil
	}
	// Candidates are ranked on the R*Tree's 32-bit coordinates; the
	// closest few are read in full and ranked again exactly.
	sortBy(best, func(c cand) float64 { return c.dist })
	n := min(len(best), limit+2)
	ids := make([]any, 0, n+1)
	ids = append(ids, territoryID)
	for _, c := range best[:n] {
		ids = append(ids, c.id)
	}
	hits, err := s.hits(ctx, `SELECT `+s.cols()+`, 0.0 FROM initiatives i WHERE +i.territory_id = ? AND i.id IN (`+
		strings.Repeat("?, ", n-1)+`?)`, ids...)
	if err != nil {
		return nil, err
	}
	return nearest(hits, p, limit), nil
}
