// Package booking runs the bookable resources of organisations: items of a
// library of things (with identical copies), rooms in public buildings and
// shared vehicles at stations. Members book intervals [start, end) in the
// territory's time zone; the organisation approves, checks out and checks
// in; a waiting list offers freed slots in turn.
//
// The invariant: at no instant do the holding reservations of a resource
// (offered, pending, confirmed, checked out) add up to more than its
// quantity. It is checked inside the booking transaction, after the
// resource row is locked (SQLite: the one writer; PostgreSQL: FOR UPDATE),
// never by reading first and writing later.
package booking

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/text"
)

// Kind of resource.
type Kind string

const (
	KindItem    Kind = "item"
	KindRoom    Kind = "room"
	KindVehicle Kind = "vehicle"
)

// Kinds lists the valid kinds.
var Kinds = []Kind{KindItem, KindRoom, KindVehicle}

// Who may book a resource.
type Who string

const (
	WhoMembers  Who = "members"  // any member of the territory
	WhoVerified Who = "verified" // members with a verified e-mail address
	WhoOrg      Who = "org"      // members of the organisation only
)

// Whos lists the valid values.
var Whos = []Who{WhoMembers, WhoVerified, WhoOrg}

// Limits.
const (
	MaxName        = 120
	MaxDescription = 5000
	MaxShort       = 300
	MaxQuantity    = 10000
	MaxNote        = 1000
	MaxSpanDays    = 366 // the longest interval any query or booking covers
)

// Closure is a run of local dates (inclusive) when the resource cannot be
// picked up, returned or used.
type Closure struct {
	From string `json:"from"` // YYYY-MM-DD
	To   string `json:"to"`   // YYYY-MM-DD, >= From
	Note string `json:"note,omitempty"`
}

// Rules say when and by whom a resource may be booked. Zero values mean no
// limit, except Who (members).
type Rules struct {
	// Hours maps "mon".."sun" to opening spans "HH:MM-HH:MM" in local
	// time (the close may be "24:00"). No entry at all: always open. A day
	// missing from a non-empty map is closed. Items and vehicles are
	// picked up and returned within opening hours; rooms are used within
	// one span.
	Hours          map[string][]string `json:"hours,omitempty"`
	Closures       []Closure           `json:"closures,omitempty"`
	MinMinutes     int                 `json:"min_minutes,omitempty"`
	MaxMinutes     int                 `json:"max_minutes,omitempty"`
	MaxAdvanceDays int                 `json:"max_advance_days,omitempty"`
	LeadMinutes    int                 `json:"lead_minutes,omitempty"`
	// CancelMinutes is how long before the start a member may still cancel.
	CancelMinutes int    `json:"cancel_minutes,omitempty"`
	Approval      bool   `json:"approval,omitempty"`
	Who           Who    `json:"who,omitempty"`
	Note          string `json:"note,omitempty"` // deposit or fee, as the organisation words it
}

// Resource is something an organisation lends or rents out.
type Resource struct {
	ID             int64      `json:"id"`
	TerritoryID    int64      `json:"-"`
	OrganisationID int64      `json:"organisation_id"`
	Kind           Kind       `json:"kind"`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	Quantity       int        `json:"quantity"`            // identical copies (items) or 1
	Capacity       int        `json:"capacity,omitempty"`  // people in a room, seats in a vehicle
	Equipment      string     `json:"equipment,omitempty"` // rooms
	Energy         string     `json:"energy,omitempty"`    // vehicles: petrol, diesel, electric...
	Station        string     `json:"station,omitempty"`   // vehicles
	Position       *geo.Point `json:"position,omitempty"`  // rooms and stations
	Rules          Rules      `json:"rules"`
	// Photos, the cover first; the API shows them as addresses (web).
	Photos    []media.Photo `json:"-"`
	Active    bool          `json:"active"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Status of a reservation.
type Status string

const (
	StatusOffered    Status = "offered" // to the first of the waiting list, until it expires
	StatusPending    Status = "pending" // waits for the organisation's approval
	StatusConfirmed  Status = "confirmed"
	StatusCheckedOut Status = "checked_out"
	StatusReturned   Status = "returned"
	StatusCancelled  Status = "cancelled"
	StatusRefused    Status = "refused"
	StatusNoShow     Status = "no_show"
	StatusExpired    Status = "expired" // an offer nobody took up
)

// Holds reports whether the status counts against the resource's quantity.
func (s Status) Holds() bool {
	return s == StatusOffered || s == StatusPending || s == StatusConfirmed || s == StatusCheckedOut
}

// holdingSQL is the same list for queries.
const holdingSQL = `('offered', 'pending', 'confirmed', 'checked_out')`

// Reservation of a quantity of a resource over [Start, End).
type Reservation struct {
	ID             int64      `json:"id"`
	TerritoryID    int64      `json:"-"`
	ResourceID     int64      `json:"resource_id"`
	OrganisationID int64      `json:"organisation_id"`
	UserID         int64      `json:"user_id"`
	Quantity       int        `json:"quantity"`
	Start          time.Time  `json:"start"`
	End            time.Time  `json:"end"`
	Status         Status     `json:"status"`
	Note           string     `json:"note,omitempty"`
	StaffNote      string     `json:"staff_note,omitempty"`
	ConditionNote  string     `json:"condition_note,omitempty"`
	OfferExpiresAt *time.Time `json:"offer_expires_at,omitempty"`
	WaitID         int64      `json:"wait_id,omitempty"`
	CheckedOutAt   *time.Time `json:"checked_out_at,omitempty"`
	ReturnedAt     *time.Time `json:"returned_at,omitempty"`
	Renewals       int        `json:"renewals"`
	Overdue        bool       `json:"overdue"`
	// SeriesID groups the occurrences of a weekly series (0: none).
	SeriesID int64 `json:"series_id,omitempty"`
	// HeldAt is set while a confirmed reservation waits for copies still
	// out with an overdue loan.
	HeldAt    *time.Time `json:"held_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`

	// Filled for lists shown to people.
	ResourceName  string `json:"resource_name,omitempty"`
	remindersSent int
}

// WaitStatus of a waiting-list entry.
type WaitStatus string

const (
	WaitWaiting   WaitStatus = "waiting"
	WaitOffered   WaitStatus = "offered"
	WaitBooked    WaitStatus = "booked"
	WaitExpired   WaitStatus = "expired"
	WaitWithdrawn WaitStatus = "withdrawn"
)

// Wait is a member's place on a resource's waiting list for an interval.
type Wait struct {
	ID            int64      `json:"id"`
	TerritoryID   int64      `json:"-"`
	ResourceID    int64      `json:"resource_id"`
	UserID        int64      `json:"user_id"`
	Quantity      int        `json:"quantity"`
	Start         time.Time  `json:"start"`
	End           time.Time  `json:"end"`
	Status        WaitStatus `json:"status"`
	ReservationID int64      `json:"reservation_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ResourceName  string     `json:"resource_name,omitempty"`
}

func oneOf[T comparable](x T, xs []T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// cleanText keeps line breaks: multi-line fields.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r) || r == utf8.RuneError:
			return -1
		}
		return r
	}, s))
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// Validate cleans and checks a resource's editable fields and rules.
func (r *Resource) Validate() error {
	var v errs.Validator
	r.Name = text.OneLine(r.Name)
	r.Description = cleanText(r.Description)
	r.Equipment = text.OneLine(r.Equipment)
	r.Energy = text.OneLine(r.Energy)
	r.Station = text.OneLine(r.Station)
	r.Rules.Note = text.OneLine(r.Rules.Note)
	if r.Quantity == 0 {
		r.Quantity = 1
	}
	if r.Rules.Who == "" {
		r.Rules.Who = WhoMembers
	}
	v.Check(oneOf(r.Kind, Kinds), "kind", "err.booking.kind")
	v.Check(r.Name != "", "name", "err.required")
	v.Check(!tooLong(r.Name, MaxName), "name", "err.too_long", "Max", MaxName)
	v.Check(!tooLong(r.Description, MaxDescription), "description", "err.too_long", "Max", MaxDescription)
	for f, s := range map[string]string{"equipment": r.Equipment, "energy": r.Energy, "station": r.Station, "note": r.Rules.Note} {
		v.Check(!tooLong(s, MaxShort), f, "err.too_long", "Max", MaxShort)
	}
	v.Check(r.Quantity >= 1 && r.Quantity <= MaxQuantity, "quantity", "err.booking.quantity_range", "Max", MaxQuantity)
	v.Check(r.Capacity >= 0 && r.Capacity <= MaxQuantity, "capacity", "err.booking.capacity_range")
	if r.Position != nil {
		v.Check(r.Position.Valid() && !(r.Position.Lat == 0 && r.Position.Lon == 0), "position", "err.position_required")
	}
	v.Check(r.Kind != KindVehicle || r.Station != "", "station", "err.booking.station_required")
	ru := &r.Rules
	v.Check(ru.MinMinutes >= 0 && ru.MaxMinutes >= 0 && (ru.MaxMinutes == 0 || ru.MinMinutes <= ru.MaxMinutes) &&
		ru.MaxMinutes <= MaxSpanDays*24*60, "rules.max_minutes", "err.booking.rule_durations")
	v.Check(ru.MaxAdvanceDays >= 0 && ru.MaxAdvanceDays <= 3*MaxSpanDays, "rules.max_advance_days", "err.booking.rule_range")
	v.Check(ru.LeadMinutes >= 0 && ru.LeadMinutes <= 90*24*60, "rules.lead_minutes", "err.booking.rule_range")
	v.Check(ru.CancelMinutes >= 0 && ru.CancelMinutes <= 90*24*60, "rules.cancel_minutes", "err.booking.rule_range")
	v.Check(oneOf(ru.Who, Whos), "rules.who", "err.booking.who")
	if _, err := parseHours(ru.Hours); err != nil {
		v.Add("rules.hours", "err.booking.hours_format")
	}
	for _, c := range ru.Closures {
		from, err1 := time.Parse(time.DateOnly, c.From)
		to, err2 := time.Parse(time.DateOnly, c.To)
		v.Check(err1 == nil && err2 == nil && !to.Before(from) && !tooLong(c.Note, MaxShort), "rules.closures", "err.booking.closure_format")
	}
	v.Check(len(ru.Closures) <= 100, "rules.closures", "err.booking.closure_format")
	return v.Err()
}
