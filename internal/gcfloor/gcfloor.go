// Package gcfloor keeps the collector from running after less than a
// floor of new allocation. A GC percent low enough to bound memory when
// the live heap is large (serve's 50) makes the collector run very often
// when the live heap is small: 12 MB live at 50 % is a collection every
// 6 MB allocated, 15 a second under one client's "near me" requests. On
// two vCPUs shared with PostgreSQL and the client, each collection's idle
// mark workers take both for about 1.5 ms, which was the tail of every
// near-me request at p99 (bench/README.md, session 7). After each
// collection, Keep raises the percentage so that the next one comes after
// at least floor bytes, and lowers it back to base as the live heap
// grows: the heap's peak is then live + max(live × base %, floor).
package gcfloor

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// maxPercent bounds the percentage for a nearly empty heap.
const maxPercent = 1000

// Percent is the GC percentage for a live heap of live bytes: base, or
// more when base would allow less than floor bytes before the next
// collection.
func Percent(base int, floor, live uint64) int {
	if live == 0 {
		return maxPercent
	}
	p := int(min((floor*100+live-1)/live, maxPercent)) // rounded up: at least floor
	if live*uint64(base)/100 >= floor || p <= base {
		return base
	}
	return p
}

// Keep sets the GC percentage after every collection until ctx ends,
// through set (debug.SetGCPercent when nil).
func Keep(ctx context.Context, base int, floor uint64, set func(int)) {
	if set == nil {
		set = func(p int) { debug.SetGCPercent(p) }
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	last := -1
	var arm func()
	arm = func() {
		// A finalizer runs after the collection that found its object
		// unreachable: one per cycle, re-armed each time. The object has
		// a pointer so that the tiny allocator does not batch it with
		// others, whose finalizers might then never run.
		runtime.SetFinalizer(&struct{ p *int }{}, func(any) {
			if ctx.Err() != nil {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				if p := Percent(base, floor, sample[0].Value.Uint64()); p != last {
					set(p)
					last = p
				}
			}
			arm()
		})
	}
	arm()
}
