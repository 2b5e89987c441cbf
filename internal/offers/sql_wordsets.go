package offers

import (
	"cmp"
	"container/list"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Words near a point on SQLite, for frequent words (see frequentWords):
// the walk of the cells around the point meets a few hundred to a few
// thousand listings of the filters, and asking FTS5 whether each holds the
// words cost some 11 µs a listing (3.9 ms of CPU p50 for "perceuse" within
// 5 km on 1,000,000 listings). The instance keeps instead the territory's
// listings holding the words, with their public position and filter codes,
// in order of cell (129,000 listings for "perceuse", 5 MB, read in one
// query), and walks the cells in memory. Whether a listing found there is
// searchable (status, hidden owner, expiry) is then asked of the database
// by primary key for the nearest ones only.
//
// A set is valid for one version of the territory's listings' texts,
// filters and public positions, stored in the database
// (listing_text_versions, migration 00025) and bumped by the store of any
// instance in the transaction that changes one of them: a search reads the
// version (one row by key) and uses a set only of that version, so
// instances never need to talk to each other. A set read after a change
// of its version is only newer than its key, which the next search sees as
// stale. Sets are bounded by bytes, least recently used dropped first.

// maxWordSetBytes bounds the memory of the sets: a dozen frequent words of
// a territory of 1,000,000 listings.
const maxWordSetBytes = 64 << 20

type wordSets struct {
	mu    sync.Mutex
	max   int // bytes
	bytes int
	ll    *list.List // front: most recently used
	byKey map[string]*list.Element
}

type wordSet struct {
	key     string
	version int64
	byCell  []wordListing // in order of cell, then id
}

type wordListing struct {
	cell, id             int64
	lat, lon             float64 // public position
	category, mode, kind int8
}

const wordListingBytes = 48

func (w *wordSet) bytes() int { return wordListingBytes * len(w.byCell) }

// inCells is inCells (sql_cells.go) over the set: the listings with q's
// filters in the cell ranges, searchable or not.
func (w *wordSet) inCells(q Query, p geo.Point, ranges [][2]int64) []cand {
	var out []cand
	for _, rg := range ranges {
		i, _ := slices.BinarySearchFunc(w.byCell, rg[0], func(e wordListing, cell int64) int { return cmp.Compare(e.cell, cell) })
		for ; i < len(w.byCell) && w.byCell[i].cell <= rg[1]; i++ {
			e := &w.byCell[i]
			if (q.Category != "" && int(e.category) != categoryCodes[q.Category]) || (q.Mode != "" && int(e.mode) != modeCodes[q.Mode]) ||
				(q.Kind != "" && int(e.kind) != kindCodes[q.Kind]) {
				continue
			}
			out = append(out, cand{id: e.id, dist: geo.Distance(p, geo.Point{Lat: e.lat, Lon: e.lon})})
		}
	}
	return out
}

func newWordSets(max int) *wordSets {
	return &wordSets{max: max, ll: list.New(), byKey: map[string]*list.Element{}}
}

func (c *wordSets) get(key string, version int64) *wordSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil
	}
	ws := e.Value.(*wordSet)
	if ws.version != version {
		return nil
	}
	c.ll.MoveToFront(e)
	return ws
}

func (c *wordSets) put(ws *wordSet) {
	size := ws.bytes()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[ws.key]; ok {
		c.bytes -= e.Value.(*wordSet).bytes()
		c.ll.Remove(e)
		delete(c.byKey, ws.key)
	}
	if size > c.max {
		return
	}
	for c.bytes+size > c.max {
		e := c.ll.Back()
		old := e.Value.(*wordSet)
		c.bytes -= old.bytes()
		c.ll.Remove(e)
		delete(c.byKey, old.key)
	}
	c.byKey[ws.key] = c.ll.PushFront(ws)
	c.bytes += size
}

// wordSet returns the territory's listings whose text matches the FTS5
// expression match, at the current version; nil when they are too many to
// keep (the caller then asks FTS5 per listing).
func (s *SQLStore) wordSet(ctx context.Context, territoryID int64, match string) (*wordSet, error) {
	var version int64
	err := s.q.QueryRow(ctx, `SELECT version FROM listing_text_versions WHERE territory_id = ?`, territoryID).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	key := strconv.FormatInt(territoryID, 10) + "/" + match
	if ws := s.words.get(key, version); ws != nil {
		return ws, nil
	}
	rows, err := s.q.Query(ctx, `SELECT l.id, l.pub_lat, l.pub_lon, l.category_code, l.mode_code, l.kind_code
		FROM listings_fts f CROSS JOIN listings l ON l.id = f.rowid WHERE listings_fts MATCH ? AND l.territory_id = ?`,
		match+" AND ("+territoryFacet(territoryID)+")", territoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ws := &wordSet{key: key, version: version}
	for rows.Next() {
		var e wordListing
		if err := rows.Scan(&e.id, &e.lat, &e.lon, &e.category, &e.mode, &e.kind); err != nil {
			return nil, err
		}
		if ws.bytes() >= s.words.max {
			return nil, nil
		}
		e.cell = cellRow(e.lat)*cellStride + cellCol(e.lon)
		ws.byCell = append(ws.byCell, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(ws.byCell, func(a, b wordListing) int {
		return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.id, b.id))
	})
	s.words.put(ws)
	return ws, nil
}

// checkSearchable records in checked whether each listing of ids is
// searchable now (by primary key; a deleted one is not).
func (s *SQLStore) checkSearchable(ctx context.Context, territoryID int64, now time.Time, ids []any, checked map[int64]bool) error {
	// CROSS JOIN: the ids first, where the planner would rather read the
	// territory's listings in an index and look each up in the list.
	rows, err := s.q.Query(ctx, `SELECT l.id FROM json_each(?) c CROSS JOIN listings l ON l.id = c.value
		WHERE l.territory_id = ? AND `+s.searchable()+` AND l.expires_at > ?`, idsJSON(ids), territoryID, now)
	if err != nil {
		return err
	}
	return recordChecked(rows, ids, checked)
}
