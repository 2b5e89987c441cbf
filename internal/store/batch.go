package store

import (
	"context"
	"errors"
	"fmt"
)

// Batched on SQLite is the Group of group.go with one writer. Every write
// goes through SQLite's one connection, and a transaction per call spends
// most of its time beginning and committing, so concurrent callers share
// ONE write transaction, each inside its own SAVEPOINT: a failing call is
// rolled back alone, and only the commit is shared. The order is the
// queue's, one call after the other, as if each had its own transaction
// on the single writer; each call still sees what the previous ones wrote.

// maxBatch bounds the calls sharing one commit.
const maxBatch = 256

// batchFn is a call of Batched.
type batchFn = func(ctx context.Context) error

func (db *DB) newBatcher() *Group[batchFn] {
	return NewGroup(db, GroupConfig{MaxBatch: maxBatch, Writers: 1}, db.runBatch, db.runAlone)
}

// Batched runs fn in a write transaction carried in fn's ctx, so that the
// InTx calls fn makes with it (any module's) join that transaction.
//
// On SQLite concurrent callers share the transaction (see above): fn runs
// inside a SAVEPOINT, its error rolls back its own writes only and comes
// back to its caller only. If the shared transaction fails as a whole (its
// commit), none of its writes stay and each call runs again alone, so fn
// must be safe to run twice, as InTx's retries on PostgreSQL already ask.
// fn runs on a writer goroutine with the caller's ctx values but not its
// cancellation (a cancelled caller not yet started is skipped with
// ctx.Err()). fn must not wait for another write of the same DB made
// without its ctx: the writer is busy with its batch. A panic in fn
// reaches its caller.
//
// On PostgreSQL, or when ctx already carries a transaction, it is InTx: a
// PostgreSQL module gains from sharing a commit only when its batch is one
// statement, and makes its own Group for it (booking).
func (db *DB) Batched(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.dialect != SQLite || HasTx(ctx) {
		return db.InTx(ctx, func(tx *Tx) error { return fn(ContextWithTx(ctx, tx)) })
	}
	err := db.batch.Do(ctx, fn)
	var p *panicked
	if errors.As(err, &p) {
		panic(p.v)
	}
	return err
}

const (
	sqlSavepoint = `SAVEPOINT store_batch`
	sqlRollback  = `ROLLBACK TO SAVEPOINT store_batch`
	sqlRelease   = `RELEASE SAVEPOINT store_batch`
)

// runBatch runs calls in one transaction, a savepoint each.
func (db *DB) runBatch(calls []Call[batchFn]) ([]error, error) {
	results := make([]error, len(calls))
	bg := context.Background()
	err := db.inTxShared(bg, true, func(tx *Tx) error {
		for i, c := range calls {
			if _, err := tx.Exec(bg, sqlSavepoint); err != nil {
				return err
			}
			if results[i] = call(c, tx); results[i] != nil {
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
	if err != nil {
		return nil, err
	}
	return results, nil
}

// runAlone runs c in its own transaction: no savepoint needed.
func (db *DB) runAlone(c Call[batchFn]) error {
	var res error
	err := db.inTxShared(context.Background(), true, func(tx *Tx) error {
		res = call(c, tx)
		return res
	})
	if res != nil {
		return res
	}
	return err
}

// panicked carries a panic of fn back to Batched's caller.
type panicked struct{ v any }

func (p *panicked) Error() string { return fmt.Sprintf("store: batched call panicked: %v", p.v) }

// call runs c's fn in tx, turning a panic into an error for its caller.
func call(c Call[batchFn], tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicked{v: p}
		}
	}()
	return c.Item(ContextWithTx(c.Ctx, tx))
}
