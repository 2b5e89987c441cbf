package offers

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// sqlitePageColumns are pgWithCoverColumns with the three times read as
// text (CAST drops their declared type): the driver parses a DATETIME
// column with two layouts, the first always failing (an error allocated
// each time), 60 parses a page and 8-12 % of a search's CPU; timeColumn
// parses the one layout the store writes.
var sqlitePageColumns = strings.NewReplacer("l.expires_at", "CAST(l.expires_at AS TEXT)",
	"l.created_at", "CAST(l.created_at AS TEXT)", "l.updated_at", "CAST(l.updated_at AS TEXT)").Replace(pgWithCoverColumns)

// pageByIDsSQLite reads a page of listings (public columns) in the order
// of ids, each with its cover, in one query (was two: rows, then covers):
// the ids as one JSON parameter, looked up by rowid in their order.
func (s *SQLStore) pageByIDsSQLite(ctx context.Context, territoryID int64, ids []int64) ([]Hit, error) {
	byID, err := s.listingsWithCovers(ctx, `SELECT `+sqlitePageColumns+` FROM json_each(?) j
		CROSS JOIN listings l ON l.id = j.value LEFT JOIN listing_photos p ON p.listing_id = l.id AND p.position = 0
		WHERE l.territory_id = +?`, idsJSON(ids), territoryID)
	if err != nil {
		return nil, err
	}
	return hitsInOrder(ids, byID), nil
}

// timeColumn scans a time read by the driver (time.Time) or as SQLite's
// text ("2006-01-02 15:04:05.999999999-07:00", sqlitePageColumns).
type timeColumn struct{ t *time.Time }

func (c timeColumn) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*c.t = v
		return nil
	case string:
		t, err := parseSQLiteTime(v)
		*c.t = t
		return err
	case []byte:
		t, err := parseSQLiteTime(string(v))
		*c.t = t
		return err
	}
	return fmt.Errorf("time column of type %T", src)
}

// parseSQLiteTime reads the driver's "sqlite" layout by hand when it is
// in UTC with whole seconds or a fraction (what the store writes), and
// with time.Parse otherwise.
func parseSQLiteTime(s string) (time.Time, error) {
	const layout = "2006-01-02 15:04:05.999999999-07:00"
	n := len(s)
	if n < 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[n-6:] != "+00:00" {
		return time.Parse(layout, s)
	}
	num := func(from, to int) (int, bool) {
		v := 0
		for i := from; i < to; i++ {
			d := s[i] - '0'
			if d > 9 {
				return 0, false
			}
			v = v*10 + int(d)
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	nanos, frac := 0, s[19:n-6]
	ok7 := true
	if frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Parse(layout, s)
		}
		nanos, ok7 = num(20, n-6)
		for range 10 - len(frac) {
			nanos *= 10
		}
	}
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Parse(layout, s)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nanos, time.UTC)
	if t.Day() != d { // 31 April and the like: time.Parse's error
		return time.Parse(layout, s)
	}
	return t, nil
}
