// Package storetest opens fresh, migrated databases of each dialect for
// tests. PostgreSQL runs where SHARINGCITY_TEST_POSTGRES holds a URL; each
// test gets its own schema there, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "SHARINGCITY_TEST_POSTGRES"

// OpenSQLite returns a migrated SQLite database in a temporary file.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
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
