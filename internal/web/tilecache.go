package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"fmt"
	"hash/fnv"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

// tileCache keeps encoded map responses, least recently used first out,
// bounded by their total size so that memory stays predictable whatever
// the viewports asked. Keys carry the territory's data version, so entries
// of an older version are never served and simply age out.
//
// Entries are kept gzip-compressed (GeoJSON shrinks about sixfold), which is
// what browsers and map clients ask for: the cache holds six times the
// entries in the same memory, and a hit for such a client copies the
// stored bytes. For clients that do not accept gzip, the plain bodies of
// the most recently served entries are kept beside them, in a second,
// smaller bound; a plain body evicted from it is decompressed again when
// asked.
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

	plain      *list.List // of *tileEntry holding a plain copy, most recent first
	plainBytes int
	maxPlain   int

	// Gzip writers, at most one per CPU: a writer is over 1 MB (its hash
	// tables are arrays inside it), compressing is CPU-bound, and a pool
	// would keep one per concurrent miss (32 under wrk -c32).
	zippers     chan *gzip.Writer
	zippersMade atomic.Int32
	unzippers   sync.Pool // *gzip.Reader, about 40 kB
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
	gz      []byte // the compressed body; nil when compression does not pay
	aliases []aliasKey

	// body is the plain body: always there when gz is nil; otherwise a
	// copy kept in the cache's plain list (plainEl), guarded by its mutex.
	body    []byte
	plainEl *list.Element

	// Header values shared by every response of this entry: net/http only
	// reads them, and an Add elsewhere would copy before appending.
	etagHdr    []string
	lengthHdr  []string
	gzipETag   []string
	gzipLength []string
}

// newEntry hashes body into a strong ETag, compresses it and prepares the
// headers. The plain body is left on the entry: put keeps it as the first
// plain copy, or drops it.
func (c *tileCache) newEntry(key string, body []byte) *tileEntry {
	h := fnv.New64a()
	_, _ = h.Write(body)
	etag := `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	e := &tileEntry{key: key, etag: etag, body: body,
		etagHdr: []string{etag}, lengthHdr: []string{strconv.Itoa(len(body))}}
	if len(body) < 1024 {
		return e // not worth a header and a decompression
	}
	var buf bytes.Buffer
	buf.Grow(len(body) / 4)
	zw := c.zipper()
	zw.Reset(&buf)
	_, _ = zw.Write(body)
	err := zw.Close()
	zw.Reset(io.Discard) // let go of buf
	c.zippers <- zw
	if err != nil || buf.Len() >= len(body) {
		return e
	}
	e.gz = bytes.Clone(buf.Bytes()) // exact size: buf grew by doubling
	// A different representation needs a different strong ETag.
	e.gzipETag = []string{etag[:len(etag)-1] + `-gz"`}
	e.gzipLength = []string{strconv.Itoa(len(e.gz))}
	return e
}

// zipper takes a gzip writer, made when fewer than the bound exist,
// else waited for; give it back to c.zippers.
func (c *tileCache) zipper() *gzip.Writer {
	select {
	case zw := <-c.zippers:
		return zw
	default:
	}
	if c.zippersMade.Add(1) <= int32(cap(c.zippers)) {
		zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
		return zw
	}
	c.zippersMade.Add(-1)
	return <-c.zippers
}

// size is what an entry counts against the cache's bound: its stored
// body (compressed when it is), key and aliases. Plain copies of
// compressed entries count against the plain bound instead.
func (e *tileEntry) size() int {
	n := len(e.gz) + len(e.key) + entryOverhead
	if e.gz == nil {
		n += len(e.body)
	}
	for _, a := range e.aliases {
		n += len(a.query) + aliasOverhead
	}
	return n
}

// plainBody returns e's uncompressed body: the entry's own, a kept copy,
// or the compressed one decompressed again (and kept).
func (c *tileCache) plainBody(e *tileEntry) ([]byte, error) {
	if e.gz == nil {
		return e.body, nil
	}
	c.mu.Lock()
	if e.plainEl != nil {
		c.plain.MoveToFront(e.plainEl)
		body := e.body
		c.mu.Unlock()
		return body, nil
	}
	c.mu.Unlock()
	zr, _ := c.unzippers.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(e.gz))
	} else {
		err = zr.Reset(bytes.NewReader(e.gz))
	}
	if err != nil {
		return nil, fmt.Errorf("map cache: %w", err)
	}
	n, _ := strconv.Atoi(e.lengthHdr[0])
	body := make([]byte, n)
	_, err = io.ReadFull(zr, body)
	c.unzippers.Put(zr)
	if err != nil {
		return nil, fmt.Errorf("map cache: %w", err)
	}
	c.mu.Lock()
	c.keepPlainLocked(e, body)
	c.mu.Unlock()
	return body, nil
}

// keepPlainLocked keeps body as e's plain copy, if e is cached and has
// none, then trims the plain copies to their bound.
func (c *tileCache) keepPlainLocked(e *tileEntry, body []byte) {
	if e.gz == nil || e.plainEl != nil || len(body) > c.maxPlain/4 {
		return
	}
	if el, ok := c.items[e.key]; !ok || el.Value.(*tileEntry) != e {
		return
	}
	e.body = body
	e.plainEl = c.plain.PushFront(e)
	c.plainBytes += len(body)
	for c.plainBytes > c.maxPlain {
		c.dropPlainLocked(c.plain.Back().Value.(*tileEntry))
	}
}

func (c *tileCache) dropPlainLocked(e *tileEntry) {
	if e.plainEl == nil {
		return
	}
	c.plain.Remove(e.plainEl)
	c.plainBytes -= len(e.body)
	e.plainEl, e.body = nil, nil
}

// newTileCache bounds the stored entries by maxBytes and the plain copies
// of compressed ones by maxPlain.
func newTileCache(maxBytes, maxPlain int) *tileCache {
	return &tileCache{ll: list.New(), items: map[string]*list.Element{},
		aliases: map[aliasKey]*list.Element{}, filling: map[string]*tileFill{}, maxBytes: maxBytes,
		plain: list.New(), maxPlain: maxPlain, zippers: make(chan *gzip.Writer, runtime.GOMAXPROCS(0))}
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
		e := c.newEntry(key, body)
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
	f.e = c.newEntry(key, body)
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

// put stores e. The plain body a compressed entry arrives with becomes
// its first plain copy: whoever asked for it may not accept gzip. The
// caller keeps e's body to answer even when it is not stored.
func (c *tileCache) put(e *tileEntry) {
	body := e.body
	if e.gz != nil {
		e.body = nil // until kept below
	}
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
	c.keepPlainLocked(e, body)
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
	c.dropPlainLocked(old)
}

// purge drops every entry (benchmarks measure misses with it).
func (c *tileCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
	clear(c.aliases)
	c.bytes = 0
	for el := c.plain.Front(); el != nil; el = el.Next() {
		e := el.Value.(*tileEntry)
		e.plainEl, e.body = nil, nil
	}
	c.plain.Init()
	c.plainBytes = 0
}
