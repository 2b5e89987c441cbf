// Package mobility runs carpooling: trips offered by drivers and requests
// published by passengers, one-off or on a weekly schedule, found by a
// route-aware search and booked seat by seat.
//
// The invariant: the accepted seats of an occurrence (one dated departure)
// never exceed the seats its trip offers. Seats are taken by a guarded
// UPDATE (seats_left = seats_left - n WHERE seats_left >= n) in the
// transaction that accepts the booking, never by reading first.
//
// Weekly schedules are materialised as occurrences over a rolling horizon.
// Each keeps its local date and time and the territory's zone beside the
// UTC instant, so a 7:40 commute stays at 7:40 across daylight saving.
package mobility

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/text"
)

// Kind of trip.
type Kind string

const (
	KindOffer   Kind = "offer"   // a driver offers seats
	KindRequest Kind = "request" // a passenger looks for a ride
)

// ContributionKind says how passengers contribute.
type ContributionKind string

const (
	ContributionFree  ContributionKind = "free"
	ContributionCash  ContributionKind = "cash"  // euros paid in person, Amount in cents
	ContributionUnits ContributionKind = "units" // through the ledger, Amount in the currency's smallest unit
)

// Limits.
const (
	MaxLabel         = 200
	MaxNote          = 2000
	MaxSeats         = 8
	MaxStops         = 5
	DefaultDetour    = 3000  // metres
	MaxDetour        = 20000 // metres
	MinTripMeters    = 200   // origin and destination closer than this are the same place
	MaxAmount        = 1_000_000
	DefaultHorizon   = 8 * 7 * 24 * time.Hour
	MaxScheduleWeeks = 104
)

// Place is a point with what the member typed or picked for it.
type Place struct {
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	Label string  `json:"label,omitempty"`
}

// Point is the place's position.
func (p Place) Point() geo.Point { return geo.Point{Lat: p.Lat, Lon: p.Lon} }

// Weekly is a recurring schedule: on Days (time.Weekday numbers, Sunday 0)
// at Time (local "HH:MM"), back at Return when set, from From until Until
// (local dates "YYYY-MM-DD", Until optional).
type Weekly struct {
	Days   Days   `json:"days"`
	Time   string `json:"time"`
	Return string `json:"return,omitempty"`
	From   string `json:"from"`
	Until  string `json:"until,omitempty"`
}

// Days of the week, written "mon".."sun" in JSON (numbers 0-6 from
// Sunday are read too).
type Days []time.Weekday

// DayNames are the JSON names of the days, Sunday first like time.Weekday.
var DayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func (d Days) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len(d))
	for _, w := range d {
		if w >= 0 && int(w) < len(DayNames) {
			names = append(names, DayNames[w])
		}
	}
	return json.Marshal(names)
}

func (d *Days) UnmarshalJSON(b []byte) error {
	var raw []any
	if err := json.Unmarshal(b, &raw); err != nil {
		return errs.E(errs.Invalid, "err.mobility.days_required")
	}
	out := make(Days, 0, len(raw))
	for _, x := range raw {
		w := ParseDay(fmt.Sprint(x))
		if w < 0 {
			return errs.E(errs.Invalid, "err.mobility.days_required")
		}
		out = append(out, w)
	}
	*d = out
	return nil
}

// ParseDay reads "mon".."sun" (or "monday", or 0-6 from Sunday); -1 if none.
func ParseDay(s string) time.Weekday {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range DayNames {
		if s == n || s == strconv.Itoa(i) || (len(s) > 3 && strings.HasPrefix(strings.ToLower(time.Weekday(i).String()), s)) {
			return time.Weekday(i)
		}
	}
	return -1
}

// Contribution per seat.
type Contribution struct {
	Kind     ContributionKind `json:"kind"`
	Amount   int64            `json:"amount,omitempty"`
	Currency string           `json:"currency,omitempty"` // ledger currency code for units
}

// Trip is an offer or a request.
type Trip struct {
	ID             int64        `json:"id"`
	TerritoryID    int64        `json:"-"`
	UserID         int64        `json:"user_id"` // driver of an offer, passenger of a request
	Kind           Kind         `json:"kind"`
	From           Place        `json:"from"`
	To             Place        `json:"to"`
	Stops          []Place      `json:"stops,omitempty"`
	Departure      *time.Time   `json:"departure,omitempty"` // one-off
	Weekly         *Weekly      `json:"weekly,omitempty"`
	Seats          int          `json:"seats"`
	Contribution   Contribution `json:"contribution"`
	Luggage        bool         `json:"luggage"`
	Smoking        bool         `json:"smoking"`
	Pets           bool         `json:"pets"`
	WomenOnly      bool         `json:"women_only"`
	MaxDetour      int          `json:"max_detour"` // metres
	AutoAccept     bool         `json:"auto_accept"`
	OrganisationID int64        `json:"organisation_id,omitempty"` // destination run by an organisation
	Phone          string       `json:"-"`                         // shown to accepted passengers only
	Note           string       `json:"note,omitempty"`
	Status         string       `json:"status"` // active, cancelled
	RouteMeters    float64      `json:"route_meters"`
	RouteSeconds   int64        `json:"route_seconds"`
	Polyline       []geo.Point  `json:"-"`
	HorizonUntil   string       `json:"-"` // last local date materialised
	Warnings       []Warning    `json:"-"` // set by Publish: the trip is published all the same
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// Trip statuses.
const (
	TripActive    = "active"
	TripCancelled = "cancelled"
)

// Occurrence is one dated departure of a trip.
type Occurrence struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"-"`
	TripID      int64     `json:"trip_id"`
	Return      bool      `json:"return"` // the way back of a weekly schedule (destination to origin)
	DepartsAt   time.Time `json:"departs_at"`
	LocalDate   string    `json:"local_date"`
	LocalTime   string    `json:"local_time"`
	Zone        string    `json:"zone"`
	SeatsLeft   int       `json:"seats_left"`
	Status      string    `json:"status"` // active, cancelled
}

// BookingStatus of a seat booking.
type BookingStatus string

const (
	BookingPending   BookingStatus = "pending"
	BookingAccepted  BookingStatus = "accepted"
	BookingRefused   BookingStatus = "refused"
	BookingCancelled BookingStatus = "cancelled"
)

// Booking is a passenger's seats on one occurrence.
type Booking struct {
	ID           int64         `json:"id"`
	TerritoryID  int64         `json:"-"`
	TripID       int64         `json:"trip_id"`
	OccurrenceID int64         `json:"occurrence_id"`
	PassengerID  int64         `json:"passenger_id"`
	DriverID     int64         `json:"driver_id"`
	Seats        int           `json:"seats"`
	Status       BookingStatus `json:"status"`
	Pickup       *Place        `json:"pickup,omitempty"`
	Dropoff      *Place        `json:"dropoff,omitempty"`
	Message      string        `json:"message,omitempty"`
	Reason       string        `json:"reason,omitempty"` // of a refusal or cancellation
	CancelledBy  int64         `json:"cancelled_by,omitempty"`
	UnitsDue     int64         `json:"units_due,omitempty"`   // a contribution in units: seats times the amount
	PaidEntry    int64         `json:"paid_entry,omitempty"`  // the ledger entry that paid it; -1 when refused
	StandingID   int64         `json:"standing_id,omitempty"` // the standing booking ("every week") it belongs to
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`

	// Filled for lists.
	DepartsAt time.Time `json:"departs_at"`
	FromLabel string    `json:"from_label,omitempty"`
	ToLabel   string    `json:"to_label,omitempty"`
	// Reviewed and Actions are for the member it is shown to: whether they
	// reviewed it, and what they may do to it now (see Service.mayBooking);
	// filled by MyTrips.
	Reviewed bool            `json:"reviewed,omitempty"`
	Actions  []BookingAction `json:"actions,omitempty"`
}

func oneOf[T comparable](x T, xs ...T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

func validPlace(p Place) bool {
	return p.Point().Valid() && !(p.Lat == 0 && p.Lon == 0)
}

// parseClock reads "HH:MM" into hours and minutes.
func parseClock(s string) (int, int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// Validate cleans and checks a trip's fields that need no context (the
// territory's box and the clock are the service's).
func (t *Trip) Validate() error {
	var v errs.Validator
	t.From.Label, t.To.Label = text.OneLine(t.From.Label), text.OneLine(t.To.Label)
	t.Note = strings.TrimSpace(t.Note)
	t.Phone = text.OneLine(t.Phone)
	if t.Kind == "" {
		t.Kind = KindOffer
	}
	if t.MaxDetour == 0 {
		t.MaxDetour = DefaultDetour
	}
	if t.Contribution.Kind == "" {
		t.Contribution.Kind = ContributionFree
	}
	v.Check(oneOf(t.Kind, KindOffer, KindRequest), "kind", "err.mobility.kind")
	v.Check(validPlace(t.From), "from", "err.mobility.place_required")
	v.Check(validPlace(t.To), "to", "err.mobility.place_required")
	if validPlace(t.From) && validPlace(t.To) {
		v.Check(geo.Distance(t.From.Point(), t.To.Point()) >= MinTripMeters, "to", "err.mobility.same_place")
	}
	for i := range t.Stops {
		t.Stops[i].Label = text.OneLine(t.Stops[i].Label)
		v.Check(validPlace(t.Stops[i]), "stops", "err.mobility.place_required")
	}
	v.Check(len(t.Stops) <= MaxStops, "stops", "err.mobility.too_many_stops", "Max", MaxStops)
	for f, s := range map[string]string{"from.label": t.From.Label, "to.label": t.To.Label, "phone": t.Phone} {
		v.Check(!tooLong(s, MaxLabel), f, "err.too_long", "Max", MaxLabel)
	}
	v.Check(!tooLong(t.Note, MaxNote), "note", "err.too_long", "Max", MaxNote)
	v.Check(t.Seats >= 1 && t.Seats <= MaxSeats, "seats", "err.mobility.seats_range", "Max", MaxSeats)
	v.Check(t.MaxDetour >= 0 && t.MaxDetour <= MaxDetour, "max_detour", "err.mobility.detour_range", "Max", MaxDetour)
	c := &t.Contribution
	c.Currency = strings.ToUpper(strings.TrimSpace(c.Currency))
	switch c.Kind {
	case ContributionFree:
		c.Amount, c.Currency = 0, ""
	case ContributionCash:
		c.Currency = "EUR"
		v.Check(c.Amount > 0 && c.Amount <= MaxAmount, "contribution.amount", "err.mobility.amount_range")
	case ContributionUnits:
		v.Check(c.Amount > 0 && c.Amount <= MaxAmount, "contribution.amount", "err.mobility.amount_range")
		v.Check(c.Currency != "", "contribution.currency", "err.required")
	default:
		v.Add("contribution.kind", "err.mobility.contribution_kind")
	}
	switch {
	case t.Departure == nil && t.Weekly == nil:
		v.Add("departure", "err.mobility.departure_required")
	case t.Departure != nil && t.Weekly != nil:
		v.Add("departure", "err.mobility.one_schedule")
	case t.Weekly != nil:
		t.Weekly.validate(&v)
	}
	return v.Err()
}

func (w *Weekly) validate(v *errs.Validator) {
	seen := map[time.Weekday]bool{}
	days := w.Days[:0]
	for _, d := range w.Days {
		if d >= time.Sunday && d <= time.Saturday && !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	w.Days = days
	v.Check(len(w.Days) > 0 && len(w.Days) == len(seen), "weekly.days", "err.mobility.days_required")
	_, _, ok := parseClock(w.Time)
	v.Check(ok, "weekly.time", "err.mobility.time_format")
	if w.Return != "" {
		_, _, ok := parseClock(w.Return)
		v.Check(ok && w.Return > w.Time, "weekly.return", "err.mobility.return_format")
	}
	from, err := time.Parse(time.DateOnly, w.From)
	v.Check(err == nil, "weekly.from", "err.mobility.date_format")
	if w.Until != "" {
		until, err2 := time.Parse(time.DateOnly, w.Until)
		v.Check(err2 == nil && err == nil && !until.Before(from) && until.Sub(from) <= MaxScheduleWeeks*7*24*time.Hour,
			"weekly.until", "err.mobility.until_range")
	}
}
