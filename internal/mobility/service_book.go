package mobility

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
	"github.com/sharingcity/sharingcity/internal/text"
)

// BookRequest is what a passenger asks for.
type BookRequest struct {
	TripID       int64
	OccurrenceID int64 // 0: the next departure
	Seats        int
	Pickup       *Place
	Dropoff      *Place
	Message      string
}

func errFull() error { return errs.E(errs.Conflict, "err.mobility.full") }

// takeSeats takes an accepted booking's seats on its departure, inside the
// caller's transaction: Conflict "err.mobility.full" when they are gone,
// which rolls the acceptance back.
func takeSeats(ctx context.Context, tx Store, b *Booking) error {
	ok, err := tx.TakeSeats(ctx, b.TerritoryID, b.OccurrenceID, b.Seats)
	if err == nil && !ok {
		err = errFull()
	}
	return err
}

// Book asks for seats on one departure of a trip. When the trip accepts
// automatically the seats are taken at once, by a guarded UPDATE in the
// same transaction as the booking: Conflict "err.mobility.full" when they
// are gone. Otherwise the booking waits for the driver.
func (s *Service) Book(ctx context.Context, actor access.Actor, ter *territory.Territory, req BookRequest) (*Booking, error) {
	t, err := s.checkBook(ctx, actor, ter, &req)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	occ, err := s.occurrenceFor(ctx, t, req.OccurrenceID, now)
	if err != nil {
		return nil, err
	}
	if occ.SeatsLeft < req.Seats {
		return nil, errFull()
	}
	b := newBooking(actor, t, occ, req, now)
	err = s.store.WithTx(ctx, func(tx Store) error {
		if err := tx.InsertBooking(ctx, b); err != nil {
			return err
		}
		if b.Status != BookingAccepted {
			return nil
		}
		return takeSeats(ctx, tx, b)
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "mobility: seats booked", "territory", ter.Slug, "trip", t.ID, "booking", b.ID, "status", b.Status)
	return b, nil
}

// checkBook validates a booking request and returns the trip it is for.
func (s *Service) checkBook(ctx context.Context, actor access.Actor, ter *territory.Territory, req *BookRequest) (*Trip, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return nil, err
	}
	var v errs.Validator
	v.Check(req.Seats >= 1, "seats", "err.mobility.seats_zero")
	v.Check(req.Seats <= MaxSeats, "seats", "err.mobility.seats_range", "Max", MaxSeats)
	req.Message = text.OneLine(req.Message)
	v.Check(!tooLong(req.Message, MaxNote), "message", "err.too_long", "Max", MaxNote)
	for f, p := range map[string]*Place{"pickup": req.Pickup, "dropoff": req.Dropoff} {
		if p != nil {
			p.Label = text.OneLine(p.Label)
			v.Check(validPlace(*p) && ter.BBox.Contains(p.Point()), f, "err.outside_territory")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t, err := s.store.GetTrip(ctx, ter.ID, req.TripID)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Kind != KindOffer:
		return nil, errs.E(errs.Invalid, "err.mobility.not_an_offer")
	case t.Status != TripActive:
		return nil, errs.E(errs.Conflict, "err.mobility.trip_cancelled")
	case t.UserID == actor.UserID:
		return nil, errs.E(errs.Forbidden, "err.mobility.own_trip")
	case req.Seats > t.Seats:
		return nil, errs.E(errs.Invalid, "err.mobility.seats_range", "Max", t.Seats)
	}
	if err := s.checkWomenOnly(ctx, t, actor.UserID, "err.mobility.women_only_book"); err != nil {
		return nil, err
	}
	return t, nil
}

// occurrenceFor finds the departure a booking is for: the one named, or
// the next one.
func (s *Service) occurrenceFor(ctx context.Context, t *Trip, id int64, now time.Time) (*Occurrence, error) {
	if id == 0 {
		occs, err := s.store.Occurrences(ctx, t.TerritoryID, t.ID, now, 1)
		if err != nil {
			return nil, err
		}
		if len(occs) == 0 || occs[0].Status != TripActive {
			return nil, errs.E(errs.Conflict, "err.mobility.departed")
		}
		return &occs[0], nil
	}
	o, err := s.store.GetOccurrence(ctx, t.TerritoryID, id)
	if err != nil {
		return nil, err
	}
	switch {
	case o.TripID != t.ID:
		return nil, errs.E(errs.NotFound, "err.mobility.occurrence_not_found")
	case !o.DepartsAt.After(now):
		return nil, errs.E(errs.Invalid, "err.mobility.departed")
	case o.Status != TripActive:
		return nil, errs.E(errs.Conflict, "err.mobility.trip_cancelled")
	}
	return o, nil
}

// Accept lets the driver accept a pending booking: its seats are taken by
// a guarded UPDATE in the same transaction, or the answer is Conflict
// "err.mobility.full" and nothing changes.
func (s *Service) Accept(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Booking, error) {
	return s.decide(ctx, actor, ter, id, ActAccept, BookingAccepted, "")
}

// Refuse lets the driver refuse a pending booking, with a reason.
func (s *Service) Refuse(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) (*Booking, error) {
	return s.decide(ctx, actor, ter, id, ActRefuse, BookingRefused, reason)
}

// changeBooking runs fn on booking id inside one transaction, for the
// signed-in actor, once mayBooking allows action.
func (s *Service) changeBooking(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64,
	action BookingAction, fn func(tx Store, b *Booking, now time.Time) error) (*Booking, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	now := s.clock()
	var b *Booking
	err := s.store.WithTx(ctx, func(tx Store) error {
		var err error
		if b, err = tx.GetBooking(ctx, ter.ID, id); err != nil {
			return err
		}
		if err := s.mayBooking(b, actor.UserID, action, now); err != nil {
			return err
		}
		return fn(tx, b, now)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Service) decide(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64,
	action BookingAction, to BookingStatus, reason string) (*Booking, error) {
	return s.changeBooking(ctx, actor, ter, id, action, func(tx Store, b *Booking, now time.Time) error {
		b.Status, b.Reason, b.UpdatedAt = to, text.OneLine(reason), now
		if err := tx.SetBookingStatus(ctx, b, BookingPending); err != nil {
			return err
		}
		if to != BookingAccepted {
			return nil
		}
		return takeSeats(ctx, tx, b)
	})
}

// CancelBooking lets the passenger or the driver cancel a pending or
// accepted booking before departure, with a reason; accepted seats are
// freed in the same transaction.
func (s *Service) CancelBooking(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) (*Booking, error) {
	return s.changeBooking(ctx, actor, ter, id, ActCancel, func(tx Store, b *Booking, now time.Time) error {
		from := b.Status
		b.Status, b.Reason, b.CancelledBy, b.UpdatedAt = BookingCancelled, text.OneLine(reason), actor.UserID, now
		if err := tx.SetBookingStatus(ctx, b, from); err != nil {
			return err
		}
		if from == BookingAccepted {
			return tx.ReleaseSeats(ctx, ter.ID, b.OccurrenceID, b.Seats)
		}
		return nil
	})
}

// Booking returns a booking to its passenger or driver, with what they
// may do to it now.
func (s *Service) Booking(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Booking, error) {
	b, err := s.partyBooking(ctx, actor, ter, id)
	if err != nil {
		return nil, err
	}
	return s.withActions(ctx, actor, b)
}

// partyBooking reads booking id for its passenger or driver (NotFound for
// anyone else).
func (s *Service) partyBooking(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Booking, error) {
	b, err := s.store.GetBooking(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	if actor.UserID == 0 || (b.PassengerID != actor.UserID && b.DriverID != actor.UserID) {
		return nil, errs.E(errs.NotFound, "err.mobility.booking_not_found")
	}
	return b, nil
}

// withActions sets on b what actor may do to it now, as MyTrips lists it,
// so that a booking read or changed alone offers the same buttons.
func (s *Service) withActions(ctx context.Context, actor access.Actor, b *Booking) (*Booking, error) {
	reviewed, err := s.store.HasReviewed(ctx, b.TerritoryID, b.ID, actor.UserID)
	if err != nil {
		return nil, err
	}
	b.Reviewed = reviewed
	s.fillBookingActions(actor.UserID, s.clock(), b)
	return b, nil
}

// Mine is a member's carpooling: the trips and requests they published,
// the bookings on their trips and their own bookings.
type Mine struct {
	Trips       []*Trip    `json:"trips"`
	AsDriver    []*Booking `json:"as_driver"`
	AsPassenger []*Booking `json:"as_passenger"`
	// Standing bookings ("every week") on my trips and my own.
	StandingAsDriver    []*Standing `json:"standing_as_driver"`
	StandingAsPassenger []*Standing `json:"standing_as_passenger"`
	// Names are the names of the other members in the bookings above
	// (see Service.names), read at once.
	Names map[int64]string `json:"-"`
}

// MyTrips returns actor's carpooling in the territory.
func (s *Service) MyTrips(ctx context.Context, actor access.Actor, ter *territory.Territory) (*Mine, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	var m Mine
	var err error
	if m.Trips, err = s.store.TripsOf(ctx, ter.ID, actor.UserID, 200); err != nil {
		return nil, err
	}
	if m.AsDriver, err = s.store.Bookings(ctx, ter.ID, BookingFilter{DriverID: actor.UserID}); err != nil {
		return nil, err
	}
	if m.AsPassenger, err = s.store.Bookings(ctx, ter.ID, BookingFilter{PassengerID: actor.UserID}); err != nil {
		return nil, err
	}
	if m.StandingAsDriver, err = s.store.Standings(ctx, ter.ID, StandingFilter{DriverID: actor.UserID}); err != nil {
		return nil, err
	}
	if m.StandingAsPassenger, err = s.store.Standings(ctx, ter.ID, StandingFilter{PassengerID: actor.UserID}); err != nil {
		return nil, err
	}
	fillActions(actor.UserID, m.StandingAsDriver...)
	fillActions(actor.UserID, m.StandingAsPassenger...)
	reviewed, err := s.store.ReviewedBy(ctx, ter.ID, actor.UserID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	for _, list := range [][]*Booking{m.AsDriver, m.AsPassenger} {
		for _, b := range list {
			b.Reviewed = reviewed[b.ID]
		}
		s.fillBookingActions(actor.UserID, now, list...)
	}
	var ids []int64
	for _, list := range [][]*Booking{m.AsDriver, m.AsPassenger} {
		for _, b := range list {
			ids = append(ids, b.PassengerID, b.DriverID)
		}
	}
	for _, list := range [][]*Standing{m.StandingAsDriver, m.StandingAsPassenger} {
		for _, st := range list {
			ids = append(ids, st.PassengerID, st.DriverID)
		}
	}
	if m.Names, err = s.names(ctx, ids); err != nil {
		return nil, err
	}
	return &m, nil
}

// names reads the names of members ids in one query: what they chose to
// show, else their e-mail address (the other side of a booking writes to
// them), else "#id" for a member gone or without Options.Users.
func (s *Service) names(ctx context.Context, ids []int64) (map[int64]string, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[int64]string, len(ids))
	for _, id := range ids {
		out[id] = "#" + strconv.FormatInt(id, 10)
	}
	if s.opts.Users == nil || len(ids) == 0 {
		return out, nil
	}
	users, err := s.opts.Users.UsersByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("mobility: names: %w", err)
	}
	for id, u := range users {
		if u.DisplayName != "" {
			out[id] = u.DisplayName
		} else {
			out[id] = u.Email
		}
	}
	return out, nil
}

// newBooking is the booking req makes on one departure of t.
func newBooking(actor access.Actor, t *Trip, occ *Occurrence, req BookRequest, now time.Time) *Booking {
	b := &Booking{TerritoryID: t.TerritoryID, TripID: t.ID, OccurrenceID: occ.ID, PassengerID: actor.UserID, DriverID: t.UserID,
		Seats: req.Seats, Status: BookingPending, Pickup: req.Pickup, Dropoff: req.Dropoff, Message: req.Message,
		CreatedAt: now, UpdatedAt: now, DepartsAt: occ.DepartsAt, FromLabel: t.From.Label, ToLabel: t.To.Label}
	if t.AutoAccept {
		b.Status = BookingAccepted
	}
	if t.Contribution.Kind == ContributionUnits {
		b.UnitsDue = t.Contribution.Amount * int64(b.Seats)
	}
	return b
}

// BookEvery books the same seats on every coming departure of a weekly
// trip in the direction of the one named (or the next), as far as they are
// materialised (the horizon, 8 weeks), in one transaction. Departures the
// passenger already holds, or without enough seats left, are skipped;
// Conflict "err.mobility.full" when none is left. With automatic
// acceptance each departure's seats are taken by the guarded UPDATE before
// its booking is written, so none is ever oversold.
func (s *Service) BookEvery(ctx context.Context, actor access.Actor, ter *territory.Territory, req BookRequest) ([]*Booking, error) {
	t, err := s.checkBook(ctx, actor, ter, &req)
	if err != nil {
		return nil, err
	}
	if t.Weekly == nil {
		return nil, errs.E(errs.Invalid, "err.mobility.not_weekly")
	}
	now := s.clock()
	first, err := s.occurrenceFor(ctx, t, req.OccurrenceID, now)
	if err != nil {
		return nil, err
	}
	occs, err := s.store.Occurrences(ctx, ter.ID, t.ID, now, 500)
	if err != nil {
		return nil, err
	}
	held, err := s.store.Bookings(ctx, ter.ID, BookingFilter{TripID: t.ID, PassengerID: actor.UserID,
		Statuses: []BookingStatus{BookingPending, BookingAccepted}, Limit: 1000})
	if err != nil {
		return nil, err
	}
	skip := map[int64]bool{}
	for _, b := range held {
		skip[b.OccurrenceID] = true
	}
	var out []*Booking
	err = s.store.WithTx(ctx, func(tx Store) error {
		out = nil
		for i := range occs {
			o := &occs[i]
			if o.Return != first.Return || o.Status != TripActive || !o.DepartsAt.After(now) || skip[o.ID] || o.SeatsLeft < req.Seats {
				continue
			}
			b := newBooking(actor, t, o, req, now)
			if b.Status == BookingAccepted {
				ok, err := tx.TakeSeats(ctx, ter.ID, o.ID, b.Seats)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if err := tx.InsertBooking(ctx, b); err != nil {
				return err
			}
			out = append(out, b)
		}
		if len(out) == 0 {
			return errFull()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "mobility: seats booked on every departure", "territory", ter.Slug, "trip", t.ID, "bookings", len(out))
	return out, nil
}
