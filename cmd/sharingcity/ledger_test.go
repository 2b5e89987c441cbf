package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// TestLedgerVerify: exit 0 on a consistent ledger, 1 naming the account
// once a balance no longer matches its journal.
func TestLedgerVerify(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { ledgerVerifyFlow(t, storetest.SQLitePath(t)) })
	t.Run("postgres", func(t *testing.T) { ledgerVerifyFlow(t, storetest.PostgresURL(t)) })
}

func ledgerVerifyFlow(t *testing.T, dsn string) {
	env := map[string]string{"SHARINGCITY_DATABASE_URL": dsn}
	if code, _, errOut := cli(t, "", env, "admin", "territory", "create", "--slug", "lyon", "--name", "Lyon", "--bbox", "4.77,45.70,4.90,45.81"); code != 0 {
		t.Fatalf("territory: %s", errOut)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids [2]int64
	for i := range ids {
		if err := db.QueryRowW(ctx, `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', CURRENT_TIMESTAMP) RETURNING id`,
			[]string{"a@x.org", "b@x.org"}[i]).Scan(&ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	var terID int64
	if err := db.QueryRow(ctx, `SELECT id FROM territories WHERE slug = 'lyon'`).Scan(&terID); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(ledger.NewSQLStore(db), nil, nil, nil, nil)
	a := access.Actor{UserID: ids[0], Roles: map[int64]access.Role{terID: access.Member}}
	ter := mustTerritory(t, db, terID)
	if _, err := svc.Transfer(ctx, a, ter, ledger.TransferInput{To: "member:" + itoa(ids[1]), Currency: "TIME", Amount: 120}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "", env, "ledger", "verify")
	if code != 0 || !strings.Contains(out, "2 postings") || !strings.Contains(out, "ok:") {
		t.Fatalf("verify: %d %q %q", code, out, errOut)
	}
	if _, err := db.Exec(ctx, `UPDATE ledger_accounts SET balance = balance + 5 WHERE owner_id = ?`, ids[1]); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cli(t, "", env, "ledger", "verify", "--db", dsn)
	if code != 1 || !strings.Contains(out, "balance 125, journal says 120 (difference +5)") || !strings.Contains(errOut, "discrepancies") {
		t.Fatalf("verify after tampering: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", env, "ledger", "frobnicate"); code != 2 {
		t.Fatalf("unknown action: %d %q", code, errOut)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustTerritory(t *testing.T, db *store.DB, id int64) *territory.Territory {
	t.Helper()
	ter, err := territory.NewService(territory.NewSQLStore(db)).ByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ter
}
