package directory

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements of the hottest reads ("near me" and
// text search pages) on SQLite's reader pool: the driver parses every
// query again otherwise, about a fifth of a "near me" request. PostgreSQL's
// driver caches its statements by itself. Bounded: queries past maxStmts
// run unprepared.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxStmts = 32

// queryHot runs a read through a prepared statement when it can.
func (s *SQLStore) queryHot(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.inTx || s.postgres() || s.stmts == nil {
		return s.q.Query(ctx, q, args...)
	}
	st, err := s.stmts.get(ctx, s.db.R, q)
	if err != nil || st == nil {
		return s.q.Query(ctx, q, args...)
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, s.db.Translate(err)
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	if len(c.m) >= maxStmts {
		return nil, nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}
