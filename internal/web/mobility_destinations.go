package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Destinations of organisations (a shop, a market, an event): residents
// offer and find rides to them, and the organisation sees how many came.

type destinationRow struct {
	D        mobility.Destination
	OrgName  string
	OfferURL string
	FindURL  string
	StatsURL string
}

type destinationsView struct {
	Rows []destinationRow
	Orgs []orgChoice
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
		v.Rows = append(v.Rows, destinationRow{D: d, OrgName: names[d.OrganisationID],
			OfferURL: base + "/trips/new?destination=" + strconv.FormatInt(d.ID, 10),
			FindURL:  base + "/trips?" + find.Encode(),
			StatsURL: base + "/trips/indicators?organisation_id=" + strconv.FormatInt(d.OrganisationID, 10)})
	}
	for id, name := range names {
		v.Orgs = append(v.Orgs, orgChoice{ID: id, Name: name})
	}
	sortOrgChoices(v.Orgs)
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
	return &mobility.Destination{OrganisationID: org, Place: place, Opening: r.PostForm.Get("opening")}, err
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
