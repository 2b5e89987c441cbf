package offers

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// SQLite: the R*Tree listings_rtree holds searchable listings at their
// public position, with territory*16+category, kind and mode as three more
// dimensions, and expiry and creation as auxiliary columns (kept by
// triggers, see migration 00004). FTS5 listings_fts holds every listing's
// text, kept by the store. The R*Tree answers searches with words and
// "recent within a circle"; "near me" without words reads the cells of
// migration 00012 instead (sql_cells.go), which touch far fewer pages.

// rtreeWhere is the R*Tree condition for a box and the query's filters.
func rtreeWhere(territoryID int64, box geo.BBox, q Query, now time.Time) *where {
	w := &where{}
	w.add("r.min_lon <= ? AND r.max_lon >= ? AND r.min_lat <= ? AND r.max_lat >= ?",
		box.MaxLon, box.MinLon, box.MaxLat, box.MinLat)
	lo, hi := territoryID*16, territoryID*16+15
	if q.Category != "" {
		lo = territoryID*16 + int64(categoryCodes[q.Category])
		hi = lo
	}
	w.add("r.min_tc >= ? AND r.max_tc <= ?", lo, hi)
	if q.Kind != "" {
		w.add("r.min_kind = ?", kindCodes[q.Kind])
	}
	if q.Mode != "" {
		w.add("r.min_mode = ?", modeCodes[q.Mode])
	}
	w.add("r.expires_at > ?", now)
	if terms := textsearch.QueryTerms(q.Text); len(terms) > 0 {
		w.add("r.id IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)",
			textsearch.FTS5Match(terms, territoryFacet(territoryID)))
	}
	return w
}

// inBox returns the candidates of a box, with their distance from p.
func (s *SQLStore) inBox(ctx context.Context, territoryID int64, box geo.BBox, q Query, now time.Time, p geo.Point, withCreated bool) ([]cand, error) {
	w := rtreeWhere(territoryID, box, q, now)
	cols := "r.id, r.min_lat, r.max_lat, r.min_lon, r.max_lon"
	if withCreated {
		cols += ", r.created_at"
	}
	rows, err := s.q.Query(ctx, `SELECT `+cols+` FROM listings_rtree r WHERE `+w.String(), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cand
	for rows.Next() {
		var c cand
		var lat0, lat1, lon0, lon1 float64
		dest := []any{&c.id, &lat0, &lat1, &lon0, &lon1}
		var created any
		if withCreated {
			dest = append(dest, &created)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if withCreated {
			if c.created, err = auxTime(created); err != nil {
				return nil, err
			}
		}
		// The R*Tree keeps 32-bit floats, rounded outwards: the middle
		// is within a metre of the stored point.
		c.dist = geo.Distance(p, geo.Point{Lat: (lat0 + lat1) / 2, Lon: (lon0 + lon1) / 2})
		out = append(out, c)
	}
	return out, rows.Err()
}

// nearSQLite grows a box around the point until it holds need candidates
// all closer than the box's inner radius (or the box reaches the radius
// asked for, or covers the territory), so that the R*Tree reads only a
// neighbourhood however large the territory.
func (s *SQLStore) nearSQLite(ctx context.Context, territoryID int64, within geo.BBox, q Query, now time.Time, need int) ([]cand, error) {
	p := *q.Near
	radius := 400.0
	if q.RadiusM > 0 {
		radius = min(radius, q.RadiusM)
	}
	for {
		box := geo.Around(p, radius)
		covers := (q.RadiusM > 0 && radius >= q.RadiusM) || (box.MinLon <= within.MinLon && box.MaxLon >= within.MaxLon &&
			box.MinLat <= within.MinLat && box.MaxLat >= within.MaxLat)
		cs, err := s.inBox(ctx, territoryID, box, q, now, p, false)
		if err != nil {
			return nil, err
		}
		if covers {
			return sortByDistance(cs, q.RadiusM), nil
		}
		if len(cs) >= need {
			// The box holds the circle of its inner radius: if the
			// need-th candidate is inside, nothing outside can beat it;
			// otherwise a box of that distance holds the answer.
			cs = sortByDistance(cs, 0)
			kth := cs[need-1].dist
			if kth <= radius {
				return sortByDistance(cs, q.RadiusM), nil
			}
			radius = kth * 1.001
		} else {
			// Too few: grow by what the density seen so far suggests.
			radius *= min(8, max(2, math.Sqrt(2*float64(need)/float64(max(len(cs), 1)))))
		}
		if q.RadiusM > 0 {
			radius = min(radius, q.RadiusM)
		}
	}
}

// circleSQLite returns every candidate within the query's radius.
func (s *SQLStore) circleSQLite(ctx context.Context, territoryID int64, q Query, now time.Time) ([]cand, error) {
	cs, err := s.inBox(ctx, territoryID, geo.Around(*q.Near, q.RadiusM), q, now, *q.Near, true)
	if err != nil {
		return nil, err
	}
	return sortByDistance(cs, q.RadiusM), nil
}

// auxTime reads a time kept in an R*Tree auxiliary column, which has no
// declared type, or read as text (CAST: see sqlitePageColumns): the
// driver returns the text it stored.
func auxTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return store.ParseTime(t)
	case []byte:
		return store.ParseTime(string(t))
	}
	return time.Time{}, fmt.Errorf("listings_rtree: created_at of type %T", v)
}
