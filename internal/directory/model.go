package directory

import (
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// RevisionStatus is where a proposed change stands.
type RevisionStatus string

const (
	RevisionApplied  RevisionStatus = "applied"  // the content was (or is) the initiative's
	RevisionPending  RevisionStatus = "pending"  // a member's proposal waiting for a moderator
	RevisionRejected RevisionStatus = "rejected" // refused, Comment says why
)

// Revision is one version of an initiative's content. Numbers start at 1 and
// are contiguous per initiative, whatever the revision's status.
type Revision struct {
	InitiativeID int64          `json:"initiative_id"`
	TerritoryID  int64          `json:"-"`
	Number       int            `json:"number"`
	AuthorID     int64          `json:"author_id"`
	CreatedAt    time.Time      `json:"created_at"`
	Status       RevisionStatus `json:"status"`
	Content      Initiative     `json:"content"`               // only the editable fields are set
	Comment      string         `json:"comment,omitempty"`     // the author's note
	ReviewNote   string         `json:"review_note,omitempty"` // the moderator's reason when rejected
	ReviewedBy   int64          `json:"reviewed_by,omitempty"`
	ReviewedAt   *time.Time     `json:"reviewed_at,omitempty"`
	// Changes is the difference with the previous applied revision, filled
	// by Service.Revisions.
	Changes []FieldChange `json:"changes,omitempty"`
	// InitiativeName is filled in the moderation queue.
	InitiativeName string `json:"initiative_name,omitempty"`
}

// FieldChange is one line of a readable diff: a field's old and new value as text.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Report is a member's signal that an entry is wrong or abusive.
type Report struct {
	ID             int64      `json:"id"`
	InitiativeID   int64      `json:"initiative_id"`
	TerritoryID    int64      `json:"-"`
	ReporterID     int64      `json:"reporter_id"`
	Reason         string     `json:"reason"`
	CreatedAt      time.Time  `json:"created_at"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy     int64      `json:"resolved_by,omitempty"`
	Resolution     string     `json:"resolution,omitempty"`
	InitiativeName string     `json:"initiative_name,omitempty"`
}

// Queue is what waits for a territory's moderators.
type Queue struct {
	Initiatives []*Initiative `json:"initiatives"` // pending contributions
	Revisions   []Revision    `json:"revisions"`   // pending changes
	Reports     []Report      `json:"reports"`     // open reports
}

// MapJam is a mapping event: contributions made while it is open are grouped under it.
type MapJam struct {
	ID          int64      `json:"id"`
	TerritoryID int64      `json:"-"`
	Title       string     `json:"title"`
	Place       string     `json:"place"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	OpenedBy    int64      `json:"opened_by"`
	BBox        *geo.BBox  `json:"bbox,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	// Contributions counts the initiatives contributed during the jam.
	Contributions int `json:"contributions"`
}

// OpenAt reports whether contributions at t belong to the jam.
func (m *MapJam) OpenAt(t time.Time) bool {
	return m.ClosedAt == nil && !t.Before(m.StartsAt) && t.Before(m.EndsAt)
}

// Validate checks a MapJam before it is opened.
func (m *MapJam) Validate() error {
	var v errs.Validator
	m.Title, m.Place = trimSpace(m.Title), trimSpace(m.Place)
	v.Check(m.Title != "" && len(m.Title) <= 160, "title", "err.required_max", "Max", 160)
	v.Check(len(m.Place) <= 300, "place", "err.too_long", "Max", 300)
	v.Check(!m.StartsAt.IsZero() && m.EndsAt.After(m.StartsAt), "ends_at", "err.dates_order")
	v.Check(m.EndsAt.Sub(m.StartsAt) <= 14*24*time.Hour, "ends_at", "err.mapjam_too_long")
	v.Check(m.BBox == nil || m.BBox.Valid(), "bbox", "err.bbox_range")
	return v.Err()
}

// MapJamDetail is a MapJam with what was mapped during it.
type MapJamDetail struct {
	MapJam
	Initiatives []*Initiative `json:"initiatives"`
}

// Sort orders search results.
type Sort string

const (
	SortRelevance Sort = "relevance"
	SortDistance  Sort = "distance"
	SortName      Sort = "name"
	SortRecent    Sort = "recent"
)

// Query is a search of the published initiatives of a territory.
type Query struct {
	Text       string
	Categories []string // any of them
	Kinds      []Kind   // any of them
	// OrganisationID keeps the initiatives that organisation runs (0: any).
	OrganisationID int64
	Near           *geo.Point
	RadiusM        float64 // with Near: only within this distance (0 = no limit)
	BBox           *geo.BBox
	Sort           Sort // default: relevance with Text, distance with Near, else name
	Limit          int  // default 20, at most MaxLimit
	Offset         int

	// mem is the territory's in-memory index when the service has one
	// at the current data version: stores may answer from it.
	mem *memIndex
}

// Search bounds.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	MaxOffset    = 10000
	MaxRadiusM   = 200000
	MaxTextLen   = 200
)

// Hit is one search result; DistanceM is set when the query has Near.
type Hit struct {
	Initiative *Initiative `json:"initiative"`
	DistanceM  float64     `json:"distance_m,omitempty"`
}

// Result is a page of hits and the number of all matches. Counting stops
// at 1,000: then Total is 1000 and TotalCapped says there are more.
type Result struct {
	Items       []Hit `json:"items"`
	Total       int   `json:"total"`
	TotalCapped bool  `json:"total_capped,omitempty"`

	page *Page // a "near me" page's memory, until Release
}

// Filter narrows map queries.
type Filter struct {
	Text       string
	Categories []string
	Kinds      []Kind
}

// MapPoint is the light row the map draws.
type MapPoint struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Lat        float64  `json:"lat"`
	Lon        float64  `json:"lon"`
	Categories []string `json:"categories"`
	Kind       Kind     `json:"kind"`
}

// Cluster is the points of one grid cell: their centre and count, and the
// id of the initiative when the cell holds only one.
type Cluster struct {
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	Count int     `json:"count"`
	ID    int64   `json:"id,omitempty"`
	// Name is the initiative's, when the cell holds only one, so that the
	// map can name its marker.
	Name string `json:"name,omitempty"`
}

// Map bounds.
const (
	MaxMapPoints = 5000
	MaxZoom      = 22
)

// ImportItem is one parsed row of an import file; Row is its 1-based data row.
type ImportItem struct {
	Row        int
	SourceKey  string
	Initiative Initiative
	// Errors are what the file reader could not read in this row: such a
	// row counts as bad like one that fails validation.
	Errors []errs.FieldError
	// MapJamID attaches a new entry to a mapping event of the territory
	// (for entries recorded after the event, as the demo does).
	MapJamID int64
	// Extension, when set, writes what another kind of file adds to the
	// row (see ImportExtension).
	Extension ImportExtension
}

// ImportResult counts what an import did. Unchanged rows matched an existing
// initiative whose content was already the same.
type ImportResult struct {
	Created   int               `json:"created"`
	Updated   int               `json:"updated"`
	Unchanged int               `json:"unchanged"`
	Skipped   int               `json:"skipped"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
}

// Stats counts a territory's initiatives.
type Stats struct {
	ByStatus          map[Status]int `json:"by_status"`
	PublishedCategory map[string]int `json:"published_by_category"`
	PublishedKind     map[Kind]int   `json:"published_by_kind"`
	OpenReports       int            `json:"open_reports"`
	PendingRevisions  int            `json:"pending_revisions"`
}
