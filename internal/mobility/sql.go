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
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
)

// SQLStore keeps trips, occurrences, their search cells and bookings in
// either dialect: the queries are the same in both.
type SQLStore struct {
	db *store.DB
	q  store.Querier
	tx *store.Tx
}

// NewSQLStore returns a store over db.
func NewSQLStore(db *store.DB) *SQLStore { return &SQLStore{db: db, q: db} }

// WithTx runs fn in one transaction; inside one, it simply runs fn. On
// SQLite concurrent calls share a commit (store.DB.Batched), each rolled
// back alone when it fails.
func (s *SQLStore) WithTx(ctx context.Context, fn func(tx Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.db.Batched(ctx, func(ctx context.Context) error {
		return s.db.InTx(ctx, func(tx *store.Tx) error {
			return fn(&SQLStore{db: s.db, q: tx, tx: tx})
		})
	})
}

func (s *SQLStore) Tx() *store.Tx { return s.tx }

func (s *SQLStore) write(ctx context.Context, fn func(s *SQLStore) error) error {
	return s.WithTx(ctx, func(tx Store) error { return fn(tx.(*SQLStore)) })
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// encodeLine writes a polyline as [[lat,lon],...] rounded to 1e-6 degree.
func encodeLine(line []geo.Point) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, p := range line {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%.6f,%.6f]", p.Lat, p.Lon)
	}
	b.WriteByte(']')
	return b.String()
}

// decodeLine reads what encodeLine wrote; search decodes a polyline per
// candidate, so it avoids encoding/json.
func decodeLine(s string) ([]geo.Point, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("polyline %.20q: not a list", s)
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	out := make([]geo.Point, 0, strings.Count(s, "["))
	for s != "" {
		end := strings.IndexByte(s, ']')
		if s[0] != '[' || end < 0 {
			return nil, fmt.Errorf("polyline: bad pair near %.20q", s)
		}
		lat, lon, ok := strings.Cut(s[1:end], ",")
		if !ok {
			return nil, fmt.Errorf("polyline: bad pair %q", s[:end+1])
		}
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("polyline: bad pair %q", s[:end+1])
		}
		out = append(out, geo.Point{Lat: la, Lon: lo})
		s = strings.TrimLeft(s[end+1:], ", ")
	}
	return out, nil
}

const tripColumns = `t.id, t.territory_id, t.user_id, t.kind, t.from_lat, t.from_lon, t.from_label, t.to_lat, t.to_lon, t.to_label,
	t.stops, t.departure, t.weekly, t.seats, t.contribution_kind, t.contribution_amount, t.contribution_currency,
	t.luggage, t.smoking, t.pets, t.women_only, t.max_detour, t.auto_accept, t.organisation_id, t.phone, t.note,
	t.status, t.route_meters, t.route_seconds, t.polyline, t.horizon_until, t.created_at, t.updated_at`

func scanTrip(sc store.Scanner, extra ...any) (*Trip, error) {
	var t Trip
	var stops, weekly, line string
	var dep sql.NullTime
	var org sql.NullInt64
	dest := append([]any{&t.ID, &t.TerritoryID, &t.UserID, &t.Kind, &t.From.Lat, &t.From.Lon, &t.From.Label, &t.To.Lat, &t.To.Lon, &t.To.Label,
		&stops, &dep, &weekly, &t.Seats, &t.Contribution.Kind, &t.Contribution.Amount, &t.Contribution.Currency,
		&t.Luggage, &t.Smoking, &t.Pets, &t.WomenOnly, &t.MaxDetour, &t.AutoAccept, &org, &t.Phone, &t.Note,
		&t.Status, &t.RouteMeters, &t.RouteSeconds, &line, &t.HorizonUntil, &t.CreatedAt, &t.UpdatedAt}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, store.NotFound(err, "err.mobility.trip_not_found")
	}
	if dep.Valid {
		d := dep.Time.UTC()
		t.Departure = &d
	}
	t.OrganisationID = org.Int64
	if err := json.Unmarshal([]byte(stops), &t.Stops); err != nil {
		return nil, fmt.Errorf("trip %d: stops: %w", t.ID, err)
	}
	if weekly != "" {
		t.Weekly = &Weekly{}
		if err := json.Unmarshal([]byte(weekly), t.Weekly); err != nil {
			return nil, fmt.Errorf("trip %d: weekly: %w", t.ID, err)
		}
	}
	var err error
	if t.Polyline, err = decodeLine(line); err != nil {
		return nil, fmt.Errorf("trip %d: polyline: %w", t.ID, err)
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return &t, nil
}

func (s *SQLStore) InsertTrip(ctx context.Context, t *Trip) error {
	stops, err := json.Marshal(append([]Place{}, t.Stops...))
	if err != nil {
		return err
	}
	weekly := ""
	if t.Weekly != nil {
		b, err := json.Marshal(t.Weekly)
		if err != nil {
			return err
		}
		weekly = string(b)
	}
	var dep, org any
	if t.Departure != nil {
		dep = utc(*t.Departure)
	}
	if t.OrganisationID != 0 {
		org = t.OrganisationID
	}
	return s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, `INSERT INTO trips (territory_id, user_id, kind, from_lat, from_lon, from_label, to_lat, to_lon,
			to_label, stops, departure, weekly, seats, contribution_kind, contribution_amount, contribution_currency, luggage,
			smoking, pets, women_only, max_detour, auto_accept, organisation_id, phone, note, status, route_meters,
			route_seconds, polyline, horizon_until, created_at, updated_at)
			VALUES (`+store.Placeholders(32)+`) RETURNING id`,
			t.TerritoryID, t.UserID, t.Kind, t.From.Lat, t.From.Lon, t.From.Label, t.To.Lat, t.To.Lon, t.To.Label,
			string(stops), dep, weekly, t.Seats, t.Contribution.Kind, t.Contribution.Amount, t.Contribution.Currency,
			t.Luggage, t.Smoking, t.Pets, t.WomenOnly, t.MaxDetour, t.AutoAccept, org, t.Phone, t.Note, t.Status,
			t.RouteMeters, t.RouteSeconds, encodeLine(t.Polyline), t.HorizonUntil, utc(t.CreatedAt), utc(t.UpdatedAt)).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("insert trip: %w", err)
		}
		return nil
	})
}

func (s *SQLStore) GetTrip(ctx context.Context, territoryID, id int64) (*Trip, error) {
	return scanTrip(s.q.QueryRow(ctx, `SELECT `+tripColumns+` FROM trips t WHERE t.id = ? AND t.territory_id = ?`, id, territoryID))
}

func (s *SQLStore) SetTripStatus(ctx context.Context, territoryID, id int64, status string, from, now time.Time) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE trips SET status = ?, updated_at = ? WHERE id = ? AND territory_id = ?`,
			status, utc(now), id, territoryID)
		if err != nil {
			return fmt.Errorf("trip %d: status: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "err.mobility.trip_not_found")
		}
		_, err = s.q.Exec(ctx, `UPDATE trip_occurrences SET status = ? WHERE trip_id = ? AND territory_id = ? AND departs_at >= ?`,
			status, id, territoryID, utc(from))
		return err
	})
}

func (s *SQLStore) TripsOf(ctx context.Context, territoryID, userID int64, limit int) ([]*Trip, error) {
	return s.trips(ctx, `SELECT `+tripColumns+` FROM trips t WHERE t.territory_id = ? AND t.user_id = ?
		ORDER BY t.created_at DESC, t.id DESC LIMIT ?`, territoryID, userID, limit)
}

func (s *SQLStore) WeeklyToExtend(ctx context.Context, before string, limit int) ([]*Trip, error) {
	return s.trips(ctx, `SELECT `+tripColumns+` FROM trips t WHERE t.weekly <> '' AND t.status = 'active'
		AND t.horizon_until < ? ORDER BY t.horizon_until LIMIT ?`, before, limit)
}

func (s *SQLStore) trips(ctx context.Context, q string, args ...any) ([]*Trip, error) {
	out := []*Trip{}
	err := store.Collect(ctx, s.q, q, args, func(sc store.Scanner) error {
		t, err := scanTrip(sc)
		if err == nil {
			out = append(out, t)
		}
		return err
	})
	return out, err
}

func (s *SQLStore) AddOccurrences(ctx context.Context, t *Trip, occs []Occurrence, cells, returnCells []int64, horizon string) (int, error) {
	added := 0
	err := s.write(ctx, func(s *SQLStore) error {
		for i := range occs {
			o := &occs[i]
			err := s.q.QueryRow(ctx, `INSERT INTO trip_occurrences (territory_id, trip_id, is_return, departs_at, local_date,
				local_time, zone, seats_left, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active')
				ON CONFLICT (trip_id, local_date, is_return) DO NOTHING RETURNING id`,
				t.TerritoryID, t.ID, o.Return, utc(o.DepartsAt), o.LocalDate, o.LocalTime, o.Zone, t.Seats).Scan(&o.ID)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("trip %d: occurrence %s: %w", t.ID, o.LocalDate, err)
			}
			o.TripID, o.TerritoryID, o.SeatsLeft, o.Status = t.ID, t.TerritoryID, t.Seats, TripActive
			added++
			cs := cells
			if o.Return {
				cs = returnCells
			}
			if err := s.insertCells(ctx, o, cs); err != nil {
				return err
			}
		}
		_, err := s.q.Exec(ctx, `UPDATE trips SET horizon_until = ? WHERE id = ? AND territory_id = ?`, horizon, t.ID, t.TerritoryID)
		return err
	})
	return added, err
}

// insertCells writes an occurrence's cells, many rows per statement.
func (s *SQLStore) insertCells(ctx context.Context, o *Occurrence, cells []int64) error {
	const chunk = 200
	at := utc(o.DepartsAt)
	for len(cells) > 0 {
		n := min(chunk, len(cells))
		var b strings.Builder
		b.WriteString(`INSERT INTO trip_cells (occurrence_id, cell, territory_id, departs_at) VALUES `)
		args := make([]any, 0, 4*n)
		for i, c := range cells[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?)")
			args = append(args, o.ID, c, o.TerritoryID, at)
		}
		if _, err := s.q.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("occurrence %d: cells: %w", o.ID, err)
		}
		cells = cells[n:]
	}
	return nil
}

const occurrenceColumns = `o.id, o.territory_id, o.trip_id, o.is_return, o.departs_at, o.local_date, o.local_time, o.zone, o.seats_left, o.status`

func occurrenceDest(o *Occurrence) []any {
	return []any{&o.ID, &o.TerritoryID, &o.TripID, &o.Return, &o.DepartsAt, &o.LocalDate, &o.LocalTime, &o.Zone, &o.SeatsLeft, &o.Status}
}

func (s *SQLStore) GetOccurrence(ctx context.Context, territoryID, id int64) (*Occurrence, error) {
	var o Occurrence
	err := s.q.QueryRow(ctx, `SELECT `+occurrenceColumns+` FROM trip_occurrences o WHERE o.id = ? AND o.territory_id = ?`,
		id, territoryID).Scan(occurrenceDest(&o)...)
	if err != nil {
		return nil, store.NotFound(err, "err.mobility.occurrence_not_found")
	}
	o.DepartsAt = o.DepartsAt.UTC()
	return &o, nil
}

func (s *SQLStore) Occurrences(ctx context.Context, territoryID, tripID int64, from time.Time, limit int) ([]Occurrence, error) {
	return s.occurrences(ctx, `SELECT `+occurrenceColumns+` FROM trip_occurrences o
		WHERE o.trip_id = ? AND o.territory_id = ? AND o.departs_at >= ? ORDER BY o.departs_at LIMIT ?`,
		tripID, territoryID, utc(from), limit)
}

const bookingColumns = `b.id, b.territory_id, b.trip_id, b.occurrence_id, b.passenger_id, b.driver_id, b.seats, b.status,
	b.pickup, b.dropoff, b.message, b.reason, b.cancelled_by, b.units_due, b.paid_entry, b.created_at, b.updated_at,
	o.departs_at, t.from_label, t.to_label, COALESCE(b.standing_id, 0)`

func scanBooking(sc store.Scanner) (*Booking, error) {
	var b Booking
	var pickup, dropoff string
	err := sc.Scan(&b.ID, &b.TerritoryID, &b.TripID, &b.OccurrenceID, &b.PassengerID, &b.DriverID, &b.Seats, &b.Status,
		&pickup, &dropoff, &b.Message, &b.Reason, &b.CancelledBy, &b.UnitsDue, &b.PaidEntry, &b.CreatedAt, &b.UpdatedAt,
		&b.DepartsAt, &b.FromLabel, &b.ToLabel, &b.StandingID)
	if err != nil {
		return nil, store.NotFound(err, "err.mobility.booking_not_found")
	}
	for _, x := range []struct {
		s string
		p **Place
	}{{pickup, &b.Pickup}, {dropoff, &b.Dropoff}} {
		if x.s != "" {
			*x.p = &Place{}
			if err := json.Unmarshal([]byte(x.s), *x.p); err != nil {
				return nil, fmt.Errorf("booking %d: place: %w", b.ID, err)
			}
		}
	}
	b.CreatedAt, b.UpdatedAt, b.DepartsAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC(), b.DepartsAt.UTC()
	return &b, nil
}

func placeText(p *Place) string {
	if p == nil {
		return ""
	}
	b, _ := json.Marshal(p)
	return string(b)
}

const insertBooking = `INSERT INTO trip_bookings (territory_id, trip_id, occurrence_id, passenger_id, driver_id, seats,
	status, pickup, dropoff, message, reason, cancelled_by, units_due, created_at, updated_at, standing_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func bookingArgs(b *Booking) []any {
	var standing any
	if b.StandingID != 0 {
		standing = b.StandingID
	}
	return []any{b.TerritoryID, b.TripID, b.OccurrenceID, b.PassengerID, b.DriverID, b.Seats, b.Status, placeText(b.Pickup),
		placeText(b.Dropoff), b.Message, b.Reason, b.CancelledBy, b.UnitsDue, utc(b.CreatedAt), utc(b.UpdatedAt), standing}
}

func (s *SQLStore) InsertBooking(ctx context.Context, b *Booking) error {
	return s.insertID(ctx, &b.ID, "booking", "err.mobility.already_booked", insertBooking, bookingArgs(b)...)
}

// insertID runs query (an INSERT) with RETURNING id into id, in a write; a
// duplicate of a unique index (one booking, standing booking or review
// per person) is the conflict conflictKey.
func (s *SQLStore) insertID(ctx context.Context, id *int64, what, conflictKey, query string, args ...any) error {
	return s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, query+` RETURNING id`, args...).Scan(id)
		if errs.Is(err, errs.Conflict) {
			return errs.E(errs.Conflict, conflictKey)
		}
		if err != nil {
			return fmt.Errorf("insert %s: %w", what, err)
		}
		return nil
	})
}

func (s *SQLStore) GetBooking(ctx context.Context, territoryID, id int64) (*Booking, error) {
	return scanBooking(s.q.QueryRow(ctx, `SELECT `+bookingColumns+` FROM trip_bookings b
		JOIN trip_occurrences o ON o.id = b.occurrence_id JOIN trips t ON t.id = b.trip_id
		WHERE b.id = ? AND b.territory_id = ?`, id, territoryID))
}

func (s *SQLStore) SetBookingStatus(ctx context.Context, b *Booking, from BookingStatus) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE trip_bookings SET status = ?, reason = ?, cancelled_by = ?, updated_at = ?
			WHERE id = ? AND territory_id = ? AND status = ?`,
			b.Status, b.Reason, b.CancelledBy, utc(b.UpdatedAt), b.ID, b.TerritoryID, from)
		if err != nil {
			return fmt.Errorf("booking %d: status: %w", b.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "err.mobility.booking_changed")
		}
		return nil
	})
}

func (s *SQLStore) TakeSeats(ctx context.Context, territoryID, occurrenceID int64, n int) (bool, error) {
	ok, err := s.guarded(ctx, `UPDATE trip_occurrences SET seats_left = seats_left - ?
		WHERE id = ? AND territory_id = ? AND status = 'active' AND seats_left >= ?`, n, occurrenceID, territoryID, n)
	if err != nil {
		return false, fmt.Errorf("occurrence %d: take seats: %w", occurrenceID, err)
	}
	return ok, nil
}

func (s *SQLStore) ReleaseSeats(ctx context.Context, territoryID, occurrenceID int64, n int) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE trip_occurrences SET seats_left = seats_left + ? WHERE id = ? AND territory_id = ?`,
			n, occurrenceID, territoryID)
		return err
	})
}

func (s *SQLStore) Bookings(ctx context.Context, territoryID int64, f BookingFilter) ([]*Booking, error) {
	q := `SELECT ` + bookingColumns + ` FROM trip_bookings b
		JOIN trip_occurrences o ON o.id = b.occurrence_id JOIN trips t ON t.id = b.trip_id WHERE b.territory_id = ?`
	args := []any{territoryID}
	for _, c := range []struct {
		col string
		v   int64
	}{{"b.passenger_id", f.PassengerID}, {"b.driver_id", f.DriverID}, {"b.trip_id", f.TripID}, {"b.occurrence_id", f.OccurrenceID},
		{"b.standing_id", f.StandingID}} {
		if c.v != 0 {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	if len(f.Statuses) > 0 {
		q += ` AND b.status IN (` + store.Placeholders(len(f.Statuses)) + `)`
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	return s.bookings(ctx, q+` ORDER BY o.departs_at DESC, b.id DESC LIMIT ?`, append(args, f.Limit)...)
}

func (s *SQLStore) InBooking(ctx context.Context, territoryID, tripID, userID int64) (bool, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM trip_bookings WHERE trip_id = ? AND territory_id = ? AND passenger_id = ?
		AND status = 'accepted'`, tripID, territoryID, userID).Scan(&n)
	return n > 0, err
}

func (s *SQLStore) TerritoryOf(ctx context.Context, thing Thing, id int64) (int64, error) {
	table, key := "trips", "err.mobility.trip_not_found"
	switch thing {
	case ThingBooking:
		table, key = "trip_bookings", "err.mobility.booking_not_found"
	case ThingStanding:
		table, key = "trip_standings", "err.mobility.standing_not_found"
	}
	var tid int64
	err := s.q.QueryRow(ctx, `SELECT territory_id FROM `+table+` WHERE id = ?`, id).Scan(&tid)
	return tid, store.NotFound(err, key)
}

// bookings reads bookings (bookingColumns) with q.
func (s *SQLStore) bookings(ctx context.Context, q string, args ...any) ([]*Booking, error) {
	out := []*Booking{}
	err := store.Collect(ctx, s.q, q, args, func(sc store.Scanner) error {
		b, err := scanBooking(sc)
		if err == nil {
			out = append(out, b)
		}
		return err
	})
	return out, err
}

// occurrences reads occurrences (occurrenceColumns) with q.
func (s *SQLStore) occurrences(ctx context.Context, q string, args ...any) ([]Occurrence, error) {
	out := []Occurrence{}
	err := store.Collect(ctx, s.q, q, args, func(sc store.Scanner) error {
		var o Occurrence
		if err := sc.Scan(occurrenceDest(&o)...); err != nil {
			return err
		}
		o.DepartsAt = o.DepartsAt.UTC()
		out = append(out, o)
		return nil
	})
	return out, err
}

// guarded runs an UPDATE in a transaction and reports whether it changed
// exactly one row: the guards in its WHERE held.
func (s *SQLStore) guarded(ctx context.Context, q string, args ...any) (bool, error) {
	var ok bool
	err := s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}

// FeedGeneration implements Store.
func (s *SQLStore) FeedGeneration(ctx context.Context, territoryID, userID int64) (int, error) {
	var g int
	err := s.q.QueryRow(ctx, `SELECT generation FROM trip_feed_keys WHERE territory_id = ? AND user_id = ?`, territoryID, userID).Scan(&g)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return g, err
}

// BumpFeedGeneration implements Store: one statement, so two replacements
// at once give two generations.
func (s *SQLStore) BumpFeedGeneration(ctx context.Context, territoryID, userID int64) (int, error) {
	var g int
	err := s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO trip_feed_keys (territory_id, user_id, generation) VALUES (?, ?, 1)
			ON CONFLICT (territory_id, user_id) DO UPDATE SET generation = trip_feed_keys.generation + 1
			RETURNING generation`, territoryID, userID).Scan(&g)
	})
	return g, err
}
