package booking

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestLibraryWeekend is the story: a drill with 2 copies, three
// members want the same weekend; the third joins the waiting list and is
// offered a copy when one is cancelled; the offer passes on when it expires.
func TestLibraryWeekend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		drill := e.drill(t, 2, Rules{})
		a, b, c, d := e.member(t), e.member(t), e.member(t), e.member(t)
		sat, mon := local(2026, 3, 21, 10, 0), local(2026, 3, 23, 10, 0)
		ra := e.mustBook(t, a, drill, sat, mon, 1)
		e.mustBook(t, b, drill, sat, mon, 1)
		_, err := e.book(c, drill, sat, mon, 1)
		if !errs.Is(err, errs.Conflict) || keyOf(err) != "err.booking.unavailable" {
			t.Fatalf("third member: %v", err)
		}
		wc, err := e.svc.JoinWaitlist(ctx, c, e.ter, Request{ResourceID: drill.ID, Start: sat, End: mon})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.JoinWaitlist(ctx, d, e.ter, Request{ResourceID: drill.ID, Start: sat, End: mon}); err != nil {
			t.Fatal(err)
		}
		// Somebody else cannot cancel a's reservation.
		if _, err := e.svc.Cancel(ctx, b, e.ter, ra.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("b cancels a's: %v", err)
		}
		if _, err := e.svc.Cancel(ctx, a, e.ter, ra.ID); err != nil {
			t.Fatal(err)
		}
		mine, err := e.svc.MyReservations(ctx, c, e.ter)
		if err != nil || len(mine.Reservations) != 1 || mine.Reservations[0].Status != StatusOffered {
			t.Fatalf("c's offer: %+v %v", mine, err)
		}
		offer := mine.Reservations[0]
		if offer.OfferExpiresAt == nil || !offer.OfferExpiresAt.Equal(e.clock.now().Add(24*time.Hour)) {
			t.Fatalf("offer expires at %v", offer.OfferExpiresAt)
		}
		// The offered copy is held: a newcomer cannot take it.
		if _, err := e.book(e.member(t), drill, sat, mon, 1); keyOf(err) != "err.booking.unavailable" {
			t.Fatalf("newcomer during the offer: %v", err)
		}
		// The offer e-mail goes out through the queue.
		if _, err := e.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if !e.mailTo(t, c.Email, "place s'est libérée") {
			t.Fatal("no offer e-mail to c")
		}
		// c lets it expire: the expiry job offers it to d.
		e.clock.add(25 * time.Hour)
		if _, err := e.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Get(ctx, c, e.ter, offer.ID); got.Status != StatusExpired {
			t.Fatalf("c's offer after expiry: %s", got.Status)
		}
		if w, _ := NewSQLStore(db).GetWait(ctx, e.ter.ID, wc.ID); w.Status != WaitExpired {
			t.Fatalf("c's wait after expiry: %s", w.Status)
		}
		mine, _ = e.svc.MyReservations(ctx, d, e.ter)
		if len(mine.Reservations) != 1 || mine.Reservations[0].Status != StatusOffered {
			t.Fatalf("d's offer: %+v", mine.Reservations)
		}
		if _, err := e.svc.AcceptOffer(ctx, c, e.ter, mine.Reservations[0].ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("c takes d's offer: %v", err)
		}
		got, err := e.svc.AcceptOffer(ctx, d, e.ter, mine.Reservations[0].ID)
		if err != nil || got.Status != StatusConfirmed {
			t.Fatalf("d accepts: %v %v", got, err)
		}
		if _, err := e.svc.AcceptOffer(ctx, d, e.ter, got.ID); keyOf(err) != "err.booking.offer_gone" {
			t.Fatalf("accept twice: %v", err)
		}
	})
}

func (e *env) mailTo(t *testing.T, to, subject string) bool {
	t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND subject LIKE ?`,
		to, "%"+subject+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// TestDesk: approval, refusal with the waiting list, check-out, check-in,
// no-show, overdue loans that block new ones, renewals.
func TestDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		room := &Resource{OrganisationID: e.townHall.ID, Kind: KindRoom, Name: "Salle des fêtes", Quantity: 1, Capacity: 80,
			Rules: Rules{Approval: true, Hours: map[string][]string{"sat": {"08:00-23:00"}}}}
		if err := e.svc.CreateResource(ctx, e.mayor, e.ter, room); err != nil {
			t.Fatal(err)
		}
		a, b := e.member(t), e.member(t)
		s, end := local(2026, 3, 21, 14, 0), local(2026, 3, 21, 18, 0)
		ra := e.mustBook(t, a, room, s, end, 1)
		if ra.Status != StatusPending {
			t.Fatalf("status %s, want pending", ra.Status)
		}
		if _, err := e.book(b, room, s, end, 1); keyOf(err) != "err.booking.unavailable" {
			t.Fatalf("pending holds the room: %v", err)
		}
		if _, err := e.svc.JoinWaitlist(ctx, b, e.ter, Request{ResourceID: room.ID, Start: s, End: end}); err != nil {
			t.Fatal(err)
		}
		// Only the town hall's people decide.
		if _, err := e.svc.Approve(ctx, a, e.ter, ra.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("member approves own: %v", err)
		}
		if _, err := e.svc.Approve(ctx, e.librarian, e.ter, ra.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("other org approves: %v", err)
		}
		desk, err := e.svc.Desk(ctx, e.mayor, e.ter, e.townHall.ID)
		if err != nil || len(desk.Pending) != 1 {
			t.Fatalf("desk: %+v %v", desk, err)
		}
		got, err := e.svc.Refuse(ctx, e.mayor, e.ter, ra.ID, "Salle prise par le conseil municipal")
		if err != nil || got.Status != StatusRefused {
			t.Fatalf("refuse: %v %v", got, err)
		}
		mine, _ := e.svc.MyReservations(ctx, b, e.ter)
		if len(mine.Reservations) != 1 || mine.Reservations[0].Status != StatusOffered {
			t.Fatalf("b not offered after refusal: %+v", mine.Reservations)
		}
		rb, err := e.svc.AcceptOffer(ctx, b, e.ter, mine.Reservations[0].ID)
		if err != nil || rb.Status != StatusPending {
			t.Fatalf("b accepts into approval: %v %v", rb, err)
		}
		if rb, err = e.svc.Approve(ctx, e.moderator, e.ter, rb.ID); err != nil || rb.Status != StatusConfirmed {
			t.Fatalf("moderator approves: %v %v", rb, err)
		}
		if _, err := e.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if !e.mailTo(t, a.Email, "refusée") || !e.mailTo(t, b.Email, "acceptée") {
			t.Fatal("refusal or approval e-mail missing")
		}

		// Loans: check out, overdue blocks, check in, renew.
		drill := e.drill(t, 1, Rules{})
		saw := e.drill(t, 1, Rules{})
		loan := e.mustBook(t, a, drill, local(2026, 3, 14, 12, 0), local(2026, 3, 15, 12, 0), 1)
		if _, err := e.svc.CheckOut(ctx, a, e.ter, loan.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("member checks out: %v", err)
		}
		e.clock.set(local(2026, 3, 14, 12, 5))
		if loan, err = e.svc.CheckOut(ctx, e.clerk, e.ter, loan.ID); err != nil || loan.Status != StatusCheckedOut {
			t.Fatalf("check out: %v %v", loan, err)
		}
		// a renews while nobody waits: one day more.
		if loan, err = e.svc.Renew(ctx, a, e.ter, loan.ID); err != nil || !loan.End.Equal(local(2026, 3, 16, 12, 0)) {
			t.Fatalf("renew: %v %v", loan, err)
		}
		// b waits for the next day: no more renewals.
		if _, err := e.svc.JoinWaitlist(ctx, b, e.ter, Request{ResourceID: drill.ID, Start: local(2026, 3, 16, 14, 0), End: local(2026, 3, 17, 12, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Renew(ctx, a, e.ter, loan.ID); keyOf(err) != "err.booking.renew_waiting" {
			t.Fatalf("renew with a waiting member: %v", err)
		}
		e.clock.set(local(2026, 3, 16, 13, 0))
		desk, _ = e.svc.Desk(ctx, e.clerk, e.ter, e.library.ID)
		if len(desk.Overdue) != 1 || desk.Overdue[0].ID != loan.ID || !desk.Overdue[0].Overdue {
			t.Fatalf("overdue list: %+v", desk.Overdue)
		}
		if _, err := e.book(a, saw, local(2026, 3, 17, 10, 0), local(2026, 3, 17, 12, 0), 1); keyOf(err) != "err.booking.overdue_blocks" {
			t.Fatalf("overdue member books: %v", err)
		}
		// The overdue reminder goes out once, whatever the number of sweeps.
		for range 2 {
			if _, err := e.svc.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND subject LIKE 'En retard%'`, a.Email).Scan(&n)
		if n != 1 {
			t.Fatalf("%d overdue reminders, want 1", n)
		}
		if loan, err = e.svc.CheckIn(ctx, e.clerk, e.ter, loan.ID, "Mandrin un peu lâche"); err != nil || loan.Status != StatusReturned || loan.ConditionNote != "Mandrin un peu lâche" {
			t.Fatalf("check in: %v %v", loan, err)
		}
		e.mustBook(t, a, saw, local(2026, 3, 17, 10, 0), local(2026, 3, 17, 12, 0), 1)

		// No-show once the reservation has started, not before.
		ns := e.mustBook(t, b, saw, local(2026, 3, 18, 10, 0), local(2026, 3, 18, 12, 0), 1)
		if _, err := e.svc.NoShow(ctx, e.clerk, e.ter, ns.ID); keyOf(err) != "err.booking.not_started" {
			t.Fatalf("no-show before start: %v", err)
		}
		e.clock.set(local(2026, 3, 18, 10, 30))
		if ns, err = e.svc.NoShow(ctx, e.clerk, e.ter, ns.ID); err != nil || ns.Status != StatusNoShow {
			t.Fatalf("no-show: %v %v", ns, err)
		}
		// Cancelling after the start is too late for the member.
		late := e.mustBook(t, b, saw, local(2026, 3, 18, 11, 0), local(2026, 3, 18, 12, 0), 1)
		e.clock.set(local(2026, 3, 18, 11, 10))
		if _, err := e.svc.Cancel(ctx, b, e.ter, late.ID); keyOf(err) != "err.booking.cancel_too_late" {
			t.Fatalf("late cancel: %v", err)
		}
		cal, err := e.svc.Calendar(ctx, e.clerk, e.ter, saw.ID, local(2026, 3, 16, 0, 0), local(2026, 3, 20, 0, 0))
		if err != nil || len(cal) != 3 {
			t.Fatalf("calendar: %d %v", len(cal), err)
		}
		if _, err := e.svc.Calendar(ctx, a, e.ter, saw.ID, local(2026, 3, 16, 0, 0), local(2026, 3, 20, 0, 0)); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("member reads the calendar: %v", err)
		}
	})
}

func TestRemindersOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		drill := e.drill(t, 1, Rules{})
		m := e.member(t)
		res := e.mustBook(t, m, drill, local(2026, 3, 16, 10, 0), local(2026, 3, 17, 10, 0), 1)
		e.clock.set(local(2026, 3, 15, 11, 0))
		if _, err := e.queue.RunDue(ctx); err != nil { // runs the periodic sweep
			t.Fatal(err)
		}
		if n, _ := e.svc.Sweep(ctx); n != 0 {
			t.Fatalf("second sweep sent %d", n)
		}
		if !e.mailTo(t, m.Email, "Rappel") {
			t.Fatal("no start reminder")
		}
		e.clock.set(local(2026, 3, 16, 10, 0))
		if _, err := e.svc.CheckOut(ctx, e.clerk, e.ter, res.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.set(local(2026, 3, 16, 18, 0))
		if n, err := e.svc.Sweep(ctx); n != 1 || err != nil {
			t.Fatalf("due reminder: %d %v", n, err)
		}
		if !e.mailTo(t, m.Email, "À rendre") {
			t.Fatal("no due reminder")
		}
	})
}

func TestAvailabilityAndUsage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		drill := e.drill(t, 2, Rules{})
		m := e.member(t)
		e.mustBook(t, m, drill, local(2026, 3, 16, 10, 0), local(2026, 3, 16, 12, 0), 1)
		e.mustBook(t, m, drill, local(2026, 3, 16, 11, 0), local(2026, 3, 16, 13, 0), 1)
		free, err := e.svc.Availability(ctx, e.anon, e.ter, drill.ID, local(2026, 3, 16, 9, 0), local(2026, 3, 16, 14, 0))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range free {
			got = append(got, f.Start.In(e.ter.Location()).Format("15:04")+"-"+f.End.In(e.ter.Location()).Format("15:04")+"="+string(rune('0'+f.Free)))
		}
		if want := "09:00-10:00=2 10:00-11:00=1 11:00-12:00=0 12:00-13:00=1 13:00-14:00=2"; strings.Join(got, " ") != want {
			t.Fatalf("availability %v, want %s", got, want)
		}
		for _, st := range []string{"Gare Part-Dieu", "Gare Part-Dieu", "Bellecour"} {
			car := &Resource{OrganisationID: e.townHall.ID, Kind: KindVehicle, Name: "Auto " + st, Station: st, Quantity: 1}
			if err := e.svc.CreateResource(ctx, e.mayor, e.ter, car); err != nil {
				t.Fatal(err)
			}
			e.mustBook(t, m, car, local(2026, 3, 16, 8, 0), local(2026, 3, 16, 10, 30), 1)
			e.mustBook(t, m, car, local(2026, 3, 17, 8, 0), local(2026, 3, 17, 9, 0), 1)
		}
		usage, err := e.svc.Usage(ctx, e.ter, KindVehicle, local(2026, 3, 1, 0, 0), local(2026, 4, 1, 0, 0))
		if err != nil || len(usage) != 3 {
			t.Fatalf("usage: %+v %v", usage, err)
		}
		st := Stations(usage)
		if len(st) != 2 || st[0].Station != "Bellecour" || st[0].Uses != 2 || st[0].Hours != 3.5 || st[1].Vehicles != 2 || st[1].Hours != 7 {
			t.Fatalf("stations: %+v", st)
		}
	})
}
