package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
)

// MemberData is what the booking module keeps about one member, for their
// right of access: their reservations and their places on waiting lists.
// Staff notes are the organisation's and stay out.
type MemberData struct {
	Reservations []MemberReservation `json:"reservations"`
	Waits        []MemberWait        `json:"waiting_lists"`
}

// MemberReservation is one of the member's reservations.
type MemberReservation struct {
	ID            int64      `json:"id"`
	TerritoryID   int64      `json:"territory_id"`
	ResourceID    int64      `json:"resource_id"`
	Resource      string     `json:"resource"`
	Quantity      int        `json:"quantity"`
	Start         time.Time  `json:"start"`
	End           time.Time  `json:"end"`
	Status        string     `json:"status"`
	Note          string     `json:"note,omitempty"`
	ConditionNote string     `json:"condition_note,omitempty"`
	CheckedOutAt  *time.Time `json:"checked_out_at,omitempty"`
	ReturnedAt    *time.Time `json:"returned_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// MemberWait is one of the member's places on a waiting list.
type MemberWait struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"territory_id"`
	ResourceID  int64     `json:"resource_id"`
	Quantity    int       `json:"quantity"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// DataOf returns the actor's own booking data; nobody may read another's.
func (s *Service) DataOf(ctx context.Context, actor access.Actor) (*MemberData, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	d, err := s.store.MemberData(ctx, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("booking: data of member %d: %w", actor.UserID, err)
	}
	return d, nil
}

// MemberData reads one member's rows in every territory.
func (s *SQLStore) MemberData(ctx context.Context, userID int64) (*MemberData, error) {
	d := &MemberData{Reservations: []MemberReservation{}, Waits: []MemberWait{}}
	err := store.Collect(ctx, s.q, `SELECT r.id, r.territory_id, r.resource_id, res.name, r.quantity, r.start_at, r.end_at, r.status,
			r.note, r.condition_note, r.checked_out_at, r.returned_at, r.created_at
		FROM reservations r JOIN resources res ON res.id = r.resource_id WHERE r.user_id = ? ORDER BY r.id`, []any{userID},
		func(sc store.Scanner) error {
			var m MemberReservation
			if err := sc.Scan(&m.ID, &m.TerritoryID, &m.ResourceID, &m.Resource, &m.Quantity, &m.Start, &m.End, &m.Status,
				&m.Note, &m.ConditionNote, &m.CheckedOutAt, &m.ReturnedAt, &m.CreatedAt); err != nil {
				return err
			}
			d.Reservations = append(d.Reservations, m)
			return nil
		})
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT id, territory_id, resource_id, quantity, start_at, end_at, status, created_at
			FROM booking_waits WHERE user_id = ? ORDER BY id`, []any{userID}, func(sc store.Scanner) error {
			var m MemberWait
			if err := sc.Scan(&m.ID, &m.TerritoryID, &m.ResourceID, &m.Quantity, &m.Start, &m.End, &m.Status, &m.CreatedAt); err != nil {
				return err
			}
			d.Waits = append(d.Waits, m)
			return nil
		})
	}
	return d, err
}
