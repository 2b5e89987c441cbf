package mobility

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/territory"
	"github.com/sharingcity/sharingcity/internal/text"
)

// Legs of a weekly trip a standing booking rides.
type Legs string

const (
	LegsOut  Legs = "out"  // origin to destination
	LegsBack Legs = "back" // the way back
	LegsBoth Legs = "both"
)

// Standing is a passenger's seats on a weekly trip "every week": each of
// its departures on Days (all the trip's days when empty) in the Legs
// chosen, those materialised now and those the horizon adds later. The
// driver accepts or refuses it once (or the trip accepts automatically);
// each departure then holds its own booking (Booking.StandingID), so the
// passenger can skip one without leaving the others.
type Standing struct {
	ID          int64         `json:"id"`
	TerritoryID int64         `json:"-"`
	TripID      int64         `json:"trip_id"`
	PassengerID int64         `json:"passenger_id"`
	DriverID    int64         `json:"driver_id"`
	Seats       int           `json:"seats"`
	Days        Days          `json:"days,omitempty"`
	Legs        Legs          `json:"legs"`
	Status      BookingStatus `json:"status"`
	Pickup      *Place        `json:"pickup,omitempty"`
	Dropoff     *Place        `json:"dropoff,omitempty"`
	Message     string        `json:"message,omitempty"`
	Reason      string        `json:"reason,omitempty"`
	CancelledBy int64         `json:"cancelled_by,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`

	// Filled for lists.
	FromLabel string `json:"from_label,omitempty"`
	ToLabel   string `json:"to_label,omitempty"`
	// Actions are what the member it is shown to may do to it now (see
	// Standing.may), filled by the methods that return it to a member.
	Actions []StandingAction `json:"actions,omitempty"`
}

// covers reports whether the standing booking rides occurrence o.
func (st *Standing) covers(o *Occurrence) bool {
	if (o.Return && st.Legs == LegsOut) || (!o.Return && st.Legs == LegsBack) {
		return false
	}
	if len(st.Days) == 0 {
		return true
	}
	d, err := time.Parse(time.DateOnly, o.LocalDate)
	if err != nil {
		return false
	}
	for _, w := range st.Days {
		if d.Weekday() == w {
			return true
		}
	}
	return false
}

// StandingResult is a standing booking with the departures it booked in
// one step and those it could not (no seat left: the passenger is told).
type StandingResult struct {
	Standing *Standing    `json:"standing"`
	Bookings []*Booking   `json:"bookings"`
	Missed   []Occurrence `json:"missed"`
}

// StandingFilter narrows the standing bookings of a territory.
type StandingFilter struct {
	TripID      int64
	PassengerID int64
	DriverID    int64
	Statuses    []BookingStatus
}

var liveStatuses = []BookingStatus{BookingPending, BookingAccepted}

// BookStanding books seats on a weekly trip every week. With automatic
// acceptance it is accepted at once and every coming departure it covers
// is booked in the same transaction, each seat taken by the guarded
// UPDATE; otherwise it waits for the driver. Departures without a free
// seat are skipped and listed in Missed.
func (s *Service) BookStanding(ctx context.Context, actor access.Actor, ter *territory.Territory, req BookRequest, days Days, legs Legs) (*StandingResult, error) {
	t, err := s.checkBook(ctx, actor, ter, &req)
	if err != nil {
		return nil, err
	}
	if t.Weekly == nil {
		return nil, errs.E(errs.Invalid, "err.mobility.not_weekly")
	}
	if days, legs, err = standingShape(t.Weekly, days, legs); err != nil {
		return nil, err
	}
	now := s.clock()
	st := &Standing{TerritoryID: ter.ID, TripID: t.ID, PassengerID: actor.UserID, DriverID: t.UserID, Seats: req.Seats,
		Days: days, Legs: legs, Status: BookingPending, Pickup: req.Pickup, Dropoff: req.Dropoff, Message: req.Message,
		CreatedAt: now, UpdatedAt: now, FromLabel: t.From.Label, ToLabel: t.To.Label}
	if t.AutoAccept {
		st.Status = BookingAccepted
	}
	res := &StandingResult{Standing: st, Bookings: []*Booking{}, Missed: []Occurrence{}}
	err = s.store.WithTx(ctx, func(tx Store) error {
		res.Bookings, res.Missed = []*Booking{}, []Occurrence{}
		if err := tx.InsertStanding(ctx, st); err != nil {
			return err
		}
		if st.Status != BookingAccepted {
			return nil
		}
		if err := tx.LockTrip(ctx, ter.ID, t.ID); err != nil {
			return err
		}
		occs, err := tx.Occurrences(ctx, ter.ID, t.ID, now, 1000)
		if err != nil {
			return err
		}
		res.Bookings, res.Missed, err = applyStanding(ctx, tx, t, st, occs, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "mobility: standing booking", "territory", ter.Slug, "trip", t.ID, "standing", st.ID,
		"status", st.Status, "booked", len(res.Bookings), "missed", len(res.Missed))
	fillActions(actor.UserID, st)
	return res, nil
}

// standingShape checks the days (a subset of the trip's) and legs asked,
// and fills the defaults: every day, both ways when there is a way back.
func standingShape(w *Weekly, days Days, legs Legs) (Days, Legs, error) {
	var v errs.Validator
	of := map[time.Weekday]bool{}
	for _, d := range w.Days {
		of[d] = true
	}
	seen := map[time.Weekday]bool{}
	out := Days{}
	for _, d := range days {
		v.Check(of[d], "days", "err.mobility.standing_days")
		if of[d] && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if len(out) == len(w.Days) {
		out = Days{}
	}
	if legs == "" {
		legs = LegsOut
		if w.Return != "" {
			legs = LegsBoth
		}
	}
	v.Check(oneOf(legs, LegsOut, LegsBack, LegsBoth), "legs", "err.mobility.standing_legs")
	v.Check(w.Return != "" || legs == LegsOut, "legs", "err.mobility.standing_legs")
	return out, legs, v.Err()
}

// applyStanding books st's seats on each coming active departure of occs
// it covers, inside the caller's transaction: the seats first, by the
// guarded UPDATE (a departure without them is missed), then the booking,
// written only if the passenger holds none there (else the seats go back).
func applyStanding(ctx context.Context, tx Store, t *Trip, st *Standing, occs []Occurrence, now time.Time) ([]*Booking, []Occurrence, error) {
	booked, missed := []*Booking{}, []Occurrence{}
	for i := range occs {
		o := &occs[i]
		if o.ID == 0 || o.Status != TripActive || !o.DepartsAt.After(now) || !st.covers(o) {
			continue
		}
		ok, err := tx.TakeSeats(ctx, st.TerritoryID, o.ID, st.Seats)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			missed = append(missed, *o)
			continue
		}
		b := newBooking(access.Actor{UserID: st.PassengerID}, t, o,
			BookRequest{Seats: st.Seats, Pickup: st.Pickup, Dropoff: st.Dropoff, Message: st.Message}, now)
		b.Status, b.StandingID = BookingAccepted, st.ID
		inserted, err := tx.InsertBookingOnce(ctx, b)
		if err != nil {
			return nil, nil, err
		}
		if !inserted {
			if err := tx.ReleaseSeats(ctx, st.TerritoryID, o.ID, st.Seats); err != nil {
				return nil, nil, err
			}
			continue
		}
		booked = append(booked, b)
	}
	return booked, missed, nil
}

// AcceptStanding lets the driver accept a pending standing booking once:
// every coming departure it covers is booked in the same transaction, the
// full ones skipped, and the passenger is told by mail of those.
func (s *Service) AcceptStanding(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*StandingResult, error) {
	var res *StandingResult
	var t *Trip
	err := s.changeStanding(ctx, actor, ter, id, StandingAccept, func(tx Store, st *Standing, now time.Time) error {
		st.Status, st.UpdatedAt = BookingAccepted, now
		if err := tx.SetStandingStatus(ctx, st, BookingPending); err != nil {
			return err
		}
		var err error
		if t, err = tx.GetTrip(ctx, ter.ID, st.TripID); err != nil {
			return err
		}
		if t.Status != TripActive {
			return errs.E(errs.Conflict, "err.mobility.trip_cancelled")
		}
		occs, err := tx.Occurrences(ctx, ter.ID, st.TripID, now, 1000)
		if err != nil {
			return err
		}
		res = &StandingResult{Standing: st}
		res.Bookings, res.Missed, err = applyStanding(ctx, tx, t, st, occs, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.tellMissed(ctx, ter, res.Standing, res.Missed)
	return res, nil
}

// RefuseStanding lets the driver refuse a pending standing booking.
func (s *Service) RefuseStanding(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) (*StandingResult, error) {
	var out *Standing
	err := s.changeStanding(ctx, actor, ter, id, StandingRefuse, func(tx Store, st *Standing, now time.Time) error {
		st.Status, st.Reason, st.UpdatedAt = BookingRefused, text.OneLine(reason), now
		out = st
		return tx.SetStandingStatus(ctx, st, BookingPending)
	})
	if err != nil {
		return nil, err
	}
	return &StandingResult{Standing: out, Bookings: []*Booking{}, Missed: []Occurrence{}}, nil
}

// CancelStanding lets the passenger or the driver end a standing booking,
// with a reason: its coming departures are cancelled with the same reason
// and their seats freed, in one transaction. Past departures stay.
func (s *Service) CancelStanding(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) (*StandingResult, error) {
	res := &StandingResult{Bookings: []*Booking{}, Missed: []Occurrence{}}
	err := s.changeStanding(ctx, actor, ter, id, StandingCancel, func(tx Store, st *Standing, now time.Time) error {
		from := st.Status
		st.Status, st.Reason, st.CancelledBy, st.UpdatedAt = BookingCancelled, text.OneLine(reason), actor.UserID, now
		res.Standing = st
		if err := tx.SetStandingStatus(ctx, st, from); err != nil {
			return err
		}
		list, err := tx.Bookings(ctx, ter.ID, BookingFilter{StandingID: st.ID, Statuses: liveStatuses, Limit: 10000})
		if err != nil {
			return err
		}
		for _, b := range list {
			if !b.DepartsAt.After(now) {
				continue
			}
			bf := b.Status
			b.Status, b.Reason, b.CancelledBy, b.UpdatedAt = BookingCancelled, st.Reason, actor.UserID, now
			if err := tx.SetBookingStatus(ctx, b, bf); err != nil {
				return err
			}
			if bf == BookingAccepted {
				if err := tx.ReleaseSeats(ctx, ter.ID, b.OccurrenceID, b.Seats); err != nil {
					return err
				}
			}
			res.Bookings = append(res.Bookings, b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// changeStanding runs fn on standing booking id in one transaction, once
// actor may take action on it; the standing booking it leaves carries
// what actor may do next.
func (s *Service) changeStanding(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64,
	action StandingAction, fn func(tx Store, st *Standing, now time.Time) error) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	now := s.clock()
	var changed *Standing
	err := s.store.WithTx(ctx, func(tx Store) error {
		st, err := tx.GetStanding(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		// The horizon job adds departures under the same lock: a departure
		// it adds is seen either by it (the standing booking already
		// accepted) or by this transaction (added before), never by neither.
		if err := tx.LockTrip(ctx, ter.ID, st.TripID); err != nil {
			return err
		}
		if err := st.may(actor.UserID, action); err != nil {
			return err
		}
		changed = st
		return fn(tx, st, now)
	})
	if err == nil {
		fillActions(actor.UserID, changed)
	}
	return err
}

// StandingBooking returns a standing booking to its passenger or driver.
func (s *Service) StandingBooking(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Standing, error) {
	st, err := s.store.GetStanding(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	if actor.UserID == 0 || (st.PassengerID != actor.UserID && st.DriverID != actor.UserID) {
		return nil, errs.E(errs.NotFound, "err.mobility.standing_not_found")
	}
	fillActions(actor.UserID, st)
	return st, nil
}

// extendStandings books the accepted standing bookings of t on the
// departures just added (occs), inside the transaction that added them.
// It returns, per standing booking, the departures it missed.
func extendStandings(ctx context.Context, tx Store, t *Trip, occs []Occurrence, now time.Time) (map[*Standing][]Occurrence, error) {
	if len(occs) == 0 {
		return nil, nil
	}
	list, err := tx.Standings(ctx, t.TerritoryID, StandingFilter{TripID: t.ID, Statuses: []BookingStatus{BookingAccepted}})
	if err != nil {
		return nil, err
	}
	missed := map[*Standing][]Occurrence{}
	for _, st := range list {
		_, m, err := applyStanding(ctx, tx, t, st, occs, now)
		if err != nil {
			return nil, err
		}
		if len(m) > 0 {
			missed[st] = m
		}
	}
	return missed, nil
}

// tellMissed mails the passenger the departures of their standing booking
// that had no seat left, as reminders are sent; without mail it only logs.
func (s *Service) tellMissed(ctx context.Context, ter *territory.Territory, st *Standing, missed []Occurrence) {
	if len(missed) == 0 {
		return
	}
	s.log.InfoContext(ctx, "mobility: standing booking missed full departures", "standing", st.ID, "missed", len(missed))
	if s.opts.Mail == nil || s.opts.People == nil {
		return
	}
	email, name, lang, err := s.opts.People.Contact(ctx, st.PassengerID)
	if err != nil {
		s.log.WarnContext(ctx, "mobility: contact for a missed departure", "standing", st.ID, "err", err)
		return
	}
	when := make([]string, len(missed))
	for i, o := range missed {
		when[i] = o.LocalDate + " " + o.LocalTime
	}
	link := s.opts.BaseURL + "/t/" + ter.Slug + "/trips/" + strconv.FormatInt(st.TripID, 10)
	if err := s.opts.Mail.Send(ctx, missedMail(email, name, lang, when, link)); err != nil {
		s.log.WarnContext(ctx, "mobility: mail for a missed departure", "standing", st.ID, "err", err)
	}
}

func missedMail(to, name, lang string, when []string, link string) mail.Message {
	if name == "" {
		name = to
	}
	list := "- " + strings.Join(when, "\n- ")
	if lang == "en" {
		return mail.Message{To: to, Subject: "Carpool: no seat left on some departures",
			Body: "Hello " + name + ",\n\nYour weekly booking could not get a seat on these departures (local time), which are full:\n\n" +
				list + "\n\nYour other departures are booked.\n\n" + link + "\n"}
	}
	return mail.Message{To: to, Subject: "Covoiturage : plus de place sur certains départs",
		Body: "Bonjour " + name + ",\n\nVotre réservation de chaque semaine n'a pas obtenu de place sur ces départs (heure locale), qui sont complets :\n\n" +
			list + "\n\nVos autres départs sont réservés.\n\n" + link + "\n"}
}
