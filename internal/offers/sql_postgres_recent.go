package offers

import (
	"context"
	"math"
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
	w := s.pgCoverWhere(territoryID, q, now)
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
	// One row even when the circle holds none, for the count; the page's
	// rows with it (sql_postgres_walkpage.go).
	text := `WITH b AS MATERIALIZED (` + box + `), c AS MATERIALIZED (SELECT * FROM b WHERE ` + flatCircle("b.") + `
		ORDER BY b.created_at DESC, b.id DESC LIMIT ?), n AS MATERIALIZED (SELECT COUNT(*) AS n FROM b)` +
		pgPage(`SELECT c.id, c.pub_lat, c.pub_lon, c.created_at, n.n FROM c, n WHERE `+pgInCircle("c.")+pgNewestPage,
			`c.id, c.pub_lat, c.pub_lon, c.created_at, n.n FROM n LEFT JOIN c ON true`)
	args = append(args, flatCircleArgs(p, q.RadiusM)...)
	for limit := need + need/4 + 8; ; limit *= 4 {
		cs, read, sent, err := s.countedCircleRows(ctx, text, pgCircleArgs(territoryID, append(args, limit), q), p, q.RadiusM)
		if err != nil || len(cs) >= need || sent < limit {
			return cs, maxRead == 0 || read <= maxRead, err
		}
	}
}

// countedCircleRows runs circlePostgres' query: the page's rows, then the
// candidates (id, pub_lat, pub_lon, created_at; NULL when none) with the
// box's count, of which it keeps those within radius of p; sent counts
// the candidates.
func (s *SQLStore) countedCircleRows(ctx context.Context, text string, args []any, p geo.Point, radius float64) (cs []cand, read, sent int, _ error) {
	rows, err := s.q.Query(ctx, text, args...)
	if err != nil {
		return nil, 0, 0, err
	}
	var id *int64
	var lat, lon *float64
	var created *time.Time
	page, err := scanPageRows(rows, []any{&id, &lat, &lon, &created, &read}, func() {
		if id == nil {
			return
		}
		sent++
		c := cand{id: *id, dist: geo.Distance(p, geo.Point{Lat: *lat, Lon: *lon}), created: created.UTC()}
		if c.dist <= radius {
			cs = append(cs, c)
		}
	})
	return withRows(cs, page), read, sent, err
}

// pgInCircle tests whether the columns pub_lat and pub_lon of alias a are
// within the circle as geo.Distance measures it (2 × its earthRadius ×
// asin(min(1, sqrt(h)))); then the page newest first (pgNewestPage). Its
// arguments: pgCircleArgs.
func pgInCircle(a string) string {
	return `2 * 6371008.8 * asin(least(1, sqrt(` + pgHaversine(a) + `))) <= ?`
}

const pgNewestPage = ` ORDER BY c.created_at DESC, c.id DESC` + pgPageRange

// pgCircleArgs are the arguments of a query ending with pgPage of
// pgInCircle's page, after the CTEs' args.
func pgCircleArgs(territoryID int64, args []any, q Query) []any {
	out := append(append([]any{}, args...), pgHaversineArgs(*q.Near)...)
	return append(append(append(out, q.RadiusM), pgPageRangeArgs(q)...), territoryID)
}

// pgOpaque is cond for a generic plan that keeps an unknown share of the
// rows, not the guess of its parameters' ranges: a CASE is not estimated.
func pgOpaque(cond string) string { return `CASE WHEN ` + cond + ` THEN true ELSE false END` }

// newestInCirclePostgres runs newestInCircle's query (cands: id, pub_lat,
// pub_lon, created_at of the circle's box) with the page's rows, and
// returns those within the circle, with how many were read.
//
// cands is written for a generic plan, which PostgreSQL keeps after five
// runs: its limits in the text, the box's test through pgOpaque. Else the
// generic plan guesses a tenth of the walk for "LIMIT $n" and a box that
// keeps almost nothing of it (two ranges of parameters, 0.005 each), so
// that the walk would run to its end: it looks dearer than each run's
// own plan, which PostgreSQL then makes every time (0.5-0.65 ms to plan,
// for 0.26-0.3 ms to run; 0.04 ms with the generic plan).
func (s *SQLStore) newestInCirclePostgres(ctx context.Context, territoryID int64, cands string, args []any, q Query) ([]cand, int, error) {
	rows, err := s.q.Query(ctx, `WITH c AS MATERIALIZED (`+cands+`)`+
		pgPage(`SELECT c.id, c.pub_lat, c.pub_lon, c.created_at FROM c WHERE `+pgInCircle("c.")+pgNewestPage,
			`c.id, c.pub_lat, c.pub_lon, c.created_at FROM c`), pgCircleArgs(territoryID, args, q)...)
	if err != nil {
		return nil, 0, err
	}
	p := *q.Near
	var c cand
	var at geo.Point
	n := 0
	var out []cand
	page, err := scanPageRows(rows, []any{&c.id, &at.Lat, &at.Lon, &c.created}, func() {
		n++
		if c.dist = geo.Distance(p, at); c.dist <= q.RadiusM {
			c.created = c.created.UTC()
			out = append(out, c)
		}
	})
	return withRows(out, page), n, err
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
