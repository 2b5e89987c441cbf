package offers

import (
	"database/sql"
	"math"
	"strings"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// The walk and its page in one statement (PostgreSQL, no words): the
// index-only walk of nearPostgresIndexOnly, then, among its entries, the
// page's rows and covers by primary key. PostgreSQL ranks the entries by
// the same great-circle distance as geo.Distance (its h, then id), and
// the rows of ranks Offset+1 to Offset+Limit are read; every entry comes
// back, with its row when it has one. Go still ranks the entries itself
// and decides whether the walk read enough; a page whose rows did not all
// come (a rounding that orders two entries otherwise, a second walk that
// read more) is read by primary key as before (Search, byIDs). One round
// trip instead of two, and the rows are of the walk's own snapshot.

// pgPageSlip moves the window of ranks whose rows are read (tests: a page
// that does not match Go's, read again by primary key).
var pgPageSlip = 0

// pgWalkPage follows a CTE w (id, pub_lat, pub_lon, d: the walk's
// entries). Its arguments: pgWalkPageArgs.
const pgWalkPage = `, r AS MATERIALIZED (SELECT w.*, row_number() OVER (ORDER BY
		sin((w.pub_lat * pi() / 180 - ?) / 2) * sin((w.pub_lat * pi() / 180 - ?) / 2)
		+ ? * cos(w.pub_lat * pi() / 180) * sin((w.pub_lon - ?) * pi() / 180 / 2) * sin((w.pub_lon - ?) * pi() / 180 / 2), w.id) AS rank
		FROM w)
	SELECT x.*, r.id, r.pub_lat, r.pub_lon, r.d FROM r LEFT JOIN LATERAL (SELECT ` + pgWithCoverColumns + `
		FROM ` + pgWithCoverFrom + ` WHERE l.id = r.id AND l.territory_id = ? AND r.rank > ? AND r.rank <= ? LIMIT 1) x ON true`

// pgWalkPageArgs are pgWalkPage's arguments for a search from p.
func pgWalkPageArgs(territoryID int64, p geo.Point, q Query) []any {
	la1 := p.Lat * math.Pi / 180
	return []any{la1, la1, math.Cos(la1), p.Lon, p.Lon, territoryID, q.Offset + pgPageSlip, q.Offset + q.Limit + pgPageSlip}
}

// walkPageRows reads the rows of a walk with pgWalkPage: each entry's id
// and distance from p, with its row (public columns and cover) when of the
// page, and the largest raw distance of the walk (its last entry's: the
// rows come in no order).
func walkPageRows(rows *sql.Rows, p geo.Point, n int) (_ []cand, last float64, _ error) {
	defer rows.Close()
	var listingID sql.NullInt64
	var ignored any
	var id int64
	var at geo.Point
	var raw float64
	probe := make([]any, strings.Count(pgWithCoverColumns, ",")+5)
	for i := range probe {
		probe[i] = &ignored
	}
	probe[0] = &listingID
	walk := []any{&id, &at.Lat, &at.Lon, &raw}
	copy(probe[len(probe)-len(walk):], walk)
	cs := make([]cand, 0, n)
	for rows.Next() {
		if err := rows.Scan(probe...); err != nil {
			return nil, 0, err
		}
		c := cand{}
		if listingID.Valid {
			l, err := scanWithCover(rows, walk...)
			if err != nil {
				return nil, 0, err
			}
			c.row = l
		}
		c.id, c.dist = id, geo.Distance(p, at)
		cs = append(cs, c)
		last = max(last, raw)
	}
	return cs, last, rows.Err()
}
