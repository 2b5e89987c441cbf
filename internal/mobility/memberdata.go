package mobility

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
)

// MemberData is what the carpooling module keeps about one member, for
// their right of access: the trips and requests they published (with their
// phone number and exact places), their bookings as a passenger and the
// reviews they wrote. Other members appear only as ids.
type MemberData struct {
	Trips    []*Trip     `json:"trips"`
	Bookings []*Booking  `json:"bookings"`
	Reviews  []Review    `json:"reviews_written"`
	Standing []*Standing `json:"standing_bookings"`
	Profile  *Profile    `json:"profile"`
}

// memberTrip is a trip with the fields a public view leaves out.
type memberTrip struct {
	*Trip
	Phone string `json:"phone,omitempty"`
}

// DataOf returns the actor's own carpooling data, in every territory.
func (s *Service) DataOf(ctx context.Context, actor access.Actor) (any, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	d, err := s.store.MemberData(ctx, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("mobility: data of member %d: %w", actor.UserID, err)
	}
	trips := make([]memberTrip, len(d.Trips))
	for i, t := range d.Trips {
		trips[i] = memberTrip{Trip: t, Phone: t.Phone}
	}
	return map[string]any{"trips": trips, "bookings": d.Bookings, "reviews_written": d.Reviews,
		"standing_bookings": d.Standing, "profile": d.Profile}, nil
}

func (s *SQLStore) MemberData(ctx context.Context, userID int64) (*MemberData, error) {
	var d MemberData
	var err error
	if d.Trips, err = s.trips(ctx, `SELECT `+tripColumns+` FROM trips t WHERE t.user_id = ? ORDER BY t.id`, userID); err != nil {
		return nil, err
	}
	if d.Bookings, err = s.bookings(ctx, `SELECT `+bookingColumns+` FROM trip_bookings b
		JOIN trip_occurrences o ON o.id = b.occurrence_id JOIN trips t ON t.id = b.trip_id
		WHERE b.passenger_id = ? ORDER BY b.id`, userID); err != nil {
		return nil, err
	}
	d.Standing = []*Standing{}
	err = store.Collect(ctx, s.q, `SELECT `+standingColumns+` FROM trip_standings s JOIN trips t ON t.id = s.trip_id
		WHERE s.passenger_id = ? ORDER BY s.id`, []any{userID}, func(sc store.Scanner) error {
		st, err := scanStanding(sc)
		if err == nil {
			d.Standing = append(d.Standing, st)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.Profile, err = s.Profile(ctx, userID); err != nil {
		return nil, err
	}
	d.Reviews = []Review{}
	err = s.reviews(ctx, `SELECT id, territory_id, booking_id, reviewer_id, reviewee_id, rating, comment, created_at
		FROM trip_reviews WHERE reviewer_id = ? ORDER BY id`, []any{userID}, &d.Reviews)
	return &d, err
}
