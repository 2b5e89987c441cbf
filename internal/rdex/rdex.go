// Package rdex serves a territory's carpool trips to other carpool
// platforms and journey planners through RDEX v1 ("Ridesharing Data
// EXchange"), the protocol French operators (Mobicoop, BlaBlaCar Daily,
// Karos...) and public journey planners use to list each other's trips.
//
// The package knows the protocol only: it parses and authenticates
// `GET /rdex/journeys`, answers with RDEX journeys or RDEX errors, and
// keeps the API keys of the clients allowed to ask, per territory. The
// search itself belongs to the carpool module, which the handler reaches
// through the Searcher interface declared here. Wiring, for the lead:
//
//	clients := rdex.NewService(rdex.NewSQLStore(db))
//	h := rdex.NewHandler(mobilitySearcher, clients, rdex.Options{
//		PublicURL: baseURL, // the address clients sign, e.g. https://partage.example.org
//		Operator:  "Sharing City", Origin: "partage.example.org",
//		Log:       log,
//	})
//	mux.Handle("GET /rdex/journeys", h)
//
// The client's API key names its territory: the Searcher gets that
// territory's id with the parsed Query, and returns journeys whose URL is
// the deep link to the trip page. Journeys carry no personal data beyond
// what RDEX needs (an alias, never a phone number or exact address).
//
// Authentication follows RDEX: the request carries `timestamp` (Unix
// seconds), `apikey` and `signature`, the lower-case hexadecimal
// HMAC-SHA256 of the requested URL without its signature parameter, keyed
// by the client's private key (PHP's hash_hmac('sha256', $url, $key)).
// Administrators create keys with `sharingcity admin rdex-client add`.
package rdex

import (
	"time"
)

// Frequency is how often a journey runs.
type Frequency string

const (
	Punctual Frequency = "punctual" // once, on a date
	Regular  Frequency = "regular"  // on days of the week, between two dates
	Both     Frequency = "both"     // in a query only: either
)

// Journey types.
const (
	OneWay    = "one-way"
	RoundTrip = "round-trip"
)

// TimeRange is a window of departure times in a day, as durations since
// midnight (local time of the territory).
type TimeRange struct {
	Min, Max time.Duration
}

// Query is a parsed `GET /rdex/journeys` search.
type Query struct {
	// Driver asks for journeys offered by drivers (p[driver][state]=1);
	// Passenger for journeys passengers asked for (p[passenger][state]=1).
	// At least one is true.
	Driver, Passenger bool
	From, To          Point
	// Frequency is Punctual, Regular or Both (the default).
	Frequency Frequency
	// Days lists the days asked for (p[days][monday]=1...), indexed by
	// time.Weekday; all false when the query names none.
	Days [7]bool
	// Outward is the departure window. MinDate and MaxDate are dates
	// (midnight UTC); zero when not given.
	Outward Window
	// Return is the window of the way back (p[return][...]), nil when the
	// query gives none: the searcher then answers one-way and round-trip
	// journeys alike; with one, a round trip's way back must fit it.
	Return *Window
}

// Window is a window of departure dates and, per day, times.
type Window struct {
	MinDate, MaxDate time.Time
	// Times holds the window of each day of the week that gives one,
	// indexed by time.Weekday; nil for the others.
	Times [7]*TimeRange
}

// Point is a WGS84 position.
type Point struct {
	Lat, Lon float64
}

// Journey is one RDEX journey, as listed in the answer.
type Journey struct {
	UUID     string `json:"uuid"`
	Operator string `json:"operator"` // the platform's name
	Origin   string `json:"origin"`   // the platform's host name
	// URL is the deep link to the trip's page.
	URL               string     `json:"url"`
	Driver            *Person    `json:"driver,omitempty"`
	Passenger         *Person    `json:"passenger,omitempty"`
	From              Place      `json:"from"`
	To                Place      `json:"to"`
	Distance          int        `json:"distance"` // metres
	Duration          int        `json:"duration"` // seconds
	Route             string     `json:"route,omitempty"`
	NumberOfWaypoints int        `json:"number_of_waypoints"`
	Waypoints         []Waypoint `json:"waypoints,omitempty"`
	Cost              *Cost      `json:"cost,omitempty"`
	Details           *Details   `json:"details,omitempty"`
	Vehicle           *Vehicle   `json:"vehicle,omitempty"`
	Frequency         Frequency  `json:"frequency"`
	Type              string     `json:"type"` // OneWay or RoundTrip
	RealTime          bool       `json:"real_time"`
	Stopped           bool       `json:"stopped"`
	Days              Days       `json:"days"`
	Outward           Schedule   `json:"outward"`
	Return            *Schedule  `json:"return,omitempty"`
}

// Person is the driver or the passenger of a journey. State is 1 for the
// side that published the journey.
type Person struct {
	UUID    string `json:"uuid"`
	Alias   string `json:"alias"`
	Image   string `json:"image,omitempty"`
	Gender  string `json:"gender,omitempty"`
	Seats   int    `json:"seats,omitempty"`   // a driver's free seats
	Persons int    `json:"persons,omitempty"` // a passenger's party
	State   int    `json:"state"`
}

// Place is where a journey starts or ends.
type Place struct {
	Address    string  `json:"address"`
	City       string  `json:"city"`
	PostalCode string  `json:"postalcode"`
	Country    string  `json:"country"`
	Latitude   float64 `json:"latitude"`
	Longitude  float64 `json:"longitude"`
}

// Waypoint is a stop on the way.
type Waypoint struct {
	Place
	Step int `json:"step"`
}

// Cost is what a seat costs: a fixed amount and an amount per kilometre,
// in euros.
type Cost struct {
	Fixed    *float64 `json:"fixed,omitempty"`
	Variable *float64 `json:"variable,omitempty"`
}

// Details are the trip's conditions.
type Details struct {
	Parcel  bool `json:"parcel"`
	Pets    bool `json:"pets"`
	Smoking bool `json:"smoking"`
	Luggage bool `json:"luggage"`
}

// Vehicle describes the car.
type Vehicle struct {
	Model string `json:"model,omitempty"`
	Color string `json:"color,omitempty"`
}

// Days marks the days a journey runs, 1 or 0, as RDEX writes them.
type Days struct {
	Monday    int `json:"monday"`
	Tuesday   int `json:"tuesday"`
	Wednesday int `json:"wednesday"`
	Thursday  int `json:"thursday"`
	Friday    int `json:"friday"`
	Saturday  int `json:"saturday"`
	Sunday    int `json:"sunday"`
}

// Set marks a day.
func (d *Days) Set(w time.Weekday) {
	*d.field(w) = 1
}

// Has reports whether a day is marked.
func (d *Days) Has(w time.Weekday) bool { return *d.field(w) == 1 }

func (d *Days) field(w time.Weekday) *int {
	switch w {
	case time.Monday:
		return &d.Monday
	case time.Tuesday:
		return &d.Tuesday
	case time.Wednesday:
		return &d.Wednesday
	case time.Thursday:
		return &d.Thursday
	case time.Friday:
		return &d.Friday
	case time.Saturday:
		return &d.Saturday
	}
	return &d.Sunday
}

// DayTime is a day's window of departure times, "HH:MM:SS".
type DayTime struct {
	MinTime string `json:"mintime"`
	MaxTime string `json:"maxtime"`
}

// Schedule is when a journey leaves: dates "YYYY-MM-DD" and, per day it
// runs, a window of times.
type Schedule struct {
	MinDate   string   `json:"mindate"`
	MaxDate   string   `json:"maxdate"`
	Monday    *DayTime `json:"monday,omitempty"`
	Tuesday   *DayTime `json:"tuesday,omitempty"`
	Wednesday *DayTime `json:"wednesday,omitempty"`
	Thursday  *DayTime `json:"thursday,omitempty"`
	Friday    *DayTime `json:"friday,omitempty"`
	Saturday  *DayTime `json:"saturday,omitempty"`
	Sunday    *DayTime `json:"sunday,omitempty"`
}

// SetDay sets the window of one day.
func (s *Schedule) SetDay(w time.Weekday, min, max time.Duration) {
	dt := &DayTime{MinTime: clock(min), MaxTime: clock(max)}
	switch w {
	case time.Monday:
		s.Monday = dt
	case time.Tuesday:
		s.Tuesday = dt
	case time.Wednesday:
		s.Wednesday = dt
	case time.Thursday:
		s.Thursday = dt
	case time.Friday:
		s.Friday = dt
	case time.Saturday:
		s.Saturday = dt
	default:
		s.Sunday = dt
	}
}

// Date formats a date as RDEX writes it.
func Date(t time.Time) string { return t.Format(time.DateOnly) }

// clock writes a duration since midnight as "HH:MM:SS", clamped to the day.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d >= 24*time.Hour {
		d = 24*time.Hour - time.Second
	}
	s := int(d / time.Second)
	return twoDigits(s/3600) + ":" + twoDigits(s/60%60) + ":" + twoDigits(s%60)
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// dayNames are RDEX's day keys, indexed by time.Weekday.
var dayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
