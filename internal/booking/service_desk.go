package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// staffChange is change for the organisation's staff only.
func (s *Service) staffChange(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, what string,
	fn func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error)) (*Reservation, error) {
	if !actor.Authenticated() {
		return nil, errs.ErrUnauthenticated
	}
	return s.change(ctx, ter, id, what, func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		ok, err := s.isStaff(ctx, actor, ter, r.OrganisationID)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if !ok {
			if res.UserID == actor.UserID {
				return time.Time{}, time.Time{}, errs.E(errs.Forbidden, "err.booking.staff_only")
			}
			return time.Time{}, time.Time{}, notFoundReservation()
		}
		return fn(tx, r, res, now)
	})
}

func cleanNote(s string) (string, error) {
	s = cleanText(s)
	if tooLong(s, MaxNote) {
		var v errs.Validator
		v.Add("note", "err.too_long", "Max", MaxNote)
		return "", v.Err()
	}
	return s, nil
}

// Approve confirms a pending reservation.
func (s *Service) Approve(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, error) {
	out, err := s.staffChange(ctx, actor, ter, id, "approved", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if res.Status != StatusPending {
			return time.Time{}, time.Time{}, errStatus(res.Status)
		}
		res.Status = StatusConfirmed
		return time.Time{}, time.Time{}, s.enqueue(ctx, tx, JobMail, jobArgs{TerritoryID: ter.ID, ReservationID: id, What: "approved"}, now)
	})
	return out, err
}

// Refuse declines a pending reservation with a reason for the member; the
// copies go to the waiting list.
func (s *Service) Refuse(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) (*Reservation, error) {
	reason, err := cleanNote(reason)
	if err != nil {
		return nil, err
	}
	return s.staffChange(ctx, actor, ter, id, "refused", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if res.Status != StatusPending {
			return time.Time{}, time.Time{}, errStatus(res.Status)
		}
		res.Status, res.StaffNote = StatusRefused, reason
		if err := s.enqueue(ctx, tx, JobMail, jobArgs{TerritoryID: ter.ID, ReservationID: id, What: "refused"}, now); err != nil {
			return time.Time{}, time.Time{}, err
		}
		return res.Start, res.End, nil
	})
}

// CheckOut hands a confirmed reservation to the member. A member with an
// overdue loan gets nothing new until it is back.
func (s *Service) CheckOut(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, error) {
	return s.staffChange(ctx, actor, ter, id, "checked out", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if res.Status != StatusConfirmed {
			return time.Time{}, time.Time{}, errStatus(res.Status)
		}
		if !now.Before(res.End) {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.already_over")
		}
		if late, err := tx.HasOverdue(ctx, ter.ID, res.UserID, now); err != nil {
			return time.Time{}, time.Time{}, err
		} else if late {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.overdue_blocks_member")
		}
		res.Status, res.CheckedOutAt, res.HeldAt = StatusCheckedOut, &now, nil
		return time.Time{}, time.Time{}, nil
	})
}

// CheckIn records the return with a note on the condition. An early
// return frees the rest of the interval for the waiting list.
func (s *Service) CheckIn(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, condition string) (*Reservation, error) {
	condition, err := cleanNote(condition)
	if err != nil {
		return nil, err
	}
	return s.staffChange(ctx, actor, ter, id, "checked in", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if res.Status != StatusCheckedOut {
			return time.Time{}, time.Time{}, errStatus(res.Status)
		}
		res.Status, res.ReturnedAt, res.ConditionNote = StatusReturned, &now, condition
		return now, res.End, nil
	})
}

// NoShow marks a confirmed reservation whose member never came, once it
// has started; the rest of the interval goes to the waiting list.
func (s *Service) NoShow(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, error) {
	return s.staffChange(ctx, actor, ter, id, "no-show", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if res.Status != StatusConfirmed {
			return time.Time{}, time.Time{}, errStatus(res.Status)
		}
		if now.Before(res.Start) {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.not_started")
		}
		res.Status = StatusNoShow
		return now, res.End, nil
	})
}

// Get returns a reservation to its member or the organisation's staff.
func (s *Service) Get(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, error) {
	res, err := s.store.GetReservation(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	if res.UserID == actor.UserID && actor.UserID != 0 {
		return s.present(res), nil
	}
	if ok, _ := s.isStaff(ctx, actor, ter, res.OrganisationID); ok {
		return s.present(res), nil
	}
	return nil, notFoundReservation()
}

func (s *Service) present(r *Reservation) *Reservation {
	r.Overdue = r.Status == StatusCheckedOut && !s.clock().Before(r.End)
	return r
}

func (s *Service) presentAll(list []*Reservation) []*Reservation {
	for _, r := range list {
		s.present(r)
	}
	return list
}

// Mine is a member's reservations and waiting-list entries.
type Mine struct {
	Reservations []*Reservation `json:"reservations"`
	Waits        []*Wait        `json:"waits"`
}

// MyReservations lists actor's reservations of the territory (the last
// 90 days and ahead) and their waiting-list entries.
func (s *Service) MyReservations(ctx context.Context, actor access.Actor, ter *territory.Territory) (*Mine, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	list, err := s.store.Reservations(ctx, ter.ID, ReservationFilter{UserID: actor.UserID, From: s.clock().AddDate(0, 0, -90)})
	if err != nil {
		return nil, fmt.Errorf("booking: my reservations: %w", err)
	}
	waits, err := s.store.WaitsOf(ctx, ter.ID, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("booking: my waits: %w", err)
	}
	return &Mine{Reservations: s.presentAll(list), Waits: waits}, nil
}

// Calendar lists a resource's reservations over [from, to) for the
// organisation's staff (with members and statuses).
func (s *Service) Calendar(ctx context.Context, actor access.Actor, ter *territory.Territory, resourceID int64, from, to time.Time) ([]*Reservation, error) {
	r, err := s.store.GetResource(ctx, ter.ID, resourceID, false)
	if err != nil {
		return nil, err
	}
	if err := s.requireStaff(ctx, actor, ter, r.OrganisationID); err != nil {
		return nil, err
	}
	if !to.After(from) || to.Sub(from) > MaxSpanDays*24*time.Hour {
		return nil, errs.E(errs.Invalid, "err.booking.range")
	}
	list, err := s.store.Reservations(ctx, ter.ID, ReservationFilter{ResourceID: resourceID, From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("booking: calendar of %d: %w", resourceID, err)
	}
	return s.presentAll(list), nil
}

// Desk is what an organisation's staff works through.
type Desk struct {
	Pending    []*Reservation `json:"pending"`     // to approve or refuse
	ToHandOut  []*Reservation `json:"to_hand_out"` // confirmed, starting within two days or started
	Out        []*Reservation `json:"out"`         // checked out, not yet due
	Overdue    []*Reservation `json:"overdue"`
	Held       []*Reservation `json:"held"`     // confirmed, waiting for copies an overdue loan still holds
	Upcoming   []*Reservation `json:"upcoming"` // confirmed later on
	OfferCount int            `json:"offers"`   // slots currently offered to waiting members
}

// Desk returns the organisation's open reservations, sorted for the desk.
func (s *Service) Desk(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) (*Desk, error) {
	if err := s.requireStaff(ctx, actor, ter, orgID); err != nil {
		return nil, err
	}
	list, err := s.store.Reservations(ctx, ter.ID, ReservationFilter{OrganisationID: orgID,
		Statuses: []Status{StatusOffered, StatusPending, StatusConfirmed, StatusCheckedOut}})
	if err != nil {
		return nil, fmt.Errorf("booking: desk of %d: %w", orgID, err)
	}
	now := s.clock()
	d := &Desk{Pending: []*Reservation{}, ToHandOut: []*Reservation{}, Out: []*Reservation{}, Overdue: []*Reservation{},
		Held: []*Reservation{}, Upcoming: []*Reservation{}}
	for _, r := range s.presentAll(list) {
		switch {
		case r.Status == StatusPending:
			d.Pending = append(d.Pending, r)
		case r.Status == StatusOffered:
			d.OfferCount++
		case r.Overdue:
			d.Overdue = append(d.Overdue, r)
		case r.Status == StatusCheckedOut:
			d.Out = append(d.Out, r)
		case r.HeldAt != nil:
			d.Held = append(d.Held, r)
		case r.Start.Before(now.Add(48 * time.Hour)):
			d.ToHandOut = append(d.ToHandOut, r)
		default:
			d.Upcoming = append(d.Upcoming, r)
		}
	}
	return d, nil
}

// Overdue lists the organisation's loans past their due time.
func (s *Service) Overdue(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) ([]*Reservation, error) {
	d, err := s.Desk(ctx, actor, ter, orgID)
	if err != nil {
		return nil, err
	}
	return d.Overdue, nil
}

// Usage is the territory's use of resources of a kind over [from, to): one
// line per resource (unused ones included), for the indicators. Hours are
// real elapsed hours booked.
func (s *Service) Usage(ctx context.Context, ter *territory.Territory, kind Kind, from, to time.Time) ([]Usage, error) {
	if !oneOf(kind, Kinds) {
		return nil, errs.E(errs.Invalid, "err.booking.kind")
	}
	if !to.After(from) || to.Sub(from) > 5*MaxSpanDays*24*time.Hour {
		return nil, errs.E(errs.Invalid, "err.booking.range")
	}
	used, err := s.store.Usage(ctx, ter.ID, kind, utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("booking: usage: %w", err)
	}
	all, err := s.store.Resources(ctx, ter.ID, ResourceFilter{Kind: kind})
	if err != nil {
		return nil, err
	}
	byID := map[int64]Usage{}
	for _, u := range used {
		byID[u.ResourceID] = u
	}
	out := make([]Usage, 0, len(all))
	for _, r := range all {
		u, ok := byID[r.ID]
		if !ok {
			u = Usage{ResourceID: r.ID, Name: r.Name, Kind: r.Kind, Station: r.Station}
		}
		out = append(out, u)
	}
	return out, nil
}

// StationUsage sums vehicle usage per station.
type StationUsage struct {
	Station  string  `json:"station"`
	Vehicles int     `json:"vehicles"`
	Uses     int     `json:"uses"`
	Hours    float64 `json:"hours_booked"`
}

// Stations groups Usage of vehicles by station.
func Stations(usage []Usage) []StationUsage {
	var out []StationUsage
	idx := map[string]int{}
	for _, u := range usage {
		i, ok := idx[u.Station]
		if !ok {
			i = len(out)
			idx[u.Station] = i
			out = append(out, StationUsage{Station: u.Station})
		}
		out[i].Vehicles++
		out[i].Uses += u.Uses
		out[i].Hours += u.Hours
	}
	return out
}
