package mobility

import (
	"context"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// BookingAction is what a member does to an ordinary booking (one
// departure).
type BookingAction string

const (
	ActAccept BookingAction = "accept" // the driver, before departure, while pending
	ActRefuse BookingAction = "refuse" // the driver, before departure, while pending
	ActCancel BookingAction = "cancel" // either side, before departure, while pending or accepted
	ActReview BookingAction = "review" // either side, after departure, once, if it was accepted
	ActPay    BookingAction = "pay"    // the passenger, after departure, a contribution in units not paid
)

// BookingActions lists every action, in the order pages offer them.
func BookingActions() []BookingAction {
	return []BookingAction{ActAccept, ActRefuse, ActPay, ActReview, ActCancel}
}

// errPaid answers ActPay on a booking already paid: PayContribution takes
// it as success (paying twice is asking once), lists as nothing to offer.
var errPaid = errs.E(errs.Conflict, "err.mobility.nothing_to_pay")

// mayBooking returns nil when userID may take action on b as it is at now,
// else the error the action answers, checked in the order the actions
// always checked them. The actions and the lists of what a member may do
// (Booking.Actions) both ask it, so a page never offers a button the
// service refuses, nor hides one it allows. b.Reviewed is set by the
// reads for a member (MyTrips, Booking); the store's unique index still
// refuses a second review racing the first.
func (s *Service) mayBooking(b *Booking, userID int64, action BookingAction, now time.Time) error {
	party := userID != 0 && (b.PassengerID == userID || b.DriverID == userID)
	departed := !b.DepartsAt.After(now)
	switch action {
	case ActAccept, ActRefuse, ActCancel:
		switch {
		case departed:
			return errs.E(errs.Invalid, "err.mobility.departed")
		case action != ActCancel && (userID == 0 || b.DriverID != userID):
			return errs.E(errs.Forbidden, "err.mobility.driver_only")
		case action == ActCancel && !party:
			return errs.E(errs.Forbidden, "err.mobility.not_yours")
		case b.Status != BookingPending && (action != ActCancel || b.Status != BookingAccepted):
			return errs.E(errs.Conflict, "err.mobility.booking_changed")
		}
	case ActReview:
		switch {
		case !party:
			return errs.E(errs.NotFound, "err.mobility.booking_not_found")
		case b.Status != BookingAccepted:
			return errs.E(errs.Conflict, "err.mobility.review_not_accepted")
		case !departed:
			return errs.E(errs.Conflict, "err.mobility.review_too_early")
		case b.Reviewed:
			return errs.E(errs.Conflict, "err.mobility.already_reviewed")
		}
	case ActPay:
		switch {
		case s.opts.Ledger == nil || b.UnitsDue == 0:
			return errs.E(errs.Conflict, "err.mobility.nothing_to_pay")
		case userID == 0 || b.PassengerID != userID:
			return errs.E(errs.Forbidden, "err.mobility.not_yours")
		case b.Status != BookingAccepted || !departed:
			return errs.E(errs.Conflict, "err.mobility.nothing_to_pay")
		case b.PaidEntry > 0:
			return errPaid
		}
	default:
		return errs.ErrNotFound
	}
	return nil
}

// fillBookingActions sets what userID may do at now to each booking.
func (s *Service) fillBookingActions(userID int64, now time.Time, list ...*Booking) {
	for _, b := range list {
		if b == nil {
			continue
		}
		b.Actions = []BookingAction{}
		for _, a := range BookingActions() {
			if s.mayBooking(b, userID, a, now) == nil {
				b.Actions = append(b.Actions, a)
			}
		}
	}
}

// ActOnBooking takes action on booking id for actor: the pages' forms and
// the API name the action, the service runs it. A review has its own
// method (it carries a rating). The booking comes back with what actor
// may do to it next.
func (s *Service) ActOnBooking(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64,
	action BookingAction, reason string) (*Booking, error) {
	var b *Booking
	var err error
	switch action {
	case ActAccept:
		b, err = s.Accept(ctx, actor, ter, id)
	case ActRefuse:
		b, err = s.Refuse(ctx, actor, ter, id, reason)
	case ActCancel:
		b, err = s.CancelBooking(ctx, actor, ter, id, reason)
	case ActPay:
		b, err = s.PayContribution(ctx, actor, ter, id)
	default:
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.withActions(ctx, actor, b)
}
