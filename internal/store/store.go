// Package store opens the database (SQLite by default, PostgreSQL for larger
// deployments), applies migrations, runs transactions and turns driver errors
// into errs kinds. Modules keep their own SQL; this package only gives them a
// connection that speaks both dialects.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the connection every module's store uses. On SQLite it holds two
// pools: one single writer connection (SQLite allows one writer at a time, so
// queuing writers in Go avoids SQLITE_BUSY under load) and several readers
// that WAL lets run beside it. On PostgreSQL both are the same pool.
type DB struct {
	dialect Dialect
	W       *sql.DB // writes and transactions
	R       *sql.DB // reads outside transactions

	rebound sync.Map // query text -> PostgreSQL text with $n placeholders

	batch  *Group[batchFn] // groups concurrent Batched calls on SQLite (batch.go)
	wStmts stmtCache       // prepared statements of W on SQLite (stmtcache.go)
	rStmts stmtCache       // prepared statements of R on SQLite

	closeMu sync.Mutex
	closers []func() // the Groups of db, closed before the pools
}

// onClose has Close call fn before it closes the pools.
func (db *DB) onClose(fn func()) {
	db.closeMu.Lock()
	db.closers = append(db.closers, fn)
	db.closeMu.Unlock()
}

// IsPostgresURL reports whether dsn selects PostgreSQL.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL or an SQLite file path (optionally
// prefixed with "sqlite:" or "file:"). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(4 * runtime.GOMAXPROCS(0))
	pool.SetMaxIdleConns(4 * runtime.GOMAXPROCS(0))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	return &DB{dialect: Postgres, W: pool, R: pool}, nil
}

func openSQLite(ctx context.Context, dsn string) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errs.E(errs.Invalid, "err.db_path_empty")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", dir, err)
		}
	}
	// A 2 MB page cache per connection (six of them): the OS caches the file
	// too, and the server's memory stays under 100 MB (a 100,000-entry city
	// measured at 104 MB peak with 4 MB).
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)", "cache_size(-2000)"} {
		pragmas.Add("_pragma", p)
	}
	pragmas.Set("_time_format", "sqlite")
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	pragmas.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	db := &DB{dialect: SQLite, W: w, R: r}
	db.batch = db.newBatcher()
	return db, nil
}

// Close closes the Groups (the calls they queued are written first), then
// the prepared statements and both pools.
func (db *DB) Close() error {
	db.closeMu.Lock()
	closers := db.closers
	db.closeMu.Unlock()
	for _, fn := range closers {
		fn()
	}
	db.wStmts.close()
	db.rStmts.close()
	err := db.W.Close()
	if db.R != db.W {
		err = errors.Join(err, db.R.Close())
	}
	return err
}

// Rebind turns the portable "?" placeholders of q into PostgreSQL's "$n".
// Results are cached: queries are a fixed set of strings.
func (db *DB) Rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	if v, ok := db.rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	db.rebound.Store(q, out)
	return out
}

// Querier is what both *DB and *Tx offer, so store functions can run inside
// or outside a transaction. Queries use "?" placeholders in both dialects.
type Querier interface {
	Exec(ctx context.Context, q string, args ...any) (sql.Result, error)
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *Row
	Dialect() Dialect
}

// Row is *sql.Row whose Scan translates driver errors into errs kinds.
type Row struct {
	row *sql.Row
	db  *DB
}

// Scan copies the row's columns into dest.
func (r *Row) Scan(dest ...any) error { return r.db.Translate(r.row.Scan(dest...)) }

// Exec runs a write on the writer pool.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := db.wStmts.get(db, db.W, q); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, db.Translate(err)
	}
	res, err := db.W.ExecContext(ctx, db.Rebind(q), args...)
	return res, db.Translate(err)
}

// Query reads on the reader pool.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := db.rStmts.get(db, db.R, q); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, db.Translate(err)
	}
	rows, err := db.R.QueryContext(ctx, db.Rebind(q), args...)
	return rows, db.Translate(err)
}

// QueryRow reads one row on the reader pool.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *Row {
	if st := db.rStmts.get(db, db.R, q); st != nil {
		return &Row{st.QueryRowContext(ctx, args...), db}
	}
	return &Row{db.R.QueryRowContext(ctx, db.Rebind(q), args...), db}
}

// QueryRowW reads one row on the writer pool: for a "RETURNING" write outside a transaction.
func (db *DB) QueryRowW(ctx context.Context, q string, args ...any) *Row {
	if st := db.wStmts.get(db, db.W, q); st != nil {
		return &Row{st.QueryRowContext(ctx, args...), db}
	}
	return &Row{db.W.QueryRowContext(ctx, db.Rebind(q), args...), db}
}

// Dialect reports the engine, for the few queries that differ.
func (db *DB) Dialect() Dialect { return db.dialect }

// Tx is a transaction that rebinds placeholders like DB. On SQLite it runs
// the writer's prepared statements (see stmtcache.go).
type Tx struct {
	tx *sql.Tx
	db *DB
	// shared is set on a batch's transaction (batch.go): its statements
	// ignore the cancellation of the context they are given, since one
	// caller giving up must not interrupt (and so roll back) the others'.
	shared bool

	mu         sync.Mutex
	stmts      map[string]*sql.Stmt // the writer's statements bound to tx
	open       map[string]*sql.Rows // the last rows of each statement's Query
	unprepared []string             // texts to prepare when tx ends
}

// ctx is the context a statement of t runs with.
func (t *Tx) ctx(ctx context.Context) context.Context {
	if t.shared {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// stmt returns the writer's prepared statement for q bound to t, or nil
// where statements are not cached. A text seen for the first time runs
// unprepared and is prepared on the pool once t ends: the pool's one
// writer connection is t's until then.
func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.db.dialect != SQLite {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.stmts[q]; ok {
		return st
	}
	ps := t.db.wStmts.lookup(q)
	if ps == nil {
		t.unprepared = append(t.unprepared, q)
		return nil
	}
	st := t.tx.StmtContext(ctx, ps)
	if t.stmts == nil {
		t.stmts = make(map[string]*sql.Stmt)
	}
	t.stmts[q] = st
	return st
}

// prepareSeen prepares on the writer pool the texts t ran unprepared.
func (t *Tx) prepareSeen() {
	for _, q := range t.unprepared {
		t.db.wStmts.get(t.db, t.db.W, q)
	}
}

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, t.db.Translate(err)
	}
	res, err := t.tx.ExecContext(ctx, t.db.Rebind(q), args...)
	return res, t.db.Translate(err)
}

// Query runs q; an SQLite statement cannot run twice at once, so while
// rows of q's prepared statement are still open in t (a loop running the
// same query again), q runs unprepared.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, q); st != nil && !t.rowsOpen(q) {
		rows, err := st.QueryContext(ctx, args...)
		if err == nil {
			t.mu.Lock()
			if t.open == nil {
				t.open = make(map[string]*sql.Rows)
			}
			t.open[q] = rows
			t.mu.Unlock()
		}
		return rows, t.db.Translate(err)
	}
	rows, err := t.tx.QueryContext(ctx, t.db.Rebind(q), args...)
	return rows, t.db.Translate(err)
}

// rowsOpen reports whether the last rows of q's statement are not closed
// yet (Columns fails on closed rows).
func (t *Tx) rowsOpen(q string) bool {
	t.mu.Lock()
	rows := t.open[q]
	t.mu.Unlock()
	if rows == nil {
		return false
	}
	_, err := rows.Columns()
	return err == nil
}

// QueryRow runs q; scan its Row before running q again in t (the prepared
// statement is shared).
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *Row {
	ctx = t.ctx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return &Row{st.QueryRowContext(ctx, args...), t.db}
	}
	return &Row{t.tx.QueryRowContext(ctx, t.db.Rebind(q), args...), t.db}
}

func (t *Tx) Dialect() Dialect { return t.db.dialect }

// InTx runs fn in one transaction on the writer pool, committing when fn
// returns nil and rolling back otherwise. On PostgreSQL a serialization
// failure or deadlock is retried a few times, since fn is all-or-nothing.
//
// When ctx carries a transaction of db (see ContextWithTx), fn joins it:
// a module called inside another's transaction writes in the same one.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	if tx, ok := ctx.Value(txKey{}).(*Tx); ok && tx.db == db {
		return fn(tx)
	}
	const attempts = 5
	var err error
	for i := 0; i < attempts; i++ {
		err = db.inTxOnce(ctx, fn)
		if err == nil || !isRetryable(err) {
			return err
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
	return err
}

func (db *DB) inTxOnce(ctx context.Context, fn func(tx *Tx) error) (err error) {
	return db.inTxShared(ctx, false, fn)
}

// inTxShared is inTxOnce; shared marks a batch's transaction.
func (db *DB) inTxShared(ctx context.Context, shared bool, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", db.Translate(err))
	}
	tx := &Tx{tx: sqlTx, db: db, shared: shared}
	defer tx.prepareSeen()
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", db.Translate(err))
	}
	return nil
}

// Scanner is *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// NotFound turns sql.ErrNoRows into errs.ErrNotFound-like error with key; other errors pass through.
func NotFound(err error, key string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Wrap(errs.NotFound, key, err)
	}
	return err
}

// Placeholders returns "?, ?, ?" for n values.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

type txKey struct{}

// ContextWithTx returns ctx carrying tx, so that InTx calls made with it
// (by another module's service) join tx instead of opening their own.
func ContextWithTx(ctx context.Context, tx *Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// HasTx reports whether ctx carries a transaction (its writes are not
// committed yet), so callers know not to remember them.
func HasTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*Tx)
	return ok
}
