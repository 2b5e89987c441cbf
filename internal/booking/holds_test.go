package booking

import (
	"context"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestHeldBackByOverdueLoan: a drill with one copy is out with a and due
// Monday 12:00; b booked it from Monday 14:00. When a is late, the sweep
// holds b's reservation back: b gets a mail, the desk and b's page show
// it. c's reservation eleven days later is not held yet (beyond the
// week's horizon), nor is the one on a drill with a second copy. When a
// brings the drill back, b's reservation is released at once and b hears
// it, and the desk can hand it out.
func TestHeldBackByOverdueLoan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		drill := e.drill(t, 1, Rules{})
		two := e.drill(t, 2, Rules{})
		a, b, c := e.member(t), e.member(t), e.member(t)
		loan := e.mustBook(t, a, drill, local(2026, 3, 14, 12, 0), local(2026, 3, 16, 12, 0), 1)
		next := e.mustBook(t, b, drill, local(2026, 3, 16, 14, 0), local(2026, 3, 17, 12, 0), 1)
		far := e.mustBook(t, c, drill, local(2026, 3, 27, 10, 0), local(2026, 3, 27, 12, 0), 1)
		// On the drill with two copies, one late loan leaves room for b.
		loan2 := e.mustBook(t, a, two, local(2026, 3, 14, 12, 0), local(2026, 3, 16, 12, 0), 1)
		fits := e.mustBook(t, b, two, local(2026, 3, 16, 14, 0), local(2026, 3, 17, 12, 0), 1)
		e.clock.set(local(2026, 3, 14, 12, 5))
		for _, id := range []int64{loan.ID, loan2.ID} {
			if _, err := e.svc.CheckOut(ctx, e.clerk, e.ter, id); err != nil {
				t.Fatal(err)
			}
		}
		sweep := func() {
			t.Helper()
			if _, err := e.svc.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := e.queue.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		held := func(id int64) bool {
			t.Helper()
			r, err := e.svc.Get(ctx, e.clerk, e.ter, id)
			if err != nil {
				t.Fatal(err)
			}
			return r.HeldAt != nil
		}
		// Not late yet: nothing held.
		e.clock.set(local(2026, 3, 16, 11, 0))
		sweep()
		if held(next.ID) {
			t.Fatal("held before the loan is late")
		}
		e.clock.set(local(2026, 3, 16, 12, 30))
		sweep()
		sweep() // once only
		if !held(next.ID) || held(far.ID) || held(fits.ID) {
			t.Fatalf("held: next %v, far %v, fits %v; want true, false, false", held(next.ID), held(far.ID), held(fits.ID))
		}
		if n := e.mailCount(t, b.Email, "Pas encore revenu"); n != 1 {
			t.Fatalf("%d held mails to b, want 1", n)
		}
		desk, err := e.svc.Desk(ctx, e.clerk, e.ter, e.library.ID)
		if err != nil || len(desk.Held) != 1 || desk.Held[0].ID != next.ID {
			t.Fatalf("desk held: %+v %v", desk.Held, err)
		}
		mine, err := e.svc.MyReservations(ctx, b, e.ter)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range mine.Reservations {
			if r.ID == next.ID && r.HeldAt == nil {
				t.Fatal("b's page does not show the hold")
			}
		}

		// The drill comes back: b's reservation is released and b hears it.
		e.clock.set(local(2026, 3, 16, 15, 0))
		if _, err := e.svc.CheckIn(ctx, e.clerk, e.ter, loan.ID, ""); err != nil {
			t.Fatal(err)
		}
		if held(next.ID) {
			t.Fatal("still held after the return")
		}
		if _, err := e.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if !e.mailTo(t, b.Email, "De retour") {
			t.Fatal("no release mail to b")
		}
		if _, err := e.svc.CheckOut(ctx, e.clerk, e.ter, next.ID); err != nil {
			t.Fatalf("hand out the released reservation: %v", err)
		}
	})
}

func (e *env) mailCount(t *testing.T, to, subject string) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND subject LIKE ?`,
		to, "%"+subject+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHeldBackOrder: three copies, one late and one out: of two
// reservations starting together that need the last copy, the one booked
// later is held; one beyond the horizon is not; without a late loan
// nothing is.
func TestHeldBackOrder(t *testing.T) {
	now := time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)
	h := time.Hour
	res := func(id int64, st Status, start, end time.Time, q int) *Reservation {
		return &Reservation{ID: id, Status: st, Start: start, End: end, Quantity: q}
	}
	list := []*Reservation{
		res(1, StatusCheckedOut, now.Add(-48*h), now.Add(-h), 1),       // overdue
		res(2, StatusConfirmed, now.Add(2*h), now.Add(4*h), 1),         // needs a copy
		res(3, StatusConfirmed, now.Add(2*h), now.Add(3*h), 1),         // same start, booked later
		res(4, StatusCheckedOut, now.Add(-h), now.Add(5*h), 1),         // out, not late
		res(5, StatusConfirmed, now.Add(8*24*h), now.Add(8*24*h+h), 1), // beyond the horizon
	}
	got := heldBack(list, 3, now)
	if !got[3] || got[2] || got[5] || len(got) != 1 {
		t.Fatalf("held %v, want only 3", got)
	}
	if got := heldBack(list[1:], 3, now); len(got) != 0 {
		t.Fatalf("no overdue loan, held %v", got)
	}
}
