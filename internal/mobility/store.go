package mobility

import (
	"context"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// BookingFilter narrows the bookings of a territory; zero fields do not filter.
type BookingFilter struct {
	PassengerID  int64
	DriverID     int64
	TripID       int64
	OccurrenceID int64
	StandingID   int64
	Statuses     []BookingStatus
	Limit        int
}

// Candidate is an occurrence the search index found, with its trip.
type Candidate struct {
	Occurrence Occurrence
	Trip       *Trip
}

// Thing is what a top-level id names, for TerritoryOf.
type Thing int

const (
	ThingTrip Thing = iota
	ThingBooking
	ThingStanding
)

// Store is what the service needs from the database. Every method but the
// platform-wide job queries filters by territory.
type Store interface {
	// WithTx runs fn with a Store bound to one transaction (nested calls
	// join the outer one).
	WithTx(ctx context.Context, fn func(tx Store) error) error
	// FeedGeneration is the generation of a member's calendar address (0
	// when never replaced); BumpFeedGeneration adds one and returns it.
	FeedGeneration(ctx context.Context, territoryID, userID int64) (int, error)
	BumpFeedGeneration(ctx context.Context, territoryID, userID int64) (int, error)
	Tx() *store.Tx

	InsertTrip(ctx context.Context, t *Trip) error
	GetTrip(ctx context.Context, territoryID, id int64) (*Trip, error)
	// SetTripStatus sets the status of the trip and of its occurrences
	// departing after from.
	SetTripStatus(ctx context.Context, territoryID, id int64, status string, from, now time.Time) error
	TripsOf(ctx context.Context, territoryID, userID int64, limit int) ([]*Trip, error)
	// AddOccurrences inserts the occurrences the trip does not have yet
	// (same local date and direction) with their search cells, and sets
	// the trip's horizon; it returns how many were new.
	AddOccurrences(ctx context.Context, t *Trip, occs []Occurrence, cells, returnCells []int64, horizon string) (int, error)
	GetOccurrence(ctx context.Context, territoryID, id int64) (*Occurrence, error)
	// Occurrences lists a trip's occurrences departing at or after from.
	Occurrences(ctx context.Context, territoryID, tripID int64, from time.Time, limit int) ([]Occurrence, error)
	// WeeklyToExtend lists active weekly trips (all territories)
	// materialised only up to before a local date.
	WeeklyToExtend(ctx context.Context, before string, limit int) ([]*Trip, error)

	// CandidatesIn reads the index (see CandidateFilter). The candidates'
	// trips carry only their id, ends, detour, duration and polyline.
	CandidatesIn(ctx context.Context, territoryID int64, f CandidateFilter) ([]Candidate, error)
	TripsByID(ctx context.Context, territoryID int64, ids []int64) (map[int64]*Trip, error)

	// InsertBooking adds b; Conflict "err.mobility.already_booked" when the
	// passenger already holds one on the occurrence.
	InsertBooking(ctx context.Context, b *Booking) error
	// InsertBookingOnce adds b unless the passenger already holds a
	// booking on the occurrence, and reports whether it did.
	InsertBookingOnce(ctx context.Context, b *Booking) (bool, error)
	GetBooking(ctx context.Context, territoryID, id int64) (*Booking, error)
	// SetBookingStatus moves b to b.Status (with its reason) only if it is
	// still in from; Conflict otherwise.
	SetBookingStatus(ctx context.Context, b *Booking, from BookingStatus) error
	// TakeSeats subtracts n from the occurrence's free seats if at least n
	// are left and it is active, reporting whether it did.
	TakeSeats(ctx context.Context, territoryID, occurrenceID int64, n int) (bool, error)
	ReleaseSeats(ctx context.Context, territoryID, occurrenceID int64, n int) error
	Bookings(ctx context.Context, territoryID int64, f BookingFilter) ([]*Booking, error)
	// InBooking reports whether the user holds an accepted booking on the trip.
	InBooking(ctx context.Context, territoryID, tripID, userID int64) (bool, error)

	TerritoryOf(ctx context.Context, thing Thing, id int64) (int64, error)

	// LockTrip takes the trip's row lock until the transaction ends (only
	// inside one): standing bookings and the horizon job serialize on it.
	LockTrip(ctx context.Context, territoryID, id int64) error
	// InsertStanding adds st; Conflict "err.mobility.already_standing" when
	// the passenger already holds a live one on the trip.
	InsertStanding(ctx context.Context, st *Standing) error
	GetStanding(ctx context.Context, territoryID, id int64) (*Standing, error)
	// SetStandingStatus moves st to st.Status only if it is still in from;
	// Conflict otherwise.
	SetStandingStatus(ctx context.Context, st *Standing, from BookingStatus) error
	Standings(ctx context.Context, territoryID int64, f StandingFilter) ([]*Standing, error)

	// DueReminders lists active occurrences (all territories) departing in
	// (from, to] whose reminder is not sent.
	DueReminders(ctx context.Context, from, to time.Time, limit int) ([]Occurrence, error)
	// ClaimReminder marks the occurrence reminded if it was not, and
	// reports whether it did: several instances never send one twice.
	ClaimReminder(ctx context.Context, territoryID, occurrenceID int64) (bool, error)
	// Unpaid lists accepted bookings (all territories) owing units whose
	// departure is before the time given, not paid nor refused yet.
	Unpaid(ctx context.Context, before time.Time, limit int) ([]*Booking, error)
	// SetPaid records the ledger entry of a booking's payment (-1 for a
	// refusal) unless a payment is recorded, and reports whether it did.
	SetPaid(ctx context.Context, territoryID, bookingID, entry int64) (bool, error)
	// Indicators sums the accepted bookings per local month over [from,
	// to), of one organisation's destination when organisationID is set.
	Indicators(ctx context.Context, territoryID, organisationID int64, from, to time.Time) ([]Month, error)

	// InsertReview adds r; Conflict "err.mobility.already_reviewed" when
	// the reviewer already reviewed the booking.
	InsertReview(ctx context.Context, r *Review) error
	ReviewsOf(ctx context.Context, territoryID, userID int64) ([]Review, error)
	ReviewedBy(ctx context.Context, territoryID, userID int64) (map[int64]bool, error)
	// HasReviewed tells whether userID reviewed booking bookingID.
	HasReviewed(ctx context.Context, territoryID, bookingID, userID int64) (bool, error)

	// MemberData reads one member's trips, bookings and reviews, everywhere.
	MemberData(ctx context.Context, userID int64) (*MemberData, error)

	// Profile is a member's mobility profile (zero when never saved).
	Profile(ctx context.Context, userID int64) (*Profile, error)
	SetProfile(ctx context.Context, userID int64, p Profile) error

	InsertDestination(ctx context.Context, d *Destination) error
	// Destinations lists a territory's destinations, or only id when not 0.
	Destinations(ctx context.Context, territoryID, id int64) ([]Destination, error)
}
