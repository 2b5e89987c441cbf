package store_test

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestMigrateAndTranslate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Migrating twice is a no-op.
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate: applied %v, err %v", applied, err)
		}
		insert := `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', CURRENT_TIMESTAMP)`
		if _, err := db.Exec(ctx, insert, "a@example.org"); err != nil {
			t.Fatalf("insert: %v", err)
		}
		_, err = db.Exec(ctx, insert, "a@example.org")
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate e-mail: want a conflict, got %v", err)
		}
		_, err = db.Exec(ctx, `INSERT INTO memberships (territory_id, user_id, role, created_at) VALUES (999, 999, 'member', CURRENT_TIMESTAMP)`)
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("missing reference: want invalid, got %v", err)
		}
	})
}

func TestInTxRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', CURRENT_TIMESTAMP)`, "b@example.org"); err != nil {
				return err
			}
			return errs.E(errs.Invalid, "err.test")
		})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("want the function's error back, got %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled-back insert is visible: n=%d err=%v", n, err)
		}
	})
}

func TestRebind(t *testing.T) {
	db := &store.DB{}
	if got := db.Rebind("a = ?"); got != "a = ?" {
		t.Fatalf("sqlite rebind changed the query: %q", got)
	}
}

func TestSecretIsCreatedOnceAndShared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := db.Secret(ctx, "positions", 32)
		if err != nil || len(a) != 32 {
			t.Fatalf("first read: %x %v", a, err)
		}
		b, err := db.Secret(ctx, "positions", 32)
		if err != nil || string(a) != string(b) {
			t.Fatalf("second read differs: %x %x %v", a, b, err)
		}
		c, _ := db.Secret(ctx, "other", 32)
		if string(c) == string(a) {
			t.Fatal("two names share a secret")
		}
	})
}

// A database that lacks a version lower than its newest (numbers are
// taken ahead of time and land in any order) gets it applied late.
func TestMigrateAppliesAMissingLowerVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Undo 00021 (RDEX partners) by hand, as if it had landed after 00025.
		if _, err := db.Exec(ctx, `DROP TABLE rdex_partners`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = 21`); err != nil {
			t.Fatal(err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 1 || applied[0] != 21 {
			t.Fatalf("migrate: applied %v, err %v; want [21]", applied, err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM rdex_partners`).Scan(&n); err != nil {
			t.Fatalf("rdex_partners after a late migration: %v", err)
		}
	})
}
