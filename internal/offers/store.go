package offers

import (
	"context"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Store is what the service needs from the database. Every method but the
// platform-wide jobs (HideOwner, ExpireDue, MergeText) filters by territory.
type Store interface {
	// WithTx runs fn with a Store bound to one transaction (nested calls
	// join the outer one).
	WithTx(ctx context.Context, fn func(tx Store) error) error
	// TxContext returns ctx carrying the store's transaction, if any, so
	// that another module's service (the Payer) writes in the same one.
	TxContext(ctx context.Context) context.Context

	// InsertListing writes a new listing with its photos and sets its ID.
	InsertListing(ctx context.Context, l *Listing) error
	// GetListing reads a listing with its exact position, without photos;
	// forUpdate locks it until the end of the transaction.
	GetListing(ctx context.Context, territoryID, id int64, forUpdate bool) (*Listing, error)
	// UpdateListing writes content, positions, status, expiry and updated_at.
	UpdateListing(ctx context.Context, l *Listing) error
	ListingsOf(ctx context.Context, territoryID, ownerID int64) ([]*Listing, error)
	// Photos returns the photos of each listing in order (only the first
	// with coverOnly).
	Photos(ctx context.Context, territoryID int64, ids []int64, coverOnly bool) (map[int64][]media.Photo, error)
	SetPhotos(ctx context.Context, territoryID, id int64, photos []media.Photo) error
	// TakeSlot counts one more accepted exchange on a listing if it is
	// active and, when limited, has fewer than its quantity; it reports
	// whether it did. Done in one guarded UPDATE, so racing accepts queue.
	TakeSlot(ctx context.Context, territoryID, id int64, limited bool) (bool, error)
	// FreeSlot counts one accepted exchange less.
	FreeSlot(ctx context.Context, territoryID, id int64) error
	// HideOwner flags every listing of a user, in every territory.
	HideOwner(ctx context.Context, ownerID int64, hidden bool) (int64, error)
	// ExpireDue flags active listings whose expiry is at or before now.
	ExpireDue(ctx context.Context, now time.Time) (int64, error)
	// MergeText merges the text index a bounded piece at a time (every
	// territory: the index is shared).
	MergeText(ctx context.Context, o store.TextMergeOptions) (store.TextMerge, error)

	// Search runs q (normalized) over searchable listings of a territory;
	// within holds every public position of the territory.
	Search(ctx context.Context, territoryID int64, within geo.BBox, q Query, now time.Time) (Result, error)

	InsertExchange(ctx context.Context, ex *Exchange) error
	GetExchange(ctx context.Context, territoryID, id int64, forUpdate bool) (*Exchange, error)
	// UpdateExchange writes status, confirmations, reason, payment and
	// dates if the exchange still has status from; Conflict otherwise.
	UpdateExchange(ctx context.Context, ex *Exchange, from ExchangeStatus) error
	ExchangesOfListing(ctx context.Context, territoryID, listingID int64) ([]*Exchange, error)
	ExchangesOf(ctx context.Context, territoryID, userID int64) ([]*Exchange, error)
	// ReviewedBy returns the ids of the exchanges the member has reviewed.
	ReviewedBy(ctx context.Context, territoryID, reviewerID int64) (map[int64]bool, error)

	InsertReview(ctx context.Context, r *Review) error
	Profile(ctx context.Context, territoryID, userID int64, limit int) (*Profile, error)

	InsertReport(ctx context.Context, r *Report) error
	// ResolveReport closes an open report; Conflict when already resolved.
	ResolveReport(ctx context.Context, territoryID, id, by int64, at time.Time, resolution string) error
	OpenReports(ctx context.Context, territoryID int64, limit int) ([]Report, error)

	Stats(ctx context.Context, territoryID int64, now time.Time) (Stats, error)

	// MemberData reads one member's own rows in every territory.
	MemberData(ctx context.Context, userID int64) (*MemberData, error)

	// ListingTerritory returns the territory of a listing.
	ListingTerritory(ctx context.Context, id int64) (int64, error)
}
