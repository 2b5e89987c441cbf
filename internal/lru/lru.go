// Package lru is a map bounded by the total cost of what it holds, the
// least recently used entries dropped first: the caches of an instance
// (search pages, offers' word sets) bound their memory with it, whatever
// the requests ask.
package lru

import (
	"container/list"
	"sync"
)

// Cache maps keys to values, at most max in total cost, as cost counts
// each value when it is put. It is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	used  int
	cost  func(V) int
	ll    list.List // of *entry[K, V], front: most recently used
	byKey map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	cost int
}

// New returns an empty cache of at most max in total cost.
func New[K comparable, V any](max int, cost func(V) int) *Cache[K, V] {
	return &Cache[K, V]{max: max, cost: cost, byKey: map[K]*list.Element{}}
}

// Get returns the value of key and makes it the most recently used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*entry[K, V]).val, true
}

// Contains reports whether key is held, without making it more recent.
func (c *Cache[K, V]) Contains(key K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.byKey[key]
	return ok
}

// Put holds val under key in place of what key held, dropping the least
// recently used entries until the total fits. A value costing more than
// the whole bound is not held (and key then holds nothing).
func (c *Cache[K, V]) Put(key K, val V) {
	n := c.cost(val)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.remove(e)
	}
	if n > c.max {
		return
	}
	for c.used+n > c.max {
		c.remove(c.ll.Back())
	}
	c.byKey[key] = c.ll.PushFront(&entry[K, V]{key: key, val: val, cost: n})
	c.used += n
}

func (c *Cache[K, V]) remove(e *list.Element) {
	en := c.ll.Remove(e).(*entry[K, V])
	c.used -= en.cost
	delete(c.byKey, en.key)
}

// Purge drops everything.
func (c *Cache[K, V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.byKey)
	c.used = 0
}

// Len and Used are how many entries are held and their total cost.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}

func (c *Cache[K, V]) Used() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}
