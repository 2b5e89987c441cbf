package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// JSON API of carpooling. Trips and bookings have ids unique across
// territories, so their routes need no slug. Times are RFC 3339 and
// answered in the territory's time zone.

func (s *Server) mobilityAPITable() []apiHandler {
	const base = "/api/v1/territories/{slug}"
	t := []apiHandler{
		{"GET", base + "/trips", s.apiSearchTrips},
		{"POST", base + "/trips", s.apiPublishTrip},
		{"GET", base + "/my/trips", s.apiMyTrips},
		{"GET", base + "/trip-indicators", s.apiTripIndicators},
		{"GET", base + "/trip-destinations", s.apiDestinations},
		{"POST", base + "/trip-destinations", s.apiPublishDestination},
		{"GET", "/api/v1/trips/{id}", s.apiTrip},
		{"POST", "/api/v1/trips/{id}/cancel", s.apiCancelTrip},
		{"POST", "/api/v1/trips/{id}/bookings", s.apiBookTrip},
		{"GET", "/api/v1/trip-bookings/{id}", s.apiTripBooking},
		{"POST", "/api/v1/trip-bookings/{id}/review", s.apiReviewTrip},
		{"GET", base + "/members/{id}/trip-reviews", s.apiTripReviews},
		{"GET", "/api/v1/trip-standings/{id}", s.apiTripStanding},
		{"GET", "/api/v1/me/mobility-profile", s.apiMobilityProfile},
		{"PUT", "/api/v1/me/mobility-profile", s.apiSetMobilityProfile},
	}
	for _, a := range mobility.StandingActions() {
		t = append(t, apiHandler{"POST", "/api/v1/trip-standings/{id}/" + string(a), s.apiTripStandingAction(a)})
	}
	for _, a := range tripBookingActions {
		t = append(t, apiHandler{"POST", "/api/v1/trip-bookings/{id}/" + a, s.apiTripBookingAction(a)})
	}
	return t
}

// tripBookingActions are the POST /api/v1/trip-bookings/{id}/ACTION routes.
var tripBookingActions = []string{"accept", "refuse", "cancel", "pay"}

// mobilityByID answers fn's value for the territory of the trip or booking
// the path's id names.
func (s *Server) mobilityByID(w http.ResponseWriter, r *http.Request, thing mobility.Thing, status int, write bool, in any,
	fn func(ter *territory.Territory, a access.Actor, id int64) (any, error)) {
	find := func(r *http.Request, id int64) (*territory.Territory, error) {
		return s.mobilityTerritory(r, thing, id)
	}
	s.apiByID(w, r, find, status, write, in, fn)
}

func (s *Server) mobilityTerritory(r *http.Request, thing mobility.Thing, id int64) (*territory.Territory, error) {
	tid, err := s.Mobility.TerritoryOf(r.Context(), thing, id)
	if err != nil {
		return nil, err
	}
	return s.Territories.ByID(r.Context(), tid)
}

// tripInput is a trip as scripts send it.
type tripInput struct {
	Kind         mobility.Kind         `json:"kind"`
	From         mobility.Place        `json:"from"`
	To           mobility.Place        `json:"to"`
	Stops        []mobility.Place      `json:"stops"`
	Departure    *time.Time            `json:"departure"`
	Weekly       *mobility.Weekly      `json:"weekly"`
	Seats        int                   `json:"seats"`
	Contribution mobility.Contribution `json:"contribution"`
	Luggage      bool                  `json:"luggage"`
	Smoking      bool                  `json:"smoking"`
	Pets         bool                  `json:"pets"`
	WomenOnly    bool                  `json:"women_only"`
	MaxDetour    int                   `json:"max_detour"`
	AutoAccept   bool                  `json:"auto_accept"`
	Organisation int64                 `json:"organisation_id"`
	Phone        string                `json:"phone"`
	Note         string                `json:"note"`
}

func (in *tripInput) trip() *mobility.Trip {
	return &mobility.Trip{Kind: in.Kind, From: in.From, To: in.To, Stops: in.Stops, Departure: in.Departure, Weekly: in.Weekly,
		Seats: in.Seats, Contribution: in.Contribution, Luggage: in.Luggage, Smoking: in.Smoking, Pets: in.Pets,
		WomenOnly: in.WomenOnly, MaxDetour: in.MaxDetour, AutoAccept: in.AutoAccept, OrganisationID: in.Organisation,
		Phone: in.Phone, Note: in.Note}
}

// tripJSON is a trip with its times in the territory's zone and its page.
type tripJSON struct {
	*mobility.Trip
	Occurrences []mobility.Occurrence `json:"occurrences,omitempty"`
	Mine        bool                  `json:"mine"`
	Contact     bool                  `json:"contact"`
	Phone       string                `json:"phone,omitempty"`
	Route       []mobility.LinePoint  `json:"route,omitempty"` // [[lat,lon],...], ends blurred unless contact
	URL         string                `json:"url"`
}

func toTripJSON(ter *territory.Territory, t *mobility.Trip) tripJSON {
	loc := ter.Location()
	if t.Departure != nil {
		d := t.Departure.In(loc)
		t.Departure = &d
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.In(loc), t.UpdatedAt.In(loc)
	return tripJSON{Trip: t, URL: "/t/" + ter.Slug + "/trips/" + strconv.FormatInt(t.ID, 10)}
}

func occurrencesIn(occs []mobility.Occurrence, loc *time.Location) []mobility.Occurrence {
	for i := range occs {
		occs[i].DepartsAt = occs[i].DepartsAt.In(loc)
	}
	return occs
}

func bookingIn(b *mobility.Booking, loc *time.Location) *mobility.Booking {
	b.DepartsAt, b.CreatedAt, b.UpdatedAt = b.DepartsAt.In(loc), b.CreatedAt.In(loc), b.UpdatedAt.In(loc)
	return b
}

// mobilityCreate is apiIn with a 201: the trip destinations' create uses it.
func (s *Server) mobilityCreate(w http.ResponseWriter, r *http.Request, in any, fn func(ter *territory.Territory, a access.Actor) (any, error)) {
	s.apiIn(w, r, http.StatusCreated, in, fn)
}

func (s *Server) apiPublishTrip(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(ctx context.Context, a access.Actor, ter *territory.Territory, in *tripInput) (any, string, error) {
		t := in.trip()
		if err := s.Mobility.Publish(ctx, a, ter, t); err != nil {
			return nil, "", err
		}
		out := toTripJSON(ter, t)
		out.Mine, out.Contact, out.Phone = true, true, t.Phone
		// warnings: published anyway (an arrival outside a destination's hours).
		return struct {
			tripJSON
			Warnings []mobility.Warning `json:"warnings"`
		}{out, s.tripWarnings(s.localizer(r), ter, t)}, "/api/v1/trips/" + strconv.FormatInt(t.ID, 10), nil
	})
}

func (s *Server) apiTrip(w http.ResponseWriter, r *http.Request) {
	s.mobilityByID(w, r, mobility.ThingTrip, http.StatusOK, false, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		v, err := s.Mobility.Trip(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		out := toTripJSON(ter, v.Trip)
		out.Occurrences, out.Mine, out.Contact, out.Phone = occurrencesIn(v.Occurrences, ter.Location()), v.Mine, v.Contact, v.Phone
		out.Route = v.Line
		return out, nil
	})
}

func (s *Server) apiCancelTrip(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	s.mobilityByID(w, r, mobility.ThingTrip, http.StatusOK, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		if err := s.Mobility.Cancel(r.Context(), a, ter, id, in.Reason); err != nil {
			return nil, err
		}
		return map[string]any{"id": id, "status": mobility.TripCancelled}, nil
	})
}

// tripBookingInput is a booking request.
type tripBookingInput struct {
	Seats        int             `json:"seats"`
	OccurrenceID int64           `json:"occurrence_id"`
	Pickup       *mobility.Place `json:"pickup"`
	Dropoff      *mobility.Place `json:"dropoff"`
	Message      string          `json:"message"`
	// AllDepartures books every coming departure of a weekly trip in the
	// direction of the one named (or the next): the answer is {"bookings": [...]}.
	AllDepartures bool `json:"all_departures"`
	// Standing books the trip every week, the departures the horizon adds
	// later included, on Days (all the trip's when empty) and Legs ("out",
	// "back" or "both"): the answer is {"standing", "bookings", "missed"}.
	Standing bool          `json:"standing"`
	Days     mobility.Days `json:"days"`
	Legs     mobility.Legs `json:"legs"`
}

func (s *Server) apiBookTrip(w http.ResponseWriter, r *http.Request) {
	var in tripBookingInput
	s.mobilityByID(w, r, mobility.ThingTrip, http.StatusCreated, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		req := mobility.BookRequest{TripID: id, OccurrenceID: in.OccurrenceID,
			Seats: in.Seats, Pickup: in.Pickup, Dropoff: in.Dropoff, Message: in.Message}
		if in.Standing {
			res, err := s.Mobility.BookStanding(r.Context(), a, ter, req, in.Days, in.Legs)
			if err != nil {
				return nil, err
			}
			return standingIn(res, ter.Location()), nil
		}
		if in.AllDepartures {
			list, err := s.Mobility.BookEvery(r.Context(), a, ter, req)
			for _, b := range list {
				bookingIn(b, ter.Location())
			}
			return map[string]any{"bookings": list}, err
		}
		b, err := s.Mobility.Book(r.Context(), a, ter, req)
		if err != nil {
			return nil, err
		}
		return bookingIn(b, ter.Location()), nil
	})
}

func (s *Server) apiTripBooking(w http.ResponseWriter, r *http.Request) {
	s.mobilityByID(w, r, mobility.ThingBooking, http.StatusOK, false, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		b, err := s.Mobility.Booking(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		return bookingIn(b, ter.Location()), nil
	})
}

func (s *Server) apiTripBookingAction(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Reason string `json:"reason"`
		}
		s.mobilityByID(w, r, mobility.ThingBooking, http.StatusOK, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
			b, err := s.tripBookingAction(r, a, ter, id, action, in.Reason)
			if err != nil {
				return nil, err
			}
			return bookingIn(b, ter.Location()), nil
		})
	}
}

// tripBookingAction runs an action named by the API's route or the pages'
// form.
func (s *Server) tripBookingAction(r *http.Request, a access.Actor, ter *territory.Territory, id int64, action, reason string) (*mobility.Booking, error) {
	return s.Mobility.ActOnBooking(r.Context(), a, ter, id, mobility.BookingAction(action), reason)
}

func (s *Server) apiMyTrips(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		m, err := s.Mobility.MyTrips(r.Context(), actorFrom(r.Context()), ter)
		if err != nil {
			return nil, err
		}
		trips := make([]tripJSON, 0, len(m.Trips))
		for _, t := range m.Trips {
			j := toTripJSON(ter, t)
			j.Mine, j.Contact, j.Phone = true, true, t.Phone
			trips = append(trips, j)
		}
		for _, list := range [][]*mobility.Booking{m.AsDriver, m.AsPassenger} {
			for _, b := range list {
				bookingIn(b, ter.Location())
			}
		}
		for _, list := range [][]*mobility.Standing{m.StandingAsDriver, m.StandingAsPassenger} {
			for _, st := range list {
				st.CreatedAt, st.UpdatedAt = st.CreatedAt.In(ter.Location()), st.UpdatedAt.In(ter.Location())
			}
		}
		return map[string]any{"trips": trips, "as_driver": m.AsDriver, "as_passenger": m.AsPassenger,
			"standing_as_driver": m.StandingAsDriver, "standing_as_passenger": m.StandingAsPassenger}, nil
	})
}

// tripQuery reads a search: from=LAT,LON&to=LAT,LON&at=RFC3339
// [&window=MINUTES][&kind=offer|request].
func tripQuery(r *http.Request) (mobility.Query, error) {
	q := r.URL.Query()
	var v errs.Validator
	var out mobility.Query
	var err error
	if out.From, err = geo.ParsePoint(q.Get("from")); err != nil {
		v.Add("from", "err.point_format")
	}
	if out.To, err = geo.ParsePoint(q.Get("to")); err != nil {
		v.Add("to", "err.point_format")
	}
	if at := q.Get("at"); at != "" {
		if out.At, err = time.Parse(time.RFC3339, strings.ReplaceAll(at, " ", "+")); err != nil {
			v.Add("at", "err.mobility.at_format")
		}
	}
	if w := q.Get("window"); w != "" {
		m, err := strconv.Atoi(w)
		v.Check(err == nil && m > 0, "window", "err.mobility.window_range")
		out.Window = time.Duration(m) * time.Minute
	}
	out.Kind = mobility.Kind(q.Get("kind"))
	return out, v.Err()
}

// tripMatchJSON is one search result.
type tripMatchJSON struct {
	ID            int64                 `json:"id"`
	OccurrenceID  int64                 `json:"occurrence_id"`
	Kind          mobility.Kind         `json:"kind"`
	DepartsAt     time.Time             `json:"departs_at"`
	PickupAt      time.Time             `json:"pickup_at"`
	LocalDate     string                `json:"local_date"`
	LocalTime     string                `json:"local_time"`
	Return        bool                  `json:"return"`
	SeatsLeft     int                   `json:"seats_left"`
	From          mobility.Place        `json:"from"`
	To            mobility.Place        `json:"to"`
	PickupMeters  int                   `json:"pickup_meters"`
	DropoffMeters int                   `json:"dropoff_meters"`
	DetourMeters  int                   `json:"detour_meters"`
	Contribution  mobility.Contribution `json:"contribution"`
	Luggage       bool                  `json:"luggage"`
	Smoking       bool                  `json:"smoking"`
	Pets          bool                  `json:"pets"`
	WomenOnly     bool                  `json:"women_only"`
	AutoAccept    bool                  `json:"auto_accept"`
	URL           string                `json:"url"`
}

func toMatchJSON(ter *territory.Territory, m mobility.Match) tripMatchJSON {
	loc := ter.Location()
	t, o := m.Trip, m.Occurrence
	from, to := t.From, t.To
	if o.Return {
		from, to = to, from
	}
	return tripMatchJSON{ID: t.ID, OccurrenceID: o.ID, Kind: t.Kind, DepartsAt: o.DepartsAt.In(loc), PickupAt: m.PickupAt.In(loc),
		LocalDate: o.LocalDate, LocalTime: o.LocalTime, Return: o.Return, SeatsLeft: o.SeatsLeft, From: from, To: to,
		PickupMeters: m.PickupMeters, DropoffMeters: m.DropoffMeters, DetourMeters: m.DetourMeters,
		Contribution: t.Contribution, Luggage: t.Luggage, Smoking: t.Smoking, Pets: t.Pets, WomenOnly: t.WomenOnly,
		AutoAccept: t.AutoAccept,
		URL:        "/t/" + ter.Slug + "/trips/" + strconv.FormatInt(t.ID, 10) + "?occurrence=" + strconv.FormatInt(o.ID, 10)}
}

func (s *Server) apiSearchTrips(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		q, err := tripQuery(r)
		if err != nil {
			return nil, err
		}
		// partners=1 adds the journeys of partner platforms (rdex_partners.go).
		wait := func() []rdex.PartnerJourney { return nil }
		if r.URL.Query().Get("partners") == "1" {
			wait = s.askPartners(r, ter, q)
		}
		matches, err := s.Mobility.Search(r.Context(), actorFrom(r.Context()), ter, q)
		if err != nil {
			return nil, err // the partners' answers are dropped at their timeout
		}
		partners := wait()
		out := make([]tripMatchJSON, 0, len(matches))
		for _, m := range matches {
			out = append(out, toMatchJSON(ter, m))
		}
		if partners != nil {
			return map[string]any{"trips": out, "partners": partners}, nil
		}
		return map[string]any{"trips": out}, nil
	})
}

// apiTripIndicators answers the territory's carpooling per month:
// ?from=YYYY-MM&to=YYYY-MM (local months, inclusive; the last 12 by
// default) and optionally &organisation_id= for the trips to one
// organisation's destination.
func (s *Server) apiTripIndicators(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		loc := ter.Location()
		now := s.Now().In(loc)
		to := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, loc)
		from := to.AddDate(-1, 0, 0)
		q := r.URL.Query()
		var v errs.Validator
		if x := q.Get("from"); x != "" {
			m, err := time.ParseInLocation("2006-01", x, loc)
			v.Check(err == nil, "from", "err.mobility.range")
			from = m
		}
		if x := q.Get("to"); x != "" {
			m, err := time.ParseInLocation("2006-01", x, loc)
			v.Check(err == nil, "to", "err.mobility.range")
			to = m.AddDate(0, 1, 0)
		}
		var org int64
		if x := q.Get("organisation_id"); x != "" {
			var err error
			org, err = strconv.ParseInt(x, 10, 64)
			v.Check(err == nil && org > 0, "organisation_id", "err.mobility.organisation_unknown")
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		return s.Mobility.Indicators(r.Context(), ter.ID, org, from, to)
	})
}

func (s *Server) apiReviewTrip(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Rating  int    `json:"rating"`
		Comment string `json:"comment"`
	}
	s.mobilityByID(w, r, mobility.ThingBooking, http.StatusCreated, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		return s.Mobility.Review(r.Context(), a, ter, id, in.Rating, in.Comment)
	})
}

func (s *Server) apiTripReviews(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		list, err := s.Mobility.ReviewsOf(r.Context(), ter, id)
		return map[string]any{"reviews": list}, err
	})
}
