package store

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Group commit, one mechanism for both dialects. A write of its own pays a
// commit (a WAL flush, on SQLite the file locks) and on PostgreSQL a round
// trip; under load those dominate. A Group therefore queues concurrent
// calls, and writers (goroutines that exist only while the queue is not
// empty, at most GroupConfig.Writers of them) take them a batch at a time
// and write each batch with one commit: DB.Batched on SQLite (one
// transaction, a savepoint per call), booking_reserve_many on PostgreSQL
// (one statement). What each call checks and writes is unchanged; only
// the commit is shared. The batch holds its locks until that commit, so
// writes that contend for the same rows can lose more than they gain:
// measure (the ledger's PostgreSQL transfers, batched, were 16-25 % slower:
// transfers on the same accounts waited for whole batches). A batch that fails
// as a whole (a broken connection, a deadlock, a failed commit, a bad
// row) wrote nothing, so its calls are written again one by one: one
// call's failure never becomes another's.

// ErrClosed is returned by a Group (and so by Batched) once the DB is closed.
var ErrClosed = errors.New("store: database closed")

// GroupConfig bounds a Group.
type GroupConfig struct {
	// MaxBatch bounds the calls written together.
	MaxBatch int
	// Writers bounds the batches in flight at once: 1 for SQLite's single
	// writer; a few on PostgreSQL, each holding a connection until its
	// commit.
	Writers int
	// Window is how long a writer that found fewer than MaxBatch calls
	// waits for more before writing. With 0 it writes what it found: calls
	// that arrive while every writer is busy still go together, and a call
	// alone waits for nothing.
	Window time.Duration
}

// Call is a queued call: its caller's context (without its cancellation:
// once a batch started, one caller giving up must not roll back the
// others) and its item.
type Call[T any] struct {
	Ctx  context.Context
	Item T
}

// Group queues the calls of one kind of write. Make it with NewGroup.
type Group[T any] struct {
	cfg GroupConfig
	// many writes two calls or more with one commit and returns each
	// one's result, in order; an error of its own means that nothing was
	// written (each call is then written alone by one).
	many func(calls []Call[T]) ([]error, error)
	one  func(call Call[T]) error

	mu      sync.Mutex
	queue   []*groupReq[T]
	writers int
	closed  bool
	running sync.WaitGroup // the writers; Add only under mu while !closed
}

type groupReq[T any] struct {
	call Call[T]
	ctx  context.Context // with its cancellation, to skip a caller who gave up
	done chan error
}

// NewGroup returns a Group whose batches many writes and whose lone calls
// one writes. Closing db closes it (see Close).
func NewGroup[T any](db *DB, cfg GroupConfig, many func(calls []Call[T]) ([]error, error), one func(call Call[T]) error) *Group[T] {
	cfg.MaxBatch, cfg.Writers = max(1, cfg.MaxBatch), max(1, cfg.Writers)
	g := &Group[T]{cfg: cfg, many: many, one: one}
	if db != nil {
		db.onClose(g.Close)
	}
	return g
}

// Do queues item and returns its result once written. A caller whose ctx
// is done before its batch starts is skipped with ctx.Err(); once queued,
// Do waits for the verdict rather than guess whether it committed.
func (g *Group[T]) Do(ctx context.Context, item T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &groupReq[T]{call: Call[T]{Ctx: context.WithoutCancel(ctx), Item: item}, ctx: ctx, done: make(chan error, 1)}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return ErrClosed
	}
	g.queue = append(g.queue, req)
	if g.writers < g.cfg.Writers {
		g.writers++
		g.running.Add(1)
		go g.write()
	}
	g.mu.Unlock()
	return <-req.done
}

// Close refuses new calls with ErrClosed and returns once the calls
// already queued are written. The DB closes its Groups before its pools.
func (g *Group[T]) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.running.Wait()
}

// write writes queued batches until the queue is empty. A writer leaves
// only under mu with the queue empty, so every queued call has one.
func (g *Group[T]) write() {
	defer g.running.Done()
	for {
		g.mu.Lock()
		if g.cfg.Window > 0 && len(g.queue) > 0 && len(g.queue) < g.cfg.MaxBatch && !g.closed {
			g.mu.Unlock()
			time.Sleep(g.cfg.Window)
			g.mu.Lock()
		}
		n := min(len(g.queue), g.cfg.MaxBatch)
		if n == 0 {
			g.writers--
			g.mu.Unlock()
			return
		}
		reqs := g.queue[:n:n]
		g.queue = g.queue[n:]
		if len(g.queue) == 0 {
			g.queue = nil
		}
		g.mu.Unlock()
		for i, err := range g.run(reqs) {
			reqs[i].done <- err
		}
	}
}

// RunBatch writes calls now, together, as a writer would (cancelled
// callers skipped, one by one if the batch fails): for a caller that
// holds several at once, and for tests.
func (g *Group[T]) RunBatch(calls []Call[T]) []error {
	reqs := make([]*groupReq[T], len(calls))
	for i, c := range calls {
		reqs[i] = &groupReq[T]{call: Call[T]{Ctx: context.WithoutCancel(c.Ctx), Item: c.Item}, ctx: c.Ctx}
	}
	return g.run(reqs)
}

// run writes reqs and returns each one's result.
func (g *Group[T]) run(reqs []*groupReq[T]) []error {
	out := make([]error, len(reqs))
	live := g.live(reqs, out)
	if len(live) > 1 {
		calls := make([]Call[T], len(live))
		for j, i := range live {
			calls[j] = reqs[i].call
		}
		if res, err := g.many(calls); err == nil {
			for j, i := range live {
				out[i] = res[j]
			}
			return out
		}
		// The batch wrote nothing: each call is written alone.
		live = g.live(reqs, out)
	}
	for _, i := range live {
		out[i] = g.one(reqs[i].call)
	}
	return out
}

// live returns the indexes of the reqs whose caller still waits, and
// sets the others' results to their ctx's error.
func (g *Group[T]) live(reqs []*groupReq[T], out []error) []int {
	live := make([]int, 0, len(reqs))
	for i, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			out[i] = err // gave up before its turn: not written
			continue
		}
		live = append(live, i)
	}
	return live
}
