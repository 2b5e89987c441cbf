package offers

import (
	"database/sql"
	"math"
	"strings"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// A search's candidates and its page in one statement (PostgreSQL, no
// words): the candidates' query is a CTE; PostgreSQL picks the page among
// them in the order Search pages them (by distance: geo.Distance's h, then
// id; newest first: created_at, id, descending, within the exact circle),
// reads the page's rows and covers by primary key, and sends them, then
// every candidate (UNION ALL; a row of each kind has the other's columns
// NULL). Go still ranks the candidates itself and decides whether they
// are enough; a page whose rows did not all come (a rounding that orders
// two candidates otherwise or puts one across the circle, a next query
// that read more) is read by primary key as before (Search, byIDs). One
// round trip instead of two, and the rows are of the candidates' own
// snapshot. A window function over the candidates with a LATERAL join of
// the rows cost twice the extra server time (0.28 / 0.50 ms for 58 / 138
// candidates, against 0.23 / 0.41 ms for this and 0.19 / 0.26 ms for the
// two statements, warm, psql).

// pgPageSlip moves the window of ranks whose rows are read (tests: a page
// that does not match Go's, read again by primary key).
var pgPageSlip = 0

// pgPage ends a statement whose candidates are cands (a SELECT of the
// tail columns that Go scans) and whose page is the SELECT page (the same
// columns, its ids first): the page's rows and covers with their tail
// columns, then every candidate with its listing's columns NULL. Its
// arguments: page's, then the territory's id, then cands'.
func pgPage(page, cands string) string {
	return `, pg AS MATERIALIZED (` + page + `)
	SELECT ` + pgWithCoverColumns + `, pg.* FROM pg, ` + pgWithCoverFrom + ` WHERE l.id = pg.id AND l.territory_id = ?
	UNION ALL SELECT ` + strings.Repeat("NULL, ", strings.Count(pgWithCoverColumns, ",")+1) + cands
}

// pgPageRange is OFFSET and LIMIT of the page, with pgPageRangeArgs.
const pgPageRange = ` OFFSET ? LIMIT ?`

func pgPageRangeArgs(q Query) []any { return []any{q.Offset + pgPageSlip, q.Limit} }

// pgHaversine is geo.Distance's h between p and the columns pub_lat and
// pub_lon of alias a ("w."), with pgHaversineArgs: sin²(dLat/2) + cos(lat1)
// cos(lat2) sin²(dLon/2), in the same order of operations.
func pgHaversine(a string) string {
	lat, lon := a+"pub_lat * pi() / 180", "("+a+"pub_lon - ?) * pi() / 180 / 2"
	return `sin((` + lat + ` - ?) / 2) * sin((` + lat + ` - ?) / 2) + ? * cos(` + lat + `) * sin(` + lon + `) * sin(` + lon + `)`
}

func pgHaversineArgs(p geo.Point) []any {
	la1 := p.Lat * math.Pi / 180
	return []any{la1, la1, math.Cos(la1), p.Lon, p.Lon}
}

// pgWalkPage follows a CTE w (id, pub_lat, pub_lon, d: a walk's entries)
// to read the page by distance from a point. Its arguments:
// pgHaversineArgs, pgPageRangeArgs, then the territory's id.
func pgWalkPage() string {
	return pgPage(`SELECT w.id, w.pub_lat, w.pub_lon, w.d FROM w ORDER BY `+pgHaversine("w.")+`, w.id`+pgPageRange,
		`w.id, w.pub_lat, w.pub_lon, w.d FROM w`)
}

// walkPageRows reads the rows of a walk with pgWalkPage: each entry's id
// and distance from p, with its row (public columns and cover) when of the
// page, and the largest raw distance of the walk (its last entry's: the
// rows come in no order).
func walkPageRows(rows *sql.Rows, p geo.Point, n int) (_ []cand, last float64, _ error) {
	var c cand
	var at geo.Point
	var raw float64
	cs := make([]cand, 0, n)
	read, err := scanPageRows(rows, []any{&c.id, &at.Lat, &at.Lon, &raw}, func() {
		c.dist = geo.Distance(p, at)
		cs = append(cs, c)
		last = max(last, raw)
	})
	return withRows(cs, read), last, err
}

// scanPageRows reads the rows of pgPage: the page's listings, returned by
// id, and the candidates, each scanned into tail, then handed to cand.
func scanPageRows(rows *sql.Rows, tail []any, cand func()) (map[int64]*Listing, error) {
	defer rows.Close()
	var listingID sql.NullInt64
	var ignored any
	probe := make([]any, strings.Count(pgWithCoverColumns, ",")+1, strings.Count(pgWithCoverColumns, ",")+1+len(tail))
	for i := range probe {
		probe[i] = &ignored
	}
	probe[0] = &listingID
	probe = append(probe, tail...)
	read := map[int64]*Listing{}
	for rows.Next() {
		if err := rows.Scan(probe...); err != nil {
			return nil, err
		}
		if !listingID.Valid {
			cand()
			continue
		}
		l, err := scanWithCover(rows, tail...)
		if err != nil {
			return nil, err
		}
		read[l.ID] = l
	}
	return read, rows.Err()
}
