package lru

import (
	"fmt"
	"sync"
	"testing"
)

func TestCacheDropsLeastRecentlyUsed(t *testing.T) {
	c := New[string, string](10, func(s string) int { return len(s) })
	c.Put("a", "aaaa")
	c.Put("b", "bbbb")
	if _, ok := c.Get("a"); !ok { // a is now more recent than b
		t.Fatal("a missing")
	}
	c.Put("c", "cccc") // 12 > 10: b goes
	if _, ok := c.Get("b"); ok {
		t.Error("b kept though least recently used")
	}
	for _, k := range []string{"a", "c"} {
		if !c.Contains(k) {
			t.Errorf("%s dropped", k)
		}
	}
	if c.Len() != 2 || c.Used() != 8 {
		t.Errorf("len %d used %d, want 2 and 8", c.Len(), c.Used())
	}
	// Replacing a key counts its new cost only.
	c.Put("a", "aa")
	if v, _ := c.Get("a"); v != "aa" || c.Used() != 6 {
		t.Errorf("after replacing: %q, used %d", v, c.Used())
	}
	// Too large for the bound: not held, and the key's old value goes too
	// (it would be stale).
	c.Put("c", "ccccccccccc")
	if c.Contains("c") || c.Used() != 2 {
		t.Errorf("oversized value held: used %d", c.Used())
	}
	c.Purge()
	if c.Len() != 0 || c.Used() != 0 || c.Contains("a") {
		t.Error("purge left entries")
	}
}

func TestContainsDoesNotRefresh(t *testing.T) {
	c := New[int, int](2, func(int) int { return 1 })
	c.Put(1, 1)
	c.Put(2, 2)
	c.Contains(1) // must not save 1
	c.Put(3, 3)
	if c.Contains(1) || !c.Contains(2) || !c.Contains(3) {
		t.Error("Contains changed the order of eviction")
	}
}

func TestCacheConcurrentUseStaysBounded(t *testing.T) {
	c := New[string, []byte](1000, func(b []byte) int { return len(b) })
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				k := fmt.Sprint(g, "-", i%37)
				if v, ok := c.Get(k); ok && len(v) != 10+i%37 {
					t.Errorf("%s: %d bytes", k, len(v))
					return
				}
				c.Put(k, make([]byte, 10+i%37))
			}
		}()
	}
	wg.Wait()
	if c.Used() > 1000 {
		t.Errorf("used %d over the bound", c.Used())
	}
}
