package directory

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
	"sort"
	"unsafe"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// IndexedPoint is what the in-memory index of a territory keeps of a
// published initiative: its position for "near me", its folded name and
// its tags to rank text matches.
type IndexedPoint struct {
	ID      int64
	Lat     float64
	Lon     float64
	NameKey string
	Tags    string
	// Categories and Kind, for the in-memory count of a filtered
	// search (see memFacets); tests only, the store calls Facets.
	Categories []string
	Kind       Kind
}

// PointSink receives a territory's published initiatives, in id order,
// from Store.PublishedPoints. The byte slices are valid during the call
// only: the index copies them into one string, so reading 100,000 rows
// leaves no row or string behind for the collector.
type PointSink interface {
	// Grow announces about n rows (a count read just before).
	Grow(n int)
	// Add takes one row; false stops the read (the index is over budget).
	Add(id int64, lat, lon float64, name, nameKey, tags []byte) bool
	// Facets takes the categories (as stored: ",food,energy,") and the
	// kind of the row Add just took.
	Facets(categories, kind []byte)
}

// memIndex is a territory's published initiatives in memory, at one data
// version: the grid of their positions, and their ids in order with what
// ranks a text match, so that a full-text search needs the FTS index for
// ids only (no territory facet to intersect, no rows to read but a page).
// Names and tags are held in one string, not one per entry: a tenth of the
// memory of 100,000 small strings and a map, and nothing for the collector
// to walk.
type memIndex struct {
	points *pointIndex
	ids    []int64 // ascending
	text   string  // entry i's folded name then its tags, from offs[2i]
	offs   []uint32
	// starts[i]: the word starts of entry i's name (see wordStartsOf),
	// or 0 when its name does not split into the same words in Go and
	// in PostgreSQL (see sameWordsInPostgres), which no search counts.
	starts []uint16
	// facets[i]: entry i's categories and kind (see memFacets), so that
	// a filtered search can be counted in memory too.
	facets []uint16
}

// memIndexBuilder is the PointSink that builds a memIndex.
type memIndexBuilder struct {
	max      int // rows accepted; past it, Add refuses
	ids      []int64
	lat, lon []float64
	text     []byte
	offs     []uint32
	same     []bool
	facets   []uint16
	sorted   bool
	tooLarge bool
}

func newMemIndexBuilder(max int) *memIndexBuilder {
	return &memIndexBuilder{max: max, offs: []uint32{0}, sorted: true}
}

func (b *memIndexBuilder) Grow(n int) {
	n = min(n+n/64+16, b.max) // room for a few added meanwhile
	b.ids = slices.Grow(b.ids, n)
	b.lat = slices.Grow(b.lat, n)
	b.lon = slices.Grow(b.lon, n)
	b.offs = slices.Grow(b.offs, 2*n)
	b.same = slices.Grow(b.same, n)
	b.facets = slices.Grow(b.facets, n)
	b.text = slices.Grow(b.text, 40*n) // a folded name and tags, on average (36 bytes in the bench city)
}

func (b *memIndexBuilder) Add(id int64, lat, lon float64, name, nameKey, tags []byte) bool {
	if len(b.ids) >= b.max {
		b.tooLarge = true
		return false
	}
	if n := len(b.ids); n > 0 && id <= b.ids[n-1] {
		b.sorted = false
	}
	b.ids = append(b.ids, id)
	b.lat = append(b.lat, lat)
	b.lon = append(b.lon, lon)
	b.same = append(b.same, sameWordsInPostgres(name))
	b.facets = append(b.facets, 0) // none known until Facets: no filter admits it
	b.text = append(b.text, nameKey...)
	b.offs = append(b.offs, uint32(len(b.text)))
	b.text = append(b.text, tags...)
	b.offs = append(b.offs, uint32(len(b.text)))
	return true
}

// Facets records the categories and kind of the row Add just took.
func (b *memIndexBuilder) Facets(categories, kind []byte) {
	if n := len(b.facets); n > 0 {
		b.facets[n-1] = memFacets(categories, kind)
	}
}

// build returns the index, or nil when the rows passed the budget.
func (b *memIndexBuilder) build() *memIndex {
	if b.tooLarge {
		return nil
	}
	if !b.sorted { // the store reads by id; this only guards the search by id
		b.sortByID()
	}
	// The text is handed over without a copy (3.6 MB for 100,000 entries,
	// on top of the rows being read): the builder is dropped after this,
	// so the bytes are never written again, as strings.Builder does.
	text := unsafe.String(unsafe.SliceData(b.text), len(b.text))
	b.text = nil
	m := &memIndex{ids: slices.Clip(b.ids), text: text, offs: slices.Clip(b.offs), facets: slices.Clip(b.facets)}
	m.starts = make([]uint16, len(b.same))
	for i, same := range b.same {
		if same {
			m.starts[i] = wordStartsOf(m.name(i))
		}
	}
	b.same = nil
	m.points = newPointIndex(b.ids, b.lat, b.lon)
	return m
}

func (b *memIndexBuilder) sortByID() {
	order := make([]int, len(b.ids))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(x, y int) bool { return b.ids[order[x]] < b.ids[order[y]] })
	nb := newMemIndexBuilder(b.max)
	nb.Grow(len(order))
	for _, i := range order {
		nb.Add(b.ids[i], b.lat[i], b.lon[i], nil, b.text[b.offs[2*i]:b.offs[2*i+1]], b.text[b.offs[2*i+1]:b.offs[2*i+2]])
		nb.same[len(nb.same)-1] = b.same[i]
		nb.facets[len(nb.facets)-1] = b.facets[i]
	}
	*b = *nb
}

// newMemIndex builds an index from rows in any order (their names are
// their name keys).
func newMemIndex(pts []IndexedPoint) *memIndex {
	b := newMemIndexBuilder(len(pts))
	b.Grow(len(pts))
	for _, p := range pts {
		b.Add(p.ID, p.Lat, p.Lon, []byte(p.NameKey), []byte(p.NameKey), []byte(p.Tags))
		b.Facets([]byte(joinList(p.Categories)), []byte(p.Kind))
	}
	return b.build()
}

// name is entry i's folded name (its name_key).
func (m *memIndex) name(i int) string { return m.text[m.offs[2*i]:m.offs[2*i+1]] }

// tags is entry i's tags column.
func (m *memIndex) tags(i int) string { return m.text[m.offs[2*i+1]:m.offs[2*i+2]] }

// size is the number of published initiatives.
func (m *memIndex) size() int { return len(m.ids) }

// find returns the position of id, if it is a published initiative of the territory.
func (m *memIndex) find(id int64) (int, bool) {
	i, ok := sort.Find(len(m.ids), func(i int) int {
		switch {
		case id < m.ids[i]:
			return -1
		case id > m.ids[i]:
			return 1
		}
		return 0
	})
	return i, ok
}

// pointIndex is a uniform grid over a territory's published points, held in
// three flat arrays sorted by cell (24 bytes a point): the k nearest points
// of a position are found by visiting rings of cells around it, which reads
// a few dozen points in a city, without the database.
type pointIndex struct {
	minLat, minLon   float64
	cellLat, cellLon float64 // size of a cell, in degrees
	nx, ny           int
	start            []int32 // points of cell c: [start[c], start[c+1])
	ids              []int64
	lat, lon         []float64
}

// pointsPerCell is the average cell load the grid is sized for; dense
// neighbourhoods hold more, which the ring search absorbs.
const pointsPerCell = 4

// newPointIndex builds the grid of the points (ids[i], lat[i], lon[i]).
// It takes lat and lon, which it reorders by cell in place (the index of
// a whole city is built without a second copy of them); ids is copied.
func newPointIndex(ids []int64, lat, lon []float64) *pointIndex {
	ix := &pointIndex{nx: 1, ny: 1}
	if len(ids) == 0 {
		ix.start = []int32{0, 0}
		return ix
	}
	minLat, maxLat, minLon, maxLon := lat[0], lat[0], lon[0], lon[0]
	for i := range ids {
		minLat, maxLat = math.Min(minLat, lat[i]), math.Max(maxLat, lat[i])
		minLon, maxLon = math.Min(minLon, lon[i]), math.Max(maxLon, lon[i])
	}
	// Square cells on the ground at the centre's latitude.
	cos := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	h, w := math.Max(maxLat-minLat, 1e-6), math.Max((maxLon-minLon)*cos, 1e-6)
	side := math.Sqrt(h * w * pointsPerCell / float64(len(ids)))
	ix.nx = min(max(1, int(math.Ceil(w/side))), 4096)
	ix.ny = min(max(1, int(math.Ceil(h/side))), 4096)
	ix.minLat, ix.minLon = minLat, minLon
	// A hair wider than the extent, so that the largest values fall in the last cell.
	ix.cellLat = h * (1 + 1e-9) / float64(ix.ny)
	ix.cellLon = (maxLon - minLon + 1e-6) * (1 + 1e-9) / float64(ix.nx)

	cells := make([]int32, len(ids))
	counts := make([]int32, ix.nx*ix.ny+1)
	for i := range ids {
		c := ix.cellOf(lat[i], lon[i])
		cells[i] = int32(c)
		counts[c+1]++
	}
	for c := 1; c < len(counts); c++ {
		counts[c] += counts[c-1]
	}
	ix.start = counts
	ix.ids = make([]int64, len(ids))
	next := append([]int32(nil), counts[:len(counts)-1]...)
	dest := cells // each point's place in cell order, over its cell
	for i := range ids {
		j := next[cells[i]]
		next[cells[i]]++
		dest[i] = j
		ix.ids[j] = ids[i]
	}
	// Apply the permutation in place: each swap puts one point where it goes.
	for i := range dest {
		for int(dest[i]) != i {
			j := dest[i]
			lat[i], lat[j] = lat[j], lat[i]
			lon[i], lon[j] = lon[j], lon[i]
			dest[i], dest[j] = dest[j], dest[i]
		}
	}
	ix.lat, ix.lon = lat, lon
	return ix
}

func (ix *pointIndex) cellXY(lat, lon float64) (int, int) {
	x := int(math.Floor((lon - ix.minLon) / ix.cellLon))
	y := int(math.Floor((lat - ix.minLat) / ix.cellLat))
	return min(max(x, 0), ix.nx-1), min(max(y, 0), ix.ny-1)
}

func (ix *pointIndex) cellOf(lat, lon float64) int {
	x, y := ix.cellXY(lat, lon)
	return y*ix.nx + x
}

// candidate is a point and its squared planar distance to the query.
type candidate struct {
	id int64
	d2 float64
}

// worstFirst is a max-heap on distance: the k best so far, worst on top.
type worstFirst []candidate

func (h worstFirst) Len() int { return len(h) }
func (h worstFirst) Less(a, b int) bool {
	if h[a].d2 != h[b].d2 {
		return h[a].d2 > h[b].d2
	}
	return h[a].id > h[b].id
}
func (h worstFirst) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *worstFirst) Push(x any)   { *h = append(*h, x.(candidate)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// nearScratch is the memory of one nearest search, kept by the service
// for the next (a tenth of what a "near me" allocated once its page was
// reused).
type nearScratch struct {
	best worstFirst
	ids  []int64
}

// nearest returns the ids of the k points closest to p, closest first, on a
// plane tangent at p (within a territory, the order of true distances but
// for near-ties, which the caller settles on exact distances). The ids are
// in sc's memory when sc is not nil, valid until its next search.
func (ix *pointIndex) nearest(p geo.Point, k int, sc *nearScratch) []int64 {
	if k <= 0 || len(ix.ids) == 0 {
		return nil
	}
	if sc == nil {
		sc = new(nearScratch)
	}
	cos := math.Cos(p.Lat * math.Pi / 180)
	cos2 := cos * cos
	sc.best = slices.Grow(sc.best[:0], k+1)
	best := &sc.best // a pointer already: heap.Fix boxes no slice
	cx, cy := ix.cellXY(p.Lat, p.Lon)
	// Planar distance from p to the edges of cell column/row indexes, in
	// degrees of latitude: what lies beyond ring r is at least this far.
	edge := func(r int) float64 {
		d := math.Inf(1)
		if x0 := cx - r; x0 > 0 {
			d = math.Min(d, (p.Lon-(ix.minLon+float64(x0)*ix.cellLon))*cos)
		}
		if x1 := cx + r + 1; x1 < ix.nx {
			d = math.Min(d, (ix.minLon+float64(x1)*ix.cellLon-p.Lon)*cos)
		}
		if y0 := cy - r; y0 > 0 {
			d = math.Min(d, p.Lat-(ix.minLat+float64(y0)*ix.cellLat))
		}
		if y1 := cy + r + 1; y1 < ix.ny {
			d = math.Min(d, ix.minLat+float64(y1)*ix.cellLat-p.Lat)
		}
		return d
	}
	visit := func(x, y int) {
		c := y*ix.nx + x
		for j := ix.start[c]; j < ix.start[c+1]; j++ {
			dLat, dLon := ix.lat[j]-p.Lat, ix.lon[j]-p.Lon
			cand := candidate{ix.ids[j], dLat*dLat + dLon*dLon*cos2}
			if len(*best) < k {
				// append and Fix rather than heap.Push, which boxes
				// each candidate in an interface (22 allocations a
				// "near me").
				*best = append(*best, cand)
				heap.Fix(best, len(*best)-1)
			} else if top := &(*best)[0]; cand.d2 < top.d2 || (cand.d2 == top.d2 && cand.id < top.id) {
				*top = cand
				heap.Fix(best, 0)
			}
		}
	}
	maxR := max(cx, ix.nx-1-cx, cy, ix.ny-1-cy)
	for r := 0; r <= maxR; r++ {
		x0, x1, y0, y1 := cx-r, cx+r, cy-r, cy+r
		for x := max(x0, 0); x <= min(x1, ix.nx-1); x++ {
			if y0 >= 0 {
				visit(x, y0)
			}
			if y1 < ix.ny && y1 != y0 {
				visit(x, y1)
			}
		}
		for y := max(y0+1, 0); y <= min(y1-1, ix.ny-1); y++ {
			if x0 >= 0 {
				visit(x0, y)
			}
			if x1 < ix.nx && x1 != x0 {
				visit(x1, y)
			}
		}
		if len(*best) == k {
			if e := edge(r); e*e >= (*best)[0].d2 {
				break
			}
		}
	}
	slices.SortFunc(*best, func(a, b candidate) int {
		if c := cmp.Compare(a.d2, b.d2); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	out := slices.Grow(sc.ids[:0], len(*best))
	for _, c := range *best {
		out = append(out, c.id)
	}
	sc.ids = out
	return out
}
