package offers

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// circlePostgres returns the need newest listings within the query's
// radius (all of them if fewer), and whether the circle's box was read
// whole: it stops after reading maxRead of its entries (0: no bound). No
// words (newest first within a circle), index only: with a category, the
// circle's box in that category's region of listings_near_category
// (00030), which holds its entries only (a 500 m box downtown: 49 buffers
// for 352 entries, where listings_near_cover read 326, keeping one entry
// in eleven); otherwise the box of listings_near_cover (00026).
//
// PostgreSQL keeps the box's rows within a flat, generous circle
// (flatCircle), sorts them and sends the newest need and a margin, with
// the count of the box's entries read: sending all of them cost the client
// about 2.5 µs a row (352 rows, 0.94 ms of CPU p50 for the search). The
// exact circle is checked here; when it keeps fewer than need of a full
// answer, more are asked for.
func (s *SQLStore) circlePostgres(ctx context.Context, territoryID int64, q Query, now time.Time, need, maxRead int) ([]cand, bool, error) {
	w := s.pgCoverWhere(territoryID, q, now, false)
	p := *q.Near
	b := geo.Around(p, q.RadiusM)
	pt, shift := pgPoint, 0.0
	if q.Category != "" {
		pt, shift = pgCategoryPoint, float64(pairShift*categoryCodes[q.Category])
	}
	w.add(pt+" <@ box(point(?, ?), point(?, ?))", b.MinLon+shift, b.MinLat, b.MaxLon+shift, b.MaxLat)
	box, args := `SELECT l.id, l.pub_lat, l.pub_lon, l.created_at FROM listings l WHERE `+w.String(), w.args
	if maxRead > 0 {
		box += ` LIMIT ?`
		args = append(args, maxRead+1)
	}
	// One row even when the circle holds none, for the count.
	text := `WITH b AS MATERIALIZED (` + box + `)
		SELECT n.n, c.id, c.pub_lat, c.pub_lon, c.created_at FROM (SELECT COUNT(*) AS n FROM b) n
		LEFT JOIN LATERAL (SELECT * FROM b WHERE ` + flatCircle("") + `
			ORDER BY b.created_at DESC, b.id DESC LIMIT ?) c ON true`
	args = append(args, flatCircleArgs(p, q.RadiusM)...)
	for limit := need + need/4 + 8; ; limit *= 4 {
		cs, read, sent, err := s.countedCircleRows(ctx, text, append(args, limit), p, q.RadiusM)
		if err != nil || len(cs) >= need || sent < limit {
			return cs, maxRead == 0 || read <= maxRead, err
		}
	}
}

// countedCircleRows runs circlePostgres' query: the box's count, then the
// rows (id, pub_lat, pub_lon, created_at; NULL when none), of which it
// keeps those within radius of p; sent counts the rows.
func (s *SQLStore) countedCircleRows(ctx context.Context, text string, args []any, p geo.Point, radius float64) (cs []cand, read, sent int, _ error) {
	rows, err := s.q.Query(ctx, text, args...)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id *int64
		var lat, lon *float64
		var created *time.Time
		if err := rows.Scan(&read, &id, &lat, &lon, &created); err != nil {
			return nil, 0, 0, err
		}
		if id == nil {
			continue
		}
		sent++
		c := cand{id: *id, dist: geo.Distance(p, geo.Point{Lat: *lat, Lon: *lon}), created: created.UTC()}
		if c.dist <= radius {
			cs = append(cs, c)
		}
	}
	return cs, read, sent, rows.Err()
}

// flatCircle is a test of the columns pub_lat and pub_lon of alias a ("l."
// or "") that keeps every point within a circle and a few outside, with
// flatCircleArgs: a flat distance, the smallest cosine of the circle's
// box, 1 % more radius.
func flatCircle(a string) string {
	return `(` + a + `pub_lat - ?) * (` + a + `pub_lat - ?) + (` + a + `pub_lon - ?) * (` + a + `pub_lon - ?) * ? <= ?`
}

func flatCircleArgs(p geo.Point, radius float64) []any {
	box := geo.Around(p, radius)
	cos := math.Cos(math.Min(89.9, math.Max(math.Abs(box.MinLat), math.Abs(box.MaxLat))) * math.Pi / 180)
	r := radius * 1.01 / metresPerDeg
	return []any{p.Lat, p.Lat, p.Lon, p.Lon, cos * cos, r * r}
}

// pgGenericWalk returns newestInCircle's walk for a plan that PostgreSQL
// keeps after five runs: its two limits in the text, and the test of the
// walk's entries (the box, the filters) through a CASE, which the planner
// does not estimate. With "LIMIT $n" and the plain test, the generic plan
// guessed a tenth of the index for the walk and two ranges of parameters
// keeping almost none of it (0.005 each), so that the walk seemed to run
// to its end; each run's own plan won, and PostgreSQL planned every run
// again: 0.16-0.19 ms to plan for 0.11 ms to run (psql, a mode's newest
// within 2 km), 0.01 ms with the generic plan.
func pgGenericWalk(scan int, cond string, limit int) (string, string, string) {
	return strconv.Itoa(scan), `CASE WHEN ` + cond + ` THEN true ELSE false END`, strconv.Itoa(pgTextLimit(limit))
}
