package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"hash/fnv"
	"strconv"
	"sync"
)

// tileCache keeps encoded map responses, least recently used first out,
// bounded by their total size so that memory stays predictable whatever
// the viewports asked. Keys carry the territory's data version, so entries
// of an older version are never served and simply age out.
//
// Besides the tile key, an entry is found by the exact query string that
// last asked for it (an alias), so that a repeated request, the common case
// when many phones open the same view, skips parsing and snapping. Aliases
// belong to their entry: they count in its size and leave with it.
type tileCache struct {
	mu       sync.Mutex
	ll       *list.List
	items    map[string]*list.Element
	aliases  map[aliasKey]*list.Element
	filling  map[string]*tileFill
	bytes    int
	maxBytes int
}

// tileFill is an entry being built; requests for the same key wait for it.
type tileFill struct {
	done chan struct{}
	e    *tileEntry // nil when the build failed
}

// aliasKey is a request as it arrived; a struct key, so that looking it up
// with the request's own query string allocates nothing.
type aliasKey struct {
	territory, version int64
	query              string
}

// Bounds on aliases: a client that jitters its viewport creates one alias
// per distinct query, so only the first few per entry are kept, and only
// for reasonably short queries.
const (
	maxAliasesPerEntry = 16
	maxAliasQuery      = 512
	entryOverhead      = 160 // bytes of bookkeeping counted per entry
	aliasOverhead      = 64  // and per alias, besides the query
)

// tileEntry is one encoded answer with its response headers built once.
type tileEntry struct {
	key     string
	etag    string
	body    []byte
	aliases []aliasKey

	// Header values shared by every response of this entry: net/http only
	// reads them, and an Add elsewhere would copy before appending.
	etagHdr   []string
	lengthHdr []string

	gzipOnce   sync.Once
	gzipBody   []byte // nil when compression does not pay
	gzipETag   []string
	gzipLength []string
}

// newTileEntry hashes body into a strong ETag and prepares the headers.
func newTileEntry(key string, body []byte) *tileEntry {
	h := fnv.New64a()
	_, _ = h.Write(body)
	etag := `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	return &tileEntry{key: key, etag: etag, body: body,
		etagHdr: []string{etag}, lengthHdr: []string{strconv.Itoa(len(body))}}
}

// gzipped returns the compressed body, made on first use: most map clients
// accept gzip, GeoJSON shrinks about sixfold, and compressing once per
// entry instead of once per response keeps the hit path free of it.
func (e *tileEntry) gzipped() ([]byte, bool) {
	e.gzipOnce.Do(func() {
		if len(e.body) < 1024 {
			return // not worth a header and a decompression
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		_, _ = zw.Write(e.body)
		if zw.Close() != nil || buf.Len() >= len(e.body) {
			return
		}
		e.gzipBody = buf.Bytes()
		// A different representation needs a different strong ETag.
		etag := e.etag[:len(e.etag)-1] + `-gz"`
		e.gzipETag = []string{etag}
		e.gzipLength = []string{strconv.Itoa(len(e.gzipBody))}
	})
	return e.gzipBody, e.gzipBody != nil
}

// size is what an entry counts against the cache's bound. The compressed
// copy is made after insertion and kept only when smaller than the body,
// so counting the body twice keeps the bound honest.
func (e *tileEntry) size() int {
	n := 2*len(e.body) + len(e.key) + entryOverhead
	for _, a := range e.aliases {
		n += len(a.query) + aliasOverhead
	}
	return n
}

func newTileCache(maxBytes int) *tileCache {
	return &tileCache{ll: list.New(), items: map[string]*list.Element{},
		aliases: map[aliasKey]*list.Element{}, filling: map[string]*tileFill{}, maxBytes: maxBytes}
}

// fill returns the entry of key, building it with encode when missing.
// Concurrent misses of one key run encode once; the others wait for it
// and share its answer.
func (c *tileCache) fill(key string, encode func() ([]byte, error)) (*tileEntry, error) {
	c.mu.Lock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*tileEntry), nil
	}
	if f, ok := c.filling[key]; ok {
		c.mu.Unlock()
		<-f.done
		if f.e != nil {
			return f.e, nil
		}
		// The first request failed, perhaps only because its client
		// went away: this one tries on its own.
		body, err := encode()
		if err != nil {
			return nil, err
		}
		e := newTileEntry(key, body)
		c.put(e)
		return e, nil
	}
	f := &tileFill{done: make(chan struct{})}
	c.filling[key] = f
	c.mu.Unlock()
	defer func() { // also when encode panics: waiters then try themselves
		c.mu.Lock()
		delete(c.filling, key)
		c.mu.Unlock()
		close(f.done)
	}()
	body, err := encode()
	if err != nil {
		return nil, err
	}
	f.e = newTileEntry(key, body)
	c.put(f.e)
	return f.e, nil
}

// byAlias finds the entry last served for exactly this request.
func (c *tileCache) byAlias(a aliasKey) (*tileEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.aliases[a]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*tileEntry), true
}

// alias records that request a is answered by e, if e is still cached.
func (c *tileCache) alias(a aliasKey, e *tileEntry) {
	if len(a.query) > maxAliasQuery {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[e.key]
	if !ok || el.Value.(*tileEntry) != e || len(e.aliases) >= maxAliasesPerEntry {
		return
	}
	if _, taken := c.aliases[a]; taken {
		return
	}
	e.aliases = append(e.aliases, a)
	c.aliases[a] = el
	c.bytes += len(a.query) + aliasOverhead
	c.evict()
}

func (c *tileCache) put(e *tileEntry) {
	size := e.size()
	if size > c.maxBytes/8 {
		return // one huge answer must not evict everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[e.key]; ok {
		c.remove(el)
	}
	c.items[e.key] = c.ll.PushFront(e)
	c.bytes += size
	c.evict()
}

func (c *tileCache) evict() {
	for c.bytes > c.maxBytes && c.ll.Len() > 0 {
		c.remove(c.ll.Back())
	}
}

func (c *tileCache) remove(el *list.Element) {
	old := el.Value.(*tileEntry)
	c.ll.Remove(el)
	delete(c.items, old.key)
	for _, a := range old.aliases {
		delete(c.aliases, a)
	}
	c.bytes -= old.size()
}

// purge drops every entry (benchmarks measure misses with it).
func (c *tileCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
	clear(c.aliases)
	c.bytes = 0
}
