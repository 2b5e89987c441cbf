package mobility

import (
	"context"
	"database/sql"
	"errors"
)

// lockTripPostgres takes the trip's row lock with SELECT ... FOR NO KEY
// UPDATE: it writes nothing (the no-op UPDATE it replaces wrote a row
// version and WAL on every standing booking) and takes the very lock that
// UPDATE took. It conflicts with the UPDATE of trips the horizon job makes
// in the transaction that adds departures (AddOccurrences), so the two
// still run one after the other on the row; and, unlike FOR UPDATE, it
// lets the foreign-key checks of bookings being written on the trip's
// departures through (they take KEY SHARE): FOR UPDATE made a booking that
// holds a departure's seats wait for the lock while the standing booking
// holding it waited for those seats, a deadlock PostgreSQL detected in
// TestStandingNeverOversold. Under READ COMMITTED the statements after the
// lock see what the transaction that held it committed.
//
// A trip that is not there has nothing to lock, as on SQLite: no error.
func (s *SQLStore) lockTripPostgres(ctx context.Context, territoryID, id int64) error {
	var got int64
	err := s.q.QueryRow(ctx, `SELECT id FROM trips WHERE id = ? AND territory_id = ? FOR NO KEY UPDATE`, id, territoryID).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}
