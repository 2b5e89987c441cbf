package offers

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sharingcity/sharingcity/internal/lru"
)

// wordSets keeps the words' sets of an instance (sql_wordsets.go), bounded
// by bytes, least recently used dropped first, and makes one search build
// or patch a set while the others of the same words wait for it: a
// rebuild takes 0.4 s, which every concurrent search would otherwise pay.
type wordSets struct {
	max     int // bytes
	sets    *lru.Cache[string, *wordSet]
	mu      sync.Mutex // guards flights and started
	flights map[string]*wordFlight
	started uint64 // flights started so far
	// builds and patches count the sets read whole and patched, oversized
	// those read and found too large (tests).
	builds, patches, oversized atomic.Int64
	// large remembers for a while the keys whose set was too large to
	// keep: reading one costs up to max bytes of rows (1,200,000 at
	// 64 MB), which every search of the words paid again.
	large *termFrequency
}

// wordFlight is a build or patch of a set under way.
type wordFlight struct {
	n    uint64 // its number among started
	done chan struct{}
	ws   *wordSet
	err  error
}

func newWordSets(max int) *wordSets {
	return &wordSets{max: max, sets: lru.New[string, *wordSet](max, (*wordSet).bytes), flights: map[string]*wordFlight{},
		large: newTermFrequency(time.Now)}
}

// fresh returns the set of key as refresh makes it from the kept one (nil
// if none): refresh reports same when the kept set is current, else
// fresh keeps what it returns; without rebuild, refresh returns nil
// rather than rebuild. A search waits for a flight under way only
// if it started after the search did (it then saw every change the search
// must); for an older one it waits, then refreshes again.
func (c *wordSets) fresh(ctx context.Context, key string, refresh func(ws *wordSet, rebuild bool) (_ *wordSet, same bool, _ error)) (*wordSet, error) {
	c.mu.Lock()
	mine := c.started
	c.mu.Unlock()
	if ws := c.get(key); ws != nil {
		// The usual case: no change since, or a patch of a few listings,
		// which concurrent searches may each make; only rebuilds wait.
		if got, same, err := refresh(ws, false); err != nil || same {
			return got, err
		} else if got != nil {
			c.put(got)
			return got, nil
		}
	}
	for {
		c.mu.Lock()
		f, ok := c.flights[key]
		if !ok {
			c.started++
			f = &wordFlight{n: c.started, done: make(chan struct{})}
			c.flights[key] = f
			c.mu.Unlock()
			f.ws, f.err = c.run(key, refresh)
			c.mu.Lock()
			delete(c.flights, key)
			c.mu.Unlock()
			close(f.done)
			return f.ws, f.err
		}
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.n > mine {
			return f.ws, f.err
		}
	}
}

func (c *wordSets) run(key string, refresh func(ws *wordSet, rebuild bool) (*wordSet, bool, error)) (*wordSet, error) {
	ws, same, err := refresh(c.get(key), true)
	if err == nil && !same && ws != nil {
		c.put(ws)
	}
	return ws, err
}

// kept reports whether a set of key is kept, fresh or not.
func (c *wordSets) kept(key string) bool { return c.sets.Contains(key) }

func (c *wordSets) get(key string) *wordSet {
	ws, _ := c.sets.Get(key)
	return ws
}

func (c *wordSets) put(ws *wordSet) { c.sets.Put(ws.key, ws) }
