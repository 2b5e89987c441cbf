package directory

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/sharingcity/sharingcity/internal/textsearch"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Search, map and "near me" queries: what they share. The dialect files
// hold the SQL that differs (R*Tree and FTS5, or GiST and tsvector).

func (s *SQLStore) Search(ctx context.Context, territoryID int64, q Query) (Result, error) {
	if s.postgres() {
		return s.searchPostgres(ctx, territoryID, q)
	}
	return s.searchSQLite(ctx, territoryID, q)
}

func (s *SQLStore) InBox(ctx context.Context, territoryID int64, box geo.BBox, f Filter, limit int) ([]MapPoint, error) {
	if s.postgres() {
		return s.inBoxPostgres(ctx, territoryID, box, f, limit)
	}
	return s.inBoxSQLite(ctx, territoryID, box, f, limit)
}

func (s *SQLStore) Clusters(ctx context.Context, territoryID int64, box geo.BBox, zoom int, f Filter) ([]Cluster, error) {
	if f.Text == "" && len(f.Categories) == 0 && len(f.Kinds) == 0 && zoom <= maxCellZoom {
		return s.clustersFromCells(ctx, territoryID, box, zoom)
	}
	// Filtered or close up: group the matching rows on the same grid.
	w := &where{}
	if s.postgres() {
		s.mapFilterPostgres(w, territoryID, box, f)
	} else {
		w.add("i.id IN (SELECT id FROM initiatives_rtree WHERE "+rtreeBox+")", rtreeArgs(box, territoryID)...)
		w.add("i.status = 'published'")
		w.add("i.territory_id = ?", territoryID)
		s.mapFilterSQLite(w, territoryID, f)
	}
	n := cellsPerSide(zoom)
	cell := `CAST(i.merc_x * ? AS INTEGER) AS gx, CAST(i.merc_y * ? AS INTEGER) AS gy`
	if s.postgres() {
		cell = `floor(i.merc_x * ?)::bigint AS gx, floor(i.merc_y * ?)::bigint AS gy`
	}
	return s.clusters(ctx, `SELECT `+cell+`, COUNT(*), AVG(i.lat), AVG(i.lon), MIN(i.id)
		FROM initiatives i WHERE `+w.String()+` GROUP BY gx, gy`,
		append([]any{n, n}, w.args...)...)
}

func (s *SQLStore) Near(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]Hit, error) {
	if s.postgres() {
		return s.nearPostgres(ctx, territoryID, p, limit)
	}
	return s.nearSQLite(ctx, territoryID, within, p, limit)
}

// countCap bounds the rows a search counts, and the matches it ranks one by
// one: past it, Result.TotalCapped is set.
const countCap = 1000

// countCapped counts the rows of query up to countCap.
func (s *SQLStore) countCapped(ctx context.Context, query string, args ...any) (int, bool, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM (`+query+` LIMIT ?) c`, s.searchArgs(append(args, countCap+1))...).Scan(&n)
	if err != nil {
		return 0, false, fmt.Errorf("search count: %w", err)
	}
	return min(n, countCap), n > countCap, nil
}

// Names returns id -> name for ids of the territory (for single-point map cells).
func (s *SQLStore) Names(ctx context.Context, territoryID int64, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, territoryID)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.q.Query(ctx, `SELECT id, name FROM initiatives WHERE +territory_id = ? AND id IN (`+store.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// CountPublished counts a territory's published initiatives, up to countCap.
func (s *SQLStore) CountPublished(ctx context.Context, territoryID int64) (int, bool, error) {
	return s.countCapped(ctx, `SELECT 1 FROM initiatives i WHERE i.territory_id = ? AND i.status = 'published'`, territoryID)
}

// metresPerDegree is the length of one degree of latitude.
const metresPerDegree = 6371008.8 * math.Pi / 180

// planar is the squared distance in degrees of latitude on a plane tangent
// at the query point: exact enough to filter and order within a city, and
// computable in SQL without trigonometry (the cosine comes from Go).
type planar struct {
	lat, lon, cos2 float64
}

func planarAt(p geo.Point) planar {
	c := math.Cos(p.Lat * math.Pi / 180)
	return planar{p.Lat, p.Lon, c * c}
}

// sql returns the expression over columns lat and lon of alias i and its arguments.
func (pl planar) sql() (string, []any) {
	return "((i.lat - ?) * (i.lat - ?) + (i.lon - ?) * (i.lon - ?) * ?)", []any{pl.lat, pl.lat, pl.lon, pl.lon, pl.cos2}
}

func radiusDeg2(m float64) float64 { d := m / metresPerDegree; return d * d }

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

// filterSQL adds category (any of) and kind (any of) conditions on alias i.
func (w *where) filter(cats []string, kinds []Kind) {
	if len(cats) > 0 {
		ors := make([]string, len(cats))
		args := make([]any, len(cats))
		for i, c := range cats {
			ors[i] = "i.categories LIKE ?"
			args[i] = "%," + c + ",%"
		}
		w.add("("+strings.Join(ors, " OR ")+")", args...)
	}
	if len(kinds) > 0 {
		args := make([]any, len(kinds))
		for i, k := range kinds {
			args[i] = string(k)
		}
		w.add("i.kind IN ("+strings.Repeat("?, ", len(kinds)-1)+"?)", args...)
	}
}

func orderBy(sort Sort, hasDistance bool) string {
	switch sort {
	case SortDistance:
		if hasDistance {
			return "dist2, i.id"
		}
	case SortRecent:
		return "i.created_at DESC, i.id DESC"
	}
	return "i.name_key, i.id"
}

// setDistances fills DistanceM from the exact positions.
func setDistances(hits []Hit, p *geo.Point) {
	if p == nil {
		return
	}
	for i := range hits {
		hits[i].DistanceM = geo.Distance(*p, hits[i].Initiative.Position)
	}
}

// nearest keeps the n hits closest to p, in order.
func nearest(hits []Hit, p geo.Point, n int) []Hit {
	setDistances(hits, &p)
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(a.DistanceM, b.DistanceM); c != 0 {
			return c
		}
		return cmp.Compare(a.Initiative.ID, b.Initiative.ID)
	})
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits
}

// hits runs a search's query (see searchArgs).
func (s *SQLStore) hits(ctx context.Context, q string, args ...any) ([]Hit, error) {
	rows, err := s.q.Query(ctx, q, s.searchArgs(args)...)
	return s.scanHits(rows, err)
}

// searchArgs are the arguments of a query whose best plan depends on them
// (how common a word is, how large a box): on PostgreSQL, planned for them
// each time (see pgCustomPlan).
func (s *SQLStore) searchArgs(args []any) []any {
	if s.postgres() {
		return pgCustomPlan(args)
	}
	return args
}

// hitsHot reads rows by id, the query shape every ranked search page
// runs: through a prepared statement. ("near me" reads its page packed,
// see sql_near.go.)
func (s *SQLStore) hitsHot(ctx context.Context, q string, args ...any) ([]Hit, error) {
	rows, err := s.q.Query(ctx, q, args...)
	return s.scanHits(rows, err)
}

func (s *SQLStore) scanHits(rows *sql.Rows, err error) ([]Hit, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hit
	var ignored float64
	r := initiativeRow{dest: make([]any, 0, 26)}
	for rows.Next() {
		in, err := r.scan(rows, &ignored)
		if err != nil {
			return nil, err
		}
		out = append(out, Hit{Initiative: in})
	}
	return out, rows.Err()
}

func (s *SQLStore) points(ctx context.Context, q string, args ...any) ([]MapPoint, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]MapPoint, 0, 64)
	for rows.Next() {
		var p MapPoint
		var cats string
		if err := rows.Scan(&p.ID, &p.Name, &p.Lat, &p.Lon, &cats, &p.Kind); err != nil {
			return nil, err
		}
		p.Categories = splitList(cats)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *SQLStore) clusters(ctx context.Context, q string, args ...any) ([]Cluster, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Cluster, 0, 64)
	for rows.Next() {
		var c Cluster
		var cx, cy int64
		if err := rows.Scan(&cx, &cy, &c.Count, &c.Lat, &c.Lon, &c.ID); err != nil {
			return nil, err
		}
		if c.Count != 1 {
			c.ID = 0
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// kthSmallest returns the k-th smallest key of xs (1-based); xs is reordered.
func kthSmallest[T any](xs []T, k int, key func(T) float64) float64 {
	sortBy(xs, key)
	return key(xs[k-1])
}

func sortBy[T any](xs []T, key func(T) float64) {
	sort.Slice(xs, func(a, b int) bool { return key(xs[a]) < key(xs[b]) })
}

// mercator returns p on the Web Mercator square, both in [0, 1), y down.
func mercator(p geo.Point) (x, y float64) {
	lat := math.Max(-85.05112878, math.Min(85.05112878, p.Lat)) * math.Pi / 180
	x = (p.Lon + 180) / 360
	y = (1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2
	const top = 1 - 1e-12
	return math.Max(0, math.Min(top, x)), math.Max(0, math.Min(top, y))
}

// Cluster cells are 64-pixel squares of the Web Mercator grid: 4 per
// 256-pixel tile side, so 4<<z per world side at zoom z. Counts are kept
// for even zooms up to maxCellZoom; an odd zoom merges 2x2 cells of the
// next even one.
const maxCellZoom = 16

func cellsPerSide(z int) float64 { return float64(int64(4) << z) }

// cellRange is the range of cell indexes at zoom z that overlap box. A box
// edge on a cell edge (a tile's, say) leaves the cell beyond it out; the
// epsilon absorbs the rounding of a tile's bounds through degrees and back.
func cellRange(box geo.BBox, z int) (x0, y0, x1, y1 int64) {
	const eps = 1e-7
	n := cellsPerSide(z)
	ax, ay := mercator(geo.Point{Lat: box.MaxLat, Lon: box.MinLon})
	bx, by := mercator(geo.Point{Lat: box.MinLat, Lon: box.MaxLon})
	lo := func(v float64) int64 { return int64(math.Floor(v*n + eps)) }
	hi := func(v float64) int64 { return int64(math.Ceil(v*n-eps)) - 1 }
	x0, y0 = lo(ax), lo(ay)
	return x0, y0, max(hi(bx), x0), max(hi(by), y0)
}

// clustersFromCells answers an unfiltered Clusters from the kept counts.
// Whole cells are counted, so a box aligned on tiles (as the web layer
// asks) gets exact counts, and an unaligned one the cells on its rim.
func (s *SQLStore) clustersFromCells(ctx context.Context, territoryID int64, box geo.BBox, zoom int) ([]Cluster, error) {
	level := zoom + zoom%2
	shift := level - zoom
	x0, y0, x1, y1 := cellRange(box, level)
	// Territory ids stay small; sum_id is exact in both dialects.
	return s.clusters(ctx, `SELECT cx / ? AS gx, cy / ? AS gy, SUM(n), SUM(sum_lat) / SUM(n), SUM(sum_lon) / SUM(n), CAST(SUM(sum_id) AS BIGINT)
		FROM initiative_cells WHERE territory_id = ? AND z = ? AND cx BETWEEN ? AND ? AND cy BETWEEN ? AND ? AND n > 0
		GROUP BY gx, gy`, 1<<shift, 1<<shift, territoryID, level, x0, x1, y0, y1)
}

// searchWhere runs a search whose conditions are in w: the count, then a
// page in the query's order. By relevance, up to countCap matches are
// ranked (see rankPage); past that, newest first.
func (s *SQLStore) searchWhere(ctx context.Context, territoryID int64, q Query, terms [][]string, w *where, extra string, extraArgs []any) (Result, error) {
	var res Result
	var err error
	if res.Total, res.TotalCapped, err = s.countCapped(ctx, `SELECT 1 FROM initiatives i WHERE `+w.String(), w.args...); err != nil {
		return res, err
	}
	order := orderBy(q.Sort, q.Near != nil)
	if q.Sort == SortRelevance && len(terms) > 0 {
		if !res.TotalCapped {
			res.Items, err = s.rankedPage(ctx, territoryID, terms, q.Limit, q.Offset,
				`SELECT i.id, i.name_key, i.tags FROM initiatives i WHERE `+w.String(), w.args...)
			setDistances(res.Items, q.Near)
			return res, err
		}
		order = "i.id DESC"
	}
	args := append(append(append([]any(nil), extraArgs...), w.args...), q.Limit, q.Offset)
	res.Items, err = s.hits(ctx, `SELECT `+s.cols()+`, `+extra+` AS dist2 FROM initiatives i WHERE `+w.String()+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	setDistances(res.Items, q.Near)
	return res, err
}

// Relevance weights: where a searched word is found.
const (
	weightName = 10
	weightTags = 4
	weightBody = 1
)

// relevance scores an entry for the searched words: each word weighs by
// the best place it is found in (name, then tags, then anywhere else, since
// the entry matched), and a shorter name wins a tie ("Repair Café" before
// "Repair Café des Pentes et des Quais"). Scoring in Go keeps both dialects
// in the same order, and costs less than bm25 or ts_rank, which read the
// whole posting list of every word for their statistics.
func relevance(terms [][]string, nameKey, tags string) float64 {
	nameWords := strings.Fields(nameKey) // already folded: see nameKey
	var tagWords []string
	if tags != "" {
		tagWords = textsearch.Words(textsearch.Fold(strings.ReplaceAll(tags, ",", " ")))
	}
	score := 0.0
	for _, forms := range terms {
		switch {
		case anyPrefix(nameWords, forms):
			score += weightName
		case anyPrefix(tagWords, forms):
			score += weightTags
		default:
			score += weightBody
		}
	}
	return score + 1/float64(1+len(nameWords))
}

func anyPrefix(ws, prefixes []string) bool {
	for _, w := range ws {
		for _, p := range prefixes {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
	}
	return false
}

// rankedPage scores the candidates that query returns (id, name_key, tags),
// best first then newest, and reads the requested page in full.
func (s *SQLStore) rankedPage(ctx context.Context, territoryID int64, terms [][]string, limit, offset int, query string, args ...any) ([]Hit, error) {
	cands, err := s.rankedCandidates(ctx, terms, query, args...)
	if err != nil {
		return nil, err
	}
	return s.rankedSlice(ctx, territoryID, cands, limit, offset)
}

// scored is a search candidate with its relevance.
type scored struct {
	id    int64
	score float64
}

// rankedCandidates scores the candidates that query returns (id,
// name_key, tags), best first then newest.
func (s *SQLStore) rankedCandidates(ctx context.Context, terms [][]string, query string, args ...any) ([]scored, error) {
	rows, err := s.q.Query(ctx, query, s.searchArgs(args)...)
	if err != nil {
		return nil, err
	}
	var cands []scored
	for rows.Next() {
		var c scored
		var name, tags string
		if err := rows.Scan(&c.id, &name, &tags); err != nil {
			rows.Close()
			return nil, err
		}
		c.score = relevance(terms, name, tags)
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].id > cands[b].id
	})
	return cands, nil
}

// rankedSlice reads in full the page [offset, offset+limit) of ranked
// candidates.
func (s *SQLStore) rankedSlice(ctx context.Context, territoryID int64, cands []scored, limit, offset int) ([]Hit, error) {
	if offset >= len(cands) {
		return []Hit{}, nil
	}
	cands = cands[offset:min(len(cands), offset+limit)]
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	return s.byIDs(ctx, territoryID, ids)
}

// byIDs reads initiatives in the order of ids.
func (s *SQLStore) byIDs(ctx context.Context, territoryID int64, ids []int64) ([]Hit, error) {
	if len(ids) == 0 {
		return []Hit{}, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, territoryID)
	for _, id := range ids {
		args = append(args, id)
	}
	hits, err := s.hitsHot(ctx, `SELECT `+s.cols()+`, 0.0 FROM initiatives i WHERE +i.territory_id = ? AND i.id IN (`+
		store.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	sort.Slice(hits, func(a, b int) bool { return pos[hits[a].Initiative.ID] < pos[hits[b].Initiative.ID] })
	return hits, nil
}

// PublishedPoints reads the position, names, tags, categories and kind
// of every published initiative into sink, as raw bytes (no string per
// row), after a count that sizes the sink's arrays: grown by appending,
// they would leave as much garbage again.
func (s *SQLStore) PublishedPoints(ctx context.Context, territoryID int64, sink PointSink) error {
	const published = ` FROM initiatives WHERE territory_id = ? AND status = 'published'`
	var n int
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*)`+published, territoryID).Scan(&n); err != nil {
		return fmt.Errorf("published points: %w", err)
	}
	sink.Grow(n)
	rows, err := s.q.Query(ctx, `SELECT id, lat, lon, name, name_key, tags, categories, kind`+published+` ORDER BY id`, territoryID)
	if err != nil {
		return fmt.Errorf("published points: %w", err)
	}
	defer rows.Close()
	var id int64
	var lat, lon float64
	var name, key, tags, cats, kind sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &lat, &lon, &name, &key, &tags, &cats, &kind); err != nil {
			return fmt.Errorf("published points: %w", err)
		}
		if !sink.Add(id, lat, lon, name, key, tags) {
			return nil
		}
		sink.Facets(cats, kind)
	}
	return rows.Err()
}

// PublishedByIDs reads the published initiatives among ids, in no order,
// into a page of the store's (see Page).
//
// Queries by a list of ids spell "+i.territory_id" (and here "+i.status"):
// the unary plus keeps SQLite's planner from answering them through the
// (territory_id, status, created_at) index, a walk over the whole
// territory (18 ms a request over 100,000 initiatives in a file fresh from
// an import, against 0.2 ms), so that each id is one primary-key lookup.
func (s *SQLStore) PublishedByIDs(ctx context.Context, territoryID int64, ids []int64) (*Page, error) {
	if len(ids) == 0 {
		return &Page{Hits: []Hit{}}, nil
	}
	if s.postgres() {
		return s.publishedByIDsPostgres(ctx, territoryID, ids)
	}
	return s.pageHits(ctx, len(ids), sqlitePublishedByIDs, territoryID, idList(ids))
}
