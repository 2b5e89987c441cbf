package booking

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/sharingcity/sharingcity/internal/territory"
)

// Holding back. A loan past its due time still holds its copies: the
// reservations that follow may find nothing on the shelf. When the
// confirmed reservations starting within holdHorizon would exceed the
// quantity at their start, counting the overdue copies as still out, the
// latest booked of them are held back (held_at): their members hear it,
// the desk shows them. When the copies come back (or the clash goes away
// otherwise) they are released and their members hear that too. The sweep
// reviews every resource with an overdue loan or a held reservation; a
// check-in, a cancellation or any change that frees copies reviews its
// resource at once.

// holdHorizon: reservations starting later than this are not held yet
// (the loan may well be back by then); the sweep looks again.
const holdHorizon = 7 * 24 * time.Hour

// overdueAt reports whether r is a loan still out past its due time.
func overdueAt(r *Reservation, now time.Time) bool {
	return r.Status == StatusCheckedOut && !r.End.After(now)
}

// heldBack decides which confirmed reservations of list (the holding
// reservations of one resource that are not over, and its overdue loans)
// cannot start for want of the overdue copies. Earlier starts, then earlier
// bookings, keep their copies first.
func heldBack(list []*Reservation, quantity int, now time.Time) map[int64]bool {
	held := map[int64]bool{}
	overdue := 0
	var cands []*Reservation
	for _, r := range list {
		switch {
		case overdueAt(r, now):
			overdue += r.Quantity
		case r.Status == StatusConfirmed && r.Start.Before(now.Add(holdHorizon)):
			cands = append(cands, r)
		}
	}
	if overdue == 0 {
		return held
	}
	before := func(a, b *Reservation) bool { return a.Start.Before(b.Start) || a.Start.Equal(b.Start) && a.ID < b.ID }
	sort.Slice(cands, func(i, j int) bool { return before(cands[i], cands[j]) })
	for _, c := range cands {
		at := c.Start
		if at.Before(now) {
			at = now
		}
		used := overdue
		for _, o := range list {
			if overdueAt(o, now) || held[o.ID] || o.Start.After(at) || !o.End.After(at) {
				continue
			}
			// A later confirmed one yields to c, whatever its start.
			if o.Status == StatusConfirmed && before(c, o) {
				continue
			}
			used += o.Quantity
		}
		if used > quantity {
			held[c.ID] = true
		}
	}
	return held
}

// reviewHolds holds back and releases the reservations of r (locked in
// tx) and tells their members, by jobs that exist only if tx commits.
func (s *Service) reviewHolds(ctx context.Context, tx Store, r *Resource, now time.Time) error {
	list, err := tx.HoldReview(ctx, r.TerritoryID, r.ID, now, now.Add(holdHorizon))
	if err != nil {
		return err
	}
	held := heldBack(list, r.Quantity, now)
	for _, c := range list {
		if c.Status != StatusConfirmed || held[c.ID] == (c.HeldAt != nil) {
			continue
		}
		what := "held"
		if held[c.ID] {
			c.HeldAt = &now
		} else {
			c.HeldAt, what = nil, "released"
		}
		c.UpdatedAt = now
		if err := tx.UpdateReservation(ctx, c, StatusConfirmed); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, JobMail, jobArgs{TerritoryID: r.TerritoryID, ReservationID: c.ID, What: what}, now); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "booking: reservation "+what, "resource", r.ID, "reservation", c.ID, "user", c.UserID)
	}
	return nil
}

// ReviewHolds reviews the held reservations of one resource (the sweep).
func (s *Service) ReviewHolds(ctx context.Context, ter *territory.Territory, resourceID int64) error {
	now := s.clock()
	err := s.store.WithTx(ctx, func(tx Store) error {
		r, err := tx.GetResource(ctx, ter.ID, resourceID, true)
		if err != nil {
			return err
		}
		return s.reviewHolds(ctx, tx, r, now)
	})
	if err != nil {
		return fmt.Errorf("booking: holds of resource %d: %w", resourceID, err)
	}
	return nil
}
