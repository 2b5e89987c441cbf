package offers

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// SQLite's "near me" without words: the grid of migration 00012. Cells are
// 1/cellsPerDeg degree; cell = row * cellStride + column.
const (
	cellsPerDeg = 2000
	cellStride  = 1000000
	// maxRangesPerQuery keeps one query's parameters well under SQLite's limit.
	maxRangesPerQuery = 200
	// cellBand is how many rows of cells a band holds: SQLite's cell
	// indexes keep cells band by band, then by column (band_cell,
	// migration 00033), so that a square's part of a band is one range.
	cellBand = 4
)

func cellRow(lat float64) int64 { return int64((lat + 90) * cellsPerDeg) }
func cellCol(lon float64) int64 { return int64((lon + 180) * cellsPerDeg) }

// block is a rectangle of cells, bounds included.
type block struct{ r0, r1, c0, c1 int64 }

func (b block) empty() bool { return b.r0 > b.r1 || b.c0 > b.c1 }

func (b block) clamp(to block) block {
	return block{max(b.r0, to.r0), min(b.r1, to.r1), max(b.c0, to.c0), min(b.c1, to.c1)}
}

// union is the smallest block holding b and o.
func (b block) union(o block) block {
	if o.empty() {
		return b
	}
	if b.empty() {
		return o
	}
	return block{min(b.r0, o.r0), max(b.r1, o.r1), min(b.c0, o.c0), max(b.c1, o.c1)}
}

// minus returns the cell ranges of b outside inner (inner within b), one
// or two per row.
func (b block) minus(inner block) [][2]int64 {
	var out [][2]int64
	for r := b.r0; r <= b.r1; r++ {
		base := r * cellStride
		if inner.empty() || r < inner.r0 || r > inner.r1 {
			out = append(out, [2]int64{base + b.c0, base + b.c1})
			continue
		}
		if b.c0 < inner.c0 {
			out = append(out, [2]int64{base + b.c0, base + inner.c0 - 1})
		}
		if inner.c1 < b.c1 {
			out = append(out, [2]int64{base + inner.c1 + 1, base + b.c1})
		}
	}
	return out
}

// reach is how far from p every point outside b lies at least, in metres;
// sides of b that are the territory's own edges do not count (nothing lies
// beyond them). Infinite when b is the whole territory.
func (b block) reach(p geo.Point, all block) float64 {
	south := float64(b.r0)/cellsPerDeg - 90
	north := float64(b.r1+1)/cellsPerDeg - 90
	west := float64(b.c0)/cellsPerDeg - 180
	east := float64(b.c1+1)/cellsPerDeg - 180
	// A point beyond the east or west side but closer than the north and
	// south ones lies between them: the smallest cosine there bounds it.
	cos := math.Cos(math.Min(89.9, math.Max(math.Abs(south), math.Abs(north))) * math.Pi / 180)
	r := math.Inf(1)
	if b.r0 > all.r0 {
		r = math.Min(r, (p.Lat-south)*metresPerDeg)
	}
	if b.r1 < all.r1 {
		r = math.Min(r, (north-p.Lat)*metresPerDeg)
	}
	if b.c0 > all.c0 {
		r = math.Min(r, (p.Lon-west)*metresPerDeg*cos)
	}
	if b.c1 < all.c1 {
		r = math.Min(r, (east-p.Lon)*metresPerDeg*cos)
	}
	return r * 0.999 // the haversine and this flat bound differ by far less
}

// nearCells reads the cells around the point in growing squares until
// need candidates lie closer than anything outside the square (or the
// square holds the radius asked for, or the whole territory). Each step
// reads only the cells it adds, through the covering index of the query's
// filters, so the table itself is never read. The first square is sized
// for the filters, from the densest neighbourhoods expected. With match
// (an FTS5 expression of frequent words, see frequentWords), the listings
// of each step are kept if FTS5 finds the words in them, or walked in
// words, their set, when kept (the only way on PostgreSQL).
func (s *SQLStore) nearCells(ctx context.Context, territoryID int64, within geo.BBox, q Query, now time.Time, need int, match string,
	words *wordSet) ([]cand, error) {
	p := *q.Near
	all := block{cellRow(within.MinLat), cellRow(within.MaxLat), cellCol(within.MinLon), cellCol(within.MaxLon)}
	sparse := 1.0 // how many listings of the neighbourhood one of the query's stands for
	if q.Category != "" {
		sparse *= float64(len(categoryCodes))
	}
	if q.Mode != "" {
		sparse *= float64(len(Modes))
	}
	if q.Kind != "" {
		sparse *= 2
	}
	if match != "" {
		sparse *= frequentShare
	}
	// Without words (SQLite's cells), every listing of the square comes
	// through the driver (about 1 µs each) where a step more costs one
	// query: a first square of 10 (was 15) brings a page 3 of a category
	// and a mode 122 listings at p50, 228 at p99 (was 200, 439), in one
	// step at p50, three at p99 (two), for 15-20 % less thread CPU.
	scale := 15.0
	if match == "" && words == nil {
		scale = 10
	}
	radius := scale * math.Sqrt(sparse*float64(need))
	if q.RadiusM > 0 {
		radius = min(radius, q.RadiusM)
	}
	var cs []cand
	checked := map[int64]bool{}  // with match: whether a listing has the words
	read := map[int64]*Listing{} // with words: the rows checkSearchable read (PostgreSQL)
	done := block{1, 0, 1, 0}
	for {
		box := geo.Around(p, radius)
		b := block{cellRow(box.MinLat), cellRow(box.MaxLat), cellCol(box.MinLon), cellCol(box.MaxLon)}.clamp(all)
		if b.empty() { // the point is outside the territory's box
			b = all
		}
		b = b.union(done)
		ranges := b.minus(done)
		for len(ranges) > 0 {
			n := min(len(ranges), maxRangesPerQuery)
			var got []cand
			if words != nil {
				got = words.inCells(q, now, p, ranges[:n])
			} else {
				var err error
				if got, err = s.inCells(ctx, territoryID, q, now, p, ranges[:n]); err != nil {
					return nil, err
				}
			}
			cs = append(cs, got...)
			ranges = ranges[n:]
		}
		done = b
		reach := b.reach(p, all)
		cs = sortByDistance(cs, 0)
		found := cs
		if match != "" {
			// The set's listings may no longer be searchable: check the
			// nearest (nearly all pass). Without the set, check the words.
			check, per, minBatch := func(ids []any) error { return s.checkWords(ctx, match, ids, checked) }, 8, 32
			if words != nil {
				check, per, minBatch = func(ids []any) error { return s.checkSearchable(ctx, territoryID, now, ids, checked, read) }, 1, 8
			}
			var err error
			if found, err = nearestChecked(cs, need, per, minBatch, checked, check); err != nil {
				return nil, err
			}
			withRows(found, read)
		}
		// The square holds the box around the circle asked for: all of it is read.
		if q.RadiusM > 0 && (radius >= q.RadiusM || reach >= q.RadiusM) {
			return sortByDistance(found, q.RadiusM), nil
		}
		if math.IsInf(reach, 1) || (len(found) >= need && found[need-1].dist <= reach) {
			return sortByDistance(found, q.RadiusM), nil
		}
		if len(found) >= need {
			// Enough, but some may be beaten from outside: reach the need-th.
			radius = math.Max(radius*1.05, found[need-1].dist*1.001)
		} else {
			// Too few: grow by what the density seen so far suggests.
			radius *= math.Min(4, math.Max(1.5, 1.2*math.Sqrt(float64(need)/float64(max(len(found), 1)))))
		}
		if q.RadiusM > 0 {
			radius = min(radius, q.RadiusM)
		}
	}
}

// inCells returns the candidates in the given cell ranges, with their
// distance from p.
func (s *SQLStore) inCells(ctx context.Context, territoryID int64, q Query, now time.Time, p geo.Point, ranges [][2]int64) ([]cand, error) {
	text, args := s.cellsQuery(territoryID, q, now, ranges, false)
	rows, err := s.q.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cand
	// Scanned into the same variables: Scan's pointers make them escape,
	// one allocation each per row otherwise.
	var id int64
	var pt geo.Point
	for rows.Next() {
		if err := rows.Scan(&id, &pt.Lat, &pt.Lon); err != nil {
			return nil, err
		}
		out = append(out, cand{id: id, dist: geo.Distance(p, pt)})
	}
	return out, rows.Err()
}

// cellsQuery is the query of the listings with q's filters in the given
// cell ranges: id, public position and, withCreated, creation time.
// INDEXED BY names the covering index of the filters. The ranges travel as
// one JSON parameter, so that the text depends only on the filters: a
// handful of statements prepared once, where one text per number of ranges
// filled the store's statement cache (512) with variants each prepared for
// one use.
func (s *SQLStore) cellsQuery(territoryID int64, q Query, now time.Time, ranges [][2]int64, withCreated bool) (string, []any) {
	var sb strings.Builder
	args := make([]any, 0, 6)
	bands := inBands(ranges)
	js := make([]byte, 0, 48*len(bands)+2)
	js = append(js, '[')
	for i, bd := range bands {
		if i > 0 {
			js = append(js, ',')
		}
		for j, v := range bd {
			js = append(js, "[,"[min(j, 1)])
			js = strconv.AppendInt(js, v, 10)
		}
		js = append(js, ']')
	}
	js = append(js, ']')
	args = append(args, string(js))
	// The filters that pick the index's part travel as +?: SQLite may plan
	// by a bare parameter there (sqlite_stat4), and then prepared the
	// statement again at each new binding (7 % of a page 3's CPU).
	// The index of the filters given (00033): without a mode, one that
	// holds no mode before the cells, one seek per band where the others
	// need one per mode.
	index := "listings_cell_all"
	switch {
	case q.Category != "" && q.Mode != "":
		index = "listings_cell_category"
	case q.Category != "":
		index = "listings_cell_category_any"
	case q.Mode != "":
		index = "listings_cell_mode"
	}
	cols := "l.id, l.pub_lat, l.pub_lon"
	if withCreated {
		cols += ", CAST(l.created_at AS TEXT)" // parsed once, by auxTime
	}
	sb.WriteString("WITH r(blo, bhi, lo, hi) AS MATERIALIZED (SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?))" +
		" SELECT " + cols + " FROM r CROSS JOIN listings l INDEXED BY " + index +
		" WHERE l.territory_id = +? AND " + s.searchable())
	args = append(args, territoryID)
	if q.Category != "" {
		sb.WriteString(" AND l.category_code = +?")
		args = append(args, categoryCodes[q.Category])
	}
	if q.Mode != "" {
		sb.WriteString(" AND l.mode_code = +?")
		args = append(args, modeCodes[q.Mode])
	}
	sb.WriteString(" AND l.band_cell BETWEEN r.blo AND r.bhi AND l.cell BETWEEN r.lo AND r.hi")
	if q.Kind != "" {
		sb.WriteString(" AND l.kind_code = ?")
		args = append(args, kindCodes[q.Kind])
	}
	// +: expires_at's NUMERIC affinity (DATETIME) made SQLite try to
	// read the bound text as a number at each entry (6 % of the CPU of
	// newest with a category in 500 m); both are text, compared as such.
	sb.WriteString(" AND +l.expires_at > ?")
	args = append(args, now)
	return sb.String(), args
}

// inBands turns ranges of cells (one row each, see block.minus) into the
// ranges of band_cell they lie in, with the cells' own bounds: [band_cell
// low, high, cell low, high]. Ranges of the same columns on consecutive
// rows of a band become one, which the index holds together; the rows
// between low and high are exactly theirs, so no cell is read twice.
func inBands(ranges [][2]int64) [][4]int64 {
	out := make([][4]int64, 0, len(ranges))
	open := map[[3]int64]int{} // band, first and last column -> index in out
	for _, rg := range ranges {
		row, c0, c1 := rg[0]/cellStride, rg[0]%cellStride, rg[1]%cellStride
		band := row / cellBand
		key := [3]int64{band, c0, c1}
		if i, ok := open[key]; ok && out[i][3]/cellStride == row-1 {
			out[i][3] = rg[1]
			continue
		}
		open[key] = len(out)
		out = append(out, [4]int64{band*cellStride + c0, band*cellStride + c1, rg[0], rg[1]})
	}
	return out
}

// A word is frequent when more than frequentPostings listings (of every
// territory) hold it: then walking the cells around the point and asking
// FTS5 about each listing met reads less than collecting the word's
// listings first (a word in 13 % of 1,000,000 listings: 130,000 ids, 1 to
// 3 s, where the walk checks a few hundred). frequentShare is the share of
// listings such a word is assumed in, to size the first square.
var frequentPostings = 20000 // a variable for tests

const frequentShare = 10

// frequentWords returns the FTS5 expression (PostgreSQL: the tsquery) of
// text's words when the rarest of them is frequent, and "" otherwise.
// PostgreSQL counts in its GIN index, which holds the searchable listings
// only (FTS5 holds them all): the same bound, over nearly the same rows.
func (s *SQLStore) frequentWords(ctx context.Context, text string) (string, error) {
	terms := textsearch.QueryTerms(text)
	if len(terms) == 0 {
		return "", nil
	}
	for _, forms := range terms {
		words := textsearch.FTS5Words([][]string{forms})
		count, args := `SELECT COUNT(*) FROM (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ? LIMIT ?) n`, []any{}
		if s.postgres() {
			// Planned for the word each time (planFor).
			words, count, args = textsearch.TSQuery([][]string{forms}, ""), countPostingsPostgres, []any{pgx.QueryExecModeExec}
		}
		frequent, ok := s.frequent.get(words)
		if !ok {
			var n int
			if err := s.q.QueryRow(ctx, count, append(args, words, frequentPostings+1)...).Scan(&n); err != nil {
				return "", err
			}
			frequent = n > frequentPostings
			s.frequent.put(words, frequent)
		}
		if !frequent {
			return "", nil
		}
	}
	if s.postgres() {
		return textsearch.TSQuery(terms, ""), nil
	}
	return textsearch.FTS5Words(terms), nil
}

// termFrequency remembers for a while whether words are frequent: counting
// a frequent word's first 20,001 listings costs 1.4-1.9 ms, most of a
// search. It only chooses the way a search goes, both exact, so a stale
// answer costs time, never results; hence a plain time to live, not a
// version from the database.
type termFrequency struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]termFrequencyEntry
}

type termFrequencyEntry struct {
	frequent bool
	at       time.Time
}

const (
	termFrequencyTTL = 10 * time.Minute
	termFrequencyMax = 4096 // words; emptied when full
)

func newTermFrequency(now func() time.Time) *termFrequency {
	return &termFrequency{now: now, m: map[string]termFrequencyEntry{}}
}

func (t *termFrequency) get(words string) (frequent, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[words]
	if !ok || t.now().Sub(e.at) > termFrequencyTTL {
		return false, false
	}
	return e.frequent, true
}

func (t *termFrequency) put(words string, frequent bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) >= termFrequencyMax {
		clear(t.m)
	}
	t.m[words] = termFrequencyEntry{frequent: frequent, at: t.now()}
}

// nearestChecked returns the first need candidates of cs (in order of
// distance) that pass check, asking check about the nearest unchecked ones
// a batch of per for each match still missing (at least minBatch) at a
// time: FTS5 whether a listing has the words (a lookup by rowid each, some
// 11 µs), or the table whether it is searchable (nearly all are). The nearest need matches cost about
// need / share lookups, whatever the number of candidates the square
// holds. checked keeps the answers between the steps of a walk.
func nearestChecked(cs []cand, need, per, minBatch int, checked map[int64]bool, check func(ids []any) error) ([]cand, error) {
	var out []cand
	i := 0
	for i < len(cs) && len(out) < need {
		var batch []any
		j := i
		for ; j < len(cs) && len(batch) < max(minBatch, per*(need-len(out))); j++ {
			if _, ok := checked[cs[j].id]; !ok {
				batch = append(batch, cs[j].id)
			}
		}
		if len(batch) > 0 {
			if err := check(batch); err != nil {
				return nil, err
			}
		}
		for ; i < j && len(out) < need; i++ {
			if checked[cs[i].id] {
				out = append(out, cs[i])
			}
		}
	}
	return out, nil
}

// checkWords records in checked whether each listing of ids has the words.
// The ids travel as one JSON parameter: one statement, prepared once,
// where a text per batch size was parsed and planned for each call.
func (s *SQLStore) checkWords(ctx context.Context, match string, ids []any, checked map[int64]bool) error {
	rows, err := s.q.Query(ctx, `SELECT c.value FROM json_each(?) c
		WHERE EXISTS (SELECT 1 FROM listings_fts f WHERE listings_fts MATCH ? AND f.rowid = c.value)`, idsJSON(ids), match)
	if err != nil {
		return err
	}
	return recordChecked(rows, ids, checked)
}

// idsJSON is a JSON array of ids (int64, or any holding int64).
func idsJSON[T any](ids []T) string {
	js := make([]byte, 0, 8*len(ids)+2)
	js = append(js, '[')
	for i, id := range ids {
		if i > 0 {
			js = append(js, ',')
		}
		js = strconv.AppendInt(js, any(id).(int64), 10)
	}
	return string(append(js, ']'))
}

// recordChecked records in checked that the ids rows returns pass, and the
// others of ids not; it closes rows.
func recordChecked(rows *sql.Rows, ids []any, checked map[int64]bool) error {
	defer rows.Close()
	for _, id := range ids {
		checked[id.(int64)] = false
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		checked[id] = true
	}
	return rows.Err()
}
