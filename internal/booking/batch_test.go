package booking

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestReserveBatch: bookings sharing one PostgreSQL statement see each
// other (two copies: the third of the same slot is refused), and a row that
// fails the whole statement (an unknown member) fails alone: the others
// are booked one by one.
func TestReserveBatch(t *testing.T) {
	db := storetest.OpenPostgres(t)
	e := newEnv(t, db)
	r := e.drill(t, 2, Rules{})
	st := NewSQLStore(db)
	start, end := local(2026, 3, 21, 10, 0), local(2026, 3, 21, 12, 0)
	mk := func(userID int64) store.Call[*Reservation] {
		now := e.clock.now()
		return store.Call[*Reservation]{Ctx: context.Background(), Item: &Reservation{TerritoryID: e.ter.ID,
			ResourceID: r.ID, OrganisationID: r.OrganisationID, UserID: userID, Quantity: 1, Start: start, End: end,
			Status: StatusConfirmed, CreatedAt: now, UpdatedAt: now}}
	}
	run := func(calls ...store.Call[*Reservation]) []error {
		out := st.batch.RunBatch(calls)
		for i, c := range calls {
			if out[i] == nil && c.Item.ID == 0 {
				t.Errorf("booking %d: no id", i)
			}
		}
		return out
	}
	a, b, c := e.member(t), e.member(t), e.member(t)
	got := run(mk(a.UserID), mk(b.UserID), mk(c.UserID))
	if got[0] != nil || got[1] != nil || keyOf(got[2]) != "err.booking.unavailable" {
		t.Fatalf("same slot in one batch: %v", got)
	}

	start, end = start.AddDate(0, 0, 1), end.AddDate(0, 0, 1)
	got = run(mk(a.UserID), mk(999999), mk(b.UserID))
	if got[0] != nil || got[1] == nil || got[2] != nil {
		t.Fatalf("a failing row in a batch: %v", got)
	}
	if slots, err := st.Holding(context.Background(), e.ter.ID, r.ID, start, end, 0); err != nil || peak(slots, start, end) != 2 {
		t.Fatalf("peak %d (%v), want 2", peak(slots, start, end), err)
	}
	if !errs.Is(st.reserveOne(context.Background(), mk(c.UserID).Item), errs.Conflict) {
		t.Fatal("a third booking of a full slot went through")
	}
}
