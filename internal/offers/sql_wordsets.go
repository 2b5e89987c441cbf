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
	created              time.Time
	category, mode, kind int8
}

const wordListingBytes = 72

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
			out = append(out, cand{id: e.id, dist: geo.Distance(p, geo.Point{Lat: e.lat, Lon: e.lon}), created: e.created})
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
	rows, err := s.q.Query(ctx, `SELECT l.id, l.pub_lat, l.pub_lon, l.created_at, l.category_code, l.mode_code, l.kind_code
		FROM listings_fts f CROSS JOIN listings l ON l.id = f.rowid WHERE listings_fts MATCH ? AND l.territory_id = ?`,
		match+" AND ("+territoryFacet(territoryID)+")", territoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ws := &wordSet{key: key, version: version}
	for rows.Next() {
		var e wordListing
		var created any
		if err := rows.Scan(&e.id, &e.lat, &e.lon, &created, &e.category, &e.mode, &e.kind); err != nil {
			return nil, err
		}
		if e.created, err = auxTime(created); err != nil {
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

// recentWithWords returns the need newest listings with the words within
// the circle (fewer if there are fewer), from the set of the words, or ok
// false when the set is not kept.
func (s *SQLStore) recentWithWords(ctx context.Context, territoryID int64, within geo.BBox, q Query, now time.Time,
	need int, match string) (_ []cand, ok bool, _ error) {
	words, err := s.wordSet(ctx, territoryID, match)
	if err != nil || words == nil {
		return nil, false, err
	}
	all := block{cellRow(within.MinLat), cellRow(within.MaxLat), cellCol(within.MinLon), cellCol(within.MaxLon)}
	box := geo.Around(*q.Near, q.RadiusM)
	b := block{cellRow(box.MinLat), cellRow(box.MaxLat), cellCol(box.MinLon), cellCol(box.MaxLon)}.clamp(all)
	if b.empty() {
		return nil, true, nil
	}
	ranges := b.minus(block{1, 0, 1, 0})
	// Nearly all are searchable: the newest 2 × need first; all of them
	// only if too many of those were not.
	checked := map[int64]bool{}
	check := func(ids []any) error { return s.checkSearchable(ctx, territoryID, now, ids, checked) }
	k := 2*need + 8
	cs, err := nearestChecked(words.newestIn(q, ranges, k), need, 1, 8, checked, check)
	if err != nil || len(cs) == need {
		return cs, true, err
	}
	cs, err = nearestChecked(words.newestIn(q, ranges, len(words.byCell)), need, 1, 8, checked, check)
	return cs, true, err
}

// newestIn returns the k newest listings of the set with q's filters in
// the circle of q, newest first. A heap keeps them: the circle of a
// frequent word holds thousands, in order of cell, and only a listing
// newer than the heap's oldest needs its distance computed.
func (w *wordSet) newestIn(q Query, ranges [][2]int64, k int) []cand {
	older := func(a *wordListing, b cand) bool { // a comes after b, newest first
		if !a.created.Equal(b.created) {
			return a.created.Before(b.created)
		}
		return a.id < b.id
	}
	h := make([]cand, 0, min(k, 1024)) // a min-heap: h[0] is the oldest kept
	less := func(i, j int) bool {
		e := wordListing{id: h[i].id, created: h[i].created}
		return older(&e, h[j])
	}
	for _, rg := range ranges {
		i, _ := slices.BinarySearchFunc(w.byCell, rg[0], func(e wordListing, cell int64) int { return cmp.Compare(e.cell, cell) })
		for ; i < len(w.byCell) && w.byCell[i].cell <= rg[1]; i++ {
			e := &w.byCell[i]
			if (q.Category != "" && int(e.category) != categoryCodes[q.Category]) || (q.Mode != "" && int(e.mode) != modeCodes[q.Mode]) ||
				(q.Kind != "" && int(e.kind) != kindCodes[q.Kind]) || (len(h) == k && older(e, h[0])) {
				continue
			}
			d := geo.Distance(*q.Near, geo.Point{Lat: e.lat, Lon: e.lon})
			if d > q.RadiusM {
				continue
			}
			c := cand{id: e.id, dist: d, created: e.created}
			if len(h) < k {
				h = append(h, c)
				for j := len(h) - 1; j > 0 && less(j, (j-1)/2); j = (j - 1) / 2 {
					h[j], h[(j-1)/2] = h[(j-1)/2], h[j]
				}
				continue
			}
			h[0] = c
			for j := 0; ; {
				l, m := 2*j+1, j
				if l < len(h) && less(l, m) {
					m = l
				}
				if l+1 < len(h) && less(l+1, m) {
					m = l + 1
				}
				if m == j {
					break
				}
				h[j], h[m] = h[m], h[j]
				j = m
			}
		}
	}
	sortByCreated(h)
	return h
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
