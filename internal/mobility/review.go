package mobility

import (
	"context"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Review is what one side of an accepted booking says of the other after
// the trip.
type Review struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"-"`
	BookingID   int64     `json:"booking_id"`
	ReviewerID  int64     `json:"reviewer_id"`
	RevieweeID  int64     `json:"reviewee_id"`
	Rating      int       `json:"rating"` // 1 to 5
	Comment     string    `json:"comment,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Review records actor's review of the other side of a booking: after the
// departure, once per side, only for a booking that was accepted.
func (s *Service) Review(ctx context.Context, actor access.Actor, ter *territory.Territory, bookingID int64, rating int, comment string) (*Review, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	var v errs.Validator
	comment = strings.TrimSpace(comment)
	v.Check(rating >= 1 && rating <= 5, "rating", "err.mobility.rating_range")
	v.Check(!tooLong(comment, MaxNote), "comment", "err.too_long", "Max", MaxNote)
	if err := v.Err(); err != nil {
		return nil, err
	}
	b, err := s.Booking(ctx, actor, ter, bookingID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	if err := s.mayBooking(b, actor.UserID, ActReview, now); err != nil {
		return nil, err
	}
	r := &Review{TerritoryID: ter.ID, BookingID: b.ID, ReviewerID: actor.UserID, RevieweeID: b.DriverID, Rating: rating,
		Comment: comment, CreatedAt: now}
	if actor.UserID == b.DriverID {
		r.RevieweeID = b.PassengerID
	}
	if err := s.store.InsertReview(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// ReviewsOf lists the reviews a member received in the territory (public:
// ratings, comments and reviewers' ids).
func (s *Service) ReviewsOf(ctx context.Context, ter *territory.Territory, userID int64) ([]Review, error) {
	return s.store.ReviewsOf(ctx, ter.ID, userID)
}

func (s *SQLStore) InsertReview(ctx context.Context, r *Review) error {
	return s.insertID(ctx, &r.ID, "trip review", "err.mobility.already_reviewed",
		`INSERT INTO trip_reviews (territory_id, booking_id, reviewer_id, reviewee_id, rating, comment, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.TerritoryID, r.BookingID, r.ReviewerID, r.RevieweeID, r.Rating, r.Comment,
		utc(r.CreatedAt))
}

func (s *SQLStore) ReviewsOf(ctx context.Context, territoryID, userID int64) ([]Review, error) {
	out := []Review{}
	err := s.reviews(ctx, `SELECT id, territory_id, booking_id, reviewer_id, reviewee_id, rating, comment, created_at
		FROM trip_reviews WHERE reviewee_id = ? AND territory_id = ? ORDER BY created_at DESC LIMIT 200`,
		[]any{userID, territoryID}, &out)
	return out, err
}

func (s *SQLStore) reviews(ctx context.Context, q string, args []any, out *[]Review) error {
	return store.Collect(ctx, s.q, q, args, func(sc store.Scanner) error {
		var r Review
		err := sc.Scan(&r.ID, &r.TerritoryID, &r.BookingID, &r.ReviewerID, &r.RevieweeID, &r.Rating, &r.Comment, &r.CreatedAt)
		r.CreatedAt = r.CreatedAt.UTC()
		*out = append(*out, r)
		return err
	})
}

func (s *SQLStore) ReviewedBy(ctx context.Context, territoryID, userID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := store.Collect(ctx, s.q, `SELECT booking_id FROM trip_reviews WHERE reviewer_id = ? AND territory_id = ?`,
		[]any{userID, territoryID}, func(sc store.Scanner) error {
			var id int64
			err := sc.Scan(&id)
			out[id] = true
			return err
		})
	return out, err
}

func (s *SQLStore) HasReviewed(ctx context.Context, territoryID, bookingID, userID int64) (bool, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM trip_reviews WHERE booking_id = ? AND reviewer_id = ? AND territory_id = ?`,
		bookingID, userID, territoryID).Scan(&n)
	return n > 0, err
}
