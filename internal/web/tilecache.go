package web

import (
	"container/list"
	"sync"
)

// tileCache keeps encoded map responses, least recently used first out,
// bounded by their total size so that memory stays predictable whatever
// the viewports asked. Keys carry the territory's data version, so entries
// of an older version are never served and simply age out.
type tileCache struct {
	mu       sync.Mutex
	ll       *list.List
	items    map[string]*list.Element
	bytes    int
	maxBytes int
}

type tileEntry struct {
	key  string
	etag string
	body []byte
}

func newTileCache(maxBytes int) *tileCache {
	return &tileCache{ll: list.New(), items: map[string]*list.Element{}, maxBytes: maxBytes}
}

func (c *tileCache) get(key string) (*tileEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*tileEntry), true
}

func (c *tileCache) put(e *tileEntry) {
	size := len(e.body) + len(e.key) + 64
	if size > c.maxBytes/8 {
		return // one huge answer must not evict everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[e.key]; ok {
		old := el.Value.(*tileEntry)
		c.bytes -= len(old.body) + len(old.key) + 64
		el.Value = e
		c.ll.MoveToFront(el)
	} else {
		c.items[e.key] = c.ll.PushFront(e)
	}
	c.bytes += size
	for c.bytes > c.maxBytes && c.ll.Len() > 0 {
		last := c.ll.Back()
		old := last.Value.(*tileEntry)
		c.ll.Remove(last)
		delete(c.items, old.key)
		c.bytes -= len(old.body) + len(old.key) + 64
	}
}

// purge drops every entry (benchmarks measure misses with it).
func (c *tileCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
	c.bytes = 0
}
