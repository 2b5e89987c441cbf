package store

import (
	"context"
	"database/sql"
	"sync"
)

// On SQLite, parsing and planning a statement costs about as much as
// running it (a quarter of a booking's CPU). The queries of the modules are
// a fixed set of strings, so each is prepared once per pool and kept:
// database/sql prepares it again on each connection of the pool that runs
// it, and a transaction uses the writer's through Tx.StmtContext. PostgreSQL
// needs none of this: pgx caches its prepared statements per connection.

// maxStmts bounds a pool's cache: queries built from filters have many
// texts; past the bound the new ones simply run unprepared.
const maxStmts = 512

type stmtCache struct {
	m      sync.Map // query text -> *sql.Stmt
	mu     sync.Mutex
	n      int
	closed bool
}

// lookup returns the statement for q if it is prepared already.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if v, ok := c.m.Load(q); ok {
		return v.(*sql.Stmt)
	}
	return nil
}

// get returns pool's prepared statement for q, preparing it the first
// time, or nil where statements are not cached (PostgreSQL, a full cache, a
// closed DB, or a text that does not prepare: the caller runs it unprepared
// and gets the error from there).
func (c *stmtCache) get(db *DB, pool *sql.DB, q string) *sql.Stmt {
	if db.dialect != SQLite {
		return nil
	}
	if v, ok := c.m.Load(q); ok {
		return v.(*sql.Stmt)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m.Load(q); ok {
		return v.(*sql.Stmt)
	}
	if c.closed || c.n >= maxStmts {
		return nil
	}
	st, err := pool.PrepareContext(context.Background(), q)
	if err != nil {
		return nil
	}
	c.m.Store(q, st)
	c.n++
	return st
}

// close closes the cached statements; later gets return nil.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.m.Range(func(k, v any) bool {
		_ = v.(*sql.Stmt).Close()
		c.m.Delete(k)
		return true
	})
}
