package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

const insertUser = `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', CURRENT_TIMESTAMP)`

func countUsers(t *testing.T, db *store.DB, like string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM users WHERE email LIKE ?`, like).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Concurrent calls: a failing one (its own error, or a constraint
// violation after a write) is rolled back alone, each caller gets its own
// result, and the writes of the others stay.
func TestBatchedSavepoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, insertUser, "taken@example.org"); err != nil {
			t.Fatal(err)
		}
		const n = 120
		errsOut := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errsOut[i] = db.Batched(ctx, func(ctx context.Context) error {
					if !store.HasTx(ctx) {
						return errors.New("no transaction in ctx")
					}
					// Through InTx, as a module's store would: it joins.
					return db.InTx(ctx, func(tx *store.Tx) error {
						if _, err := tx.Exec(ctx, insertUser, fmt.Sprintf("b%d@example.org", i)); err != nil {
							return err
						}
						switch i % 3 {
						case 1:
							return fmt.Errorf("caller %d refuses", i)
						case 2:
							_, err := tx.Exec(ctx, insertUser, "taken@example.org")
							return err
						}
						return nil
					})
				})
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errsOut {
			switch i % 3 {
			case 0:
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
				}
			case 1:
				if err == nil || err.Error() != fmt.Sprintf("caller %d refuses", i) {
					t.Errorf("caller %d: want its own error, got %v", i, err)
				}
			case 2:
				if !store.IsUniqueViolation(err) {
					t.Errorf("caller %d: want a unique violation, got %v", i, err)
				}
			}
		}
		if got := countUsers(t, db, "b%@example.org"); got != n/3 {
			t.Fatalf("%d users written, want %d", got, n/3)
		}
		for i := range n {
			var k int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE email = ?`, fmt.Sprintf("b%d@example.org", i)).Scan(&k); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[i%3 == 0]; k != want {
				t.Fatalf("caller %d: %d rows, want %d", i, k, want)
			}
		}
	})
}

// Inside a transaction carried in ctx, Batched joins it: the outer
// rollback undoes the call.
func TestBatchedJoinsOuterTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		outer := errors.New("outer fails")
		err := db.Batched(ctx, func(ctx context.Context) error {
			if err := db.Batched(ctx, func(ctx context.Context) error {
				_, err := db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.Exec(ctx, insertUser, "nested@example.org")
					return err
				}), error(nil)
				return err
			}); err != nil {
				return err
			}
			return outer
		})
		if !errors.Is(err, outer) {
			t.Fatalf("got %v", err)
		}
		if got := countUsers(t, db, "nested@example.org"); got != 0 {
			t.Fatalf("nested write kept: %d", got)
		}
	})
}

// A panic reaches its own caller, and the batcher keeps serving.
func TestBatchedPanic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Fatalf("recovered %v", p)
				}
			}()
			_ = db.Batched(ctx, func(ctx context.Context) error {
				if err := db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.Exec(ctx, insertUser, "panic@example.org")
					return err
				}); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if err := db.Batched(ctx, func(ctx context.Context) error {
			return db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, insertUser, "after@example.org")
				return err
			})
		}); err != nil {
			t.Fatal(err)
		}
		if countUsers(t, db, "panic@example.org") != 0 || countUsers(t, db, "after@example.org") != 1 {
			t.Fatal("panicking call kept, or the next one lost")
		}
	})
}

// A cancelled caller not yet run is skipped; Close stops the batcher and
// later calls get ErrClosed.
func TestBatchedCancelAndClose(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := db.Batched(ctx, func(ctx context.Context) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("cancelled call: ran %v, err %v", ran, err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Batched(context.Background(), func(ctx context.Context) error {
				return db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.Exec(ctx, insertUser, fmt.Sprintf("c%d@example.org", i))
					return err
				})
			})
			if err != nil && !errors.Is(err, store.ErrClosed) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Batched(context.Background(), func(ctx context.Context) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

// Prepared statements (SQLite): the same query run again while its rows
// are still open in a transaction, and again on the pools, reads right.
func TestPreparedStatementsNested(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != store.SQLite {
			t.Skip("the statement cache is SQLite's; pgx cannot run a query while another's rows are open")
		}
		ctx := context.Background()
		for i := range 3 {
			if _, err := db.Exec(ctx, insertUser, fmt.Sprintf("p%d@example.org", i)); err != nil {
				t.Fatal(err)
			}
		}
		const q = `SELECT email FROM users WHERE email LIKE ? ORDER BY id`
		count := func(qr store.Querier) (int, error) {
			rows, err := qr.Query(ctx, q, "p%")
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
			}
			return n, rows.Err()
		}
		for round := range 3 { // the first round prepares, the next ones reuse
			err := db.InTx(ctx, func(tx *store.Tx) error {
				rows, err := tx.Query(ctx, q, "p%")
				if err != nil {
					return err
				}
				defer rows.Close()
				outer := 0
				for rows.Next() {
					var email string
					if err := rows.Scan(&email); err != nil {
						return err
					}
					if want := fmt.Sprintf("p%d@example.org", outer); email != want {
						return fmt.Errorf("round %d: row %d is %s, want %s", round, outer, email, want)
					}
					outer++
					if n, err := count(tx); err != nil || n != 3 {
						return fmt.Errorf("round %d: inner query: %d rows, %v", round, n, err)
					}
					var k int
					if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE email LIKE ?`, "p%").Scan(&k); err != nil || k != 3 {
						return fmt.Errorf("round %d: count %d, %v", round, k, err)
					}
				}
				if outer != 3 {
					return fmt.Errorf("round %d: outer query read %d rows", round, outer)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := count(db); err != nil || n != 3 {
				t.Fatalf("round %d: pool query: %d rows, %v", round, n, err)
			}
		}
		// A text that does not prepare still gives its error.
		if _, err := db.Exec(ctx, `INSERT INTO no_such_table VALUES (1)`); err == nil {
			t.Fatal("no error from a bad statement")
		}
	})
}
