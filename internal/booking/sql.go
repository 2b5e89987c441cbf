package booking

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
)

// SQLStore keeps resources, reservations, waiting lists and feed tokens in
// either dialect; the one difference (row locks) is in GetResource.
type SQLStore struct {
	db    *store.DB
	q     store.Querier
	tx    *store.Tx
	batch *store.Group[*Reservation] // PostgreSQL bookings sharing a commit
}

// NewSQLStore returns a store over db.
func NewSQLStore(db *store.DB) *SQLStore {
	s := &SQLStore{db: db, q: db}
	if s.postgres() {
		s.batch = s.newReserveGroup()
	}
	return s
}

func (s *SQLStore) postgres() bool { return s.db.Dialect() == store.Postgres }

// WithTx runs fn in one transaction; inside one, it simply runs fn. On
// SQLite concurrent calls share a commit (store.DB.Batched), each rolled
// back alone when it fails: bookings are many small writes.
func (s *SQLStore) WithTx(ctx context.Context, fn func(tx Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.db.Batched(ctx, func(ctx context.Context) error {
		return s.db.InTx(ctx, func(tx *store.Tx) error {
			return fn(&SQLStore{db: s.db, q: tx, tx: tx, batch: s.batch})
		})
	})
}

func (s *SQLStore) Tx() *store.Tx { return s.tx }

// write runs fn in a transaction, opening one when needed: SQLite's reader
// pool refuses writes.
func (s *SQLStore) write(ctx context.Context, fn func(s *SQLStore) error) error {
	return s.WithTx(ctx, func(tx Store) error { return fn(tx.(*SQLStore)) })
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

const resourceColumns = `id, territory_id, organisation_id, kind, name, description, quantity, capacity,
	equipment, energy, station, has_position, lat, lon, rules, active, created_at, updated_at`

func scanResource(sc store.Scanner) (*Resource, error) {
	var r Resource
	var hasPos bool
	var lat, lon float64
	var rules string
	err := sc.Scan(&r.ID, &r.TerritoryID, &r.OrganisationID, &r.Kind, &r.Name, &r.Description, &r.Quantity, &r.Capacity,
		&r.Equipment, &r.Energy, &r.Station, &hasPos, &lat, &lon, &rules, &r.Active, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return nil, store.NotFound(err, "err.booking.resource_not_found")
	}
	if hasPos {
		r.Position = &geo.Point{Lat: lat, Lon: lon}
	}
	if err := json.Unmarshal([]byte(rules), &r.Rules); err != nil {
		return nil, fmt.Errorf("resource %d: rules: %w", r.ID, err)
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

func positionArgs(p *geo.Point) (bool, float64, float64) {
	if p == nil {
		return false, 0, 0
	}
	return true, p.Lat, p.Lon
}

func (s *SQLStore) InsertResource(ctx context.Context, r *Resource) error {
	rules, err := json.Marshal(r.Rules)
	if err != nil {
		return err
	}
	has, lat, lon := positionArgs(r.Position)
	return s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, `INSERT INTO resources (territory_id, organisation_id, kind, name, description, quantity,
			capacity, equipment, energy, station, has_position, lat, lon, rules, active, created_at, updated_at)
			VALUES (`+store.Placeholders(17)+`) RETURNING id`,
			r.TerritoryID, r.OrganisationID, r.Kind, r.Name, r.Description, r.Quantity, r.Capacity, r.Equipment, r.Energy,
			r.Station, has, lat, lon, string(rules), r.Active, r.CreatedAt, r.UpdatedAt).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("insert resource: %w", err)
		}
		return nil
	})
}

func (s *SQLStore) UpdateResource(ctx context.Context, r *Resource) error {
	rules, err := json.Marshal(r.Rules)
	if err != nil {
		return err
	}
	has, lat, lon := positionArgs(r.Position)
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE resources SET kind = ?, name = ?, description = ?, quantity = ?, capacity = ?,
			equipment = ?, energy = ?, station = ?, has_position = ?, lat = ?, lon = ?, rules = ?, active = ?, updated_at = ?
			WHERE id = ? AND territory_id = ?`,
			r.Kind, r.Name, r.Description, r.Quantity, r.Capacity, r.Equipment, r.Energy, r.Station, has, lat, lon,
			string(rules), r.Active, r.UpdatedAt, r.ID, r.TerritoryID)
		if err != nil {
			return fmt.Errorf("update resource %d: %w", r.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "err.booking.resource_not_found")
		}
		return nil
	})
}

func (s *SQLStore) GetResource(ctx context.Context, territoryID, id int64, forUpdate bool) (*Resource, error) {
	q := `SELECT ` + resourceColumns + ` FROM resources WHERE id = ? AND territory_id = ?`
	if forUpdate && s.tx != nil && s.postgres() {
		// SQLite transactions are IMMEDIATE: the one writer is already ours.
		q += ` FOR UPDATE`
	}
	return scanResource(s.q.QueryRow(ctx, q, id, territoryID))
}

func (s *SQLStore) Resources(ctx context.Context, territoryID int64, f ResourceFilter) ([]*Resource, error) {
	q := `SELECT ` + resourceColumns + ` FROM resources WHERE territory_id = ?`
	args := []any{territoryID}
	if f.OrganisationID != 0 {
		q += ` AND organisation_id = ?`
		args = append(args, f.OrganisationID)
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.ActiveOnly {
		q += ` AND active = ?`
		args = append(args, true)
	}
	rows, err := s.q.Query(ctx, q+` ORDER BY station, name, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLStore) Holding(ctx context.Context, territoryID, resourceID int64, start, end time.Time, except int64) ([]Slot, error) {
	rows, err := s.q.Query(ctx, `SELECT start_at, end_at, quantity FROM reservations
		WHERE resource_id = ? AND status IN `+holdingSQL+` AND end_at > ? AND start_at < ? AND territory_id = ? AND id <> ?`,
		resourceID, utc(start), utc(end), territoryID, except)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Slot
	for rows.Next() {
		var sl Slot
		if err := rows.Scan(&sl.Start, &sl.End, &sl.Quantity); err != nil {
			return nil, err
		}
		out = append(out, sl)
	}
	return out, rows.Err()
}

const reservationColumns = `r.id, r.territory_id, r.resource_id, r.organisation_id, r.user_id, r.quantity, r.start_at, r.end_at,
	r.status, r.note, r.staff_note, r.condition_note, r.offer_expires_at, r.wait_id, r.checked_out_at, r.returned_at,
	r.renewals, r.reminders_sent, r.series_id, r.held_at, r.created_at, r.updated_at, res.name`

const reservationFrom = ` FROM reservations r JOIN resources res ON res.id = r.resource_id`

func scanReservation(sc store.Scanner) (*Reservation, error) {
	var r Reservation
	err := sc.Scan(&r.ID, &r.TerritoryID, &r.ResourceID, &r.OrganisationID, &r.UserID, &r.Quantity, &r.Start, &r.End,
		&r.Status, &r.Note, &r.StaffNote, &r.ConditionNote, &r.OfferExpiresAt, &r.WaitID, &r.CheckedOutAt, &r.ReturnedAt,
		&r.Renewals, &r.remindersSent, &r.SeriesID, &r.HeldAt, &r.CreatedAt, &r.UpdatedAt, &r.ResourceName)
	if err != nil {
		return nil, store.NotFound(err, "err.booking.reservation_not_found")
	}
	r.Start, r.End, r.CreatedAt, r.UpdatedAt = r.Start.UTC(), r.End.UTC(), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	r.OfferExpiresAt, r.CheckedOutAt, r.ReturnedAt = utcPtr(r.OfferExpiresAt), utcPtr(r.CheckedOutAt), utcPtr(r.ReturnedAt)
	r.HeldAt = utcPtr(r.HeldAt)
	return &r, nil
}

func (s *SQLStore) reservations(ctx context.Context, q string, args ...any) ([]*Reservation, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Reservation{}
	for rows.Next() {
		r, err := scanReservation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertReservation(ctx context.Context, r *Reservation) error {
	return s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, `INSERT INTO reservations (territory_id, resource_id, organisation_id, user_id, quantity,
			start_at, end_at, status, note, offer_expires_at, wait_id, series_id, created_at, updated_at)
			VALUES (`+store.Placeholders(14)+`) RETURNING id`,
			r.TerritoryID, r.ResourceID, r.OrganisationID, r.UserID, r.Quantity, utc(r.Start), utc(r.End), r.Status, r.Note,
			utcPtr(r.OfferExpiresAt), r.WaitID, r.SeriesID, r.CreatedAt, r.UpdatedAt).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("insert reservation: %w", err)
		}
		return nil
	})
}

func (s *SQLStore) GetReservation(ctx context.Context, territoryID, id int64) (*Reservation, error) {
	return scanReservation(s.q.QueryRow(ctx, `SELECT `+reservationColumns+reservationFrom+
		` WHERE r.id = ? AND r.territory_id = ?`, id, territoryID))
}

func (s *SQLStore) UpdateReservation(ctx context.Context, r *Reservation, from Status) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE reservations SET status = ?, end_at = ?, staff_note = ?, condition_note = ?,
			offer_expires_at = ?, checked_out_at = ?, returned_at = ?, renewals = ?, reminders_sent = ?, held_at = ?, updated_at = ?
			WHERE id = ? AND territory_id = ? AND status = ?`,
			r.Status, utc(r.End), r.StaffNote, r.ConditionNote, utcPtr(r.OfferExpiresAt), utcPtr(r.CheckedOutAt),
			utcPtr(r.ReturnedAt), r.Renewals, r.remindersSent, utcPtr(r.HeldAt), r.UpdatedAt, r.ID, r.TerritoryID, from)
		if err != nil {
			return fmt.Errorf("update reservation %d: %w", r.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "err.booking.status_changed")
		}
		return nil
	})
}

func statusList(st []Status) (string, []any) {
	args := make([]any, len(st))
	for i, x := range st {
		args[i] = string(x)
	}
	return "(" + store.Placeholders(len(st)) + ")", args
}

func (s *SQLStore) Reservations(ctx context.Context, territoryID int64, f ReservationFilter) ([]*Reservation, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	add("r.territory_id = ?", territoryID)
	if f.ResourceID != 0 {
		add("r.resource_id = ?", f.ResourceID)
	}
	if f.OrganisationID != 0 {
		add("r.organisation_id = ?", f.OrganisationID)
	}
	if f.UserID != 0 {
		add("r.user_id = ?", f.UserID)
	}
	if f.SeriesID != 0 {
		add("r.series_id = ?", f.SeriesID)
	}
	if len(f.Statuses) > 0 {
		list, a := statusList(f.Statuses)
		add("r.status IN "+list, a...)
	}
	if !f.From.IsZero() {
		add("r.end_at > ?", utc(f.From))
	}
	if !f.To.IsZero() {
		add("r.start_at < ?", utc(f.To))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return s.reservations(ctx, `SELECT `+reservationColumns+reservationFrom+` WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY r.start_at, r.id LIMIT %d`, limit), args...)
}

// resourceColumnsOf is resourceColumns of the table under alias.
func resourceColumnsOf(alias string) string {
	cols := strings.Split(resourceColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// bookingViewQuery reads, on a reader, what a booking checks before it
// writes: the resource, the member's overdue loans, and the holding
// reservations over the interval (one row each, the resource repeated).
var bookingViewQuery = `SELECT ` + resourceColumnsOf("res") + `, (SELECT COUNT(*) FROM reservations
		WHERE user_id = ? AND territory_id = ? AND status = 'checked_out' AND end_at < ?), h.start_at, h.end_at, h.quantity
	FROM resources res LEFT JOIN reservations h ON h.resource_id = res.id AND h.territory_id = res.territory_id
		AND h.status IN ` + holdingSQL + ` AND h.end_at > ? AND h.start_at < ?
	WHERE res.id = ? AND res.territory_id = ?`

// noInterval is after every reservation's end.
var noInterval = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func (s *SQLStore) ResourceForBooking(ctx context.Context, territoryID, id, userID int64, now, start, end time.Time) (*Resource, bool, []Slot, error) {
	if !end.After(start) {
		// No interval: a range the index finds empty at once (end_at >
		// the zero time would walk all of the resource's reservations).
		start, end = noInterval, noInterval
	}
	rows, err := s.q.Query(ctx, bookingViewQuery, userID, territoryID, utc(now), utc(start), utc(end), id, territoryID)
	if err != nil {
		return nil, false, nil, err
	}
	defer rows.Close()
	var r *Resource
	var overdue int
	var slots []Slot
	var a, b *time.Time
	var q *int
	var skip []any // the resource's columns again, after the first row
	for rows.Next() {
		if r == nil {
			if r, err = scanResource(scanExtra{rows, []any{&overdue, &a, &b, &q}}); err != nil {
				return nil, false, nil, err
			}
		} else {
			if skip == nil {
				skip = make([]any, strings.Count(resourceColumns, ",")+2, strings.Count(resourceColumns, ",")+5)
				for i := range skip {
					skip[i] = new(sql.RawBytes)
				}
				skip = append(skip, &a, &b, &q)
			}
			if err := rows.Scan(skip...); err != nil {
				return nil, false, nil, err
			}
		}
		if a != nil && b != nil && q != nil {
			slots = append(slots, Slot{Start: a.UTC(), End: b.UTC(), Quantity: *q})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, nil, err
	}
	if r == nil {
		return nil, false, nil, errs.E(errs.NotFound, "err.booking.resource_not_found")
	}
	return r, overdue > 0, slots, nil
}

// scanExtra appends destinations to a row's Scan.
type scanExtra struct {
	sc    store.Scanner
	extra []any
}

func (x scanExtra) Scan(dest ...any) error { return x.sc.Scan(append(dest, x.extra...)...) }

func (s *SQLStore) HasOverdue(ctx context.Context, territoryID, userID int64, now time.Time) (bool, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM reservations WHERE user_id = ? AND territory_id = ?
		AND status = 'checked_out' AND end_at < ?`, userID, territoryID, utc(now)).Scan(&n)
	return n > 0, err
}

const waitColumns = `w.id, w.territory_id, w.resource_id, w.user_id, w.quantity, w.start_at, w.end_at, w.status,
	w.reservation_id, w.created_at, w.updated_at, res.name`

func (s *SQLStore) waits(ctx context.Context, q string, args ...any) ([]*Wait, error) {
	rows, err := s.q.Query(ctx, `SELECT `+waitColumns+` FROM booking_waits w JOIN resources res ON res.id = w.resource_id WHERE `+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Wait{}
	for rows.Next() {
		var w Wait
		if err := rows.Scan(&w.ID, &w.TerritoryID, &w.ResourceID, &w.UserID, &w.Quantity, &w.Start, &w.End, &w.Status,
			&w.ReservationID, &w.CreatedAt, &w.UpdatedAt, &w.ResourceName); err != nil {
			return nil, err
		}
		w.Start, w.End, w.CreatedAt, w.UpdatedAt = w.Start.UTC(), w.End.UTC(), w.CreatedAt.UTC(), w.UpdatedAt.UTC()
		out = append(out, &w)
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertWait(ctx context.Context, w *Wait) error {
	return s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO booking_waits (territory_id, resource_id, user_id, quantity, start_at, end_at,
			status, created_at, updated_at) VALUES (`+store.Placeholders(9)+`) RETURNING id`,
			w.TerritoryID, w.ResourceID, w.UserID, w.Quantity, utc(w.Start), utc(w.End), w.Status, w.CreatedAt, w.UpdatedAt).Scan(&w.ID)
	})
}

func (s *SQLStore) GetWait(ctx context.Context, territoryID, id int64) (*Wait, error) {
	list, err := s.waits(ctx, `w.id = ? AND w.territory_id = ?`, id, territoryID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.E(errs.NotFound, "err.booking.wait_not_found")
	}
	return list[0], nil
}

func (s *SQLStore) UpdateWait(ctx context.Context, w *Wait) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE booking_waits SET status = ?, reservation_id = ?, updated_at = ?
			WHERE id = ? AND territory_id = ?`, w.Status, w.ReservationID, w.UpdatedAt, w.ID, w.TerritoryID)
		return err
	})
}

func (s *SQLStore) Waiting(ctx context.Context, territoryID, resourceID int64, start, end, now time.Time) ([]*Wait, error) {
	return s.waits(ctx, `w.resource_id = ? AND w.status = 'waiting' AND w.territory_id = ? AND w.start_at < ? AND w.end_at > ?
		AND w.start_at > ? ORDER BY w.id`, resourceID, territoryID, utc(end), utc(start), utc(now))
}

func (s *SQLStore) WaitsOf(ctx context.Context, territoryID, userID int64) ([]*Wait, error) {
	return s.waits(ctx, `w.user_id = ? AND w.territory_id = ? ORDER BY w.start_at DESC, w.id DESC LIMIT 200`, userID, territoryID)
}

func (s *SQLStore) DueReminders(ctx context.Context, bit int, now time.Time, before time.Duration, limit int) ([]*Reservation, error) {
	now = utc(now)
	var cond string
	var args []any
	switch bit {
	case RemindStart:
		cond, args = `r.status = 'confirmed' AND r.start_at > ? AND r.start_at <= ?`, []any{now, now.Add(before)}
	case RemindDue:
		cond, args = `r.status = 'checked_out' AND r.end_at > ? AND r.end_at <= ?`, []any{now, now.Add(before)}
	case RemindOverdue:
		cond, args = `r.status = 'checked_out' AND r.end_at <= ?`, []any{now}
	default:
		return nil, fmt.Errorf("unknown reminder %d", bit)
	}
	return s.reservations(ctx, `SELECT `+reservationColumns+reservationFrom+` WHERE `+cond+
		fmt.Sprintf(` AND (r.reminders_sent & %d) = 0 ORDER BY r.id LIMIT %d`, bit, limit), args...)
}

func (s *SQLStore) ClaimReminder(ctx context.Context, territoryID, id int64, bit int) (bool, error) {
	var n int64
	err := s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, fmt.Sprintf(`UPDATE reservations SET reminders_sent = reminders_sent | %d
			WHERE id = ? AND territory_id = ? AND (reminders_sent & %d) = 0`, bit, bit), id, territoryID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

func (s *SQLStore) UnclaimReminder(ctx context.Context, territoryID, id int64, bit int) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, fmt.Sprintf(`UPDATE reservations SET reminders_sent = reminders_sent & %d
			WHERE id = ? AND territory_id = ?`, ^bit&7), id, territoryID)
		return err
	})
}

func (s *SQLStore) ExpiredOffers(ctx context.Context, now time.Time, limit int) ([]*Reservation, error) {
	return s.reservations(ctx, `SELECT `+reservationColumns+reservationFrom+
		fmt.Sprintf(` WHERE r.status = 'offered' AND r.offer_expires_at <= ? ORDER BY r.id LIMIT %d`, limit), utc(now))
}

func (s *SQLStore) FeedToken(ctx context.Context, territoryID, userID int64, token string, now time.Time) (string, error) {
	var out string
	err := s.write(ctx, func(s *SQLStore) error {
		if _, err := s.q.Exec(ctx, `INSERT INTO booking_feeds (token, territory_id, user_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (territory_id, user_id) DO NOTHING`, token, territoryID, userID, utc(now)); err != nil {
			return err
		}
		return s.q.QueryRow(ctx, `SELECT token FROM booking_feeds WHERE territory_id = ? AND user_id = ?`,
			territoryID, userID).Scan(&out)
	})
	return out, err
}

func (s *SQLStore) ResetFeedToken(ctx context.Context, territoryID, userID int64, token string, now time.Time) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `DELETE FROM booking_feeds WHERE territory_id = ? AND user_id = ?`, territoryID, userID)
		if err != nil {
			return err
		}
		_, err = s.q.Exec(ctx, `INSERT INTO booking_feeds (token, territory_id, user_id, created_at) VALUES (?, ?, ?, ?)`,
			token, territoryID, userID, utc(now))
		return err
	})
}

func (s *SQLStore) FeedOwner(ctx context.Context, territoryID int64, token string) (int64, error) {
	var id int64
	err := s.q.QueryRow(ctx, `SELECT user_id FROM booking_feeds WHERE token = ? AND territory_id = ?`, token, territoryID).Scan(&id)
	return id, store.NotFound(err, "err.booking.feed_not_found")
}

func (s *SQLStore) Usage(ctx context.Context, territoryID int64, kind Kind, from, to time.Time) ([]Usage, error) {
	rows, err := s.q.Query(ctx, `SELECT res.id, res.name, res.kind, res.station, r.start_at, r.end_at
		FROM resources res JOIN reservations r ON r.resource_id = res.id AND r.territory_id = res.territory_id
		WHERE res.territory_id = ? AND res.kind = ? AND r.status IN ('confirmed', 'checked_out', 'returned')
		AND r.start_at < ? AND r.end_at > ? ORDER BY res.station, res.name, res.id`, territoryID, kind, utc(to), utc(from))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Usage
	for rows.Next() {
		var u Usage
		var a, b time.Time
		if err := rows.Scan(&u.ResourceID, &u.Name, &u.Kind, &u.Station, &a, &b); err != nil {
			return nil, err
		}
		a, b = a.UTC(), b.UTC()
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if n := len(out); n > 0 && out[n-1].ResourceID == u.ResourceID {
			out[n-1].Uses++
			out[n-1].Hours += b.Sub(a).Hours()
			continue
		}
		u.Uses, u.Hours = 1, b.Sub(a).Hours()
		out = append(out, u)
	}
	return out, rows.Err()
}
