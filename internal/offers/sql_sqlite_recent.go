package offers

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// newestWalkSQLite walks the territory's newest listings with q's mode or
// category (00025: the filter's own newest, 11 or 5 times fewer entries
// for a page than every listing's), about recentScan of them, and returns
// the need newest within the circle; ok is false when the walk met fewer.
//
// Two things keep the walk short (2 km with a mode, 1,000 points: thread
// CPU p50 / p99 from 0.59 / 2.05 ms to 0.33 / 0.82 ms):
//   - SQLite tests the circle itself (flat and generous, see flatCircle),
//     so the LIMIT counts the circle's rows, the need-th plus a margin for
//     the ring the flat test lets in. Counting the box's rows (4/π times
//     the circle's), one search in a hundred found too few in the circle
//     and walked again, four times further: those made the p99.
//   - The bound of recentScan entries is a date, the creation of the
//     recentScan-th newest (walkFloor), not a LIMIT in a subquery: SQLite
//     ran that subquery as a coroutine, a row copied and handed over for
//     each entry, twice the cost of the plain walk (16,384 entries: 6.2
//     against 3.0 ms).
//
// The floor only bounds the work: whatever it is, need rows in the circle
// newest first are the answer, and fewer send the caller to the cells.
func (s *SQLStore) newestWalkSQLite(ctx context.Context, territoryID int64, q Query, now time.Time, need int) (_ []cand, ok bool, _ error) {
	p := *q.Near
	box := geo.Around(p, q.RadiusM)
	// The filters that pick the index's part travel as +?: a bare
	// parameter there is one SQLite's statistics (sqlite_stat4) may plan
	// by, so each new binding made it prepare the statement again.
	w := &where{}
	w.add("l.territory_id = +?", territoryID)
	index, code := "listings_recent_cover", int64(-1)
	switch {
	case q.Category != "":
		index, code = "listings_recent_category", int64(categoryCodes[q.Category])
		w.add("l.category_code = +?", code)
	case q.Mode != "":
		index, code = "listings_recent_mode", int64(modeCodes[q.Mode])
		w.add("l.mode_code = +?", code)
	}
	w.add(s.searchable())
	cond, args := w.String(), slices.Clone(w.args)
	floor, err := s.walkFloor(ctx, index, cond, args)
	if err != nil {
		return nil, false, err
	}
	w.add("l.created_at >= +?", floor)
	w.add("l.pub_lat BETWEEN ? AND ?", box.MinLat, box.MaxLat)
	w.add("l.pub_lon BETWEEN ? AND ?", box.MinLon, box.MaxLon)
	w.add(flatCircle("l."), flatCircleArgs(p, q.RadiusM)...)
	w.add("+l.expires_at > ?", now) // see cellsQuery
	if q.Category != "" && q.Mode != "" {
		w.add("l.mode_code = ?", modeCodes[q.Mode])
	}
	if q.Kind != "" {
		w.add("l.kind_code = ?", kindCodes[q.Kind])
	}
	text := `SELECT l.id, l.pub_lat, l.pub_lon, CAST(l.created_at AS TEXT) FROM listings l INDEXED BY ` + index + `
		WHERE ` + w.String() + ` ORDER BY l.created_at DESC, l.id DESC LIMIT ?`
	// The ring holds about 2 % of the flat circle's rows: too many of
	// them for the margin is one walk in several hundred, walked again.
	for limit := need + need/16 + 2; ; limit *= 2 {
		read := 0
		cs, err := s.circleRows(ctx, text, append(w.args, limit), p, q.RadiusM, &read)
		if err != nil || len(cs) >= need {
			return cs, err == nil, err
		}
		if read < limit {
			return nil, false, nil // no more before the floor
		}
	}
}

// walkFloor returns the creation date (as SQLite keeps it, text) of the
// recentScan-th newest entry of index under cond, or "" when it holds
// fewer. Finding it walks those entries, so it is kept for a while: a
// stale floor only makes a walk somewhat longer or shorter.
func (s *SQLStore) walkFloor(ctx context.Context, index, cond string, args []any) (string, error) {
	key := index + " " + cond + " " + strconv.Itoa(recentScan)
	for _, a := range args {
		key += " " + strconv.FormatInt(a.(int64), 10)
	}
	if f, ok := s.floors.get(key); ok {
		return f, nil
	}
	var f string
	err := s.q.QueryRow(ctx, `SELECT CAST(l.created_at AS TEXT) FROM listings l INDEXED BY `+index+` WHERE `+cond+`
		ORDER BY l.created_at DESC, l.id DESC LIMIT 1 OFFSET ?`, append(args, recentScan-1)...).Scan(&f)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	s.floors.put(key, f)
	return f, nil
}

// walkFloors keeps walkFloor's answers for walkFloorTTL.
type walkFloors struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]walkFloor
}

type walkFloor struct {
	created string
	at      time.Time
}

const (
	walkFloorTTL = time.Minute
	walkFloorMax = 1024 // filters of territories; emptied when full
)

func newWalkFloors(now func() time.Time) *walkFloors {
	return &walkFloors{now: now, m: map[string]walkFloor{}}
}

func (f *walkFloors) get(key string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.m[key]
	if !ok || f.now().Sub(e.at) > walkFloorTTL {
		return "", false
	}
	return e.created, true
}

func (f *walkFloors) put(key, created string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.m) >= walkFloorMax {
		clear(f.m)
	}
	f.m[key] = walkFloor{created: created, at: f.now()}
}
