package offers

import (
	"context"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// ExchangeStatus is where an exchange stands: proposed, then accepted, then
// done; or declined by the owner, or cancelled by either side.
type ExchangeStatus string

const (
	ExchangeProposed  ExchangeStatus = "proposed"
	ExchangeAccepted  ExchangeStatus = "accepted"
	ExchangeDeclined  ExchangeStatus = "declined"
	ExchangeDone      ExchangeStatus = "done"
	ExchangeCancelled ExchangeStatus = "cancelled"
)

// PaymentRef points at what paid for an exchange. Issue 5 (time bank)
// fills it from its ledger: nil until then.
type PaymentRef struct {
	// TransferID identifies the ledger transfer; the ledger keys its
	// transfers by exchange id, so a retried payment is not paid twice.
	TransferID string `json:"transfer_id"`
}

// Exchange is a member (the requester) taking up a listing of its owner.
type Exchange struct {
	ID            int64          `json:"id"`
	TerritoryID   int64          `json:"-"`
	ListingID     int64          `json:"listing_id"`
	OwnerID       int64          `json:"owner_id"`
	RequesterID   int64          `json:"requester_id"`
	Message       string         `json:"message,omitempty"` // the requester's first word
	Status        ExchangeStatus `json:"status"`
	OwnerDone     bool           `json:"owner_done"`
	RequesterDone bool           `json:"requester_done"`
	Reason        string         `json:"reason,omitempty"`   // why it was declined or cancelled
	EndedBy       int64          `json:"ended_by,omitempty"` // who declined or cancelled
	Payment       *PaymentRef    `json:"payment,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	AcceptedAt    *time.Time     `json:"accepted_at,omitempty"`
	EndedAt       *time.Time     `json:"ended_at,omitempty"`
	// ListingTitle is filled in lists, for display.
	ListingTitle string `json:"listing_title,omitempty"`
	// ReviewedByMe is filled by MyExchanges: the member has already left
	// their review, so pages stop offering the form.
	ReviewedByMe bool `json:"reviewed_by_me,omitempty"`

	single bool
}

// Side returns whether user is the owner, the requester, or neither.
func (ex *Exchange) Side(userID int64) (owner, requester bool) {
	return userID != 0 && userID == ex.OwnerID, userID != 0 && userID == ex.RequesterID
}

// Payer pays for a done exchange in time credits. It is the hook for issue
// 5's ledger: MarkDone calls it, when set, inside the transaction that
// records the second confirmation, so that a failed payment leaves the
// exchange accepted (and the caller may retry). It may set ex.Payment,
// which is then saved with the exchange.
type Payer interface {
	PayForExchange(ctx context.Context, ex *Exchange) error
}

// Blocker answers whether one of two members has blocked the other. The
// messages module keeps blocks; nil means nobody has blocked anyone.
type Blocker interface {
	Blocked(ctx context.Context, a, b int64) (bool, error)
}

// Review is what one side of a done exchange says of the other.
type Review struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"-"`
	ExchangeID  int64     `json:"exchange_id"`
	ReviewerID  int64     `json:"reviewer_id"`
	RevieweeID  int64     `json:"reviewee_id"`
	Rating      int       `json:"rating"` // 1 to 5
	Comment     string    `json:"comment,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Review limits.
const MaxComment = 2000

// Profile is a member's record in a territory's exchanges. Display names
// are the caller's to add from the reviewer ids.
type Profile struct {
	UserID        int64    `json:"user_id"`
	ExchangesDone int      `json:"exchanges_done"`
	ReviewCount   int      `json:"review_count"`
	AverageRating float64  `json:"average_rating"` // 0 without reviews
	Reviews       []Review `json:"reviews"`        // newest first, at most ProfileReviews
}

// ProfileReviews bounds the reviews a profile lists.
const ProfileReviews = 50

// Report is a member's signal about a listing or another member.
type Report struct {
	ID           int64      `json:"id"`
	TerritoryID  int64      `json:"-"`
	ListingID    int64      `json:"listing_id,omitempty"`
	MemberID     int64      `json:"member_id,omitempty"`
	ReporterID   int64      `json:"reporter_id"`
	Reason       string     `json:"reason"`
	CreatedAt    time.Time  `json:"created_at"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy   int64      `json:"resolved_by,omitempty"`
	Resolution   string     `json:"resolution,omitempty"`
	ListingTitle string     `json:"listing_title,omitempty"`
}

// ReportTarget says what a report is about: a listing or a member.
type ReportTarget string

const (
	TargetListing ReportTarget = "listing"
	TargetMember  ReportTarget = "member"
)

// Sort orders search results.
type Sort string

const (
	SortDistance Sort = "distance"
	SortRecent   Sort = "recent"
)

// Query is a search of the territory's active listings.
type Query struct {
	Near     *geo.Point // search from here (a point the member chose)
	RadiusM  float64    // with Near: only within this distance (0 = the whole territory)
	Text     string
	Category string
	Mode     Mode
	Kind     Kind
	Sort     Sort // default: distance with Near, recent otherwise
	Limit    int  // default DefaultLimit, at most MaxLimit
	Offset   int  // at most MaxOffset
}

// Search bounds.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	MaxOffset    = 1000
	MaxRadiusM   = 100_000
	MaxTextLen   = 200
)

// Hit is one search result. Listing carries its public position only, and
// its first photo. DistanceM is from Query.Near to that public position.
type Hit struct {
	Listing   *Listing `json:"listing"`
	DistanceM float64  `json:"distance_m,omitempty"`
}

// Result is a page of hits; More says a next page exists. Totals are not
// counted: around a busy place that would read every match.
type Result struct {
	Items []Hit `json:"items"`
	More  bool  `json:"more"`
}

// Stats are a territory's indicators for the offers module.
type Stats struct {
	Listings         map[Status]int         `json:"listings"`
	Searchable       int                    `json:"searchable"` // active, not expired, owner not suspended
	ActiveByMode     map[Mode]int           `json:"active_by_mode"`
	Exchanges        map[ExchangeStatus]int `json:"exchanges"`
	Reviews          int                    `json:"reviews"`
	AverageRating    float64                `json:"average_rating"`
	OpenReports      int                    `json:"open_reports"`
	ActiveExchangers int                    `json:"active_exchangers"` // members with a done exchange
}
