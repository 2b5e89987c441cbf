package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Pages of carpooling: search (list and map), publishing a trip or a
// request (an address or a point for each end; a date or a weekly
// schedule), a trip with its departures and the booking form, and "my
// trips" for drivers and passengers. Every form posts and redirects, so all
// of it works without JavaScript; times are typed and shown in the
// territory's zone.

func (s *Server) mobilityRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/trips", s.tripSearchPage)
	page("GET /t/{slug}/trips/new", s.tripFormPage)
	page("GET /t/{slug}/trips/indicators", s.tripIndicatorsPage)
	page("GET /t/{slug}/destinations", s.destinationsPage)
	page("POST /t/{slug}/destinations", s.publishDestinationPage)
	page("POST /t/{slug}/trips/new", s.tripPublishPage)
	page("GET /t/{slug}/trips/{id}", s.tripPage)
	page("POST /t/{slug}/trips/{id}/book", s.tripBookPage)
	page("POST /t/{slug}/trips/{id}/message", s.messageAbout("trip"))
	page("POST /t/{slug}/trips/{id}/cancel", s.tripCancelPage)
	page("GET /t/{slug}/my/trips", s.myTripsPage)
	page("POST /t/{slug}/trip-bookings/{id}/action", s.tripBookingActionPage)
	page("GET /t/{slug}/feeds/{token}/trips.ics", s.tripFeed)
	page("POST /t/{slug}/my/trips/feed", s.tripFeedResetPage)
	page("POST /t/{slug}/trip-bookings/{id}/review", s.tripReviewPage)
	page("POST /t/{slug}/trip-standings/{id}/action", s.tripStandingActionPage)
	page("POST /t/{slug}/my/trips/profile", s.mobilityProfilePage)
}

// formPlace reads one end of a trip from a form: PREFIX_lat and PREFIX_lon
// when given (a map click fills them), else PREFIX_address looked up on the
// territory's map. The label is what was typed, or the geocoder's. A
// carpool area picked among the suggestions (PREFIX_area) comes first.
func (s *Server) formPlace(r *http.Request, ter *territory.Territory, f url.Values, prefix string) (mobility.Place, error) {
	if pl, ok, err := areaPlace(f, prefix); ok {
		return pl, err
	}
	label := strings.TrimSpace(f.Get(prefix + "_address"))
	lat, lon := strings.TrimSpace(f.Get(prefix+"_lat")), strings.TrimSpace(f.Get(prefix+"_lon"))
	if lat != "" || lon != "" {
		p, err := geo.ParsePoint(strings.ReplaceAll(lat, ",", ".") + "," + strings.ReplaceAll(lon, ",", "."))
		if err != nil {
			return mobility.Place{}, errs.Fields([]errs.FieldError{{Field: prefix + "_lat", Key: "err.point_format"}})
		}
		return mobility.Place{Lat: p.Lat, Lon: p.Lon, Label: label}, nil
	}
	if label == "" {
		return mobility.Place{}, errs.Fields([]errs.FieldError{{Field: prefix + "_address", Key: "err.mobility.place_required"}})
	}
	pc, err := s.lookUpAddress(r.Context(), ter, label, nil)
	if err != nil {
		if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
			e.Fields[0].Field = prefix + "_address"
		}
		return mobility.Place{}, err
	}
	c := pc.Place
	if c == nil {
		c = &pc.Choices[0] // equally good: the first, shown back on the trip's page
	}
	return mobility.Place{Lat: c.Position.Lat, Lon: c.Position.Lon, Label: c.Label}, nil
}

// tripFromForm reads the publish form.
func (s *Server) tripFromForm(r *http.Request, ter *territory.Territory) (*mobility.Trip, error) {
	f := r.PostForm
	var fields []errs.FieldError
	keep := func(err error) {
		if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
			fields = append(fields, e.Fields...)
		} else if err != nil {
			fields = append(fields, errs.FieldError{Field: "form", Key: keyOfErr(err)})
		}
	}
	t := &mobility.Trip{Kind: mobility.Kind(f.Get("kind")), Phone: f.Get("phone"), Note: f.Get("note"),
		Luggage: f.Get("luggage") != "", Smoking: f.Get("smoking") != "", Pets: f.Get("pets") != "",
		WomenOnly: f.Get("women_only") != "", AutoAccept: f.Get("auto_accept") != ""}
	var err error
	if t.From, err = s.formPlace(r, ter, f, "from"); err != nil {
		keep(err)
	}
	if t.To, err = s.formPlace(r, ter, f, "to"); err != nil {
		keep(err)
	}
	t.Seats, _ = strconv.Atoi(f.Get("seats"))
	t.OrganisationID, _ = strconv.ParseInt(f.Get("organisation_id"), 10, 64)
	if v := f.Get("max_detour"); v != "" {
		t.MaxDetour, _ = strconv.Atoi(v)
	}
	t.Contribution.Kind = mobility.ContributionKind(f.Get("contribution"))
	if v := strings.ReplaceAll(strings.TrimSpace(f.Get("amount")), ",", "."); v != "" && t.Contribution.Kind != mobility.ContributionFree {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			fields = append(fields, errs.FieldError{Field: "amount", Key: "err.mobility.amount_range"})
		}
		if t.Contribution.Kind == mobility.ContributionCash {
			x *= 100 // cents
		}
		t.Contribution.Amount = int64(x + 0.5)
	}
	t.Contribution.Currency = f.Get("currency")
	if f.Get("schedule") == "weekly" {
		w := &mobility.Weekly{Time: f.Get("time"), Return: f.Get("return"), From: f.Get("valid_from"), Until: f.Get("valid_until")}
		for _, d := range f["days"] {
			if wd := mobility.ParseDay(d); wd >= 0 {
				w.Days = append(w.Days, wd)
			}
		}
		if w.From == "" {
			w.From = s.Now().In(ter.Location()).Format(time.DateOnly)
		}
		t.Weekly = w
	} else if v := f.Get("departure"); v != "" {
		d, err := booking.ParseLocal(v, ter.Location())
		if err != nil {
			fields = append(fields, errs.FieldError{Field: "departure", Key: "err.mobility.at_format"})
		} else {
			t.Departure = &d
		}
	}
	return t, errs.Fields(fields)
}

// tripFormView is the publish form's choices.
type tripFormView struct {
	Days               []string
	Map                mapAttrs
	Zone               string
	Today              string
	FromAreas, ToAreas []areaChoice // carpool areas near each end, once known
}

func (s *Server) tripFormPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.new_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Form = url.Values{"seats": {"3"}, "max_detour": {"3000"}, "contribution": {"free"}, "schedule": {"once"}, "kind": {r.URL.Query().Get("kind")}}
	if id, err := strconv.ParseInt(r.URL.Query().Get("destination"), 10, 64); err == nil {
		d, err := s.Mobility.Destination(r.Context(), p.Territory, id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		p.Form.Set("to_address", d.Place.Label)
		p.Form.Set("to_lat", coord(d.Place.Lat))
		p.Form.Set("to_lon", coord(d.Place.Lon))
		p.Form.Set("organisation_id", strconv.FormatInt(d.OrganisationID, 10))
	}
	s.renderTripForm(w, r, p, http.StatusOK)
}

func (s *Server) renderTripForm(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	loc := p.Territory.Location()
	p.Data = tripFormView{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Map: mapAttrsOf(p.Territory),
		Zone: p.Territory.TimeZone, Today: s.Now().In(loc).Format(time.DateOnly),
		FromAreas: s.areaChoices(r, p.Territory, p.Form, "from"), ToAreas: s.areaChoices(r, p.Territory, p.Form, "to")}
	pickScripts(p)
	s.render(w, r, status, "mobility_form", p)
}

func (s *Server) tripPublishPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.new_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.limits.Post("mob:" + strconv.FormatInt(p.Actor.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	_ = r.ParseForm()
	if r.PostForm.Get("step") == "areas" {
		p.Form = r.PostForm
		status := http.StatusOK
		if err := s.lookUpEnds(r, p.Territory, p.Form); err != nil {
			if errs.KindOf(err) != errs.Invalid {
				s.renderError(w, r, err)
				return
			}
			p.setErr(mapTripFields(err))
			status = http.StatusBadRequest
		}
		s.renderTripForm(w, r, p, status)
		return
	}
	t, err := s.tripFromForm(r, p.Territory)
	if err == nil {
		err = s.Mobility.Publish(r.Context(), p.Actor, p.Territory, t)
	}
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Invalid && k != errs.Forbidden {
			s.renderError(w, r, err)
			return
		}
		p.Form = r.PostForm
		p.setErr(mapTripFields(err))
		s.renderTripForm(w, r, p, statusOf(k))
		return
	}
	msg := p.L.T("mob.published")
	for _, warn := range s.tripWarnings(p.L, p.Territory, t) {
		msg += " " + warn.Message
	}
	s.done(w, r, nil, msg, "/t/"+p.Territory.Slug+"/trips/"+strconv.FormatInt(t.ID, 10))
}

// mapTripFields names the form's inputs in the service's field errors.
func mapTripFields(err error) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	names := map[string]string{"from": "from_address", "to": "to_address", "weekly.days": "days", "weekly.time": "time",
		"weekly.return": "return", "weekly.from": "valid_from", "weekly.until": "valid_until", "contribution.amount": "amount",
		"contribution.currency": "currency", "contribution.kind": "contribution", "from.label": "from_address", "to.label": "to_address"}
	for i, f := range e.Fields {
		if n, ok := names[f.Field]; ok {
			e.Fields[i].Field = n
		}
	}
	return e
}

// tripSearchView is the search form and its results.
type tripSearchView struct {
	Searched           bool
	FromAreas, ToAreas []areaChoice // carpool areas near each end, as meeting points
	Rows               []tripRow
	Partners           []partnerRow // journeys of partner platforms (rdex_partners.go)
	Points             string
	Map                mapAttrs
	Error              string
}

type tripRow struct {
	M         mobility.Match
	When      string
	PickupAt  string
	From, To  string
	URL       string
	Detour    string
	SeatsLeft int
}

func kmText(m int) string { return strconv.FormatFloat(float64(m)/1000, 'f', 1, 64) }

func (s *Server) tripSearchPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.search_title")
	if !ok {
		return
	}
	q := r.URL.Query()
	p.Form = q
	loc := p.Territory.Location()
	if q.Get("at") == "" {
		p.Form.Set("at", s.Now().In(loc).Add(time.Hour).Format(localLayout))
	}
	v := tripSearchView{Map: mapAttrsOf(p.Territory)}
	if q.Get("from_lat") != "" || q.Get("from_address") != "" {
		v.Searched = true
		matches, partners, err := s.searchFromForm(r, p.Territory, q)
		v.Partners = partnerRows(partners, loc)
		if err != nil {
			if errs.KindOf(err) != errs.Invalid {
				s.renderError(w, r, err)
				return
			}
			p.setErr(mapTripFields(err))
		}
		v.FromAreas, v.ToAreas = s.areaChoices(r, p.Territory, q, "from"), s.areaChoices(r, p.Territory, q, "to")
		type point struct {
			Name string  `json:"name"`
			Lat  float64 `json:"lat"`
			Lon  float64 `json:"lon"`
			URL  string  `json:"url"`
		}
		var points []point
		for _, m := range matches {
			j := toMatchJSON(p.Territory, m)
			row := tripRow{M: m, When: m.Occurrence.DepartsAt.In(loc).Format("02/01/2006 15:04"), PickupAt: m.PickupAt.In(loc).Format("15:04"),
				From: j.From.Label, To: j.To.Label, URL: j.URL, Detour: kmText(m.DetourMeters), SeatsLeft: m.Occurrence.SeatsLeft}
			if row.From == "" {
				row.From = pageCoords(j.From.Lat, j.From.Lon)
			}
			if row.To == "" {
				row.To = pageCoords(j.To.Lat, j.To.Lon)
			}
			v.Rows = append(v.Rows, row)
			points = append(points, point{Name: row.When + " " + row.From + " → " + row.To, Lat: j.From.Lat, Lon: j.From.Lon, URL: j.URL})
		}
		data, _ := json.Marshal(points)
		v.Points = string(data)
		if len(points) > 0 {
			p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css")
			p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "js/mapkit.js", "js/minimap.js")
		}
	}
	if len(v.Rows) == 0 {
		pickScripts(p)
	} else {
		p.Scripts = append(p.Scripts, "js/mobility_pick.js")
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "mobility_search", p)
}

func (s *Server) searchFromForm(r *http.Request, ter *territory.Territory, q url.Values) ([]mobility.Match, []rdex.PartnerJourney, error) {
	var fields []errs.FieldError
	from, err := s.formPlace(r, ter, q, "from")
	if e, ok := errs.As(err); ok {
		fields = append(fields, e.Fields...)
	} else if err != nil {
		return nil, nil, err
	}
	to, err := s.formPlace(r, ter, q, "to")
	if e, ok := errs.As(err); ok {
		fields = append(fields, e.Fields...)
	} else if err != nil {
		return nil, nil, err
	}
	for prefix, pl := range map[string]mobility.Place{"from": from, "to": to} {
		if q.Get(prefix+"_lat") == "" && q.Get(prefix+"_area") == "" && (pl.Lat != 0 || pl.Lon != 0) {
			q.Set(prefix+"_lat", coord(pl.Lat)) // so the page suggests the carpool areas near it
			q.Set(prefix+"_lon", coord(pl.Lon))
		}
	}
	query := mobility.Query{From: from.Point(), To: to.Point(), Kind: mobility.Kind(q.Get("kind"))}
	if at := q.Get("at"); at != "" {
		if query.At, err = booking.ParseLocal(at, ter.Location()); err != nil {
			fields = append(fields, errs.FieldError{Field: "at", Key: "err.mobility.at_format"})
		}
	}
	if wnd := q.Get("window"); wnd != "" {
		m, _ := strconv.Atoi(wnd)
		query.Window = time.Duration(m) * time.Minute
	}
	if len(fields) > 0 {
		return nil, nil, errs.Fields(fields)
	}
	wait := s.askPartners(r, ter, query) // while the site's own search runs
	matches, err := s.Mobility.Search(r.Context(), actorFrom(r.Context()), ter, query)
	if err != nil {
		return nil, nil, err // the partners' answers are dropped at their timeout
	}
	return matches, wait(), nil
}

// tripIndicatorsView: the last twelve months of carpooling, for everyone.
type tripIndicatorsView struct {
	I      *mobility.Indicators
	Factor string
	Org    string
}

func (s *Server) tripIndicatorsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.indicators_title")
	if !ok {
		return
	}
	loc := p.Territory.Location()
	now := s.Now().In(loc)
	to := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, loc)
	var org int64
	v := tripIndicatorsView{}
	if x := r.URL.Query().Get("organisation_id"); x != "" {
		org, _ = strconv.ParseInt(x, 10, 64)
		if o, err := s.Accounts.Organisation(r.Context(), p.Territory.ID, org); err == nil {
			v.Org = o.Name
		} else {
			s.renderError(w, r, err)
			return
		}
	}
	ind, err := s.Mobility.Indicators(r.Context(), p.Territory.ID, org, to.AddDate(-1, 0, 0), to)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.I, v.Factor = ind, strconv.FormatFloat(ind.EmissionFactor, 'f', 3, 64)
	p.Data = v
	s.render(w, r, http.StatusOK, "mobility_indicators", p)
}

// pickScripts adds the map that fills the coordinates of both ends.
func pickScripts(p *Page) {
	p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css")
	p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "js/mapkit.js", "js/mobility_pick.js")
}
