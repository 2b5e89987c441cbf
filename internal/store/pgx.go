package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// errNotPostgres is WithPgx's error on SQLite.
var errNotPostgres = errors.New("store: pgx connection asked of an SQLite database")

// WithPgx runs fn with the pgx connection behind one of the reader pool's
// connections (PostgreSQL only), for a hot read that scans straight into
// its destinations: database/sql boxes every column of every row in an
// interface (an allocation each for a number, a time, a text), where pgx's
// own Scan decodes into the pointers it is given. fn's queries are pgx's:
// PostgreSQL's "$n" placeholders, and the connection's statement cache,
// the one database/sql uses too.
func (db *DB) WithPgx(ctx context.Context, fn func(c *pgx.Conn) error) error {
	if db.dialect != Postgres {
		return errNotPostgres
	}
	conn, err := db.R.Conn(ctx)
	if err != nil {
		return db.Translate(err)
	}
	defer conn.Close()
	return db.Translate(conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return sql.ErrConnDone
		}
		return fn(c.Conn())
	}))
}
