// Package storetest opens fresh, migrated databases of each dialect for
// tests. PostgreSQL runs where SHARINGCITY_TEST_POSTGRES holds a URL; each
// test gets its own schema there, dropped when the test ends. Each SQLite
// test gets its own file, a copy of one migrated per test binary.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "SHARINGCITY_TEST_POSTGRES"

// OpenSQLite returns a migrated SQLite database in a temporary file of its
// own (see SQLitePath).
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	path := SQLitePath(t)
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	// A no-op on the copy (one read of goose's table); it keeps the promise
	// of a migrated database should the template ever fall behind.
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// SQLitePath returns the path of a fresh, migrated SQLite file of the
// test's own: a byte copy of the template, as fresh as a new file migrated
// from scratch. Tests of programs that open the database themselves use it.
func SQLitePath(t testing.TB) string {
	t.Helper()
	src, err := template.get()
	if err != nil {
		t.Fatalf("sqlite template: %v", err)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := copyFile(path, src); err != nil {
		t.Fatalf("copy sqlite template: %v", err)
	}
	return path
}

// sqliteTemplate is a migrated SQLite database that OpenSQLite copies.
// Under -race, the pure-Go SQLite takes seconds to run the migrations and a
// copy takes a millisecond. It is built once per test binary (so always from
// the migrations compiled into it) and unlinked at once: only its open file
// remains, and it goes away with the process.
type sqliteTemplate struct {
	once sync.Once
	file *os.File
	size int64
	err  error
}

// template is the one value tests of a binary share; it never changes once
// built, and each test reads it into a file of its own.
var template sqliteTemplate

func (tp *sqliteTemplate) get() (*io.SectionReader, error) {
	tp.once.Do(func() { tp.file, tp.size, tp.err = buildSQLiteTemplate() })
	if tp.err != nil {
		return nil, tp.err
	}
	// ReadAt keeps no offset, so parallel tests may copy at once.
	return io.NewSectionReader(tp.file, 0, tp.size), nil
}

func buildSQLiteTemplate() (*os.File, int64, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sharingcity-storetest-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, 0, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, 0, fmt.Errorf("migrate: %w", err)
	}
	// The last connection to close folds the WAL into the file and removes
	// it, so the file alone is the database, still in WAL mode: a copy
	// opens without switching journal modes.
	if err := db.Close(); err != nil {
		return nil, 0, err
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		return nil, 0, fmt.Errorf("%s-wal left behind (%v)", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func copyFile(dst string, src io.Reader) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// PostgresURL returns a URL for a fresh schema on the test server, and
// skips t (saying why) when SHARINGCITY_TEST_POSTGRES is unset.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set: PostgreSQL tests skipped", EnvPostgres)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema on %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	// Extensions live in public; the test schema comes first.
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres returns a migrated database in a fresh schema.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresURL(t))
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db
}

// Each runs fn once per dialect as subtests "sqlite" and "postgres", each with
// a fresh database. This is how every module's store suite runs on both.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// EachB is Each for benchmarks.
func EachB(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Helper()
	b.Run("sqlite", func(b *testing.B) { fn(b, OpenSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, OpenPostgres(b)) })
}
