package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/mobility"
)

// tripView is one trip's page.
type tripView struct {
	V           *mobility.TripView
	DriverName  string
	Departure   string
	Schedule    string
	Occurrences []occRow
	Selected    int64
	Member      bool
	Error       string
	Seats       string
	Contrib     string
	Bookings    []bookingRow // the driver's view of their trip
	Points      string
	Line        string // the route, [[lat,lon],...], for the map
	Map         mapAttrs
	Route       string
	Days        []dayChoice // the weekly trip's days, for a standing booking
}

type dayChoice struct{ Value, Label string }

type occRow struct {
	O     mobility.Occurrence
	Label string
}

type bookingRow struct {
	B                   *mobility.Booking
	Who, When, Status   string
	Trip                string
	Accept, Refuse, Can bool
	Review, Reviewed    bool // the trip has left: a review form, or "reviewed"
	Pay                 bool // the passenger may pay the contribution in units
	Payment             string
}

// contribution describes a trip's contribution per seat.
func contribution(p *Page, c mobility.Contribution) string {
	switch c.Kind {
	case mobility.ContributionCash:
		return p.L.T("mob.contrib_cash_amount", "Amount", strconv.FormatFloat(float64(c.Amount)/100, 'f', 2, 64))
	case mobility.ContributionUnits:
		return p.L.T("mob.contrib_units_amount", "Amount", strconv.FormatInt(c.Amount, 10), "Currency", c.Currency)
	}
	return p.L.T("mob.contrib_free")
}

// schedule describes a weekly schedule in the page's language.
func schedule(p *Page, w *mobility.Weekly) string {
	days := make([]string, len(w.Days))
	for i, d := range w.Days {
		days[i] = p.L.T("mob.day_" + mobility.DayNames[d])
	}
	s := p.L.T("mob.weekly_at", "Days", strings.Join(days, ", "), "Time", w.Time)
	if w.Return != "" {
		s += " · " + p.L.T("mob.return_at", "Time", w.Return)
	}
	return s
}

func (s *Server) tripView(r *http.Request, p *Page, id int64) (*tripView, error) {
	v, err := s.Mobility.Trip(r.Context(), p.Actor, p.Territory, id)
	if err != nil {
		return nil, err
	}
	loc := p.Territory.Location()
	tv := &tripView{V: v, DriverName: s.memberName(r, v.UserID), Member: p.Actor.UserID != 0 && !v.Mine,
		Contrib: contribution(p, v.Contribution), Seats: "1", Map: mapAttrsOf(p.Territory)}
	if v.Departure != nil {
		tv.Departure = v.Departure.In(loc).Format("02/01/2006 15:04")
	}
	if v.Weekly != nil {
		tv.Schedule = schedule(p, v.Weekly)
		for _, d := range v.Weekly.Days {
			tv.Days = append(tv.Days, dayChoice{Value: mobility.DayNames[d], Label: p.L.T("mob.day_" + mobility.DayNames[d])})
		}
	}
	tv.Selected, _ = strconv.ParseInt(r.URL.Query().Get("occurrence"), 10, 64)
	for _, o := range v.Occurrences {
		if o.Status != mobility.TripActive {
			continue
		}
		label := o.DepartsAt.In(loc).Format("02/01/2006 15:04")
		if o.Return {
			label += " (" + p.L.T("mob.way_back") + ")"
		}
		label += " · " + p.L.T("mob.seats_left", "Count", o.SeatsLeft)
		tv.Occurrences = append(tv.Occurrences, occRow{O: o, Label: label})
	}
	if v.Mine {
		mine, err := s.Mobility.MyTrips(r.Context(), p.Actor, p.Territory)
		if err != nil {
			return nil, err
		}
		for _, b := range mine.AsDriver {
			if b.TripID == id {
				tv.Bookings = append(tv.Bookings, s.bookingRowOf(p, b, true, mine.Names))
			}
		}
	}
	line := []struct {
		Name string  `json:"name"`
		Lat  float64 `json:"lat"`
		Lon  float64 `json:"lon"`
		URL  string  `json:"url"`
	}{{Name: p.L.T("mob.from"), Lat: v.From.Lat, Lon: v.From.Lon, URL: "#trip"}, {Name: p.L.T("mob.to"), Lat: v.To.Lat, Lon: v.To.Lon, URL: "#trip"}}
	data, _ := json.Marshal(line)
	tv.Points = string(data)
	data, _ = json.Marshal(v.Line)
	tv.Line = string(data)
	tv.Route = p.L.T("mob.route_length", "Km", kmText(int(v.RouteMeters)), "Minutes", v.RouteSeconds/60)
	p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css")
	p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "js/mapkit.js", "js/minimap.js")
	return tv, nil
}

// bookingRowOf shows a booking to the member MyTrips returned it to: its
// buttons are the actions the service listed (Booking.Actions).
func (s *Server) bookingRowOf(p *Page, b *mobility.Booking, driver bool, names map[int64]string) bookingRow {
	loc := p.Territory.Location()
	row := bookingRow{B: b, When: b.DepartsAt.In(loc).Format("02/01/2006 15:04"), Status: p.L.T("mob.status_" + string(b.Status)),
		Trip: b.FromLabel + " → " + b.ToLabel}
	if row.Trip == " → " {
		row.Trip = p.L.T("mob.trip_n", "ID", b.TripID)
	}
	if driver {
		row.Who = names[b.PassengerID]
	} else {
		row.Who = names[b.DriverID]
	}
	row.Accept = slices.Contains(b.Actions, mobility.ActAccept)
	row.Refuse = slices.Contains(b.Actions, mobility.ActRefuse)
	row.Can = slices.Contains(b.Actions, mobility.ActCancel)
	row.Review = slices.Contains(b.Actions, mobility.ActReview)
	row.Pay = slices.Contains(b.Actions, mobility.ActPay)
	row.Reviewed = b.Reviewed
	switch {
	case b.UnitsDue > 0 && b.PaidEntry > 0:
		row.Payment = p.L.T("mob.paid")
	case b.UnitsDue > 0 && b.PaidEntry < 0:
		row.Payment = p.L.T("mob.payment_refused")
	}
	return row
}

func (s *Server) tripPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.territoryPageID(w, r, "mob.trip_title")
	if !ok {
		return
	}
	v, err := s.tripView(r, p, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "mobility_trip", p)
}

// tripBookPage books from the trip's form; a refusal shows the page again
// with the reason.
func (s *Server) tripBookPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	seats, _ := strconv.Atoi(r.PostForm.Get("seats"))
	occ, _ := strconv.ParseInt(r.PostForm.Get("occurrence"), 10, 64)
	req := mobility.BookRequest{TripID: id, OccurrenceID: occ, Seats: seats, Message: r.PostForm.Get("message")}
	var err error
	if r.PostForm.Get("standing") != "" {
		var msg string
		if msg, err = s.standingBookPage(r, p, req); err == nil {
			s.done(w, r, nil, msg, "/t/"+p.Territory.Slug+"/my/trips#standing")
			return
		}
	} else if r.PostForm.Get("every") != "" {
		if _, err = s.Mobility.BookEvery(r.Context(), p.Actor, p.Territory, req); err == nil {
			s.done(w, r, nil, p.L.T("mob.booked_every"), "/t/"+p.Territory.Slug+"/my/trips")
			return
		}
	} else {
		var b *mobility.Booking
		if b, err = s.Mobility.Book(r.Context(), p.Actor, p.Territory, req); err == nil {
			msg := p.L.T("mob.booked_pending")
			if b.Status == mobility.BookingAccepted {
				msg = p.L.T("mob.booked_accepted")
			}
			s.done(w, r, nil, msg, "/t/"+p.Territory.Slug+"/my/trips")
			return
		}
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
		s.renderError(w, r, err)
		return
	}
	v, verr := s.tripView(r, p, id)
	if verr != nil {
		s.renderError(w, r, verr)
		return
	}
	v.Error, v.Seats, v.Selected = p.L.Err(err), r.PostForm.Get("seats"), occ
	if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
		v.Error = p.L.T(e.Fields[0].Key, e.Fields[0].Args)
	}
	p.Title = p.L.T("mob.trip_title")
	p.Data = v
	s.render(w, r, statusOf(errs.KindOf(err)), "mobility_trip", p)
}

func (s *Server) tripCancelPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	err := s.Mobility.Cancel(r.Context(), p.Actor, p.Territory, id, r.PostForm.Get("reason"))
	s.done(w, r, err, p.L.T("mob.trip_cancelled"), "/t/"+p.Territory.Slug+"/my/trips")
}

// myTripsView: what a member publishes, drives and rides.
type myTripsView struct {
	FeedURL             string
	Trips               []myTripRow
	AsDriver            []bookingRow
	AsPassenger         []bookingRow
	StandingAsDriver    []standingRow
	StandingAsPassenger []standingRow
	Profile             *mobility.Profile
}

type myTripRow struct {
	T        *mobility.Trip
	When     string
	Kind     string
	Status   string
	FromText string
	ToText   string
}

func (s *Server) myTripsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.my_title")
	if !ok {
		return
	}
	m, err := s.Mobility.MyTrips(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	loc := p.Territory.Location()
	var v myTripsView
	if tok, err := s.Mobility.FeedToken(r.Context(), p.Actor, p.Territory); err == nil {
		v.FeedURL = strings.TrimRight(s.cfg.BaseURL, "/") + "/t/" + p.Territory.Slug + "/feeds/" + tok + "/trips.ics"
	}
	for _, t := range m.Trips {
		row := myTripRow{T: t, Kind: p.L.T("mob.kind_" + string(t.Kind)), Status: p.L.T("mob.trip_" + t.Status),
			FromText: orCoords(t.From), ToText: orCoords(t.To)}
		if t.Departure != nil {
			row.When = t.Departure.In(loc).Format("02/01/2006 15:04")
		} else if t.Weekly != nil {
			row.When = schedule(p, t.Weekly)
		}
		v.Trips = append(v.Trips, row)
	}
	for _, b := range m.AsDriver {
		v.AsDriver = append(v.AsDriver, s.bookingRowOf(p, b, true, m.Names))
	}
	for _, b := range m.AsPassenger {
		v.AsPassenger = append(v.AsPassenger, s.bookingRowOf(p, b, false, m.Names))
	}
	for _, st := range m.StandingAsDriver {
		v.StandingAsDriver = append(v.StandingAsDriver, standingRowOf(p, st, true, m.Names))
	}
	for _, st := range m.StandingAsPassenger {
		v.StandingAsPassenger = append(v.StandingAsPassenger, standingRowOf(p, st, false, m.Names))
	}
	if v.Profile, err = s.Mobility.MyProfile(r.Context(), p.Actor); err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "mobility_mine", p)
}

func orCoords(pl mobility.Place) string {
	if pl.Label != "" {
		return pl.Label
	}
	return pageCoords(pl.Lat, pl.Lon)
}

func (s *Server) tripBookingActionPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	action := r.PostForm.Get("action")
	_, err := s.tripBookingAction(r, p.Actor, p.Territory, id, action, r.PostForm.Get("reason"))
	next := r.PostForm.Get("next")
	if next == "" {
		next = "/t/" + p.Territory.Slug + "/my/trips"
	}
	s.done(w, r, err, p.L.T("mob.done_"+action), next)
}

func (s *Server) tripFeed(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	data, err := s.Mobility.MemberFeed(r.Context(), ter, r.PathValue("token"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeCalendar(w, data)
}

func (s *Server) tripReviewPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	rating, _ := strconv.Atoi(r.PostForm.Get("rating"))
	_, err := s.Mobility.Review(r.Context(), p.Actor, p.Territory, id, rating, r.PostForm.Get("comment"))
	s.done(w, r, err, p.L.T("mob.done_review"), "/t/"+p.Territory.Slug+"/my/trips")
}

// tripFeedResetPage gives the member a new calendar address; the old one
// stops working.
func (s *Server) tripFeedResetPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.my_title")
	if !ok {
		return
	}
	_, err := s.Mobility.ResetFeedToken(r.Context(), p.Actor, p.Territory)
	s.done(w, r, err, p.L.T("mob.feed_reset"), "/t/"+p.Territory.Slug+"/my/trips#calendar")
}
