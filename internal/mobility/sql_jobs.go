package mobility

import (
	"context"
	"time"
)

// Queries of the background jobs (reminders, payments) and the indicators.

func (s *SQLStore) DueReminders(ctx context.Context, from, to time.Time, limit int) ([]Occurrence, error) {
	return s.occurrences(ctx, `SELECT `+occurrenceColumns+` FROM trip_occurrences o
		WHERE o.status = 'active' AND o.reminded = 0 AND o.departs_at > ? AND o.departs_at <= ?
		ORDER BY o.departs_at LIMIT ?`, utc(from), utc(to), limit)
}

func (s *SQLStore) ClaimReminder(ctx context.Context, territoryID, occurrenceID int64) (bool, error) {
	return s.guarded(ctx, `UPDATE trip_occurrences SET reminded = 1 WHERE id = ? AND territory_id = ? AND reminded = 0`,
		occurrenceID, territoryID)
}

func (s *SQLStore) Unpaid(ctx context.Context, before time.Time, limit int) ([]*Booking, error) {
	return s.bookings(ctx, `SELECT `+bookingColumns+` FROM trip_bookings b
		JOIN trip_occurrences o ON o.id = b.occurrence_id JOIN trips t ON t.id = b.trip_id
		WHERE b.status = 'accepted' AND b.units_due > 0 AND b.paid_entry = 0 AND o.departs_at < ?
		ORDER BY b.id LIMIT ?`, utc(before), limit)
}

func (s *SQLStore) SetPaid(ctx context.Context, territoryID, bookingID, entry int64) (bool, error) {
	// 0 (never tried) or -1 (refused): a passenger may pay after a refusal.
	return s.guarded(ctx, `UPDATE trip_bookings SET paid_entry = ? WHERE id = ? AND territory_id = ? AND paid_entry <= 0`,
		entry, bookingID, territoryID)
}

func (s *SQLStore) Indicators(ctx context.Context, territoryID, organisationID int64, from, to time.Time) ([]Month, error) {
	q := `SELECT substr(o.local_date, 1, 7), COUNT(DISTINCT o.id), SUM(b.seats), SUM(b.seats * t.route_meters)
		FROM trip_bookings b JOIN trip_occurrences o ON o.id = b.occurrence_id JOIN trips t ON t.id = b.trip_id
		WHERE b.territory_id = ? AND b.status = 'accepted' AND o.departs_at >= ? AND o.departs_at < ?`
	args := []any{territoryID, utc(from), utc(to)}
	if organisationID != 0 {
		q += ` AND t.organisation_id = ?`
		args = append(args, organisationID)
	}
	rows, err := s.q.Query(ctx, q+` GROUP BY substr(o.local_date, 1, 7) ORDER BY 1`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Month{}
	for rows.Next() {
		var m Month
		var metres float64
		if err := rows.Scan(&m.Month, &m.Trips, &m.Seats, &metres); err != nil {
			return nil, err
		}
		m.PassengerKm = metres / 1000
		out = append(out, m)
	}
	return out, rows.Err()
}
