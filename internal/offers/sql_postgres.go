package offers

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// PostgreSQL: nearest-neighbour queries (KNN) walk partial GiST indexes.
// Without words (sql_postgres_near.go, 00026, 00030) the walks are index
// only: listings_near_pair (a category and a mode: each pair's points in
// their own region of the plane), listings_near_category (a category, the
// same per category; also the box of "newest first" with a category),
// listings_near_mode (a mode, 00012 rebuilt with INCLUDE columns) and
// listings_near_cover (no filter, or a kind). Words with any filters,
// when their set is not kept, walk listings_near on (territory_id,
// category_code, mode_code, kind_code, point(pub_lon, pub_lat)) or
// listings_near_mode and read each candidate's row. The partial GIN index
// listings_search holds the text. Queries must spell the index's predicate
// (SQLStore.searchable) and point expression.

const pgPoint = "point(l.pub_lon, l.pub_lat)"

// The codes are SMALLINT and btree_gist has no cross-type operators: a
// bigint parameter (what the driver sends for a Go int) would leave them
// out of the index condition, and the walk would read every listing of
// the territory in order of distance. Hence CAST(? AS SMALLINT).

// pgWhere is the condition of a query's filters; withBox adds the box
// around its circle.
func (s *SQLStore) pgWhere(territoryID int64, q Query, now time.Time, withBox bool) *where {
	w := &where{}
	w.add("l.territory_id = ?", territoryID)
	w.add(s.searchable())
	pgFilters(w, "l.", q, now, pgSmallint)
	if terms := textsearch.QueryTerms(q.Text); len(terms) > 0 {
		w.add("l.search @@ to_tsquery('sc_simple', ?)", textsearch.TSQuery(terms, ""))
	}
	if withBox && q.RadiusM > 0 {
		b := geo.Around(*q.Near, q.RadiusM)
		w.add(pgPoint+" <@ box(point(?, ?), point(?, ?))", b.MinLon, b.MinLat, b.MaxLon, b.MaxLat)
	}
	return w
}

// pgFilters adds q's filters (category, mode, kind) and the expiry to w,
// on the columns of the alias a ("l." or ""), each code a parameter of
// the SQL type that typ gives for its column (SMALLINT for a btree_gist
// key, above; see pgCoverWhere for INTEGER). Every PostgreSQL query of
// the filters spells them here.
func pgFilters(w *where, a string, q Query, now time.Time, typ func(col string) string) {
	pgFiltersExpiry(w, a, q, typ, a+"expires_at > ?", now)
}

// pgFiltersExpiry is pgFilters with the expiry's test spelled by the
// caller (one parameter, now): see pgGenericExpiry.
func pgFiltersExpiry(w *where, a string, q Query, typ func(col string) string, expiry string, now time.Time) {
	for _, f := range []struct {
		col  string
		set  bool
		code int
	}{
		{"category_code", q.Category != "", categoryCodes[q.Category]},
		{"mode_code", q.Mode != "", modeCodes[q.Mode]},
		{"kind_code", q.Kind != "", kindCodes[q.Kind]},
	} {
		if f.set {
			w.add(a+f.col+" = CAST(? AS "+typ(f.col)+")", f.code)
		}
	}
	w.add(expiry, now)
}

func pgSmallint(string) string { return "SMALLINT" }

// nearPostgres walks the GiST index in order of distance. That distance is
// in raw degrees, where a degree of longitude counts as much as one of
// latitude; the true distance lies between cos(lat) times it and it. So
// candidates are read until the last one, shrunk by cos(lat), is farther
// than the need-th best true distance.
func (s *SQLStore) nearPostgres(ctx context.Context, territoryID int64, q Query, now time.Time, need int) ([]cand, error) {
	if q.Text == "" {
		return s.nearPostgresIndexOnly(ctx, territoryID, q, now, need) // sql_postgres_near.go
	}
	p := *q.Near
	cosLat := math.Cos(math.Min(89, math.Abs(p.Lat)+1) * math.Pi / 180)
	// No box around the radius here: with it the planner may prefer a
	// bitmap scan of the whole box, sorted after (a hundred thousand rows
	// downtown); the walk stops at the radius instead.
	w := s.pgWhere(territoryID, q, now, false)
	n := need + need/2 + 8
	for {
		// The row itself comes with it: the walk reads it anyway to check
		// the expiry, and the page then needs no second query.
		rows, err := s.q.Query(ctx, `SELECT `+publicColumns+`, `+pgPoint+` <-> point(?, ?)
			FROM listings l WHERE `+w.String()+` ORDER BY `+pgPoint+` <-> point(?, ?) LIMIT ?`,
			planFor(q, append(append([]any{p.Lon, p.Lat}, w.args...), p.Lon, p.Lat, n))...)
		if err != nil {
			return nil, err
		}
		var cs []cand
		var last float64
		for rows.Next() {
			l, err := scanListing(rows, false, &last)
			if err != nil {
				rows.Close()
				return nil, err
			}
			cs = append(cs, cand{id: l.ID, dist: geo.Distance(p, l.Position), row: l})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		exhausted := len(cs) < n
		cs = sortByDistance(cs, q.RadiusM)
		seen := last * cosLat * metresPerDeg // every listing closer than this has been read
		if exhausted || (len(cs) >= need && cs[need-1].dist <= seen) || (q.RadiusM > 0 && seen > q.RadiusM) {
			return cs, nil
		}
		n *= 4
	}
}

// newestPostgres returns the need newest listings of the circle with q's
// filters and words (fewer if there are fewer): PostgreSQL sorts them and
// sends a page (the box is larger than the circle: asked again for more if
// it took too many).
func (s *SQLStore) newestPostgres(ctx context.Context, territoryID int64, q Query, now time.Time, need int) ([]cand, error) {
	w := s.pgWhere(territoryID, q, now, true)
	text := `SELECT l.id, l.pub_lat, l.pub_lon, l.created_at FROM listings l WHERE ` + w.String() +
		` ORDER BY l.created_at DESC, l.id DESC LIMIT ?`
	for limit := need + need/4 + 8; ; limit *= 4 {
		read := 0
		cs, err := s.circleRows(ctx, text, planFor(q, append(w.args, limit)), *q.Near, q.RadiusM, &read)
		if err != nil || len(cs) >= need || read < limit {
			return cs, err
		}
	}
}

// planFor returns a PostgreSQL query's arguments so that, when it has
// words, it is planned for them each time: pgx prepares a statement once
// per connection, and after five runs PostgreSQL may keep a generic plan
// that does not know how common the word is (walk the nearest listings
// and check the word, or collect the word's listings and sort them).
func planFor(q Query, args []any) []any {
	if q.Text == "" {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}
