package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// Group commit on PostgreSQL (store.Group). A booking is one statement
// (booking_reserve), but each still pays a commit, a WAL flush and a round
// trip of its own; under load those dominate. Bookings that arrive while
// others are being written therefore go together: one statement,
// booking_reserve_many, books them in turn in one transaction and one
// commit. The check and the insert of each are unchanged (the function
// calls booking_reserve), so the invariant is the same; what is shared is
// the commit. A batch that fails as a whole is tried one by one.
const (
	// maxReserveBatch bounds the bookings sharing one statement.
	maxReserveBatch = 64
	// maxReserveWriters bounds the batches in flight at once (each holds
	// one connection of the pool until its commit).
	maxReserveWriters = 4
)

// newReserveGroup returns the queue of s's PostgreSQL bookings.
func (s *SQLStore) newReserveGroup() *store.Group[*Reservation] {
	return store.NewGroup(s.db, store.GroupConfig{MaxBatch: maxReserveBatch, Writers: maxReserveWriters}, s.reserveMany, func(c store.Call[*Reservation]) error {
		return s.reserveOne(c.Ctx, c.Item)
	})
}

// reserveMany books calls with one booking_reserve_many and returns each
// one's answer, in order.
func (s *SQLStore) reserveMany(calls []store.Call[*Reservation]) ([]error, error) {
	n := len(calls)
	ter, res, org, user, series := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	qty := make([]int32, n)
	start, end, created := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	status, note := make([]string, n), make([]string, n)
	for i, c := range calls {
		r := c.Item
		ter[i], res[i], org[i], user[i], series[i] = r.TerritoryID, r.ResourceID, r.OrganisationID, r.UserID, r.SeriesID
		qty[i], start[i], end[i], created[i] = int32(r.Quantity), utc(r.Start), utc(r.End), utc(r.CreatedAt)
		status[i], note[i] = string(r.Status), r.Note
	}
	rows, err := s.db.Query(calls[0].Ctx, `SELECT k, id FROM booking_reserve_many(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ter, res, org, user, qty, start, end, status, note, series, created)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, n)
	for rows.Next() {
		var k int
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			// The statement may have committed: this is each caller's
			// error, not a reason to book again one by one.
			return sameError(n, fmt.Errorf("reserve: %w", err)), nil
		}
		if k >= 1 && k <= n {
			ids[k-1] = id
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err // the server stopped the statement: nothing was booked
	}
	out := make([]error, n)
	for i, c := range calls {
		out[i] = reserveAnswer(c.Item, ids[i])
	}
	return out, nil
}

func sameError(n int, err error) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

// reserveBatched books r with the bookings queued beside it.
func (s *SQLStore) reserveBatched(ctx context.Context, r *Reservation) error {
	return s.batch.Do(ctx, r)
}
