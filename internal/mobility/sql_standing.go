package mobility

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

const standingColumns = `s.id, s.territory_id, s.trip_id, s.passenger_id, s.driver_id, s.seats, s.days, s.legs, s.status,
	s.pickup, s.dropoff, s.message, s.reason, s.cancelled_by, s.created_at, s.updated_at, t.from_label, t.to_label`

// daysText writes weekdays as "1,2,5" (Sunday 0).
func daysText(d Days) string {
	parts := make([]string, len(d))
	for i, w := range d {
		parts[i] = strconv.Itoa(int(w))
	}
	return strings.Join(parts, ",")
}

func parseDaysText(s string) (Days, error) {
	out := Days{}
	if s == "" {
		return out, nil
	}
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 6 {
			return nil, fmt.Errorf("days %q", s)
		}
		out = append(out, time.Weekday(n))
	}
	return out, nil
}

func scanStanding(sc store.Scanner) (*Standing, error) {
	var st Standing
	var days, pickup, dropoff string
	err := sc.Scan(&st.ID, &st.TerritoryID, &st.TripID, &st.PassengerID, &st.DriverID, &st.Seats, &days, &st.Legs, &st.Status,
		&pickup, &dropoff, &st.Message, &st.Reason, &st.CancelledBy, &st.CreatedAt, &st.UpdatedAt, &st.FromLabel, &st.ToLabel)
	if err != nil {
		return nil, store.NotFound(err, "err.mobility.standing_not_found")
	}
	if st.Days, err = parseDaysText(days); err != nil {
		return nil, fmt.Errorf("standing %d: %w", st.ID, err)
	}
	for _, x := range []struct {
		s string
		p **Place
	}{{pickup, &st.Pickup}, {dropoff, &st.Dropoff}} {
		if x.s != "" {
			*x.p = &Place{}
			if err := json.Unmarshal([]byte(x.s), *x.p); err != nil {
				return nil, fmt.Errorf("standing %d: place: %w", st.ID, err)
			}
		}
	}
	st.CreatedAt, st.UpdatedAt = st.CreatedAt.UTC(), st.UpdatedAt.UTC()
	return &st, nil
}

// LockTrip holds the trip's row until the transaction ends: a lock
// outside one would end at once and protect nothing, so it is refused.
// Each dialect locks its own way (sql_postgres.go, sql_sqlite.go).
func (s *SQLStore) LockTrip(ctx context.Context, territoryID, id int64) error {
	if s.tx == nil {
		return fmt.Errorf("mobility: lock trip %d outside a transaction", id)
	}
	if s.db.Dialect() == store.Postgres {
		return s.lockTripPostgres(ctx, territoryID, id)
	}
	return s.lockTripSQLite()
}

func (s *SQLStore) InsertStanding(ctx context.Context, st *Standing) error {
	return s.insertID(ctx, &st.ID, "standing booking", "err.mobility.already_standing",
		`INSERT INTO trip_standings (territory_id, trip_id, passenger_id, driver_id, seats, days, legs,
			status, pickup, dropoff, message, reason, cancelled_by, created_at, updated_at)
			VALUES (`+store.Placeholders(15)+`)`,
		st.TerritoryID, st.TripID, st.PassengerID, st.DriverID, st.Seats, daysText(st.Days), st.Legs, st.Status,
		placeText(st.Pickup), placeText(st.Dropoff), st.Message, st.Reason, st.CancelledBy, utc(st.CreatedAt), utc(st.UpdatedAt))
}

func (s *SQLStore) GetStanding(ctx context.Context, territoryID, id int64) (*Standing, error) {
	return scanStanding(s.q.QueryRow(ctx, `SELECT `+standingColumns+` FROM trip_standings s JOIN trips t ON t.id = s.trip_id
		WHERE s.id = ? AND s.territory_id = ?`, id, territoryID))
}

func (s *SQLStore) SetStandingStatus(ctx context.Context, st *Standing, from BookingStatus) error {
	ok, err := s.guarded(ctx, `UPDATE trip_standings SET status = ?, reason = ?, cancelled_by = ?, updated_at = ?
		WHERE id = ? AND territory_id = ? AND status = ?`,
		st.Status, st.Reason, st.CancelledBy, utc(st.UpdatedAt), st.ID, st.TerritoryID, from)
	if err != nil {
		return fmt.Errorf("standing %d: status: %w", st.ID, err)
	}
	if !ok {
		return errs.E(errs.Conflict, "err.mobility.booking_changed")
	}
	return nil
}

func (s *SQLStore) Standings(ctx context.Context, territoryID int64, f StandingFilter) ([]*Standing, error) {
	q := `SELECT ` + standingColumns + ` FROM trip_standings s JOIN trips t ON t.id = s.trip_id WHERE s.territory_id = ?`
	args := []any{territoryID}
	for _, c := range []struct {
		col string
		v   int64
	}{{"s.trip_id", f.TripID}, {"s.passenger_id", f.PassengerID}, {"s.driver_id", f.DriverID}} {
		if c.v != 0 {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	if len(f.Statuses) > 0 {
		q += ` AND s.status IN (` + store.Placeholders(len(f.Statuses)) + `)`
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	out := []*Standing{}
	err := store.Collect(ctx, s.q, q+` ORDER BY s.id DESC LIMIT 500`, args, func(sc store.Scanner) error {
		st, err := scanStanding(sc)
		if err == nil {
			out = append(out, st)
		}
		return err
	})
	return out, err
}

// InsertBookingOnce implements Store: the partial unique index is the
// conflict target, so a booking the passenger holds is no error (which
// would abort a PostgreSQL transaction) but no row.
func (s *SQLStore) InsertBookingOnce(ctx context.Context, b *Booking) (bool, error) {
	var ok bool
	err := s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, insertBooking+` ON CONFLICT (occurrence_id, passenger_id) WHERE status IN ('pending', 'accepted')
			DO NOTHING RETURNING id`, bookingArgs(b)...).Scan(&b.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("insert booking once: %w", err)
		}
		ok = true
		return nil
	})
	return ok, err
}
