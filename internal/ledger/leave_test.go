package ledger

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestLeaveAndSettle: a member with a balance cannot leave; an
// administrator settles it through the territory's account with a
// reason; leaving inside a deletion that rolls back leaves the accounts
// open; then leaving closes every account.
func TestLeaveAndSettle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, err := e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.b), Currency: TimeCode, Amount: 90}); err != nil {
			t.Fatal(err)
		}
		err := e.svc.Leave(ctx, e.a)
		wantKey(t, err, "err.ledger.leave_balances")
		if ee, _ := errs.As(err); errs.KindOf(err) != errs.Conflict || !strings.Contains(ee.Args["Balances"].(string), "-1 h 30 TIME (Lyon)") {
			t.Fatalf("refusal %v %+v", err, ee)
		}
		// The refusal closed nothing: A still pays.
		if _, err := e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.b), Currency: TimeCode, Amount: 30}); err != nil {
			t.Fatalf("after a refused leave: %v", err)
		}
		accA, err := e.svc.MyAccount(ctx, e.a, e.ter, TimeCode)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Settle(ctx, e.b, e.ter, accA.ID, "départ"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("member settles: %v", err)
		}
		_, err = e.svc.Settle(ctx, e.admin, e.ter, accA.ID, " ")
		wantKey(t, err, "err.ledger.settle_reason")
		if _, err := e.svc.Settle(ctx, e.admin, e.ter, accA.ID, "Départ de A"); err != nil {
			t.Fatal(err)
		}
		if got := e.balance(t, e.a, TimeCode); got != 0 {
			t.Fatalf("settled to %d", got)
		}
		_, err = e.svc.Settle(ctx, e.admin, e.ter, accA.ID, "encore")
		wantKey(t, err, "err.ledger.settle_nothing")
		// An account deletion that fails after the ledger's part (its
		// transaction rolls back) leaves A's accounts open.
		failed := errors.New("deletion failed")
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := e.svc.Leave(store.ContextWithTx(ctx, tx), e.a); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("rolled-back leave: %v", err)
		}
		if acc, err := e.svc.MyAccount(ctx, e.a, e.ter, TimeCode); err != nil || acc.ClosedAt != nil {
			t.Fatalf("after a rolled-back leave: %+v %v", acc, err)
		}
		if err := e.svc.Leave(ctx, e.a); err != nil {
			t.Fatalf("leave: %v", err)
		}
		_, err = e.svc.Transfer(ctx, e.b, e.ter, TransferInput{To: ref(e.a), Currency: TimeCode, Amount: 10})
		wantKey(t, err, "err.ledger.recipient_closed")
		// A closed account with a balance (B, closed by an administrator)
		// is settled and stays closed.
		accB, _ := e.svc.MyAccount(ctx, e.b, e.ter, TimeCode)
		if err := e.svc.SetClosed(ctx, e.admin, e.ter, accB.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Settle(ctx, e.admin, e.ter, accB.ID, "B est parti"); err != nil {
			t.Fatalf("settle a closed account: %v", err)
		}
		if got, _ := e.svc.Account(ctx, e.admin, e.ter, accB.ID); got.Balance != 0 || got.ClosedAt == nil {
			t.Fatalf("B after settling %+v", got)
		}
		e.verify(t)
	})
}
