package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group commit. On SQLite every write goes through one connection, and a
// transaction per call spends most of its time beginning and committing
// (file locks, the WAL frame of the commit). Batched therefore queues
// concurrent callers, and one goroutine runs up to maxBatch of them in ONE
// write transaction, each inside its own SAVEPOINT: a failing call is
// rolled back alone, and only the commit is shared. The order is the
// queue's, one call after the other, as if each had its own transaction on
// the single writer; each call still sees what the previous ones wrote.

// maxBatch bounds the calls sharing one commit.
const maxBatch = 256

// ErrClosed is returned by Batched once the DB is closed.
var ErrClosed = errors.New("store: database closed")

type batchReq struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	done chan batchResult
}

type batchResult struct {
	err    error
	panicV any // fn panicked: the caller panics with it
	panic  bool
}

type batcher struct {
	mu      sync.RWMutex // senders hold it to read; stop takes it to close
	once    sync.Once
	started bool
	closed  bool
	q       chan *batchReq
	quit    chan struct{}
	exited  chan struct{}
}

// Batched runs fn in a write transaction carried in fn's ctx, so that the
// InTx calls fn makes with it (any module's) join that transaction.
//
// On SQLite concurrent callers share the transaction (see above): fn runs
// inside a SAVEPOINT, its error rolls back its own writes only and comes
// back to its caller only; if the shared commit fails, every caller of
// that batch gets the error and none of their writes stay. fn runs on the
// batcher's goroutine with the caller's ctx values; statements ignore the
// caller's cancellation once fn started (a cancelled caller not yet started
// is skipped with ctx.Err()). fn must not wait for another write of the
// same DB made without its ctx: the writer is busy with its batch.
//
// On PostgreSQL, or when ctx already carries a transaction, it is InTx.
func (db *DB) Batched(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.dialect != SQLite || HasTx(ctx) {
		return db.InTx(ctx, func(tx *Tx) error { return fn(ContextWithTx(ctx, tx)) })
	}
	req := &batchReq{ctx: ctx, fn: fn, done: make(chan batchResult, 1)}
	b := &db.batch
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return ErrClosed
	}
	b.once.Do(func() {
		b.q = make(chan *batchReq, maxBatch)
		b.quit = make(chan struct{})
		b.exited = make(chan struct{})
		b.started = true
		go db.batchLoop()
	})
	select {
	case b.q <- req:
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	b.mu.RUnlock()
	// Once queued, the call runs or is skipped: wait for the verdict
	// rather than guess whether it committed.
	res := <-req.done
	if res.panic {
		panic(res.panicV)
	}
	return res.err
}

// stop ends the batcher goroutine: calls already queued still run (the
// pools are closed after stop returns), later ones get ErrClosed.
func (b *batcher) stop() {
	b.mu.Lock()
	already := b.closed
	b.closed = true
	started := b.started
	b.mu.Unlock()
	if started && !already {
		close(b.quit)
		<-b.exited
	}
}

func (db *DB) batchLoop() {
	b := &db.batch
	defer close(b.exited)
	for {
		select {
		case first := <-b.q:
			reqs := []*batchReq{first}
		drain:
			for len(reqs) < maxBatch {
				select {
				case r := <-b.q:
					reqs = append(reqs, r)
				default:
					break drain
				}
			}
			db.runBatch(reqs)
		case <-b.quit:
			// No sender is left (stop took the lock after them): run
			// what they queued.
			for {
				select {
				case r := <-b.q:
					db.runBatch([]*batchReq{r})
				default:
					return
				}
			}
		}
	}
}

const (
	sqlSavepoint = `SAVEPOINT store_batch`
	sqlRollback  = `ROLLBACK TO SAVEPOINT store_batch`
	sqlRelease   = `RELEASE SAVEPOINT store_batch`
)

// runBatch runs reqs in one transaction and tells each caller its result.
func (db *DB) runBatch(reqs []*batchReq) {
	results := make([]batchResult, len(reqs))
	bg := context.Background()
	var err error
	if len(reqs) == 1 {
		// Alone: its own transaction, no savepoint needed.
		r := reqs[0]
		if err = r.ctx.Err(); err == nil {
			err = db.inTxShared(bg, true, func(tx *Tx) error {
				results[0] = call(r, tx)
				if results[0].panic {
					return errPanicked
				}
				return results[0].err
			})
		}
		if results[0].panic {
			r.done <- results[0]
		} else {
			r.done <- batchResult{err: err}
		}
		return
	}
	err = db.inTxShared(bg, true, func(tx *Tx) error {
		for i, r := range reqs {
			if err := r.ctx.Err(); err != nil {
				results[i].err = err
				continue
			}
			if _, err := tx.Exec(bg, sqlSavepoint); err != nil {
				return err
			}
			results[i] = call(r, tx)
			if results[i].err != nil || results[i].panic {
				if _, err := tx.Exec(bg, sqlRollback); err != nil {
					return fmt.Errorf("store: batch: %w", err)
				}
			}
			if _, err := tx.Exec(bg, sqlRelease); err != nil {
				return fmt.Errorf("store: batch: %w", err)
			}
		}
		return nil
	})
	for i, r := range reqs {
		switch {
		case results[i].panic:
			r.done <- results[i]
		case err != nil:
			r.done <- batchResult{err: err}
		default:
			r.done <- results[i]
		}
	}
}

var errPanicked = errors.New("store: batched call panicked")

// call runs r's fn in tx, turning a panic into a result for its caller.
func call(r *batchReq, tx *Tx) (res batchResult) {
	defer func() {
		if p := recover(); p != nil {
			res = batchResult{panic: true, panicV: p, err: errPanicked}
		}
	}()
	return batchResult{err: r.fn(ContextWithTx(r.ctx, tx))}
}
