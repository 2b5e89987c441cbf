package mobility

import (
	"context"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/hours"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Arrivals at destinations. A trip to an organisation's destination (named,
// or whose arrival point lies within DestinationRadius of one) arrives at
// its departure plus the route's duration: the router's when the territory
// has one, else the straight route's at route.DefaultStraight's 50 km/h.
// An arrival outside the destination's opening hours gets a warning; the
// trip is published all the same (the driver may know better: a market
// setting up, staff arriving early).

// DestinationRadius is how close an arrival point must be to a destination
// to be checked against its hours, in metres.
const DestinationRadius = 300

// Warning tells the driver about a trip that is published anyway.
type Warning struct {
	Code          string    `json:"code"` // "closed_on_arrival"
	DestinationID int64     `json:"destination_id"`
	Destination   string    `json:"destination"`
	Arrival       time.Time `json:"arrival"` // the first such arrival
	Message       string    `json:"message,omitempty"`
}

// WarningClosed is the code of an arrival outside opening hours.
const WarningClosed = "closed_on_arrival"

// arrivalWarnings checks the first week of t's departures (one per
// weekday and direction towards the destination) against the hours of the
// destinations it goes to.
func (s *Service) arrivalWarnings(ctx context.Context, ter *territory.Territory, t *Trip, occs []Occurrence) ([]Warning, error) {
	if t.Kind != KindOffer || len(occs) == 0 {
		return nil, nil
	}
	all, err := s.store.Destinations(ctx, ter.ID, 0)
	if err != nil {
		return nil, err
	}
	loc := ter.Location()
	travel := time.Duration(t.RouteSeconds) * time.Second
	var out []Warning
	for _, d := range all {
		// Near the arrival point, or the organisation's own place within
		// a couple of kilometres (the driver set the end by hand).
		dist := geo.Distance(d.Place.Point(), t.To.Point())
		ours := t.OrganisationID != 0 && d.OrganisationID == t.OrganisationID && dist <= 2000
		if len(d.Hours) == 0 || !(dist <= DestinationRadius || ours) {
			continue
		}
		w, err := hours.Parse(d.Hours)
		if err != nil {
			continue // checked when published; an old row is no reason to refuse a trip
		}
		seen := map[time.Weekday]bool{}
		for _, o := range occs {
			if o.Return {
				continue // the way back leaves the destination
			}
			arrival := o.DepartsAt.Add(travel)
			day := arrival.In(loc).Weekday()
			if seen[day] {
				continue
			}
			seen[day] = true
			if !w.OpenAt(arrival, loc, false) {
				out = append(out, Warning{Code: WarningClosed, DestinationID: d.ID, Destination: d.Place.Label, Arrival: arrival})
				break
			}
		}
	}
	return out, nil
}
