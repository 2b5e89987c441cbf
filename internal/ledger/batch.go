package ledger

import (
	"context"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// On SQLite every write goes through one connection, and a transaction per
// transfer spends its time beginning and committing. Concurrent transfers
// are therefore grouped: one goroutine runs whatever is queued (up to
// maxBatch) in one transaction, each transfer inside its own SAVEPOINT, so
// a refused transfer is rolled back alone and the others commit together.
// Each keeps its guarded UPDATEs and its idempotency key; only the commit
// is shared. PostgreSQL runs transfers side by side and does not batch.

const maxBatch = 256

type batchReq struct {
	ctx  context.Context
	fn   func(st Store) error
	done chan error
}

type batcher struct {
	once sync.Once
	q    chan *batchReq
}

// atomically runs fn in a transaction: a batched one on SQLite, its own
// otherwise (and inside a caller's transaction carried in ctx).
func (s *Service) atomically(ctx context.Context, fn func(st Store) error) error {
	if !s.batch || store.HasTx(ctx) {
		return s.store.WithTx(ctx, fn)
	}
	s.batcher.once.Do(func() {
		s.batcher.q = make(chan *batchReq, maxBatch)
		go s.batchLoop()
	})
	req := &batchReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.batcher.q <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the request runs (unless its context ends first):
	// wait for the verdict rather than guess.
	return <-req.done
}

func (s *Service) batchLoop() {
	for first := range s.batcher.q {
		reqs := []*batchReq{first}
	drain:
		for len(reqs) < maxBatch {
			select {
			case r := <-s.batcher.q:
				reqs = append(reqs, r)
			default:
				break drain
			}
		}
		s.runBatch(reqs)
	}
}

func (s *Service) runBatch(reqs []*batchReq) {
	results := make([]error, len(reqs))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := s.store.WithTx(ctx, func(st Store) error {
		for i, r := range reqs {
			if err := r.ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			if err := st.Savepoint(ctx); err != nil {
				return err
			}
			if err := r.fn(st); err != nil {
				results[i] = err
				if err := st.RollbackToSavepoint(ctx); err != nil {
					return err
				}
			}
			if err := st.ReleaseSavepoint(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	for i, r := range reqs {
		if err != nil {
			r.done <- err
		} else {
			r.done <- results[i]
		}
	}
}
