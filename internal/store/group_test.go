package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// groupProbe records how a Group calls its writers.
type groupProbe struct {
	mu         sync.Mutex
	batches    []int // size of each batch given to many
	alone      int
	inFlight   atomic.Int32
	maxFlight  atomic.Int32
	failMany   func(items []int) bool
	manyCalled chan struct{}
}

func (p *groupProbe) enter() func() {
	n := p.inFlight.Add(1)
	for {
		m := p.maxFlight.Load()
		if n <= m || p.maxFlight.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond) // a commit's worth: let calls pile up
	return func() { p.inFlight.Add(-1) }
}

func (p *groupProbe) group(cfg store.GroupConfig) *store.Group[int] {
	many := func(calls []store.Call[int]) ([]error, error) {
		defer p.enter()()
		items := make([]int, len(calls))
		for i, c := range calls {
			items[i] = c.Item
			if c.Ctx.Done() != nil {
				return nil, errors.New("a call's context can still be cancelled")
			}
		}
		p.mu.Lock()
		p.batches = append(p.batches, len(calls))
		p.mu.Unlock()
		if p.failMany != nil && p.failMany(items) {
			return nil, errors.New("batch fails")
		}
		out := make([]error, len(calls))
		for i, it := range items {
			if it%5 == 4 {
				out[i] = fmt.Errorf("item %d refused", it)
			}
		}
		return out, nil
	}
	one := func(c store.Call[int]) error {
		defer p.enter()()
		p.mu.Lock()
		p.alone++
		p.mu.Unlock()
		if c.Item%5 == 4 {
			return fmt.Errorf("item %d refused", c.Item)
		}
		return nil
	}
	return store.NewGroup(nil, cfg, many, one)
}

// Concurrent calls go in batches no larger than MaxBatch, with no more
// than Writers at once, and each caller gets its own result; a batch that
// fails as a whole is written one by one.
func TestGroupBatchesAndFallback(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  store.GroupConfig
		fail bool
	}{
		{"one writer", store.GroupConfig{MaxBatch: 8, Writers: 1}, false},
		{"three writers", store.GroupConfig{MaxBatch: 8, Writers: 3}, false},
		{"window", store.GroupConfig{MaxBatch: 8, Writers: 2, Window: time.Millisecond}, false},
		{"failing batches", store.GroupConfig{MaxBatch: 8, Writers: 2}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &groupProbe{}
			if tc.fail {
				p.failMany = func(items []int) bool { return true }
			}
			g := p.group(tc.cfg)
			const n = 200
			got := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() { defer wg.Done(); got[i] = g.Do(context.Background(), i) }()
			}
			wg.Wait()
			for i, err := range got {
				if want := i%5 == 4; (err != nil) != want || (want && err.Error() != fmt.Sprintf("item %d refused", i)) {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if m := p.maxFlight.Load(); m > int32(tc.cfg.Writers) {
				t.Fatalf("%d writers at once, want ≤ %d", m, tc.cfg.Writers)
			}
			total := p.alone
			for _, b := range p.batches {
				if b > tc.cfg.MaxBatch || b < 2 {
					t.Fatalf("batch of %d", b)
				}
				if !tc.fail {
					total += b
				}
			}
			if total != n {
				t.Fatalf("%d calls written, want %d", total, n)
			}
			if len(p.batches) == 0 {
				t.Fatal("no batch: every call went alone")
			}
		})
	}
}

// A caller whose context is done before its turn is skipped; Close
// writes what is queued, then refuses new calls.
func TestGroupCancelAndClose(t *testing.T) {
	p := &groupProbe{}
	g := p.group(store.GroupConfig{MaxBatch: 4, Writers: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Do(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	calls := []store.Call[int]{{Ctx: context.Background(), Item: 0}, {Ctx: ctx, Item: 1}, {Ctx: context.Background(), Item: 2}}
	cancel()
	got := g.RunBatch(calls)
	if got[0] != nil || !errors.Is(got[1], context.Canceled) || got[2] != nil {
		t.Fatalf("batch with a cancelled caller: %v", got)
	}
	var wg sync.WaitGroup
	var done atomic.Int32
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.Do(context.Background(), i*5); err == nil {
				done.Add(1)
			} else if !errors.Is(err, store.ErrClosed) {
				t.Error(err)
			}
		}()
	}
	time.Sleep(time.Millisecond)
	g.Close()
	// The calls queued before Close were written before it returned.
	written := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		n := p.alone
		for _, b := range p.batches {
			n += b
		}
		return n
	}
	n := written()
	wg.Wait()
	if written() != n || int(done.Load()) != n-2 {
		t.Fatalf("written %d at Close, %d after; %d callers served", n, written(), done.Load())
	}
	if err := g.Do(context.Background(), 0); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}
