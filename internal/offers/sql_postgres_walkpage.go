package offers

import (
	"database/sql"
	"math"
	"strings"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// A search's candidates and its page in one statement (PostgreSQL, no
// words): the candidates' query is a CTE, PostgreSQL ranks them in the
// order Search pages them (by distance: geo.Distance's h, then id; newest
// first: created_at, id, descending, within the exact circle) and reads
// the rows and covers of ranks Offset+1 to Offset+Limit by primary key, in
// a LATERAL join that a one-time filter skips for the other candidates.
// Every candidate comes back, with its row when it has one. Go still
// ranks the candidates itself and decides whether they are enough; a page
// whose rows did not all come (a rounding that orders two candidates
// otherwise or puts one across the circle, a next query that read more)
// is read by primary key as before (Search, byIDs). One round trip instead
// of two, and the rows are of the candidates' own snapshot.

// pgPageSlip moves the window of ranks whose rows are read (tests: a page
// that does not match Go's, read again by primary key).
var pgPageSlip = 0

// pgPageJoin follows "FROM r", a CTE with the candidates' id and rank
// (NULL: not a candidate of the page). Its arguments: pgPageArgs.
const pgPageJoin = ` LEFT JOIN LATERAL (SELECT ` + pgWithCoverColumns + ` FROM ` + pgWithCoverFrom + `
		WHERE l.id = r.id AND l.territory_id = ? AND r.rank > ? AND r.rank <= ? LIMIT 1) x ON true`

func pgPageArgs(territoryID int64, q Query) []any {
	return []any{territoryID, q.Offset + pgPageSlip, q.Offset + q.Limit + pgPageSlip}
}

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
// to rank them by distance from a point. Its arguments: pgHaversineArgs,
// then pgPageArgs.
func pgWalkPage() string {
	return `, r AS MATERIALIZED (SELECT w.*, row_number() OVER (ORDER BY ` + pgHaversine("w.") + `, w.id) AS rank FROM w)
	SELECT x.*, r.id, r.pub_lat, r.pub_lon, r.d FROM r` + pgPageJoin
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
	err := scanPageRows(rows, []any{&c.id, &at.Lat, &at.Lon, &raw}, func(l *Listing) {
		c.row, c.dist = l, geo.Distance(p, at)
		cs = append(cs, c)
		last = max(last, raw)
	})
	return cs, last, err
}

// scanPageRows reads rows of pgWithCoverColumns (NULL but for the page's
// candidates), then tail's columns, and calls fn with each row's listing
// (nil when not of the page) once tail is scanned.
func scanPageRows(rows *sql.Rows, tail []any, fn func(l *Listing)) error {
	defer rows.Close()
	var listingID sql.NullInt64
	var ignored any
	probe := make([]any, strings.Count(pgWithCoverColumns, ",")+1+len(tail))
	for i := range probe {
		probe[i] = &ignored
	}
	probe[0] = &listingID
	copy(probe[len(probe)-len(tail):], tail)
	for rows.Next() {
		if err := rows.Scan(probe...); err != nil {
			return err
		}
		var l *Listing
		if listingID.Valid {
			var err error
			if l, err = scanWithCover(rows, tail...); err != nil {
				return err
			}
		}
		fn(l)
	}
	return rows.Err()
}
