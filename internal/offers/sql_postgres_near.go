package offers

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Near a point without words, on PostgreSQL (migration 00026): the walk in
// order of distance is an index-only scan returning (id, public position,
// distance), and only the page's rows are read from the table, by primary
// key (pageByIDsPostgres). Before, every candidate of the walk was a heap
// page: 1.5 x the page and more, all of their columns, descriptions
// included, from a table that shared_buffers rarely holds (492 MB against
// 128 MB on the benchmark's server).
//
//   - a category and a mode: listings_near_pair, where each pair has its own
//     region of the plane (the point shifted by pairShift degrees of
//     longitude per pair): the walk meets the pair's entries only, 37-38
//     buffers for 58 of them, where listings_near's read 61-72 and 39 heap
//     pages for 39 rows (1,000,000 listings);
//   - a category alone: listings_near_category (00030), the same with one
//     region per category; before, the walk of listings_near read each
//     candidate's row (85-96 buffers warm), since filtering
//     listings_near_cover by category tests ten entries for one kept, and
//     an index-only scan checks the visibility map of each entry's heap
//     page before its filter (one more buffer access whenever that page's
//     bit lies in another page of the map, which covers 32,672 heap pages
//     a page: every other entry on 1,000,000 listings);
//   - a mode: listings_near_mode, its btree_gist key (5 values tie little);
//   - no filter, or a kind only: listings_near_cover.
//
// The filters other than listings_near_mode's key are INTEGER parameters
// on purpose: the SMALLINT columns' btree_gist keys of listings_near have
// no cross-type operators, so the planner cannot take that index's heap
// walk for these queries.

// pairShift is the shift of listings_near_pair, per category_code * 8 +
// mode_code: more than a whole turn of longitude, so that regions are
// disjoint.
const pairShift = 400

const pgPairPoint = "point(l.pub_lon + 400 * (l.category_code * 8 + l.mode_code), l.pub_lat)"

// pgCategoryPoint is listings_near_category's point: pairShift degrees per
// category_code.
const pgCategoryPoint = "point(l.pub_lon + 400 * l.category_code, l.pub_lat)"

// pgRegion returns the point expression that q's index-only walk orders
// by, and the shift of q's region in it: a category and a mode's pair, a
// category's own region, or the plain point (shift 0, region false).
func pgRegion(q Query) (expr string, shift float64, region bool) {
	switch {
	case q.Category != "" && q.Mode != "":
		return pgPairPoint, float64(pairShift * (categoryCodes[q.Category]*8 + modeCodes[q.Mode])), true
	case q.Category != "":
		return pgCategoryPoint, float64(pairShift * categoryCodes[q.Category]), true
	}
	return pgPoint, 0, false
}

// pgWalkSlack covers the rounding of the shifted longitudes (about 1e-11
// degrees at 50,000) in the walk's distance: 1e-9 degrees, 0.1 mm.
const pgWalkSlack = 1e-9

// The first walk reads pgWalkTimes * need + pgWalkExtra entries (variables
// for tests, which shrink them to force the next walks).
var pgWalkTimes, pgWalkExtra = 2, 16

// nearPostgresIndexOnly returns at least need candidates by distance (all
// of them within the radius if fewer), without their rows: see
// nearPostgres for the stopping rule.
func (s *SQLStore) nearPostgresIndexOnly(ctx context.Context, territoryID int64, q Query, now time.Time, need int) ([]cand, error) {
	p := *q.Near
	cosLat := math.Cos(math.Min(89, math.Abs(p.Lat)+1) * math.Pi / 180)
	pt, shift, region := pgRegion(q)
	from := geo.Point{Lat: p.Lat, Lon: p.Lon + shift}
	w := s.pgCoverWhere(territoryID, q, now, true)
	if region {
		// The region as an index condition: the filters alone would let a
		// walk that runs out of its listings (a rare pair, a small
		// territory) go on through every other region's.
		w.add(pt+" <@ box(point(?, -90), point(?, 90))", shift-pairShift/2, shift+pairShift/2)
	}
	text := `SELECT l.id, l.pub_lat, l.pub_lon, ` + pt + ` <-> point(?, ?) FROM listings l WHERE ` + w.String() +
		` ORDER BY ` + pt + ` <-> point(?, ?) LIMIT `
	// A walk's entry is cheap, a second walk is not: the raw-degree order
	// needs about need / cos(lat) entries (1.46 x at 45°) to be sure of
	// need, and more where listings are uneven.
	for n := pgTextLimit(pgWalkTimes*need + pgWalkExtra); ; n *= 4 {
		args := append(append([]any{from.Lon, from.Lat}, w.args...), from.Lon, from.Lat)
		rows, err := s.q.Query(ctx, text+strconv.Itoa(n), args...) // the walk's length in the text: pgGenericExpiry
		if err != nil {
			return nil, err
		}
		cs := make([]cand, 0, n)
		var last float64
		for rows.Next() {
			var c cand
			var at geo.Point
			if err := rows.Scan(&c.id, &at.Lat, &at.Lon, &last); err != nil {
				rows.Close()
				return nil, err
			}
			c.dist = geo.Distance(p, at)
			cs = append(cs, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		exhausted := len(cs) < n
		cs = sortByDistance(cs, q.RadiusM)
		seen := (last - pgWalkSlack) * cosLat * metresPerDeg // every listing closer than this has been read
		if exhausted || (len(cs) >= need && cs[need-1].dist <= seen) || (q.RadiusM > 0 && seen > q.RadiusM) {
			return cs, nil
		}
	}
}

// pgCoverWhere is the condition of a query's filters for the walks of
// 00026 and 00030 (no words): each tested on the index entry, as INTEGER,
// but a mode alone, listings_near_mode's key; the expiry for a walk in
// order of distance (walk) as pgGenericExpiry says.
func (s *SQLStore) pgCoverWhere(territoryID int64, q Query, now time.Time, walk bool) *where {
	w := &where{}
	w.add("l.territory_id = ?", territoryID)
	w.add(s.searchable())
	expiry := "l.expires_at > ?"
	if walk {
		expiry = pgGenericExpiry
	}
	pgFiltersExpiry(w, "l.", q, func(col string) string {
		if col == "mode_code" && q.Category == "" {
			return "SMALLINT"
		}
		return "INTEGER"
	}, expiry, now)
	return w
}

// pgGenericExpiry is the expiry's test of the walks in order of distance,
// written so that PostgreSQL keeps their generic plan, with the walk's
// length in the text. A generic plan guesses that "expires_at > $n" keeps
// a third of the entries (nearly all are unexpired), and LIMIT $n a tenth
// of the index: three times the entries for the walk of a mode, or of
// every listing, and more. Each run's own plan then won and PostgreSQL
// planned every run again: 0.11-0.23 ms to plan for 0.13-0.45 ms to run
// (psql, a mode's walk and every listing's, 58 and 138 entries); 0.01 ms
// with the generic plan, the same index and the same run. A CASE compared
// with a constant is guessed to keep nearly every entry (1 - 0.005).
const pgGenericExpiry = `(CASE WHEN l.expires_at > ? THEN 1 ELSE 0 END) <> 0`

// pgTextLimit rounds up a limit written in a statement's text to one of
// eight values per doubling (n itself up to 16; 60 for 58, 144 for 138):
// pgx keeps 512 prepared statements per connection, and every page size
// and offset a client asks for would otherwise be a text of its own
// (MaxOffset 1,000, MaxLimit 100), each prepared and planned anew.
func pgTextLimit(n int) int {
	step := 1
	for n > 16*step {
		step *= 2
	}
	return (n + step - 1) / step * step
}
