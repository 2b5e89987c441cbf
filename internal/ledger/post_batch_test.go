package ledger

import (
	"context"
	"errors"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestPostBatch: entries sharing one ledger_post_many see each other (the
// third transfer past the limit is refused alone), a repeated idempotency
// key posts once, and a row that fails the whole statement (an unknown
// account) fails alone: the others are posted one by one.
func TestPostBatch(t *testing.T) {
	db := storetest.OpenPostgres(t)
	e := newEnv(t, db)
	ctx := context.Background()
	st := NewSQLStore(db)
	from, err := e.svc.MyAccount(ctx, e.a, e.ter, TimeCode)
	if err != nil {
		t.Fatal(err)
	}
	to, err := e.svc.MyAccount(ctx, e.b, e.ter, TimeCode)
	if err != nil {
		t.Fatal(err)
	}
	lower := int64(-100)
	if _, err := e.svc.SetLimits(ctx, e.admin, e.ter, from.ID, &lower, nil); err != nil {
		t.Fatal(err)
	}
	mk := func(amount int64, key string, toID int64) store.Call[*posting] {
		return store.Call[*posting]{Ctx: ctx, Item: &posting{e: &Entry{TerritoryID: e.ter.ID, Kind: EntryTransfer, Reason: "batch",
			Category: "", IdemKey: key, CreatedBy: e.a.UserID, CreatedAt: e.clock.now(), Postings: []Posting{
				{AccountID: from.ID, TerritoryID: e.ter.ID, CurrencyID: from.CurrencyID, Amount: -amount},
				{AccountID: toID, TerritoryID: e.ter.ID, CurrencyID: from.CurrencyID, Amount: amount}}}}}
	}
	calls := []store.Call[*posting]{mk(40, "", to.ID), mk(40, "k1", to.ID), mk(40, "", to.ID), mk(10, "k1", to.ID), mk(10, "", to.ID)}
	got := st.posts.RunBatch(calls)
	var g *GuardError
	if got[0] != nil || got[1] != nil || !errors.As(got[2], &g) || g.AccountID != from.ID || got[3] != nil || got[4] != nil {
		t.Fatalf("one batch: %v", got)
	}
	if !calls[0].Item.inserted || !calls[1].Item.inserted || calls[3].Item.inserted || !calls[4].Item.inserted {
		t.Fatal("inserted flags wrong: the repeated key must not insert")
	}
	if b := e.balance(t, e.a, TimeCode); b != -90 {
		t.Fatalf("balance %d, want -90", b)
	}

	calls = []store.Call[*posting]{mk(1, "", to.ID), mk(1, "", 999999999), mk(1, "", to.ID)}
	got = st.posts.RunBatch(calls)
	if got[0] != nil || got[1] == nil || got[2] != nil {
		t.Fatalf("a failing row in a batch: %v", got)
	}
	if b := e.balance(t, e.a, TimeCode); b != -92 {
		t.Fatalf("balance %d, want -92", b)
	}
	e.verify(t)
}
