package offers

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
)

// MemberData is what the offers module keeps about one member, for their
// right of access: their listings (with the exact position, which is
// theirs), the exchanges they took part in, the reviews they wrote and the
// reports they made. Other members appear only as ids.
type MemberData struct {
	Listings  []MemberListing  `json:"listings"`
	Exchanges []MemberExchange `json:"exchanges"`
	Reviews   []MemberReview   `json:"reviews_written"`
	Reports   []MemberReport   `json:"reports_made"`
}

// MemberListing is a listing the member published.
type MemberListing struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"territory_id"`
	Kind        string    `json:"kind"`
	Mode        string    `json:"mode"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Category    string    `json:"category"`
	Status      string    `json:"status"`
	Lat         float64   `json:"lat"`
	Lon         float64   `json:"lon"`
	CreatedAt   time.Time `json:"created_at"`
}

// MemberExchange is an exchange on either side.
type MemberExchange struct {
	ID          int64      `json:"id"`
	TerritoryID int64      `json:"territory_id"`
	ListingID   int64      `json:"listing_id"`
	Role        string     `json:"role"` // owner or requester
	Status      string     `json:"status"`
	Message     string     `json:"message,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
}

// MemberReview is a review the member wrote.
type MemberReview struct {
	ExchangeID int64     `json:"exchange_id"`
	Rating     int       `json:"rating"`
	Comment    string    `json:"comment,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// MemberReport is a report the member made about a listing or a member.
type MemberReport struct {
	ListingID  *int64     `json:"listing_id,omitempty"`
	MemberID   *int64     `json:"member_id,omitempty"`
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// DataOf returns the actor's own offers data; nobody may read another's.
func (s *Service) DataOf(ctx context.Context, actor access.Actor) (*MemberData, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	d, err := s.store.MemberData(ctx, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("offers: data of member %d: %w", actor.UserID, err)
	}
	return d, nil
}

// MemberData reads one member's rows in every territory.
func (s *SQLStore) MemberData(ctx context.Context, userID int64) (*MemberData, error) {
	d := &MemberData{Listings: []MemberListing{}, Exchanges: []MemberExchange{}, Reviews: []MemberReview{}, Reports: []MemberReport{}}
	err := store.Collect(ctx, s.q, `SELECT id, territory_id, kind, mode, title, description, category, status, lat, lon, created_at
		FROM listings WHERE owner_id = ? ORDER BY id`, []any{userID}, func(sc store.Scanner) error {
		var m MemberListing
		if err := sc.Scan(&m.ID, &m.TerritoryID, &m.Kind, &m.Mode, &m.Title, &m.Description, &m.Category, &m.Status, &m.Lat, &m.Lon, &m.CreatedAt); err != nil {
			return err
		}
		d.Listings = append(d.Listings, m)
		return nil
	})
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT id, territory_id, listing_id, CASE WHEN owner_id = ? THEN 'owner' ELSE 'requester' END,
			status, CASE WHEN requester_id = ? THEN message ELSE '' END, created_at, ended_at
			FROM exchanges WHERE owner_id = ? OR requester_id = ? ORDER BY id`, []any{userID, userID, userID, userID},
			func(sc store.Scanner) error {
				var m MemberExchange
				if err := sc.Scan(&m.ID, &m.TerritoryID, &m.ListingID, &m.Role, &m.Status, &m.Message, &m.CreatedAt, &m.EndedAt); err != nil {
					return err
				}
				d.Exchanges = append(d.Exchanges, m)
				return nil
			})
	}
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT exchange_id, rating, comment, created_at FROM exchange_reviews WHERE reviewer_id = ? ORDER BY id`,
			[]any{userID}, func(sc store.Scanner) error {
				var m MemberReview
				if err := sc.Scan(&m.ExchangeID, &m.Rating, &m.Comment, &m.CreatedAt); err != nil {
					return err
				}
				d.Reviews = append(d.Reviews, m)
				return nil
			})
	}
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT listing_id, member_id, reason, created_at, resolved_at FROM offer_reports WHERE reporter_id = ? ORDER BY id`,
			[]any{userID}, func(sc store.Scanner) error {
				var m MemberReport
				if err := sc.Scan(&m.ListingID, &m.MemberID, &m.Reason, &m.CreatedAt, &m.ResolvedAt); err != nil {
					return err
				}
				d.Reports = append(d.Reports, m)
				return nil
			})
	}
	return d, err
}
