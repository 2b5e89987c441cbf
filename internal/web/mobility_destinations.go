package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/hours"
	"github.com/sharingcity/sharingcity/internal/i18n"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Destinations of organisations (a shop, a market, an event): residents
// offer and find rides to them, and the organisation sees how many came.

type destinationRow struct {
	D        mobility.Destination
	OrgName  string
	Hours    []string // opening hours per day, local time
	OfferURL string
	FindURL  string
	StatsURL string
}

type destinationsView struct {
	Rows []destinationRow
	Orgs []orgChoice
	Days []dayChoice // the form's opening hours, Monday first
	Zone string
}

type orgChoice struct {
	ID   int64
	Name string
}

func (s *Server) destinationsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.destinations_title")
	if !ok {
		return
	}
	s.renderDestinations(w, r, p, http.StatusOK)
}

func (s *Server) renderDestinations(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	list, err := s.Mobility.Destinations(r.Context(), p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names := s.orgNames(r, p.Territory)
	base := "/t/" + p.Territory.Slug
	var v destinationsView
	for _, d := range list {
		find := url.Values{"to_lat": {coord(d.Place.Lat)}, "to_lon": {coord(d.Place.Lon)}, "to_address": {d.Place.Label}}
		v.Rows = append(v.Rows, destinationRow{D: d, OrgName: names[d.OrganisationID], Hours: destinationHours(p, d.Hours),
			OfferURL: base + "/trips/new?destination=" + strconv.FormatInt(d.ID, 10),
			FindURL:  base + "/trips?" + find.Encode(),
			StatsURL: base + "/trips/indicators?organisation_id=" + strconv.FormatInt(d.OrganisationID, 10)})
	}
	for id, name := range names {
		v.Orgs = append(v.Orgs, orgChoice{ID: id, Name: name})
	}
	sortOrgChoices(v.Orgs)
	v.Zone = p.Territory.Location().String()
	for _, d := range hours.DayKeys {
		v.Days = append(v.Days, dayChoice{Value: d, Label: p.L.T("book.day_" + d)})
	}
	p.Data = v
	s.render(w, r, status, "mobility_destinations", p)
}

func sortOrgChoices(list []orgChoice) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && strings.ToLower(list[j].Name) < strings.ToLower(list[j-1].Name); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

func coord(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

func (s *Server) publishDestinationPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.destinations_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	_ = r.ParseForm()
	d, err := s.destinationFromForm(r, p.Territory)
	if err == nil {
		err = s.Mobility.PublishDestination(r.Context(), p.Actor, p.Territory, d)
	}
	if errs.KindOf(err) == errs.Invalid {
		p.Form = r.PostForm
		p.setErr(err)
		s.renderDestinations(w, r, p, http.StatusBadRequest)
		return
	}
	s.done(w, r, err, p.L.T("mob.destination_published"), "/t/"+p.Territory.Slug+"/destinations")
}

func (s *Server) destinationFromForm(r *http.Request, ter *territory.Territory) (*mobility.Destination, error) {
	org, _ := strconv.ParseInt(r.PostForm.Get("organisation_id"), 10, 64)
	place, err := s.formPlace(r, ter, r.PostForm, "place")
	return &mobility.Destination{OrganisationID: org, Place: place, Opening: r.PostForm.Get("opening"), Hours: formHours(r.PostForm)}, err
}

// formHours reads hours_mon..hours_sun ("08:00-12:00, 14:00-19:00"); a day
// left empty is closed once any day has hours.
func formHours(f url.Values) map[string][]string {
	var out map[string][]string
	for _, d := range hours.DayKeys {
		for _, span := range strings.Split(f.Get("hours_"+d), ",") {
			if span = strings.TrimSpace(span); span != "" {
				if out == nil {
					out = map[string][]string{}
				}
				out[d] = append(out[d], span)
			}
		}
	}
	return out
}

// destinationHours describes opening hours, Monday first, in the page's
// language; the times are the territory's local time.
func destinationHours(p *Page, h map[string][]string) []string {
	if len(h) == 0 {
		return nil
	}
	var out []string
	for _, d := range hours.DayKeys {
		txt := p.L.T("book.closed_day")
		if len(h[d]) > 0 {
			txt = strings.Join(h[d], ", ")
		}
		out = append(out, p.L.T("book.day_"+d)+" : "+txt)
	}
	return out
}

// tripWarnings words the service's warnings for the one who published.
func (s *Server) tripWarnings(l *i18n.Localizer, ter *territory.Territory, t *mobility.Trip) []mobility.Warning {
	out := make([]mobility.Warning, 0, len(t.Warnings))
	for _, w := range t.Warnings {
		w.Arrival = w.Arrival.In(ter.Location())
		w.Message = l.T("mob.warn_closed", "Place", w.Destination, "Time", w.Arrival.Format("15:04"),
			"Day", l.T("mob.day_"+mobility.DayNames[w.Arrival.Weekday()]))
		out = append(out, w)
	}
	return out
}

func (s *Server) apiDestinations(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		list, err := s.Mobility.Destinations(r.Context(), ter)
		return map[string]any{"destinations": list}, err
	})
}

func (s *Server) apiPublishDestination(w http.ResponseWriter, r *http.Request) {
	var d mobility.Destination
	s.mobilityCreate(w, r, &d, func(ter *territory.Territory, a access.Actor) (any, error) {
		return &d, s.Mobility.PublishDestination(r.Context(), a, ter, &d)
	})
}
