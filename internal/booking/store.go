package booking

import (
	"context"
	"time"

	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/store"
)

// ResourceFilter narrows a list of resources; zero fields do not filter.
type ResourceFilter struct {
	OrganisationID int64
	Kind           Kind
	ActiveOnly     bool
}

// ReservationFilter narrows the reservations of a territory.
type ReservationFilter struct {
	ResourceID     int64
	OrganisationID int64
	UserID         int64
	SeriesID       int64
	Statuses       []Status
	// From and To keep reservations overlapping [From, To) when set.
	From, To time.Time
	Limit    int
}

// Usage is how much a resource was used over a period.
type Usage struct {
	ResourceID int64   `json:"resource_id"`
	Name       string  `json:"name"`
	Kind       Kind    `json:"kind"`
	Station    string  `json:"station,omitempty"`
	Uses       int     `json:"uses"`
	Hours      float64 `json:"hours_booked"`
}

// Reminder bits of reservations.reminders_sent.
const (
	RemindStart   = 1
	RemindDue     = 2
	RemindOverdue = 4
)

// Store is what the service needs from the database. Every method but the
// platform-wide job queries (DueReminders, ExpiredOffers) filters by
// territory.
type Store interface {
	// WithTx runs fn with a Store bound to one transaction (nested calls
	// join the outer one).
	WithTx(ctx context.Context, fn func(tx Store) error) error
	// Tx is the transaction of a Store from WithTx (nil outside), for
	// enqueueing jobs that exist only if it commits.
	Tx() *store.Tx

	InsertResource(ctx context.Context, r *Resource) error
	UpdateResource(ctx context.Context, r *Resource) error
	// GetResource reads a resource; forUpdate locks its row until the end of
	// the transaction, which serialises bookings of that resource.
	GetResource(ctx context.Context, territoryID, id int64, forUpdate bool) (*Resource, error)
	Resources(ctx context.Context, territoryID int64, f ResourceFilter) ([]*Resource, error)
	// Photos returns the photos of each resource of ids, in order.
	Photos(ctx context.Context, territoryID int64, ids []int64) (map[int64][]media.Photo, error)
	SetPhotos(ctx context.Context, territoryID, id int64, photos []media.Photo) error
	// Reserve inserts r if its resource is active and the peak of the
	// holding reservations overlapping r's interval plus r.Quantity fits
	// the resource's quantity, all in one transaction with the resource
	// locked (its own, or the caller's inside WithTx); Conflict
	// "err.booking.unavailable" or "err.booking.resource_inactive"
	// otherwise.
	Reserve(ctx context.Context, r *Reservation) error

	// Holding returns the holding reservations of a resource overlapping
	// [start, end), but the one with id except.
	Holding(ctx context.Context, territoryID, resourceID int64, start, end time.Time, except int64) ([]Slot, error)
	InsertReservation(ctx context.Context, r *Reservation) error
	// SetSeries marks the reservations of ids as the weekly series seriesID.
	SetSeries(ctx context.Context, territoryID, seriesID int64, ids []int64) error
	GetReservation(ctx context.Context, territoryID, id int64) (*Reservation, error)
	// UpdateReservation writes the changing fields if the status is still
	// from; Conflict otherwise.
	UpdateReservation(ctx context.Context, r *Reservation, from Status) error
	Reservations(ctx context.Context, territoryID int64, f ReservationFilter) ([]*Reservation, error)
	// ResourceForBooking reads in one query a resource, whether the user
	// has an overdue loan, and the holding reservations overlapping
	// [start, end) (none for a zero interval): a read before the booking's
	// write, not a guarantee.
	ResourceForBooking(ctx context.Context, territoryID, id, userID int64, now, start, end time.Time) (*Resource, bool, []Slot, error)
	// HasOverdue reports a checked-out reservation of the user ending before now.
	HasOverdue(ctx context.Context, territoryID, userID int64, now time.Time) (bool, error)

	InsertWait(ctx context.Context, w *Wait) error
	GetWait(ctx context.Context, territoryID, id int64) (*Wait, error)
	UpdateWait(ctx context.Context, w *Wait) error
	// Waiting lists the waiting entries of a resource overlapping [start,
	// end) and starting after now, first come first.
	Waiting(ctx context.Context, territoryID, resourceID int64, start, end, now time.Time) ([]*Wait, error)
	WaitsOf(ctx context.Context, territoryID, userID int64) ([]*Wait, error)

	// DueReminders lists reservations (all territories) owed the reminder bit at now.
	DueReminders(ctx context.Context, bit int, now time.Time, before time.Duration, limit int) ([]*Reservation, error)
	// ClaimReminder sets the bit if it was not set, and reports whether it did.
	ClaimReminder(ctx context.Context, territoryID, id int64, bit int) (bool, error)
	UnclaimReminder(ctx context.Context, territoryID, id int64, bit int) error
	// HoldReview lists the holding reservations of a resource that start
	// before horizon and are either not over at now or loans still out.
	HoldReview(ctx context.Context, territoryID, resourceID int64, now, horizon time.Time) ([]*Reservation, error)
	// HoldCandidates lists (all territories) the resources with an overdue
	// loan or a held reservation, as pairs of territory and resource ids.
	HoldCandidates(ctx context.Context, now time.Time, limit int) ([][2]int64, error)
	// ExpiredOffers lists offered reservations (all territories) expired at now.
	ExpiredOffers(ctx context.Context, now time.Time, limit int) ([]*Reservation, error)

	// FeedToken returns the member's calendar token, storing token when none exists.
	FeedToken(ctx context.Context, territoryID, userID int64, token string, now time.Time) (string, error)
	ResetFeedToken(ctx context.Context, territoryID, userID int64, token string, now time.Time) error
	FeedOwner(ctx context.Context, territoryID int64, token string) (int64, error)

	// Usage sums reservations that were used (checked out, returned, or
	// confirmed and past) over [from, to) per resource.
	Usage(ctx context.Context, territoryID int64, kind Kind, from, to time.Time) ([]Usage, error)

	// MemberData reads one member's reservations and waits, everywhere.
	MemberData(ctx context.Context, userID int64) (*MemberData, error)

	// TerritoryOf returns the territory of a resource, reservation or wait.
	TerritoryOf(ctx context.Context, thing Thing, id int64) (int64, error)
}
