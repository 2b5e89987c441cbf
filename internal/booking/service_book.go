package booking

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/jobs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

func sortTimes(ts []time.Time) { sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) }) }

// Request is what a member asks for.
type Request struct {
	ResourceID int64
	Start, End time.Time
	Quantity   int
	Note       string
}

// ErrUnavailable is the answer when the slot was taken meanwhile.
func errUnavailable() error { return errs.E(errs.Conflict, "err.booking.unavailable") }

// mayBook applies the resource's "who may book" rule.
func (s *Service) mayBook(ctx context.Context, actor access.Actor, ter *territory.Territory, r *Resource) error {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return err
	}
	if actor.UserID == 0 {
		return errs.ErrUnauthenticated
	}
	switch r.Rules.Who {
	case WhoVerified:
		if !actor.Verified {
			return errs.E(errs.Forbidden, "err.booking.verified_only")
		}
	case WhoOrg:
		role, err := s.orgRole(ctx, actor, r.OrganisationID)
		if err != nil {
			return err
		}
		if role == "" {
			return errs.E(errs.Forbidden, "err.booking.org_members_only")
		}
	}
	return nil
}

// checkRequest validates a request against the resource's rules at now.
func checkRequest(r *Resource, req *Request, now time.Time, loc *time.Location) error {
	req.Start, req.End = utc(req.Start), utc(req.End)
	if req.Quantity == 0 {
		req.Quantity = 1
	}
	req.Note = cleanText(req.Note)
	var v errs.Validator
	v.Check(req.Quantity >= 1 && req.Quantity <= r.Quantity, "quantity", "err.booking.quantity_available", "Max", r.Quantity)
	v.Check(!tooLong(req.Note, MaxNote), "note", "err.too_long", "Max", MaxNote)
	if err := v.Err(); err != nil {
		return err
	}
	return checkTimes(r, req.Start, req.End, now, loc)
}

// Book reserves req for actor. Inside one transaction: the resource row is
// locked, the rules are checked, and the peak of overlapping holding
// reservations plus the request must fit the quantity; otherwise the
// answer is Conflict "err.booking.unavailable". A resource needing approval
// gives a pending reservation, which holds its copies until decided.
func (s *Service) Book(ctx context.Context, actor access.Actor, ter *territory.Territory, req Request) (*Reservation, error) {
	// Membership is checked after the resource is found (mayBook): the API
	// looks for the territory that knows the resource.
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	now, loc := s.clock(), ter.Location()
	// The rules are read and checked before the transaction, on SQLite's
	// reader connections: the writer is only held for the capacity check
	// and the insert.
	r, late, slots, err := s.store.ResourceForBooking(ctx, ter.ID, req.ResourceID, actor.UserID, now, req.Start, req.End)
	if err != nil {
		return nil, fmt.Errorf("booking: book resource %d: %w", req.ResourceID, err)
	}
	if err := s.mayBook(ctx, actor, ter, r); err != nil {
		return nil, err
	}
	if err := checkRequest(r, &req, now, loc); err != nil {
		return nil, err
	}
	if late {
		return nil, errs.E(errs.Conflict, "err.booking.overdue_blocks")
	}
	// Already full when read: refused without taking the writer (SQLite)
	// or a transaction (PostgreSQL). Only the write decides a success.
	if peak(slots, req.Start, req.End)+req.Quantity > r.Quantity {
		return nil, errUnavailable()
	}
	status := StatusConfirmed
	if r.Rules.Approval {
		status = StatusPending
	}
	out := &Reservation{TerritoryID: ter.ID, ResourceID: r.ID, OrganisationID: r.OrganisationID, UserID: actor.UserID,
		Quantity: req.Quantity, Start: req.Start, End: req.End, Status: status, Note: req.Note,
		CreatedAt: now, UpdatedAt: now, ResourceName: r.Name}
	if err := s.store.Reserve(ctx, out); err != nil {
		return nil, fmt.Errorf("booking: book resource %d: %w", req.ResourceID, err)
	}
	s.log.InfoContext(ctx, "booking: reserved", "territory", ter.Slug, "resource", out.ResourceID, "reservation", out.ID,
		"user", actor.UserID, "status", out.Status)
	return out, nil
}

// JoinWaitlist puts actor on the resource's waiting list for req. The same
// rules as Book apply, but not capacity: that is the point.
func (s *Service) JoinWaitlist(ctx context.Context, actor access.Actor, ter *territory.Territory, req Request) (*Wait, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	now, loc := s.clock(), ter.Location()
	var out *Wait
	err := s.store.WithTx(ctx, func(tx Store) error {
		r, err := tx.GetResource(ctx, ter.ID, req.ResourceID, true)
		if err != nil {
			return err
		}
		if !r.Active {
			return errs.E(errs.Conflict, "err.booking.resource_inactive")
		}
		if err := s.mayBook(ctx, actor, ter, r); err != nil {
			return err
		}
		if err := checkRequest(r, &req, now, loc); err != nil {
			return err
		}
		out = &Wait{TerritoryID: ter.ID, ResourceID: r.ID, UserID: actor.UserID, Quantity: req.Quantity, Start: req.Start,
			End: req.End, Status: WaitWaiting, CreatedAt: now, UpdatedAt: now, ResourceName: r.Name}
		return tx.InsertWait(ctx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("booking: wait for resource %d: %w", req.ResourceID, err)
	}
	return out, nil
}

// LeaveWaitlist withdraws a waiting entry of actor.
func (s *Service) LeaveWaitlist(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(tx Store) error {
		w, err := tx.GetWait(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		if w.UserID != actor.UserID {
			return errs.E(errs.NotFound, "err.booking.wait_not_found")
		}
		if w.Status != WaitWaiting {
			return errs.E(errs.Conflict, "err.booking.wait_not_waiting")
		}
		w.Status, w.UpdatedAt = WaitWithdrawn, s.clock()
		return tx.UpdateWait(ctx, w)
	})
}

// offerFreed runs the waiting list of r over [start, end), which just got
// free copies: each waiting entry in turn that now fits is offered a
// reservation that holds its copies until it expires. Called inside the
// transaction that freed them, with r locked.
func (s *Service) offerFreed(ctx context.Context, tx Store, r *Resource, start, end, now time.Time) error {
	if !end.After(start) {
		return nil
	}
	waits, err := tx.Waiting(ctx, r.TerritoryID, r.ID, start, end, now)
	if err != nil {
		return err
	}
	for _, w := range waits {
		slots, err := tx.Holding(ctx, r.TerritoryID, r.ID, w.Start, w.End, 0)
		if err != nil {
			return err
		}
		if peak(slots, w.Start, w.End)+w.Quantity > r.Quantity {
			continue
		}
		expires := now.Add(s.opts.OfferTTL)
		if expires.After(w.Start) {
			expires = w.Start
		}
		res := &Reservation{TerritoryID: r.TerritoryID, ResourceID: r.ID, OrganisationID: r.OrganisationID, UserID: w.UserID,
			Quantity: w.Quantity, Start: w.Start, End: w.End, Status: StatusOffered, OfferExpiresAt: &expires, WaitID: w.ID,
			CreatedAt: now, UpdatedAt: now, ResourceName: r.Name}
		if err := tx.InsertReservation(ctx, res); err != nil {
			return err
		}
		w.Status, w.ReservationID, w.UpdatedAt = WaitOffered, res.ID, now
		if err := tx.UpdateWait(ctx, w); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, JobOfferExpire, jobArgs{TerritoryID: r.TerritoryID, ReservationID: res.ID}, expires); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, JobMail, jobArgs{TerritoryID: r.TerritoryID, ReservationID: res.ID, What: "offer"}, now); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "booking: waiting list offer", "resource", r.ID, "reservation", res.ID, "wait", w.ID, "user", w.UserID)
	}
	return nil
}

// jobArgs are the arguments of the module's jobs.
type jobArgs struct {
	TerritoryID   int64  `json:"territory_id"`
	ReservationID int64  `json:"reservation_id"`
	What          string `json:"what,omitempty"`
}

// enqueue stores a job in tx's transaction; without a queue, the sweep
// does the expiry and mail is not sent.
func (s *Service) enqueue(ctx context.Context, tx Store, kind string, args jobArgs, at time.Time) error {
	if s.queue == nil || tx.Tx() == nil {
		return nil
	}
	data, err := json.Marshal(args)
	if err != nil {
		return err
	}
	_, err = s.queue.EnqueueTx(ctx, tx.Tx(), jobs.Job{Kind: kind, Args: data, RunAt: at})
	return err
}

// change locks the resource of reservation id, runs fn on the reservation
// and saves it if its status is still what fn saw. fn returns the interval
// it freed, if any, for the waiting list.
func (s *Service) change(ctx context.Context, ter *territory.Territory, id int64, what string,
	fn func(tx Store, r *Resource, res *Reservation, now time.Time) (freeFrom, freeTo time.Time, err error)) (*Reservation, error) {
	now := s.clock()
	var out *Reservation
	err := s.store.WithTx(ctx, func(tx Store) error {
		res, err := tx.GetReservation(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		r, err := tx.GetResource(ctx, ter.ID, res.ResourceID, true)
		if err != nil {
			return err
		}
		// Read again under the lock: the status may have moved meanwhile.
		if res, err = tx.GetReservation(ctx, ter.ID, id); err != nil {
			return err
		}
		from := res.Status
		freeFrom, freeTo, err := fn(tx, r, res, now)
		if err != nil {
			return err
		}
		res.UpdatedAt = now
		if err := tx.UpdateReservation(ctx, res, from); err != nil {
			return err
		}
		out = res
		if freeFrom.Before(now) {
			freeFrom = now
		}
		freed := freeTo.After(freeFrom)
		// Freed copies, or a late loan back, may release a reservation
		// held back by an overdue loan (holds.go) before the waiting list
		// sees them.
		if freed || res.Status == StatusReturned {
			if err := s.reviewHolds(ctx, tx, r, now); err != nil {
				return err
			}
		}
		if !freed {
			return nil
		}
		return s.offerFreed(ctx, tx, r, freeFrom, freeTo, now)
	})
	if err != nil {
		return nil, fmt.Errorf("booking: %s reservation %d: %w", what, id, err)
	}
	s.log.InfoContext(ctx, "booking: reservation "+what, "territory", ter.Slug, "reservation", id, "status", out.Status)
	return out, nil
}

func notFoundReservation() error { return errs.E(errs.NotFound, "err.booking.reservation_not_found") }

func errStatus(st Status) error {
	return errs.E(errs.Conflict, "err.booking.wrong_status", "Status", string(st))
}

// own checks that actor holds the reservation.
func own(actor access.Actor, res *Reservation) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	if res.UserID != actor.UserID {
		return notFoundReservation()
	}
	return nil
}

// Cancel: the member cancels their reservation until CancelMinutes before
// the start (staff may cancel any not yet checked out). The freed copies go
// to the waiting list.
func (s *Service) Cancel(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, error) {
	return s.change(ctx, ter, id, "cancelled", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		staff, err := s.isStaff(ctx, actor, ter, r.OrganisationID)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if !staff {
			if err := own(actor, res); err != nil {
				return time.Time{}, time.Time{}, err
			}
			limit := res.Start.Add(-time.Duration(r.Rules.CancelMinutes) * time.Minute)
			if now.After(limit) {
				return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.cancel_too_late", "Minutes", r.Rules.CancelMinutes)
			}
		}
		if !oneOf(res.Status, []Status{StatusPending, StatusConfirmed, StatusOffered}) {
			return time.Time{}, time.Time{}, errStatus(res.Status)
		}
		if err := s.closeWait(ctx, tx, res, WaitWithdrawn, now); err != nil {
			return time.Time{}, time.Time{}, err
		}
		res.Status, res.OfferExpiresAt = StatusCancelled, nil
		return res.Start, res.End, nil
	})
}

// closeWait settles the waiting entry an offered reservation came from.
func (s *Service) closeWait(ctx context.Context, tx Store, res *Reservation, st WaitStatus, now time.Time) error {
	if res.WaitID == 0 || res.Status != StatusOffered {
		return nil
	}
	w, err := tx.GetWait(ctx, res.TerritoryID, res.WaitID)
	if err != nil {
		return err
	}
	w.Status, w.UpdatedAt = st, now
	return tx.UpdateWait(ctx, w)
}

// AcceptOffer: the waiting member takes up the freed slot in time.
func (s *Service) AcceptOffer(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, error) {
	return s.change(ctx, ter, id, "accepted", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if err := own(actor, res); err != nil {
			return time.Time{}, time.Time{}, err
		}
		if res.Status != StatusOffered || res.OfferExpiresAt == nil || !now.Before(*res.OfferExpiresAt) {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.offer_gone")
		}
		if late, err := tx.HasOverdue(ctx, ter.ID, actor.UserID, now); err != nil {
			return time.Time{}, time.Time{}, err
		} else if late {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.overdue_blocks")
		}
		if err := s.closeWait(ctx, tx, res, WaitBooked, now); err != nil {
			return time.Time{}, time.Time{}, err
		}
		res.Status, res.OfferExpiresAt = StatusConfirmed, nil
		if r.Rules.Approval {
			res.Status = StatusPending
		}
		return time.Time{}, time.Time{}, nil
	})
}

// DeclineOffer: the waiting member lets the slot go to the next one.
func (s *Service) DeclineOffer(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, error) {
	return s.change(ctx, ter, id, "declined", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if err := own(actor, res); err != nil {
			return time.Time{}, time.Time{}, err
		}
		if res.Status != StatusOffered {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.offer_gone")
		}
		if err := s.closeWait(ctx, tx, res, WaitWithdrawn, now); err != nil {
			return time.Time{}, time.Time{}, err
		}
		res.Status, res.OfferExpiresAt = StatusExpired, nil
		return res.Start, res.End, nil
	})
}

// ExpireOffer ends an offer whose time ran out and offers the slot to the
// next waiting member. It does nothing for an offer taken up or declined,
// so the job may run more than once.
func (s *Service) ExpireOffer(ctx context.Context, ter *territory.Territory, id int64) error {
	_, err := s.change(ctx, ter, id, "expired", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if res.Status != StatusOffered || res.OfferExpiresAt == nil || now.Before(*res.OfferExpiresAt) {
			return time.Time{}, time.Time{}, errSkip
		}
		if err := s.closeWait(ctx, tx, res, WaitExpired, now); err != nil {
			return time.Time{}, time.Time{}, err
		}
		res.Status, res.OfferExpiresAt = StatusExpired, nil
		return res.Start, res.End, nil
	})
	if errs.Is(err, errs.Conflict) || err != nil && isSkip(err) {
		return nil
	}
	return err
}

var errSkip = errs.E(errs.Conflict, "err.booking.skip")

func isSkip(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Key == "err.booking.skip"
}

// Renew extends a member's loan by its own length again, when nobody waits
// for those copies over the extension and they are free.
func (s *Service) Renew(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, error) {
	loc := ter.Location()
	return s.change(ctx, ter, id, "renewed", func(tx Store, r *Resource, res *Reservation, now time.Time) (time.Time, time.Time, error) {
		if err := own(actor, res); err != nil {
			return time.Time{}, time.Time{}, err
		}
		if res.Status != StatusConfirmed && res.Status != StatusCheckedOut {
			return time.Time{}, time.Time{}, errStatus(res.Status)
		}
		if res.Status == StatusCheckedOut && !now.Before(res.End) {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.renew_overdue")
		}
		// The same local length again: a week stays a week across a clock change.
		newEnd := wall(res.End, loc).Add(WallDuration(res.Start, res.End, loc))
		end := time.Date(newEnd.Year(), newEnd.Month(), newEnd.Day(), newEnd.Hour(), newEnd.Minute(), newEnd.Second(), 0, loc).UTC()
		if err := checkRenewal(r, res, end, loc); err != nil {
			return time.Time{}, time.Time{}, err
		}
		waits, err := tx.Waiting(ctx, ter.ID, r.ID, res.End, end, now)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if len(waits) > 0 {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.renew_waiting")
		}
		slots, err := tx.Holding(ctx, ter.ID, r.ID, res.End, end, res.ID)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if peak(slots, res.End, end)+res.Quantity > r.Quantity {
			return time.Time{}, time.Time{}, errs.E(errs.Conflict, "err.booking.renew_taken")
		}
		res.End, res.Renewals = end, res.Renewals+1
		res.remindersSent &^= RemindDue | RemindOverdue
		return time.Time{}, time.Time{}, nil
	})
}

// checkRenewal: the new due time must be a time the resource can be returned.
func checkRenewal(r *Resource, res *Reservation, end time.Time, loc *time.Location) error {
	w, err := parseHours(r.Rules.Hours)
	if err != nil {
		return err
	}
	if _, closed := closedOn(r.Rules.Closures, end.Add(-time.Nanosecond), loc); closed || !w.OpenAt(end, loc, true) ||
		r.Kind == KindRoom {
		return errs.E(errs.Conflict, "err.booking.renew_closed")
	}
	return nil
}
