package mobility

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func (e *env) seatsLeft(t *testing.T, tr *Trip) int {
	t.Helper()
	occs, err := e.svc.store.Occurrences(context.Background(), e.ter.ID, tr.ID, e.clock.now(), 1)
	if err != nil || len(occs) != 1 {
		t.Fatalf("occurrences: %v %v", occs, err)
	}
	return occs[0].SeatsLeft
}

func TestBookingWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tr := defaultTrip(e)
		tr.AutoAccept = false
		tr.Phone = "06 12 34 56 78"
		e.publish(t, tr)
		alice, bob := e.member(t), e.member(t)

		if _, err := e.svc.Book(ctx, e.driver, e.ter, BookRequest{TripID: tr.ID, Seats: 1}); keyOf(err) != "err.mobility.own_trip" {
			t.Fatalf("driver books own trip: %v", err)
		}
		if _, err := e.svc.Book(ctx, alice, e.ter, BookRequest{TripID: tr.ID, Seats: 0}); keyOf(err) != "err.mobility.seats_zero" {
			t.Fatalf("zero seats: %v", err)
		}
		b, err := e.svc.Book(ctx, alice, e.ter, BookRequest{TripID: tr.ID, Seats: 2, Message: "Bonjour"})
		if err != nil || b.Status != BookingPending {
			t.Fatalf("book: %v %v", b, err)
		}
		if _, err := e.svc.Book(ctx, alice, e.ter, BookRequest{TripID: tr.ID, Seats: 1}); keyOf(err) != "err.mobility.already_booked" {
			t.Fatalf("second booking: %v", err)
		}
		// Before acceptance the passenger sees neither phone nor house number.
		v, err := e.svc.Trip(ctx, alice, e.ter, tr.ID)
		if err != nil || v.Contact || v.Phone != "" || v.From.Label != "place Bellecour, Lyon" {
			t.Fatalf("pending passenger sees %+v (%v)", v, err)
		}
		if _, err := e.svc.Accept(ctx, alice, e.ter, b.ID); keyOf(err) != "err.mobility.driver_only" {
			t.Fatalf("passenger accepts: %v", err)
		}
		if _, err := e.svc.Accept(ctx, e.driver, e.ter, b.ID); err != nil {
			t.Fatal(err)
		}
		if n := e.seatsLeft(t, tr); n != 1 {
			t.Fatalf("seats left %d, want 1", n)
		}
		v, _ = e.svc.Trip(ctx, alice, e.ter, tr.ID)
		if !v.Contact || v.Phone != "06 12 34 56 78" || v.From.Label != bellecour.Label {
			t.Fatalf("accepted passenger sees %+v", v)
		}
		// Bob wants 2, only 1 is left.
		if _, err := e.svc.Book(ctx, bob, e.ter, BookRequest{TripID: tr.ID, Seats: 2}); keyOf(err) != "err.mobility.full" {
			t.Fatalf("too many seats: %v", err)
		}
		bb, err := e.svc.Book(ctx, bob, e.ter, BookRequest{TripID: tr.ID, Seats: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Refuse(ctx, e.driver, e.ter, bb.ID, "Plus de place pour les bagages"); err != nil {
			t.Fatal(err)
		}
		// Alice cancels: her seats come back.
		if _, err := e.svc.CancelBooking(ctx, alice, e.ter, b.ID, "Malade"); err != nil {
			t.Fatal(err)
		}
		if n := e.seatsLeft(t, tr); n != 3 {
			t.Fatalf("seats left %d after cancel, want 3", n)
		}
		m, err := e.svc.MyTrips(ctx, e.driver, e.ter)
		if err != nil || len(m.Trips) != 1 || len(m.AsDriver) != 2 {
			t.Fatalf("driver's list: %+v %v", m, err)
		}
		m, _ = e.svc.MyTrips(ctx, alice, e.ter)
		if len(m.AsPassenger) != 1 || m.AsPassenger[0].Status != BookingCancelled || m.AsPassenger[0].Reason != "Malade" {
			t.Fatalf("alice's list: %+v", m.AsPassenger)
		}
	})
}

// 100 passengers race for 3 seats, by automatic acceptance and by the
// driver accepting 100 pending bookings at once: exactly 3 win each time.
func TestSeatsNeverOversold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		passengers := make([]access.Actor, 100)
		for i := range passengers {
			passengers[i] = e.member(t)
		}
		race := func(fn func(i int) error) (wins int, other []error) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			for i := range passengers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := fn(i)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						wins++
					case keyOf(err) != "err.mobility.full":
						other = append(other, err)
					}
				}()
			}
			wg.Wait()
			return wins, other
		}

		auto := e.publish(t, defaultTrip(e))
		wins, other := race(func(i int) error {
			_, err := e.svc.Book(ctx, passengers[i], e.ter, BookRequest{TripID: auto.ID, Seats: 1})
			return err
		})
		if wins != 3 || len(other) > 0 || e.seatsLeft(t, auto) != 0 {
			t.Fatalf("automatic: %d won, seats left %d, errors %v", wins, e.seatsLeft(t, auto), other)
		}

		manual := defaultTrip(e)
		manual.AutoAccept = false
		e.publish(t, manual)
		ids := make([]int64, len(passengers))
		for i, p := range passengers {
			b, err := e.svc.Book(ctx, p, e.ter, BookRequest{TripID: manual.ID, Seats: 1})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = b.ID
		}
		wins, other = race(func(i int) error {
			_, err := e.svc.Accept(ctx, e.driver, e.ter, ids[i])
			return err
		})
		if wins != 3 || len(other) > 0 || e.seatsLeft(t, manual) != 0 {
			t.Fatalf("accepted: %d won, seats left %d, errors %v", wins, e.seatsLeft(t, manual), other)
		}
		var accepted int
		if err := db.QueryRow(ctx, `SELECT COALESCE(SUM(seats), 0) FROM trip_bookings WHERE trip_id = ? AND status = 'accepted'`,
			manual.ID).Scan(&accepted); err != nil || accepted != 3 {
			t.Fatalf("accepted seats in the database: %d (%v)", accepted, err)
		}
	})
}

// After the departure each side of an accepted booking reviews the other once.
func TestReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tr := e.publish(t, defaultTrip(e))
		rider := e.member(t)
		b, err := e.svc.Book(ctx, rider, e.ter, BookRequest{TripID: tr.ID, Seats: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Review(ctx, rider, e.ter, b.ID, 5, "Très bien"); keyOf(err) != "err.mobility.review_too_early" {
			t.Fatalf("before the trip: %v", err)
		}
		e.clock.set(e.clock.now().Add(49 * time.Hour))
		if _, err := e.svc.Review(ctx, rider, e.ter, b.ID, 6, ""); keyOf(err) != "err.mobility.rating_range" {
			t.Fatalf("rating 6: %v", err)
		}
		r, err := e.svc.Review(ctx, rider, e.ter, b.ID, 5, "Ponctuel et agréable")
		if err != nil || r.RevieweeID != e.driver.UserID {
			t.Fatalf("passenger's review: %+v %v", r, err)
		}
		if _, err := e.svc.Review(ctx, rider, e.ter, b.ID, 4, ""); keyOf(err) != "err.mobility.already_reviewed" {
			t.Fatalf("twice: %v", err)
		}
		if r, err := e.svc.Review(ctx, e.driver, e.ter, b.ID, 4, ""); err != nil || r.RevieweeID != rider.UserID {
			t.Fatalf("driver's review: %+v %v", r, err)
		}
		if _, err := e.svc.Review(ctx, e.member(t), e.ter, b.ID, 4, ""); keyOf(err) != "err.mobility.booking_not_found" {
			t.Fatalf("a stranger reviews: %v", err)
		}
		list, err := e.svc.ReviewsOf(ctx, e.ter, e.driver.UserID)
		if err != nil || len(list) != 1 || list[0].Rating != 5 {
			t.Fatalf("driver's reviews: %+v %v", list, err)
		}
	})
}

// Booking every departure of a commute: one booking per coming departure
// in the chosen direction, full ones skipped, never oversold.
func TestBookEveryDeparture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tr := e.publish(t, &Trip{From: bellecour, To: vaulxEnVel, Seats: 1, AutoAccept: true, Weekly: &Weekly{
			Days: Days{time.Monday, time.Thursday}, Time: "07:40", Return: "17:30", From: "2026-03-23"}})
		first, second := e.member(t), e.member(t)
		// The first passenger takes the only seat of the first departure.
		if _, err := e.svc.Book(ctx, first, e.ter, BookRequest{TripID: tr.ID, Seats: 1}); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.BookEvery(ctx, second, e.ter, BookRequest{TripID: tr.ID, Seats: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 15 { // 16 outward departures in 8 weeks, the first one full
			t.Fatalf("%d bookings, want 15", len(list))
		}
		for _, b := range list {
			if b.Status != BookingAccepted || b.DepartsAt.In(e.ter.Location()).Format("15:04") != "07:40" {
				t.Fatalf("booking %+v", b)
			}
		}
		if _, err := e.svc.BookEvery(ctx, second, e.ter, BookRequest{TripID: tr.ID, Seats: 1}); keyOf(err) != "err.mobility.full" {
			t.Fatalf("again: %v", err)
		}
		var oversold int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM trip_occurrences WHERE trip_id = ? AND seats_left < 0`, tr.ID).Scan(&oversold); err != nil || oversold != 0 {
			t.Fatalf("oversold: %d %v", oversold, err)
		}
		if _, err := e.svc.BookEvery(ctx, second, e.ter, BookRequest{TripID: e.publish(t, defaultTrip(e)).ID, Seats: 1}); keyOf(err) != "err.mobility.not_weekly" {
			t.Fatalf("one-off: %v", err)
		}
	})
}
