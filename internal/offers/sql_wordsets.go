package offers

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// Words near a point, for frequent words (see frequentWords), on SQLite
// and (sql_wordsets_postgres.go) PostgreSQL. On SQLite:
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
// A set is built at one point of the territory's text changes
// (listing_text_changes, migration 00025), which the store of any instance
// appends to in the transaction that changes a listing's text, filters,
// public position, expiry or searchability (sql_textchanges.go). A search reads the changes since its set's point (one
// row by key when there are none), asks FTS5 about the changed listings
// only and patches the set, so that a city with edits every few seconds
// does not rebuild the set (0.4 s for 129,000 listings) on each; a set is
// rebuilt only when the changes since are many or were pruned
// (pruneTextChanges). One search of an instance builds or patches a set
// while the others of the same words wait for it (sql_wordsets_cache.go).
// A set read after a change it has not seen is only newer than its point,
// which the next patch reads again. Sets are bounded by bytes, least
// recently used dropped first.

// maxWordSetBytes bounds the memory of the sets: a dozen frequent words of
// a territory of 1,000,000 listings.
const maxWordSetBytes = 64 << 20

// maxWordSetPatch bounds the changes a set is patched with at once, and
// maxWordSetGone the changed listings a set carries beside the listings it
// was built with: beyond, a rebuild is cheaper than the patches' maps.
var maxWordSetPatch = 256 // a variable for the tests

const maxWordSetGone = 4096

type wordSet struct {
	key    string
	seq    int64         // the last of the territory's text changes the set saw
	byCell []wordListing // as built, in order of cell, then id; shared by the patched sets
	gone   map[int64]bool
	extra  []wordListing // the changed (gone) listings that have the words now, in order of cell
}

type wordListing struct {
	cell, id         int64
	lat, lon         float64 // public position
	created, expires int64   // Unix nanoseconds: a listing past its expiry is skipped here, not checked in the table
	category, mode   int8
	kind             int8
}

const wordListingBytes = 56

func (w *wordSet) bytes() int {
	return wordListingBytes*(len(w.byCell)+len(w.extra)) + 24*len(w.gone)
}

// each calls fn with the set's listings in the cell ranges that have q's
// filters and expire after now, searchable or not.
func (w *wordSet) each(q Query, now time.Time, ranges [][2]int64, fn func(e *wordListing)) {
	t := now.UnixNano()
	for pi, part := range [2][]wordListing{w.byCell, w.extra} {
		for _, rg := range ranges {
			i, _ := slices.BinarySearchFunc(part, rg[0], func(e wordListing, cell int64) int { return cmp.Compare(e.cell, cell) })
			for ; i < len(part) && part[i].cell <= rg[1]; i++ {
				e := &part[i]
				if (q.Category != "" && int(e.category) != categoryCodes[q.Category]) || (q.Mode != "" && int(e.mode) != modeCodes[q.Mode]) ||
					(q.Kind != "" && int(e.kind) != kindCodes[q.Kind]) || e.expires <= t || (pi == 0 && w.gone[e.id]) {
					continue
				}
				fn(e)
			}
		}
	}
}

// inCells is inCells (sql_cells.go) over the set: the listings with q's
// filters in the cell ranges, searchable or not.
func (w *wordSet) inCells(q Query, now time.Time, p geo.Point, ranges [][2]int64) []cand {
	var out []cand
	w.each(q, now, ranges, func(e *wordListing) {
		out = append(out, cand{id: e.id, dist: geo.Distance(p, geo.Point{Lat: e.lat, Lon: e.lon}), created: time.Unix(0, e.created).UTC()})
	})
	return out
}

// wordSet returns the territory's listings whose text matches the FTS5
// expression match, as of now; nil when they are too many to keep (the
// caller then asks FTS5 per listing), which is remembered for
// termFrequencyTTL.
func (s *SQLStore) wordSet(ctx context.Context, territoryID int64, match string) (*wordSet, error) {
	key := wordSetKey(territoryID, match)
	if large, _ := s.words.large.get(key); large {
		return nil, nil
	}
	return s.words.fresh(ctx, key, func(ws *wordSet, rebuild bool) (*wordSet, bool, error) {
		return s.refreshWordSet(ctx, territoryID, match, key, ws, rebuild)
	})
}

func wordSetKey(territoryID int64, match string) string {
	return strconv.FormatInt(territoryID, 10) + "/" + match
}

// wordsMatch is frequentWords, but words whose set is kept need no
// counting: they were frequent when it was built, and either way is exact.
// PostgreSQL counts a frequent word's first 20,001 listings in 0.5-2 s
// (the GIN bitmap of every match, then a heap page for nearly each one;
// SQLite 1.4-1.9 ms), which the termFrequency's ten minutes would
// otherwise bring back to one search in each.
func (s *SQLStore) wordsMatch(ctx context.Context, territoryID int64, text string) (string, error) {
	if terms := textsearch.QueryTerms(text); len(terms) > 0 {
		match := textsearch.FTS5Words(terms)
		if s.postgres() {
			match = textsearch.TSQuery(terms, "")
		}
		if s.words.kept(wordSetKey(territoryID, match)) {
			return match, nil
		}
	}
	return s.frequentWords(ctx, text)
}

// refreshWordSet returns ws patched with the changes since its point, or
// rebuilt (ws nil, or too far behind) if rebuild, else nil; same reports
// whether it is ws.
func (s *SQLStore) refreshWordSet(ctx context.Context, territoryID int64, match, key string, ws *wordSet, rebuild bool) (_ *wordSet, same bool, _ error) {
	if ws != nil {
		ids, last, ok, err := s.textChanges(ctx, territoryID, ws.seq)
		switch {
		case err != nil:
			return nil, false, err
		case ok && len(ids) == 0:
			return ws, true, nil
		case ok && len(ws.gone)+len(ids) <= maxWordSetGone:
			ws, err := s.patchWordSet(ctx, territoryID, match, ws, ids, last)
			if err == nil {
				s.words.patches.Add(1)
			}
			return ws, false, err
		}
	}
	if !rebuild {
		return nil, false, nil
	}
	var seq int64
	if err := s.q.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM listing_text_changes WHERE territory_id = ?`,
		territoryID).Scan(&seq); err != nil {
		return nil, false, err
	}
	var rows *sql.Rows
	var err error
	if s.postgres() {
		rows, err = s.wordListingsPostgres(ctx, territoryID, match)
	} else {
		rows, err = s.q.Query(ctx, `SELECT l.id, l.pub_lat, l.pub_lon, l.created_at, l.expires_at, l.category_code, l.mode_code, l.kind_code
		FROM listings_fts f CROSS JOIN listings l ON l.id = f.rowid WHERE listings_fts MATCH ? AND l.territory_id = ?`,
			match+" AND ("+territoryFacet(territoryID)+")", territoryID)
	}
	if err != nil {
		return nil, false, err
	}
	ws = &wordSet{key: key, seq: seq}
	if ws.byCell, err = scanWordListings(rows, s.words.max); err != nil || ws.byCell == nil {
		if err == nil {
			s.words.oversized.Add(1)
			s.words.large.put(key, true)
		}
		return nil, false, err
	}
	s.words.builds.Add(1)
	return ws, false, nil
}

// textChanges returns the listings changed in the territory after seq, and
// the last change's seq; ok false when they are more than maxWordSetPatch
// or some were pruned. The change seq itself is read too: while it is
// kept, none after it was pruned.
func (s *SQLStore) textChanges(ctx context.Context, territoryID, seq int64) (ids []int64, last int64, ok bool, _ error) {
	rows, err := s.q.Query(ctx, `SELECT seq, listing_id FROM listing_text_changes WHERE territory_id = ? AND seq >= ?
		ORDER BY seq LIMIT ?`, territoryID, seq, maxWordSetPatch+2)
	if err != nil {
		return nil, 0, false, err
	}
	defer rows.Close()
	last, n, seen := seq, 0, map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&last, &id); err != nil {
			return nil, 0, false, err
		}
		if n++; n == 1 && last != seq && !(seq == 0 && last == 1) {
			return nil, 0, false, rows.Close() // pruned past the set's point
		}
		if last > seq && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, false, err
	}
	return ids, last, (n > 0 || seq == 0) && n <= maxWordSetPatch+1, nil
}

// patchWordSet returns a copy of ws (sharing its listings as built) where
// the listings of ids are as they are now, and seq is last.
func (s *SQLStore) patchWordSet(ctx context.Context, territoryID int64, match string, ws *wordSet, ids []int64, last int64) (*wordSet, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var now []wordListing
	var err error
	if s.postgres() {
		now, err = s.changedWordListingsPostgres(ctx, territoryID, match, ids)
	} else {
		var rows *sql.Rows
		rows, err = s.q.Query(ctx, `SELECT l.id, l.pub_lat, l.pub_lon, l.created_at, l.expires_at, l.category_code, l.mode_code, l.kind_code
		FROM json_each(?) c CROSS JOIN listings l ON l.id = c.value WHERE l.territory_id = ?
		AND EXISTS (SELECT 1 FROM listings_fts f WHERE listings_fts MATCH ? AND f.rowid = l.id)`, idsJSON(args), territoryID, match)
		if err == nil {
			now, err = scanWordListings(rows, -1)
		}
	}
	if err != nil {
		return nil, err
	}
	p := &wordSet{key: ws.key, seq: last, byCell: ws.byCell, gone: make(map[int64]bool, len(ws.gone)+len(ids))}
	for id := range ws.gone {
		p.gone[id] = true
	}
	for _, id := range ids {
		p.gone[id] = true
	}
	for _, e := range ws.extra {
		if !slices.Contains(ids, e.id) {
			p.extra = append(p.extra, e)
		}
	}
	p.extra = append(p.extra, now...)
	sortByCell(p.extra)
	return p, nil
}

// scanWordListings reads rows of wordListing's columns, in order of cell;
// nil when they would take more than max bytes (max < 0: no bound).
func scanWordListings(rows *sql.Rows, max int) ([]wordListing, error) {
	defer rows.Close()
	out := []wordListing{}
	for rows.Next() {
		if max >= 0 && wordListingBytes*len(out) >= max {
			return nil, nil
		}
		e, err := scanWordListing(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortByCell(out)
	return out, nil
}

// scanWordListing reads a row of wordListing's columns, then extra.
func scanWordListing(sc store.Scanner, extra ...any) (wordListing, error) {
	var e wordListing
	var created, expires any
	if err := sc.Scan(append([]any{&e.id, &e.lat, &e.lon, &created, &expires, &e.category, &e.mode, &e.kind}, extra...)...); err != nil {
		return e, err
	}
	c, err := auxTime(created)
	if err != nil {
		return e, err
	}
	x, err := auxTime(expires)
	if err != nil {
		return e, err
	}
	e.created, e.expires = c.UnixNano(), x.UnixNano()
	e.cell = cellRow(e.lat)*cellStride + cellCol(e.lon)
	return e, nil
}

func sortByCell(ls []wordListing) {
	slices.SortFunc(ls, func(a, b wordListing) int {
		return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.id, b.id))
	})
}

// pruneTextChanges keeps the newest keepTextChanges text changes of each
// territory (run by the periodic text job); a set older than the oldest
// kept is rebuilt by its next search.
func (s *SQLStore) pruneTextChanges(ctx context.Context) (int64, error) {
	res, err := s.q.Exec(ctx, `DELETE FROM listing_text_changes WHERE seq <= (SELECT MAX(m.seq) FROM listing_text_changes m
		WHERE m.territory_id = listing_text_changes.territory_id) - ?`, keepTextChanges)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// keepTextChanges is some hours of edits of a busy city: a set unused for
// longer is rebuilt.
var keepTextChanges = 10000 // a variable for the tests

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
	checked, read := map[int64]bool{}, map[int64]*Listing{}
	check := func(ids []any) error { return s.checkSearchable(ctx, territoryID, now, ids, checked, read) }
	k := 2*need + 8
	cs, err := nearestChecked(words.newestIn(q, now, ranges, k), need, 1, 8, checked, check)
	if err != nil || len(cs) == need {
		return withRows(cs, read), true, err
	}
	cs, err = nearestChecked(words.newestIn(q, now, ranges, len(words.byCell)+len(words.extra)), need, 1, 8, checked, check)
	return withRows(cs, read), true, err
}

// newestIn returns the k newest listings of the set with q's filters in
// the circle of q, newest first. A heap keeps them: the circle of a
// frequent word holds thousands, in order of cell, and only a listing
// newer than the heap's oldest needs its distance computed.
func (w *wordSet) newestIn(q Query, now time.Time, ranges [][2]int64, k int) []cand {
	older := func(a *wordListing, b cand) bool { // a comes after b, newest first
		if bc := b.created.UnixNano(); a.created != bc {
			return a.created < bc
		}
		return a.id < b.id
	}
	h := make([]cand, 0, min(k, 1024)) // a min-heap: h[0] is the oldest kept
	less := func(i, j int) bool {
		e := wordListing{id: h[i].id, created: h[i].created.UnixNano()}
		return older(&e, h[j])
	}
	w.each(q, now, ranges, func(e *wordListing) {
		if len(h) == k && older(e, h[0]) {
			return
		}
		d := geo.Distance(*q.Near, geo.Point{Lat: e.lat, Lon: e.lon})
		if d > q.RadiusM {
			return
		}
		c := cand{id: e.id, dist: d, created: time.Unix(0, e.created).UTC()}
		if len(h) < k {
			h = append(h, c)
			for j := len(h) - 1; j > 0 && less(j, (j-1)/2); j = (j - 1) / 2 {
				h[j], h[(j-1)/2] = h[(j-1)/2], h[j]
			}
			return
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
	})
	sortByCreated(h)
	return h
}

// checkSearchable records in checked whether each listing of ids is
// searchable now (by primary key; a deleted one is not); PostgreSQL reads
// their public columns on the way, into read, so that the page is not
// read again (one round trip less).
func (s *SQLStore) checkSearchable(ctx context.Context, territoryID int64, now time.Time, ids []any, checked map[int64]bool,
	read map[int64]*Listing) error {
	if s.postgres() {
		return s.checkSearchablePostgres(ctx, territoryID, now, ids, checked, read)
	}
	// CROSS JOIN: the ids first, where the planner would rather read the
	// territory's listings in an index and look each up in the list.
	rows, err := s.q.Query(ctx, `SELECT l.id FROM json_each(?) c CROSS JOIN listings l ON l.id = c.value
		WHERE l.territory_id = ? AND `+s.searchable()+` AND l.expires_at > ?`, idsJSON(ids), territoryID, now)
	if err != nil {
		return err
	}
	return recordChecked(rows, ids, checked)
}

// withRows gives the candidates the rows read for them, if any.
func withRows(cs []cand, read map[int64]*Listing) []cand {
	for i := range cs {
		cs[i].row = read[cs[i].id]
	}
	return cs
}
