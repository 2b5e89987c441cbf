// Package offers is the neighbourhood exchange: members offer and ask
// (give, lend, rent, swap, services), find listings near them, agree on
// exchanges and review each other. Others only ever see an approximate
// position of a listing; the exact one stays with its owner.
package offers

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/media"
)

// Kind says whether a member offers something or asks for it.
type Kind string

const (
	KindOffer   Kind = "offer"
	KindRequest Kind = "request"
)

// Kinds lists the valid kinds.
var Kinds = []Kind{KindOffer, KindRequest}

// Mode is how the thing changes hands.
type Mode string

const (
	ModeGive    Mode = "give"
	ModeLend    Mode = "lend"
	ModeRent    Mode = "rent"
	ModeSwap    Mode = "swap"
	ModeService Mode = "service"
)

// Modes lists the valid modes.
var Modes = []Mode{ModeGive, ModeLend, ModeRent, ModeSwap, ModeService}

// Object reports whether the mode is about a thing (which has a condition
// and a quantity) rather than a service.
func (m Mode) Object() bool { return m != ModeService && m != "" }

// Condition is the state of an object.
type Condition string

const (
	ConditionNew  Condition = "new"
	ConditionGood Condition = "good"
	ConditionFair Condition = "fair"
	ConditionUsed Condition = "used"
)

// Conditions lists the valid conditions.
var Conditions = []Condition{ConditionNew, ConditionGood, ConditionFair, ConditionUsed}

// Status is where a listing stands. An active listing whose expiry has
// passed keeps its status but is no longer shown; Renew brings it back.
type Status string

const (
	StatusActive Status = "active"
	StatusPaused Status = "paused" // by the owner, for a while
	StatusClosed Status = "closed" // by the owner, or when a gift is done
	StatusHidden Status = "hidden" // by a moderator
)

// Currency of rent prices.
const Currency = "EUR"

// Limits of a listing.
const (
	MaxTitle        = 120
	MaxDescription  = 5000
	MaxShortText    = 300 // wanted in return, availability
	MaxPriceCents   = 100_000_00
	MaxQuantity     = 100
	MaxPhotos       = 6
	DefaultLifetime = 30 * 24 * time.Hour
	MaxLifetime     = 90 * 24 * time.Hour
)

// Listing is an offer or a request. The first block is what the owner
// edits; what the system sets follows.
type Listing struct {
	ID             int64     `json:"id"`
	TerritoryID    int64     `json:"-"`
	Kind           Kind      `json:"kind"`
	Mode           Mode      `json:"mode"`
	Title          string    `json:"title"`
	Description    string    `json:"description"` // plain text or Markdown source: pages render it safely
	Category       string    `json:"category"`    // one of directory.Categories
	Condition      Condition `json:"condition,omitempty"`
	PriceCents     int64     `json:"price_cents,omitempty"` // rent only
	Currency       string    `json:"currency,omitempty"`
	WantedInReturn string    `json:"wanted_in_return,omitempty"` // swap only
	Availability   string    `json:"availability,omitempty"`
	Quantity       int       `json:"quantity"`   // objects: how many can be taken at once (1 by default)
	ExpiresAt      time.Time `json:"expires_at"` // zero on create: DefaultLifetime from now
	// ExactPosition is the owner's position: given on Create and Update,
	// and returned only to the owner.
	ExactPosition *geo.Point    `json:"exact_position,omitempty"`
	Photos        []media.Photo `json:"photos"`

	OwnerID int64 `json:"owner_id"`
	// Position is the approximate, public position: the exact one moved
	// 200-500 m in a stable direction (see position.go).
	Position   geo.Point `json:"position"`
	Status     Status    `json:"status"`
	HideReason string    `json:"hide_reason,omitempty"` // to the owner and moderators
	Expired    bool      `json:"expired"`               // ExpiresAt has passed
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	// Set by the store for the service's rules, never shown.
	hiddenOwner      bool
	statusBeforeHide Status
	acceptedCount    int
	// coverRead: Photos holds the cover, read with the row (PostgreSQL's
	// searches), so the page needs no query for covers.
	coverRead bool
}

// Single reports whether the listing is one object that only one member
// can take at a time.
func (l *Listing) Single() bool { return l.Mode.Object() && l.Quantity <= 1 }

// cleanLine strips control characters and turns line breaks and tabs into
// spaces: for one-line fields.
func cleanLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || r == utf8.RuneError || isInvisible(r):
			return -1
		}
		return r
	}, s))
}

// cleanText strips control characters but keeps line breaks and tabs: for
// multi-line fields. HTML is kept as typed: it is text, which pages escape.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case unicode.IsControl(r) || r == utf8.RuneError || isInvisible(r):
			return -1
		}
		return r
	}, s))
}

// isInvisible catches the format characters that reorder or hide text
// (bidirectional overrides), which have no use in a listing.
func isInvisible(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0xFEFF
}

func isCategory(c string) bool {
	for _, k := range directory.Categories {
		if k == c {
			return true
		}
	}
	return false
}

func oneOf[T comparable](x T, xs []T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Validate cleans and checks the editable content. Expiry, the position's
// territory and photos are checked by the service, which knows the clock
// and the territory.
func (l *Listing) Validate() error {
	var v errs.Validator
	l.Title = cleanLine(l.Title)
	l.Description = cleanText(l.Description)
	l.WantedInReturn = cleanLine(l.WantedInReturn)
	l.Availability = cleanText(l.Availability)
	l.Category = strings.TrimSpace(l.Category)
	if l.Quantity == 0 {
		l.Quantity = 1
	}
	if l.Currency == "" && l.PriceCents != 0 {
		l.Currency = Currency
	}

	v.Check(oneOf(l.Kind, Kinds), "kind", "err.listing_kind")
	v.Check(oneOf(l.Mode, Modes), "mode", "err.listing_mode")
	v.Check(l.Title != "", "title", "err.required")
	v.Check(utf8.RuneCountInString(l.Title) <= MaxTitle, "title", "err.too_long", "Max", MaxTitle)
	v.Check(utf8.RuneCountInString(l.Description) <= MaxDescription, "description", "err.too_long", "Max", MaxDescription)
	v.Check(utf8.RuneCountInString(l.WantedInReturn) <= MaxShortText, "wanted_in_return", "err.too_long", "Max", MaxShortText)
	v.Check(utf8.RuneCountInString(l.Availability) <= MaxShortText, "availability", "err.too_long", "Max", MaxShortText)
	v.Check(isCategory(l.Category), "category", "err.category_unknown", "Category", l.Category)
	if l.Condition != "" {
		v.Check(l.Mode.Object(), "condition", "err.condition_objects_only")
		v.Check(oneOf(l.Condition, Conditions), "condition", "err.condition_unknown")
	}
	switch {
	case l.PriceCents < 0:
		v.Add("price_cents", "err.price_negative")
	case l.Mode == ModeRent:
		v.Check(l.PriceCents > 0, "price_cents", "err.price_required")
		v.Check(l.PriceCents <= MaxPriceCents, "price_cents", "err.price_too_high", "Max", MaxPriceCents/100)
		v.Check(l.Currency == Currency, "currency", "err.currency_unknown")
	default:
		v.Check(l.PriceCents == 0, "price_cents", "err.price_rent_only")
	}
	if l.Mode != ModeRent {
		l.Currency = ""
	}
	v.Check(l.WantedInReturn == "" || l.Mode == ModeSwap, "wanted_in_return", "err.wanted_swap_only")
	v.Check(l.Quantity >= 1 && l.Quantity <= MaxQuantity, "quantity", "err.quantity_range", "Max", MaxQuantity)
	v.Check(l.Quantity == 1 || l.Mode.Object(), "quantity", "err.quantity_objects_only")
	p := l.ExactPosition
	v.Check(p != nil && p.Valid() && !(p.Lat == 0 && p.Lon == 0), "position", "err.position_required")
	return v.Err()
}

// validatePhotos checks the keys and sizes of photos that internal/media took in.
func validatePhotos(photos []media.Photo) error {
	var v errs.Validator
	v.Check(len(photos) <= MaxPhotos, "photos", "err.photos_too_many", "Max", MaxPhotos)
	seen := map[string]bool{}
	for _, ph := range photos {
		ok := media.IsKey(ph.Key) && media.IsKey(ph.ThumbKey) && !seen[ph.Key] && ph.Width > 0 && ph.Height > 0 &&
			ph.ThumbWidth > 0 && ph.ThumbHeight > 0 && (ph.ContentType == media.TypeJPEG || ph.ContentType == media.TypePNG)
		v.Check(ok, "photos", "err.photo_invalid")
		seen[ph.Key] = true
	}
	return v.Err()
}
