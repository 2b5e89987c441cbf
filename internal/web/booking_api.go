package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// JSON API of bookable resources. Resources, reservations and waiting-list
// entries have ids unique across territories, so their routes need no slug:
// the handler finds the territory whose service knows the id. Times are
// RFC 3339; answers give them in the territory's time zone.

func (s *Server) bookingAPITable() []apiHandler {
	const base = "/api/v1/territories/{slug}"
	t := []apiHandler{
		{"GET", base + "/resources", s.apiResources},
		{"POST", base + "/resources", s.apiCreateResource},
		{"GET", base + "/reservations", s.apiMyReservations},
		{"GET", base + "/organisations/{id}/desk", s.apiDesk},
		{"GET", base + "/vehicle-usage", s.apiVehicleUsage},
		{"GET", "/api/v1/resources/{id}", s.apiResource},
		{"PATCH", "/api/v1/resources/{id}", s.apiUpdateResource},
		{"POST", "/api/v1/resources/{id}/photos", s.apiAddResourcePhotos},
		{"DELETE", "/api/v1/resources/{id}/photos/{photo}", s.apiDeleteResourcePhoto},
		{"GET", "/api/v1/resources/{id}/availability", s.apiAvailability},
		{"GET", "/api/v1/resources/{id}/reservations", s.apiResourceCalendar},
		{"POST", "/api/v1/resources/{id}/reservations", s.apiBook},
		{"POST", "/api/v1/resources/{id}/reservations/series", s.apiBookSeries},
		{"POST", "/api/v1/resources/{id}/waitlist", s.apiJoinWaitlist},
		{"DELETE", "/api/v1/waits/{id}", s.apiLeaveWaitlist},
		{"GET", "/api/v1/reservations/{id}", s.apiReservation},
	}
	for _, a := range reservationActions {
		t = append(t, apiHandler{"POST", "/api/v1/reservations/{id}/" + a, s.apiReservationAction(a)})
	}
	return t
}

// reservationActions are the POST /api/v1/reservations/{id}/ACTION routes.
var reservationActions = []string{"cancel", "cancel-series", "accept", "decline", "renew", "approve", "refuse", "check-out", "check-in", "no-show"}

// bookingTerritory finds the territory of the thing a top-level booking
// route names (/api/v1/resources/{id}, /reservations/{id}, /waits/{id}).
func (s *Server) bookingTerritory(r *http.Request, id int64) (*territory.Territory, error) {
	thing := booking.ThingResource
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/v1/reservations/"):
		thing = booking.ThingReservation
	case strings.HasPrefix(r.URL.Path, "/api/v1/waits/"):
		thing = booking.ThingWait
	}
	tid, err := s.Booking.TerritoryOf(r.Context(), thing, id)
	if err != nil {
		return nil, err
	}
	return s.Territories.ByID(r.Context(), tid)
}

// bookingByID is apiByID for the top-level booking routes, with the times
// of the answer in the territory's zone.
func (s *Server) bookingByID(w http.ResponseWriter, r *http.Request, status int, write bool, in any,
	fn func(ter *territory.Territory, a access.Actor, id int64) (any, error)) {
	s.apiByID(w, r, s.bookingTerritory, status, write, in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		v, err := fn(ter, a, id)
		if err != nil {
			return nil, err
		}
		return inZone(v, ter.Location()), nil
	})
}

// inZone shows the times of reservations and waits in loc.
func inZone(v any, loc *time.Location) any {
	fix := func(r *booking.Reservation) {
		r.Start, r.End, r.CreatedAt, r.UpdatedAt = r.Start.In(loc), r.End.In(loc), r.CreatedAt.In(loc), r.UpdatedAt.In(loc)
		for _, p := range []**time.Time{&r.OfferExpiresAt, &r.CheckedOutAt, &r.ReturnedAt} {
			if *p != nil {
				t := (*p).In(loc)
				*p = &t
			}
		}
	}
	fixAll := func(list []*booking.Reservation) {
		for _, r := range list {
			fix(r)
		}
	}
	switch x := v.(type) {
	case *booking.Reservation:
		fix(x)
	case []*booking.Reservation:
		fixAll(x)
	case map[string]any:
		for _, y := range x {
			inZone(y, loc)
		}
	case *booking.Desk:
		fixAll(x.Pending)
		fixAll(x.ToHandOut)
		fixAll(x.Out)
		fixAll(x.Overdue)
		fixAll(x.Held)
		fixAll(x.Upcoming)
	case *booking.Mine:
		fixAll(x.Reservations)
		for _, w := range x.Waits {
			w.Start, w.End = w.Start.In(loc), w.End.In(loc)
		}
	case *booking.Wait:
		x.Start, x.End = x.Start.In(loc), x.End.In(loc)
	case []booking.Free:
		for i := range x {
			x[i].Start, x[i].End = x[i].Start.In(loc), x[i].End.In(loc)
		}
	}
	return v
}

// resourceInput is what a client sends to create or change a resource.
type resourceInput struct {
	OrganisationID int64         `json:"organisation_id"`
	Kind           string        `json:"kind"`
	Name           string        `json:"name"`
	Description    string        `json:"description"`
	Quantity       int           `json:"quantity"`
	Capacity       int           `json:"capacity"`
	Equipment      string        `json:"equipment"`
	Energy         string        `json:"energy"`
	Station        string        `json:"station"`
	Lat            *float64      `json:"lat"`
	Lon            *float64      `json:"lon"`
	Rules          booking.Rules `json:"rules"`
	Active         *bool         `json:"active"`
}

func (in *resourceInput) resource() *booking.Resource {
	r := &booking.Resource{OrganisationID: in.OrganisationID, Kind: booking.Kind(in.Kind), Name: in.Name,
		Description: in.Description, Quantity: in.Quantity, Capacity: in.Capacity, Equipment: in.Equipment,
		Energy: in.Energy, Station: in.Station, Rules: in.Rules, Active: in.Active == nil || *in.Active}
	if in.Lat != nil && in.Lon != nil {
		r.Position = &geo.Point{Lat: *in.Lat, Lon: *in.Lon}
	}
	return r
}

func resourceInputOf(r *booking.Resource) resourceInput {
	in := resourceInput{OrganisationID: r.OrganisationID, Kind: string(r.Kind), Name: r.Name, Description: r.Description,
		Quantity: r.Quantity, Capacity: r.Capacity, Equipment: r.Equipment, Energy: r.Energy, Station: r.Station,
		Rules: r.Rules, Active: &r.Active}
	if r.Position != nil {
		in.Lat, in.Lon = &r.Position.Lat, &r.Position.Lon
	}
	return in
}

func (s *Server) apiResources(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		f := booking.ResourceFilter{Kind: booking.Kind(r.URL.Query().Get("kind"))}
		if v := r.URL.Query().Get("organisation_id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, errs.E(errs.Invalid, "err.invalid_input")
			}
			f.OrganisationID = id
		}
		list, err := s.Booking.Resources(r.Context(), actorFrom(r.Context()), ter, f)
		return map[string]any{"resources": resourcesOut(list)}, err
	})
}

func (s *Server) apiCreateResource(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(ctx context.Context, a access.Actor, ter *territory.Territory, in *resourceInput) (any, string, error) {
		res := in.resource()
		if err := s.Booking.CreateResource(ctx, a, ter, res); err != nil {
			return nil, "", err
		}
		return res, "/api/v1/resources/" + strconv.FormatInt(res.ID, 10), nil
	})
}

func (s *Server) apiResource(w http.ResponseWriter, r *http.Request) {
	s.bookingByID(w, r, http.StatusOK, false, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		return s.resourceAfter(r, a, ter, id)
	})
}

func (s *Server) apiUpdateResource(w http.ResponseWriter, r *http.Request) {
	s.bookingByID(w, r, http.StatusOK, true, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		cur, err := s.Booking.Resource(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		// Fields left out keep their value: the body is read over the current ones.
		in := resourceInputOf(cur)
		if err := decodeJSON(w, r, &in); err != nil {
			return nil, err
		}
		res := in.resource()
		res.ID = id
		if err := s.Booking.UpdateResource(r.Context(), a, ter, res); err != nil {
			return nil, err
		}
		return res, nil
	})
}

// timeRange reads ?from=&to= (RFC 3339), by default the next 14 days.
func (s *Server) timeRange(r *http.Request) (time.Time, time.Time, error) {
	now := s.Now().UTC().Truncate(time.Minute)
	from, to := now, now.AddDate(0, 0, 14)
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := r.URL.Query().Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return from, to, errs.E(errs.Invalid, "err.booking.time_format")
			}
			*dst = t
		}
	}
	if v := r.URL.Query().Get("from"); v != "" && r.URL.Query().Get("to") == "" {
		to = from.AddDate(0, 0, 14)
	}
	return from, to, nil
}

func (s *Server) apiAvailability(w http.ResponseWriter, r *http.Request) {
	s.bookingByID(w, r, http.StatusOK, false, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		from, to, err := s.timeRange(r)
		if err != nil {
			return nil, err
		}
		free, err := s.Booking.Availability(r.Context(), a, ter, id, from, to)
		if err != nil {
			return nil, err
		}
		return map[string]any{"free": inZone(free, ter.Location())}, nil
	})
}

func (s *Server) apiResourceCalendar(w http.ResponseWriter, r *http.Request) {
	s.bookingByID(w, r, http.StatusOK, false, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		from, to, err := s.timeRange(r)
		if err != nil {
			return nil, err
		}
		list, err := s.Booking.Calendar(r.Context(), a, ter, id, from, to)
		return map[string]any{"reservations": list}, err
	})
}

// bookingInput is a reservation or waiting-list request.
type bookingInput struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Quantity int       `json:"quantity"`
	Note     string    `json:"note"`
}

func (s *Server) apiBook(w http.ResponseWriter, r *http.Request) {
	var in bookingInput
	s.bookingByID(w, r, http.StatusCreated, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		return s.Booking.Book(r.Context(), a, ter, booking.Request{ResourceID: id, Start: in.Start, End: in.End, Quantity: in.Quantity, Note: in.Note})
	})
}

func (s *Server) apiJoinWaitlist(w http.ResponseWriter, r *http.Request) {
	var in bookingInput
	s.bookingByID(w, r, http.StatusCreated, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		return s.Booking.JoinWaitlist(r.Context(), a, ter, booking.Request{ResourceID: id, Start: in.Start, End: in.End, Quantity: in.Quantity})
	})
}

func (s *Server) apiLeaveWaitlist(w http.ResponseWriter, r *http.Request) {
	s.bookingByID(w, r, http.StatusNoContent, true, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		return nil, s.Booking.LeaveWaitlist(r.Context(), a, ter, id)
	})
}

func (s *Server) apiReservation(w http.ResponseWriter, r *http.Request) {
	s.bookingByID(w, r, http.StatusOK, false, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		return s.Booking.Get(r.Context(), a, ter, id)
	})
}

func (s *Server) apiReservationAction(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Reason    string `json:"reason"`
			Condition string `json:"condition"`
		}
		s.bookingByID(w, r, http.StatusOK, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
			return s.reservationAction(r.Context(), a, ter, id, action, in.Reason, in.Condition)
		})
	}
}

// reservationAction calls the service method behind an action name (the
// API's and the pages' forms share it).
func (s *Server) reservationAction(ctx context.Context, a access.Actor, ter *territory.Territory, id int64, action, reason, condition string) (*booking.Reservation, error) {
	b := s.Booking
	switch action {
	case "cancel":
		return b.Cancel(ctx, a, ter, id)
	case "cancel-series":
		r, _, err := b.CancelSeries(ctx, a, ter, id)
		return r, err
	case "accept":
		return b.AcceptOffer(ctx, a, ter, id)
	case "decline":
		return b.DeclineOffer(ctx, a, ter, id)
	case "renew":
		return b.Renew(ctx, a, ter, id)
	case "approve":
		return b.Approve(ctx, a, ter, id)
	case "refuse":
		return b.Refuse(ctx, a, ter, id, reason)
	case "check-out":
		return b.CheckOut(ctx, a, ter, id)
	case "check-in":
		return b.CheckIn(ctx, a, ter, id, condition)
	case "no-show":
		return b.NoShow(ctx, a, ter, id)
	}
	return nil, errs.ErrNotFound
}

func (s *Server) apiMyReservations(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		mine, err := s.Booking.MyReservations(r.Context(), actorFrom(r.Context()), ter)
		if err != nil {
			return nil, err
		}
		return inZone(mine, ter.Location()), nil
	})
}

func (s *Server) apiDesk(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		d, err := s.Booking.Desk(r.Context(), actorFrom(r.Context()), ter, id)
		if err != nil {
			return nil, err
		}
		return inZone(d, ter.Location()), nil
	})
}

func (s *Server) apiVehicleUsage(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		to := s.Now().UTC()
		from := to.AddDate(0, 0, -30)
		q := r.URL.Query()
		if q.Get("from") != "" || q.Get("to") != "" {
			var err error
			if from, to, err = s.timeRange(r); err != nil {
				return nil, err
			}
		}
		usage, err := s.Booking.Usage(r.Context(), ter, booking.KindVehicle, from, to)
		if err != nil {
			return nil, err
		}
		return map[string]any{"from": from.In(ter.Location()), "to": to.In(ter.Location()),
			"vehicles": usage, "stations": booking.Stations(usage)}, nil
	})
}
