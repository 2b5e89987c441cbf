package directory

import (
	"slices"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/lru"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// resultCache keeps recent search pages per (territory, data version,
// normalised query): the same search again, by anyone, is answered from
// memory until the territory's data changes. Like the tile cache it is per
// instance and keyed by the version in the database. Searches from a
// position are left out (every phone asks from its own point; "near me"
// has its own index). Bounded by the hits it holds, least recently used
// dropped.
type resultCache struct {
	pages *lru.Cache[string, Result]
}

// maxCachedResults bounds the hits the cache holds (a hit is about 1 kB
// with its initiative): 100 pages of 20, or 20 of 100.
const maxCachedResults = 2000

func newResultCache(max int) *resultCache {
	return &resultCache{pages: lru.New[string, Result](max, func(r Result) int { return len(r.Items) })}
}

// resultKey is the cache key of a normalised query, or "" when it is not cached.
func resultKey(territoryID int64, dk dataKey, q *Query) string {
	if q.Near != nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(strconv.FormatInt(territoryID, 10))
	b.WriteByte('/')
	b.WriteString(strconv.FormatInt(dk.version, 10))
	b.WriteByte('.')
	b.WriteString(strconv.FormatInt(dk.local, 10))
	// The words as searched: case, accents and stop words do not matter.
	for _, forms := range textsearch.QueryTerms(q.Text) {
		b.WriteString("/w")
		b.WriteString(strings.Join(forms, "|"))
	}
	cats := slices.Clone(q.Categories)
	slices.Sort(cats)
	for _, c := range slices.Compact(cats) {
		b.WriteString("/c" + c)
	}
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	slices.Sort(kinds)
	for _, k := range slices.Compact(kinds) {
		b.WriteString("/k" + k)
	}
	if q.OrganisationID != 0 {
		b.WriteString("/o" + strconv.FormatInt(q.OrganisationID, 10))
	}
	if q.BBox != nil {
		b.WriteString("/b" + q.BBox.String())
	}
	b.WriteString("/s" + string(q.Sort))
	b.WriteString("/l" + strconv.Itoa(q.Limit))
	b.WriteString("/f" + strconv.Itoa(q.Offset))
	return b.String()
}

// get returns a copy of the cached page (the initiatives are shared and
// must not be changed).
func (c *resultCache) get(key string) (Result, bool) {
	r, ok := c.pages.Get(key)
	r.Items = slices.Clone(r.Items)
	return r, ok
}

func (c *resultCache) put(key string, r Result) {
	r.Items = slices.Clone(r.Items)
	c.pages.Put(key, r)
}

func (c *resultCache) purge() { c.pages.Purge() }
