package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestDisputeDelayPerTerritory: administrators choose their territory's
// dispute delay; hours recorded afterwards may be disputed that long.
func TestDisputeDelayPerTerritory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if got, err := e.svc.Settings(ctx, e.ter); err != nil || got.DisputeDays != 14 {
			t.Fatalf("default %+v %v", got, err)
		}
		if _, err := e.svc.SetSettings(ctx, e.a, e.ter, Settings{DisputeDays: 3}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("member sets: %v", err)
		}
		for _, bad := range []int{0, -1, 366} {
			_, err := e.svc.SetSettings(ctx, e.admin, e.ter, Settings{DisputeDays: bad})
			wantKey(t, err, "err.ledger.dispute_days_range")
		}
		for _, days := range []int{30, 3} { // set, then changed
			if _, err := e.svc.SetSettings(ctx, e.admin, e.ter, Settings{DisputeDays: days}); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := e.svc.Settings(ctx, e.ter); got.DisputeDays != 3 {
			t.Fatalf("settings %+v", got)
		}
		if got, _ := e.svc.Settings(ctx, e.other); got.DisputeDays != 14 {
			t.Fatalf("the other territory changed too: %+v", got)
		}
		r, err := e.svc.RecordService(ctx, e.b, e.ter, RecordInput{Other: e.a.UserID, Minutes: 60, Category: "care"})
		if err != nil || r.DisputeUntil == nil || !r.DisputeUntil.Equal(e.clock.now().Add(3*24*time.Hour)) {
			t.Fatalf("record %+v %v", r, err)
		}
		e.clock.add(3*24*time.Hour + time.Minute)
		if _, err := e.svc.ActOnRecord(ctx, e.b, e.ter, r.ID, ActionDispute, "late"); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("dispute after 3 days: %v", err)
		}
	})
}
