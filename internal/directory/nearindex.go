package directory

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// nearIndexes keeps one memIndex per territory, for the territory's data
// version it was built at. Like the map's tile cache it is per instance and
// keyed by the version stored in the database, so instances never talk to
// each other: a request that brings a newer version than the index's starts
// one rebuild in the background and is answered by the database meanwhile,
// as are the requests that come while it runs. Memory is bounded by
// maxPoints over all territories, least recently used dropped first.
type nearIndexes struct {
	load      func(ctx context.Context, territoryID int64, sink PointSink) error
	log       *slog.Logger
	maxPoints int

	mu       sync.Mutex
	byTer    map[int64]*nearEntry
	building map[int64]chan struct{}
	tick     uint64
}

type nearEntry struct {
	key  dataKey
	ix   *memIndex
	used uint64
}

// covers reports whether an index built at key serves requests at want:
// built at the same local changes and at least the data version (an index
// newer than the caller's version, read a moment earlier, is as good).
func (k dataKey) covers(want dataKey) bool {
	return k.local == want.local && k.version >= want.version
}

// maxNearPoints bounds the initiatives indexed by one instance: about 100
// bytes each with their names, so 50 MB at most.
const maxNearPoints = 500_000

// buildTimeout bounds one rebuild, which reads one column set of the
// territory's published rows.
const buildTimeout = time.Minute

func newNearIndexes(load func(ctx context.Context, territoryID int64, sink PointSink) error, log *slog.Logger) *nearIndexes {
	return &nearIndexes{load: load, log: log, maxPoints: maxNearPoints,
		byTer: map[int64]*nearEntry{}, building: map[int64]chan struct{}{}}
}

// get returns the index of the territory at key, or nil when there is
// none yet; then it starts building one.
func (n *nearIndexes) get(territoryID int64, key dataKey) *memIndex {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tick++
	if e := n.byTer[territoryID]; e != nil && e.key.covers(key) {
		e.used = n.tick
		return e.ix
	}
	n.startLocked(territoryID, key)
	return nil
}

// prepare builds the territory's index now unless it is current, and
// waits for it.
func (n *nearIndexes) prepare(ctx context.Context, territoryID int64, key dataKey) {
	for {
		n.mu.Lock()
		if e := n.byTer[territoryID]; e != nil && e.key.covers(key) {
			n.mu.Unlock()
			return
		}
		done := n.startLocked(territoryID, key)
		n.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
		n.mu.Lock()
		e := n.byTer[territoryID]
		n.mu.Unlock()
		if e == nil || !e.key.covers(key) {
			return // failed, too large, or changed again: the database answers
		}
	}
}

// startLocked starts a rebuild unless one is running, and returns a
// channel closed when it ends. The rows read after the caller saw key are
// at least as new as it, so the index is labelled with it.
func (n *nearIndexes) startLocked(territoryID int64, key dataKey) chan struct{} {
	if done, ok := n.building[territoryID]; ok {
		return done
	}
	done := make(chan struct{})
	n.building[territoryID] = done
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		start := time.Now()
		b := newMemIndexBuilder(n.maxPoints)
		err := n.load(ctx, territoryID, b)
		var ix *memIndex
		if err == nil {
			ix = b.build()
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		delete(n.building, territoryID)
		switch {
		case err != nil:
			n.log.Warn("directory: near index", "territory", territoryID, "err", err)
			return
		case ix == nil:
			return // larger than the whole budget: the database answers
		}
		if e := n.byTer[territoryID]; e != nil && (e.key.local > key.local || e.key.version > key.version) {
			return
		}
		n.byTer[territoryID] = &nearEntry{key: key, ix: ix, used: n.tick}
		n.evictLocked(territoryID)
		n.log.Debug("directory: near index built", "territory", territoryID, "version", key.version,
			"points", ix.size(), "took", time.Since(start))
	}()
	return done
}

// full reports whether the indexes held use the whole budget of points.
func (n *nearIndexes) full() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.heldLocked() >= n.maxPoints
}

func (n *nearIndexes) heldLocked() int {
	total := 0
	for _, e := range n.byTer {
		total += e.ix.size()
	}
	return total
}

// evictLocked drops the least recently used indexes, other than keep's,
// until the points held fit the budget.
func (n *nearIndexes) evictLocked(keep int64) {
	for n.heldLocked() > n.maxPoints {
		var victim int64
		var oldest *nearEntry
		for id, e := range n.byTer {
			if id != keep && (oldest == nil || e.used < oldest.used) {
				victim, oldest = id, e
			}
		}
		if oldest == nil {
			return
		}
		delete(n.byTer, victim)
	}
}
