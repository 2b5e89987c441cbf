package directory

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/sharingcity/sharingcity/internal/geo"
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

func (s *SQLStore) Clusters(ctx context.Context, territoryID int64, box geo.BBox, cellLon, cellLat float64, f Filter) ([]Cluster, error) {
	if s.postgres() {
		return s.clustersPostgres(ctx, territoryID, box, cellLon, cellLat, f)
	}
	return s.clustersSQLite(ctx, territoryID, box, cellLon, cellLat, f)
}

func (s *SQLStore) Near(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]Hit, error) {
	if s.postgres() {
		return s.nearPostgres(ctx, territoryID, p, limit)
	}
	return s.nearSQLite(ctx, territoryID, within, p, limit)
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
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].DistanceM != hits[b].DistanceM {
			return hits[a].DistanceM < hits[b].DistanceM
		}
		return hits[a].Initiative.ID < hits[b].Initiative.ID
	})
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits
}

func (s *SQLStore) hits(ctx context.Context, q string, args ...any) ([]Hit, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var ignored float64
		in, err := scanInitiative(rows, &ignored)
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
