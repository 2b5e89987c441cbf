package offers

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"sync"
)

// Words near a point on SQLite, for frequent words (see frequentWords):
// the walk of the cells around the point meets a few hundred listings, and
// asking FTS5 whether each holds the words cost some 11 µs a listing, most
// of such a search (3.9 ms of CPU p50 for "perceuse" within 5 km on
// 1,000,000 listings). The instance keeps instead the sorted ids of the
// territory's listings holding the words, read in one FTS5 query (129,000
// ids of "perceuse": about 70 ms warm), and the walk keeps the listings
// found in it.
//
// A set is valid for one version of the territory's listing texts, stored
// in the database (listing_text_versions, migration 00025) and bumped by
// every instance in the transaction that writes a listing's FTS5 row: a
// search reads the version (one row by key) and uses a set only of that
// version, so instances never need to talk to each other. A set read
// after a change of its version is only newer than its key, which the
// next search sees as stale. Sets are bounded by bytes, least recently
// used dropped first.

// maxWordSetBytes bounds the memory of the sets: 32 frequent words of a
// territory of 1,000,000 listings (a variable for tests).
var maxWordSetBytes = 32 << 20

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
	ids     []int64 // ascending
}

func (w *wordSet) has(id int64) bool {
	_, ok := slices.BinarySearch(w.ids, id)
	return ok
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
	size := 8 * len(ws.ids)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[ws.key]; ok {
		c.bytes -= 8 * len(e.Value.(*wordSet).ids)
		c.ll.Remove(e)
		delete(c.byKey, ws.key)
	}
	if size > c.max {
		return
	}
	for c.bytes+size > c.max {
		e := c.ll.Back()
		old := e.Value.(*wordSet)
		c.bytes -= 8 * len(old.ids)
		c.ll.Remove(e)
		delete(c.byKey, old.key)
	}
	c.byKey[ws.key] = c.ll.PushFront(ws)
	c.bytes += size
}

// wordSet returns the set of the territory's listings whose text matches
// the FTS5 expression match, at the current version of the texts; nil
// when it is too large to keep (the caller then asks FTS5 per listing).
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
	rows, err := s.q.Query(ctx, `SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?`,
		match+" AND ("+territoryFacet(territoryID)+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ws := &wordSet{key: key, version: version}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if 8*len(ws.ids) >= s.words.max {
			return nil, nil
		}
		ws.ids = append(ws.ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ws.ids) // FTS5 returns rowid order; sorting again costs little and relies on nothing
	s.words.put(ws)
	return ws, nil
}
