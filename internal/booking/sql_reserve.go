package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Reserve checks the capacity and inserts in one transaction. On
// PostgreSQL it is one statement, booking_reserve (migration 00013), which
// locks the resource row, checks the peak and inserts: one round trip, and
// its own transaction outside WithTx. On SQLite the write transaction holds
// the only writer, so reading the reservations and then inserting is safe.
func (s *SQLStore) Reserve(ctx context.Context, r *Reservation) error {
	if s.postgres() {
		return s.reservePostgres(ctx, r)
	}
	return s.write(ctx, func(s *SQLStore) error {
		quantity, active, slots, err := s.capacity(ctx, r.TerritoryID, r.ResourceID, r.Start, r.End)
		if err != nil {
			return err
		}
		if !active {
			return errs.E(errs.Conflict, "err.booking.resource_inactive")
		}
		if peak(slots, r.Start, r.End)+r.Quantity > quantity {
			return errUnavailable()
		}
		return s.InsertReservation(ctx, r)
	})
}

// Answers of booking_reserve other than an id.
const (
	reserveNoResource = -1
	reserveInactive   = -2
	reserveFull       = -3
)

// reservePostgres books r in the caller's transaction (WithTx's, or one
// another module's service carries in ctx), or else with the bookings
// queued beside it (sql_reserve_batch.go). Offers of the waiting list are
// written inside transactions, so the batch never sees one.
func (s *SQLStore) reservePostgres(ctx context.Context, r *Reservation) error {
	if s.tx == nil && store.HasTx(ctx) {
		return s.write(ctx, func(s *SQLStore) error { return s.reserveOne(ctx, r) })
	}
	if s.tx == nil && r.OfferExpiresAt == nil && r.WaitID == 0 {
		return s.reserveBatched(ctx, r)
	}
	return s.reserveOne(ctx, r)
}

// reserveOne runs booking_reserve: its own transaction outside one.
func (s *SQLStore) reserveOne(ctx context.Context, r *Reservation) error {
	const q = `SELECT booking_reserve(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	args := []any{r.TerritoryID, r.ResourceID, r.OrganisationID, r.UserID, r.Quantity, utc(r.Start), utc(r.End),
		string(r.Status), r.Note, utcPtr(r.OfferExpiresAt), r.WaitID, r.SeriesID, utc(r.CreatedAt)}
	var row *store.Row
	if s.tx != nil {
		row = s.q.QueryRow(ctx, q, args...)
	} else {
		row = s.db.QueryRowW(ctx, q, args...)
	}
	var id int64
	if err := row.Scan(&id); err != nil {
		return fmt.Errorf("reserve: %w", err)
	}
	return reserveAnswer(r, id)
}

// reserveAnswer reads booking_reserve's answer: an id, or a refusal code.
func reserveAnswer(r *Reservation, id int64) error {
	switch {
	case id == reserveNoResource:
		return errs.E(errs.NotFound, "err.booking.resource_not_found")
	case id == reserveInactive:
		return errs.E(errs.Conflict, "err.booking.resource_inactive")
	case id == reserveFull:
		return errUnavailable()
	case id <= 0:
		return fmt.Errorf("reserve: unexpected answer %d", id)
	}
	r.ID, r.UpdatedAt = id, r.CreatedAt
	return nil
}

// capacity reads, in one SQLite statement, the resource's quantity, whether
// it is active, and its holding reservations overlapping [start, end).
// Only safe inside the write transaction (the one writer).
func (s *SQLStore) capacity(ctx context.Context, territoryID, resourceID int64, start, end time.Time) (int, bool, []Slot, error) {
	var quantity int
	var active bool
	rows, err := s.q.Query(ctx, `SELECT res.quantity, res.active, r.start_at, r.end_at, r.quantity FROM resources res
		LEFT JOIN reservations r ON r.resource_id = res.id AND r.status IN `+holdingSQL+` AND r.end_at > ? AND r.start_at < ?
		WHERE res.id = ? AND res.territory_id = ?`, utc(start), utc(end), resourceID, territoryID)
	if err != nil {
		return 0, false, nil, err
	}
	defer rows.Close()
	var slots []Slot
	found := false
	for rows.Next() {
		var a, b *time.Time
		var q *int
		if err := rows.Scan(&quantity, &active, &a, &b, &q); err != nil {
			return 0, false, nil, err
		}
		found = true
		if a != nil && b != nil && q != nil {
			slots = append(slots, Slot{Start: *a, End: *b, Quantity: *q})
		}
	}
	if err := rows.Err(); err != nil {
		return 0, false, nil, err
	}
	if !found {
		return 0, false, nil, errs.E(errs.NotFound, "err.booking.resource_not_found")
	}
	return quantity, active, slots, nil
}

func (s *SQLStore) SetSeries(ctx context.Context, territoryID, seriesID int64, ids []int64) error {
	args := []any{seriesID, territoryID}
	for _, id := range ids {
		args = append(args, id)
	}
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE reservations SET series_id = ? WHERE territory_id = ? AND id IN (`+
			store.Placeholders(len(ids))+`)`, args...)
		return err
	})
}

func (s *SQLStore) HoldReview(ctx context.Context, territoryID, resourceID int64, now, horizon time.Time) ([]*Reservation, error) {
	return s.reservations(ctx, `SELECT `+reservationColumns+reservationFrom+` WHERE r.resource_id = ? AND r.territory_id = ?
		AND r.status IN `+holdingSQL+` AND r.start_at < ? AND (r.end_at > ? OR r.status = 'checked_out') ORDER BY r.start_at, r.id`,
		resourceID, territoryID, utc(horizon), utc(now))
}

func (s *SQLStore) HoldCandidates(ctx context.Context, now time.Time, limit int) ([][2]int64, error) {
	rows, err := s.q.Query(ctx, fmt.Sprintf(`SELECT territory_id, resource_id FROM reservations WHERE status = 'checked_out' AND end_at <= ?
		UNION SELECT territory_id, resource_id FROM reservations WHERE held_at IS NOT NULL LIMIT %d`, limit), utc(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
