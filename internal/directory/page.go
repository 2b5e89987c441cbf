package directory

import (
	"slices"
	"sync"
)

// A Page holds the hits of one read by ids (a "near me" page) in memory
// that the store reuses for a later page once the caller releases it: the
// initiatives in one block, their categories and tags in another and, on
// PostgreSQL, their texts in a third. Near-me pages are never cached, and
// the JSON API writes one and lets it go, so the next request fills the
// same memory instead of allocating it: 19 of the 26 kB a near-me request
// allocated, which set how often the collector ran and with it the tail
// of the load script (bench/README.md, "A page that is used again").
type Page struct {
	Hits []Hit

	block []Initiative
	lists []string
	text  []byte   // PostgreSQL: the page's texts, one after the other
	ends  []uint32 // PostgreSQL: where each row's texts end in text
	home  *sync.Pool
}

// maxPooledText bounds the texts a released page keeps for the next one: a
// page of 22 initiatives is 8 kB in the benchmark city; a page of long
// descriptions is let go.
const maxPooledText = 256 << 10

// newPage returns a page from pool, emptied, with room for n rows.
func newPage(pool *sync.Pool, n int) *Page {
	p, _ := pool.Get().(*Page)
	if p == nil {
		p = &Page{home: pool}
	}
	p.Hits = slices.Grow(p.Hits[:0], n)
	p.block = slices.Grow(p.block[:0], n)
	p.lists = slices.Grow(p.lists[:0], 4*n)
	p.text, p.ends = p.text[:0], p.ends[:0]
	return p
}

// next returns the next initiative of the block, zeroed (a new one past
// the room asked for).
func (p *Page) next() *Initiative {
	if len(p.block) < cap(p.block) {
		p.block = p.block[:len(p.block)+1]
		in := &p.block[len(p.block)-1]
		*in = Initiative{}
		return in
	}
	return new(Initiative)
}

// Release hands the page's memory back for a later page. Neither the hits
// nor anything read from them (their texts included) may be used after it,
// and a page is released once at most. A nil page releases nothing.
func (p *Page) Release() {
	if p == nil || p.home == nil || cap(p.text) > maxPooledText {
		return
	}
	p.Hits = p.Hits[:0]
	p.home.Put(p)
}

// Release hands the memory of a "near me" page back to the store once the
// caller is done with it (see Page.Release): Items, and the initiatives
// and texts they point to, must not be used afterwards. Other results hold
// nothing to release (a cached page is shared); releasing twice releases
// once.
func (r *Result) Release() {
	r.page.Release()
	r.page, r.Items = nil, nil
}
