package mobility

import (
	"context"
	"slices"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// StandingAction is what a member does to a standing booking.
type StandingAction string

const (
	StandingAccept StandingAction = "accept" // the driver, once, while pending
	StandingRefuse StandingAction = "refuse" // the driver, while pending
	StandingCancel StandingAction = "cancel" // the passenger or the driver, while live
)

// StandingActions lists every action, in the order pages offer them.
func StandingActions() []StandingAction {
	return []StandingAction{StandingAccept, StandingRefuse, StandingCancel}
}

// may returns nil when userID may take action on st as it is, else the
// error the action answers. The actions themselves and the lists of what a
// member may do (Standing.Actions) both ask it, so a page never offers a
// button the service refuses, nor hides one it allows.
func (st *Standing) may(userID int64, action StandingAction) error {
	switch action {
	case StandingAccept, StandingRefuse:
		if userID == 0 || st.DriverID != userID {
			return errs.E(errs.Forbidden, "err.mobility.driver_only")
		}
		if st.Status != BookingPending {
			return errs.E(errs.Conflict, "err.mobility.booking_changed")
		}
	case StandingCancel:
		if userID == 0 || (st.PassengerID != userID && st.DriverID != userID) {
			return errs.E(errs.Forbidden, "err.mobility.not_yours")
		}
		if !slices.Contains(liveStatuses, st.Status) {
			return errs.E(errs.Conflict, "err.mobility.booking_changed")
		}
	default:
		return errs.ErrNotFound
	}
	return nil
}

// fillActions sets what userID may do to each standing booking.
func fillActions(userID int64, list ...*Standing) {
	for _, st := range list {
		if st == nil {
			continue
		}
		st.Actions = []StandingAction{}
		for _, a := range StandingActions() {
			if st.may(userID, a) == nil {
				st.Actions = append(st.Actions, a)
			}
		}
	}
}

// ActOnStanding takes action on standing booking id for actor: the pages'
// forms and the API name the action, the service runs it.
func (s *Service) ActOnStanding(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64,
	action StandingAction, reason string) (*StandingResult, error) {
	switch action {
	case StandingAccept:
		return s.AcceptStanding(ctx, actor, ter, id)
	case StandingRefuse:
		return s.RefuseStanding(ctx, actor, ter, id, reason)
	case StandingCancel:
		return s.CancelStanding(ctx, actor, ter, id, reason)
	}
	return nil, errs.ErrNotFound
}
