package mobility

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// sentMail collects mail (the outside world) and answers contacts.
type sentMail struct {
	mu   sync.Mutex
	msgs []mail.Message
}

func (m *sentMail) Send(_ context.Context, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg)
	return nil
}

func (m *sentMail) Contact(_ context.Context, userID int64) (string, string, string, error) {
	return fmt.Sprintf("u%d@example.org", userID), "", "fr", nil
}

func (m *sentMail) count() int { m.mu.Lock(); defer m.mu.Unlock(); return len(m.msgs) }

// withOptions replaces the service with one using opts (and a mail fake).
func (e *env) withOptions(opts Options) *sentMail {
	m := &sentMail{}
	opts.Mail, opts.People = m, m
	e.svc = NewService(e.svc.store, e.svc.ters, nil, slog.New(slog.DiscardHandler), e.clock.now, opts)
	return m
}

// commute is a weekday commute from Monday 23 March 2026 with a way back.
func (e *env) commute(t *testing.T, seats int, auto bool) *Trip {
	return e.publish(t, &Trip{From: bellecour, To: vaulxEnVel, Seats: seats, AutoAccept: auto, Weekly: &Weekly{
		Days: Days{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, Time: "07:40", Return: "17:30", From: "2026-03-23"}})
}

// accepted sums the accepted seats per occurrence of a trip and checks
// each against the seats offered and seats_left.
func (e *env) checkSeats(t *testing.T, tr *Trip) map[int64]int {
	t.Helper()
	ctx := context.Background()
	occs, err := e.svc.store.Occurrences(ctx, e.ter.ID, tr.ID, time.Time{}, 10000)
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.store.Bookings(ctx, e.ter.ID, BookingFilter{TripID: tr.ID, Statuses: []BookingStatus{BookingAccepted}, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	sum := map[int64]int{}
	for _, b := range list {
		sum[b.OccurrenceID] += b.Seats
	}
	for _, o := range occs {
		if sum[o.ID] > tr.Seats || sum[o.ID] != tr.Seats-o.SeatsLeft {
			t.Fatalf("departure %s: %d seats accepted, %d left, %d offered", o.LocalDate, sum[o.ID], o.SeatsLeft, tr.Seats)
		}
	}
	return sum
}

func TestStandingBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sent := e.withOptions(Options{})
		ctx := context.Background()
		tr := e.commute(t, 2, false)
		alice, bob := e.member(t), e.member(t)
		req := BookRequest{TripID: tr.ID, Seats: 1}
		if _, err := e.svc.BookStanding(ctx, alice, e.ter, req, Days{time.Saturday}, ""); keyOf(err) != "err.mobility.standing_days" {
			t.Fatalf("a day the trip does not run: %v", err)
		}
		one := defaultTrip(e)
		e.publish(t, one)
		if _, err := e.svc.BookStanding(ctx, alice, e.ter, BookRequest{TripID: one.ID, Seats: 1}, nil, ""); keyOf(err) != "err.mobility.not_weekly" {
			t.Fatalf("a one-off trip: %v", err)
		}
		res, err := e.svc.BookStanding(ctx, alice, e.ter, req, Days{time.Monday, time.Wednesday}, LegsOut)
		if err != nil || res.Standing.Status != BookingPending || len(res.Bookings) != 0 {
			t.Fatalf("standing: %+v %v", res, err)
		}
		if _, err := e.svc.BookStanding(ctx, alice, e.ter, req, nil, ""); keyOf(err) != "err.mobility.already_standing" {
			t.Fatalf("a second standing booking: %v", err)
		}
		// Bob takes both seats of Monday 30 March before the driver answers.
		occs, _ := e.svc.store.Occurrences(ctx, e.ter.ID, tr.ID, e.clock.now(), 1000)
		var monday30 int64
		for _, o := range occs {
			if o.LocalDate == "2026-03-30" && !o.Return {
				monday30 = o.ID
			}
		}
		bb, err := e.svc.Book(ctx, bob, e.ter, BookRequest{TripID: tr.ID, OccurrenceID: monday30, Seats: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Accept(ctx, e.driver, e.ter, bb.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AcceptStanding(ctx, alice, e.ter, res.Standing.ID); keyOf(err) != "err.mobility.driver_only" {
			t.Fatalf("the passenger accepts: %v", err)
		}
		acc, err := e.svc.AcceptStanding(ctx, e.driver, e.ter, res.Standing.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 8 weeks from Monday 23 March: 8 Mondays and 8 Wednesdays, outward
		// only; Monday 30 March is full.
		if len(acc.Bookings) != 15 || len(acc.Missed) != 1 || acc.Missed[0].LocalDate != "2026-03-30" {
			t.Fatalf("accepted: %d booked, missed %+v", len(acc.Bookings), acc.Missed)
		}
		if sent.count() != 1 {
			t.Fatalf("%d mails for the missed departure, want 1", sent.count())
		}
		for _, b := range acc.Bookings {
			d := b.DepartsAt.In(e.ter.Location())
			if (d.Weekday() != time.Monday && d.Weekday() != time.Wednesday) || d.Format("15:04") != "07:40" || b.StandingID != res.Standing.ID {
				t.Fatalf("booked %v (standing %d)", d, b.StandingID)
			}
		}
		// Alice skips one departure; the others stay.
		if _, err := e.svc.CancelBooking(ctx, alice, e.ter, acc.Bookings[0].ID, "Congé"); err != nil {
			t.Fatal(err)
		}
		// Three weeks later the horizon job adds departures: the standing
		// booking takes them in the same transaction.
		e.clock.set(e.clock.now().Add(21 * 24 * time.Hour))
		if _, err := e.svc.ExtendHorizon(ctx); err != nil {
			t.Fatal(err)
		}
		mine, err := e.svc.store.Bookings(ctx, e.ter.ID, BookingFilter{StandingID: res.Standing.ID, Statuses: []BookingStatus{BookingAccepted}, Limit: 1000})
		if err != nil || len(mine) != 14+6 {
			t.Fatalf("after the extension: %d accepted bookings, want 20 (%v)", len(mine), err)
		}
		e.checkSeats(t, tr)
		// Cancelling the standing booking cancels its coming departures.
		if _, err := e.svc.CancelStanding(ctx, bob, e.ter, res.Standing.ID, "x"); keyOf(err) != "err.mobility.not_yours" {
			t.Fatalf("someone else cancels: %v", err)
		}
		c, err := e.svc.CancelStanding(ctx, alice, e.ter, res.Standing.ID, "Déménagement")
		if err != nil || c.Standing.Status != BookingCancelled {
			t.Fatalf("cancel: %+v %v", c, err)
		}
		left, _ := e.svc.store.Bookings(ctx, e.ter.ID, BookingFilter{StandingID: res.Standing.ID, Statuses: []BookingStatus{BookingAccepted}, Limit: 1000})
		for _, b := range left {
			if b.DepartsAt.After(e.clock.now()) {
				t.Fatalf("a coming departure is still booked: %+v", b)
			}
		}
		for _, b := range c.Bookings {
			if b.Reason != "Déménagement" {
				t.Fatalf("cancelled without the reason: %+v", b)
			}
		}
		if sum := e.checkSeats(t, tr); sum[monday30] != 2 {
			t.Fatalf("Bob's seats: %d", sum[monday30])
		}
		// Another extension adds nothing for a cancelled standing booking.
		e.clock.set(e.clock.now().Add(7 * 24 * time.Hour))
		if _, err := e.svc.ExtendHorizon(ctx); err != nil {
			t.Fatal(err)
		}
		again, _ := e.svc.store.Bookings(ctx, e.ter.ID, BookingFilter{StandingID: res.Standing.ID, Statuses: []BookingStatus{BookingAccepted}, Limit: 1000})
		if len(again) != len(left) {
			t.Fatalf("a cancelled standing booking grew: %d -> %d", len(left), len(again))
		}
		// Refusing: a pending one is refused once.
		s2, err := e.svc.BookStanding(ctx, bob, e.ter, BookRequest{TripID: tr.ID, Seats: 1}, nil, LegsBack)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RefuseStanding(ctx, e.driver, e.ter, s2.Standing.ID, "Complet"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AcceptStanding(ctx, e.driver, e.ter, s2.Standing.ID); keyOf(err) != "err.mobility.booking_changed" {
			t.Fatalf("accept after refusal: %v", err)
		}
		// Cancelling the trip stops the live standing bookings on it.
		s3, err := e.svc.BookStanding(ctx, e.member(t), e.ter, BookRequest{TripID: tr.ID, Seats: 1}, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Cancel(ctx, e.driver, e.ter, tr.ID, "Voiture vendue"); err != nil {
			t.Fatal(err)
		}
		if st, err := e.svc.store.GetStanding(ctx, e.ter.ID, s3.Standing.ID); err != nil || st.Status != BookingCancelled || st.Reason != "Voiture vendue" {
			t.Fatalf("standing booking after the trip's cancellation: %+v %v", st, err)
		}
	})
}

// A standing booking made before the spring change keeps its 07:40 on the
// departures the horizon adds after it: 06:40 UTC, then 05:40 UTC.
func TestStandingAcrossDST(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // Friday 20 March 2026
		e.withOptions(Options{Horizon: 7 * 24 * time.Hour})
		ctx := context.Background()
		tr := e.commute(t, 3, true)
		alice := e.member(t)
		res, err := e.svc.BookStanding(ctx, alice, e.ter, BookRequest{TripID: tr.ID, Seats: 1}, nil, LegsOut)
		if err != nil || res.Standing.Status != BookingAccepted || len(res.Bookings) != 5 {
			t.Fatalf("standing before the change: %+v %v", res, err)
		}
		for _, b := range res.Bookings {
			if b.DepartsAt.UTC().Format("15:04") != "06:40" {
				t.Fatalf("winter departure at %v UTC", b.DepartsAt.UTC())
			}
		}
		e.clock.set(time.Date(2026, 3, 27, 9, 0, 0, 0, time.UTC)) // clocks go forward on Sunday 29
		if n, err := e.svc.ExtendHorizon(ctx); err != nil || n == 0 {
			t.Fatalf("extend: %d %v", n, err)
		}
		list, err := e.svc.store.Bookings(ctx, e.ter.ID, BookingFilter{StandingID: res.Standing.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		summer := 0
		for _, b := range list {
			local := b.DepartsAt.In(e.ter.Location())
			if local.Format("15:04") != "07:40" {
				t.Fatalf("departure at %v local", local)
			}
			if local.Format(time.DateOnly) >= "2026-03-30" {
				if b.DepartsAt.UTC().Format("15:04") != "05:40" {
					t.Fatalf("summer departure %v at %v UTC", local, b.DepartsAt.UTC())
				}
				summer++
			}
		}
		if summer != 5 { // Monday 30 March to Friday 3 April
			t.Fatalf("%d summer departures booked, want 5: %d bookings", summer, len(list))
		}
	})
}

// TestStandingNeverOversold: 100 passengers at once, half booking one
// departure and half every week, then the horizon job (twice at once, as
// two instances would) racing more single bookings: no departure ever
// has more accepted seats than offered, on either database.
func TestStandingNeverOversold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.withOptions(Options{Horizon: 14 * 24 * time.Hour})
		ctx := context.Background()
		tr := e.commute(t, 3, true)
		occs, _ := e.svc.store.Occurrences(ctx, e.ter.ID, tr.ID, e.clock.now(), 1000)
		riders := make([]access.Actor, 150)
		for i := range riders {
			riders[i] = e.member(t)
		}
		var wg sync.WaitGroup
		errc := make(chan error, len(riders)+2)
		race := func(from, to int, standing bool) {
			for i := from; i < to; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					req := BookRequest{TripID: tr.ID, Seats: 1 + i%2, OccurrenceID: occs[i%len(occs)].ID}
					var err error
					if standing && i%2 == 1 {
						req.OccurrenceID, req.Seats = 0, 1
						_, err = e.svc.BookStanding(ctx, riders[i], e.ter, req, nil, "")
					} else {
						_, err = e.svc.Book(ctx, riders[i], e.ter, req)
					}
					if err != nil && keyOf(err) != "err.mobility.full" {
						errc <- err
					}
				}(i)
			}
		}
		race(0, 100, true)
		wg.Wait()
		e.checkSeats(t, tr)
		// A week later: two extensions at once and 50 more single bookings.
		e.clock.set(e.clock.now().Add(7 * 24 * time.Hour))
		occs, _ = e.svc.store.Occurrences(ctx, e.ter.ID, tr.ID, e.clock.now(), 1000)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.svc.ExtendHorizon(ctx); err != nil {
					errc <- err
				}
			}()
		}
		race(100, 150, false)
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		sum := e.checkSeats(t, tr)
		after, _ := e.svc.store.Occurrences(ctx, e.ter.ID, tr.ID, e.clock.now().Add(8*24*time.Hour), 1000)
		if len(after) == 0 {
			t.Fatal("the extension added nothing")
		}
		// Departures past the first two weeks only the horizon created:
		// the standing bookings (50 of them, accepted at once) fill them.
		for _, o := range after {
			if sum[o.ID] != 3 {
				t.Fatalf("new departure %s: %d seats accepted, want 3", o.LocalDate, sum[o.ID])
			}
		}
	})
}

// TestStandingAcceptRacesExtension: the driver accepts standing bookings
// while the horizon job adds departures; every departure ends up booked
// for every accepted standing booking (none falls between the two).
func TestStandingAcceptRacesExtension(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.withOptions(Options{Horizon: 14 * 24 * time.Hour})
		ctx := context.Background()
		tr := e.commute(t, 8, false)
		var ids []int64
		for range 6 {
			res, err := e.svc.BookStanding(ctx, e.member(t), e.ter, BookRequest{TripID: tr.ID, Seats: 1}, nil, LegsBoth)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, res.Standing.ID)
		}
		e.clock.set(e.clock.now().Add(7 * 24 * time.Hour))
		var wg sync.WaitGroup
		errc := make(chan error, 10)
		for _, id := range ids {
			wg.Add(1)
			go func(id int64) {
				defer wg.Done()
				if _, err := e.svc.AcceptStanding(ctx, e.driver, e.ter, id); err != nil {
					errc <- err
				}
			}(id)
		}
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.svc.ExtendHorizon(ctx); err != nil {
					errc <- err
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		e.everyDepartureHolds(t, tr, len(ids))
	})
}

// everyDepartureHolds checks the seats of tr (checkSeats) and that each of
// its departures to come holds want accepted seats; it returns them.
func (e *env) everyDepartureHolds(t *testing.T, tr *Trip, want int) []Occurrence {
	t.Helper()
	sum := e.checkSeats(t, tr)
	occs, err := e.svc.store.Occurrences(context.Background(), e.ter.ID, tr.ID, e.clock.now(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range occs {
		if sum[o.ID] != want {
			t.Fatalf("departure %s %s: %d seats booked, want %d", o.LocalDate, o.LocalTime, sum[o.ID], want)
		}
	}
	return occs
}
