package directory

import (
	"context"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Store is what the service needs from the database. Every method filters by
// territory; writes that must go together run inside WithTx.
type Store interface {
	// WithTx runs fn with a Store bound to one transaction (nested calls
	// join the outer one).
	WithTx(ctx context.Context, fn func(tx Store) error) error

	Insert(ctx context.Context, in *Initiative) error
	Get(ctx context.Context, territoryID, id int64) (*Initiative, error)
	// GetForUpdate reads an initiative and, in a transaction, locks it so
	// that concurrent changes queue up behind each other.
	GetForUpdate(ctx context.Context, territoryID, id int64) (*Initiative, error)
	// Update writes content, status, revision and updated_at.
	Update(ctx context.Context, in *Initiative) error
	// NextRevisionNumber hands out the next revision number of an initiative.
	NextRevisionNumber(ctx context.Context, territoryID, id int64) (int, error)
	BySourceKey(ctx context.Context, territoryID int64, key string) (*Initiative, error)
	ByNameKey(ctx context.Context, territoryID int64, key string) ([]*Initiative, error)
	ByStatus(ctx context.Context, territoryID int64, status Status, limit int) ([]*Initiative, error)

	InsertRevision(ctx context.Context, r *Revision) error
	Revisions(ctx context.Context, territoryID, id int64) ([]Revision, error)
	Revision(ctx context.Context, territoryID, id int64, number int) (*Revision, error)
	// ReviewRevision moves a pending revision to status; it returns a
	// Conflict error when the revision is no longer pending.
	ReviewRevision(ctx context.Context, territoryID, id int64, number int, status RevisionStatus, by int64, at time.Time, note string) error
	PendingRevisions(ctx context.Context, territoryID int64, limit int) ([]Revision, error)

	InsertReport(ctx context.Context, r *Report) error
	// ResolveReport closes an open report; Conflict when already resolved.
	ResolveReport(ctx context.Context, territoryID, id, by int64, at time.Time, resolution string) error
	OpenReports(ctx context.Context, territoryID int64, limit int) ([]Report, error)

	InsertMapJam(ctx context.Context, m *MapJam) error
	// CloseMapJam closes an open jam; Conflict when already closed.
	CloseMapJam(ctx context.Context, territoryID, id int64, at time.Time) error
	GetMapJam(ctx context.Context, territoryID, id int64) (*MapJam, error)
	ListMapJams(ctx context.Context, territoryID int64) ([]*MapJam, error)
	// OpenMapJamAt returns the jam running at t, or a NotFound error.
	OpenMapJamAt(ctx context.Context, territoryID int64, t time.Time) (*MapJam, error)
	MapJamInitiatives(ctx context.Context, territoryID, jamID int64) ([]*Initiative, error)

	Search(ctx context.Context, territoryID int64, q Query) (Result, error)
	InBox(ctx context.Context, territoryID int64, box geo.BBox, f Filter, limit int) ([]MapPoint, error)
	// Clusters groups the points of box on the grid of 64-pixel Web
	// Mercator cells at zoom.
	Clusters(ctx context.Context, territoryID int64, box geo.BBox, zoom int, f Filter) ([]Cluster, error)
	// Near returns the limit published initiatives closest to p; within is
	// a box that holds all of the territory's initiatives.
	Near(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]Hit, error)
	// PublishedPoints gives to sink every published initiative's id,
	// position, name, name_key and tags, in id order.
	PublishedPoints(ctx context.Context, territoryID int64, sink PointSink) error
	// PublishedByIDs reads the published initiatives among ids, in no
	// order, into a page the caller releases when done (Page.Release).
	PublishedByIDs(ctx context.Context, territoryID int64, ids []int64) (*Page, error)
	// Names returns the names of the given initiatives of a territory.
	Names(ctx context.Context, territoryID int64, ids []int64) (map[int64]string, error)
	// MemberData reads one member's contributions, changes and reports.
	MemberData(ctx context.Context, userID int64) (*MemberData, error)
	// CountPublished counts the published initiatives, up to the search cap.
	CountPublished(ctx context.Context, territoryID int64) (n int, capped bool, err error)
	All(ctx context.Context, territoryID int64, fn func(*Initiative) error) error
	Stats(ctx context.Context, territoryID int64) (Stats, error)
}
