package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// seedDemoMobility publishes a few carpools in the demo: a weekday commute
// from the station to the campus with a way back, a Saturday ride to the
// merchant's shop (its destination), and a passenger's request. driver is
// the demo's administrator; the passenger is its member.
func seedDemoMobility(ctx context.Context, a *app, ter *territory.Territory, driver access.Actor, orgs map[string]int64) error {
	member, err := a.accounts.UserByEmail(ctx, demoMemberEmail)
	if err != nil {
		return err
	}
	passenger, err := a.accounts.ActorFor(ctx, member.ID)
	if err != nil {
		return err
	}
	loc := ter.Location()
	today := time.Now().In(loc)
	sat := today.AddDate(0, 0, 1)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDate(0, 0, 1)
	}
	saturday := time.Date(sat.Year(), sat.Month(), sat.Day(), 9, 30, 0, 0, loc)
	tomorrow := today.AddDate(0, 0, 1)
	evening := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 18, 15, 0, 0, loc)
	list := []struct {
		who access.Actor
		t   mobility.Trip
	}{
		{driver, mobility.Trip{From: mobility.Place{Lat: 45.1914, Lon: 5.7146, Label: "Gare de Grenoble"},
			To: mobility.Place{Lat: 45.1930, Lon: 5.7590, Label: "Campus, Saint-Martin-d'Hères"}, Seats: 3, AutoAccept: true,
			Weekly: &mobility.Weekly{Days: mobility.Days{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
				Time: "07:40", Return: "17:30", From: today.Format(time.DateOnly)},
			Contribution: mobility.Contribution{Kind: mobility.ContributionUnits, Currency: "TIME", Amount: 10},
			Phone:        "06 00 00 00 01", Note: "Départ devant la gare, côté tram."}},
		{driver, mobility.Trip{From: mobility.Place{Lat: 45.1650, Lon: 5.7220, Label: "Place des Géants, Villeneuve"},
			To: mobility.Place{Lat: 45.1885, Lon: 5.7305, Label: "Vrac & Bocal, centre-ville"}, Seats: 2, Departure: &saturday,
			OrganisationID: orgs["Vrac & Bocal SARL"], Luggage: true,
			Contribution: mobility.Contribution{Kind: mobility.ContributionCash, Amount: 150}}},
		{passenger, mobility.Trip{Kind: mobility.KindRequest, From: mobility.Place{Lat: 45.1770, Lon: 5.7410, Label: "Parc Paul Mistral"},
			To: mobility.Place{Lat: 45.2080, Lon: 5.6950, Label: "Saint-Martin-le-Vinoux"}, Seats: 1, Departure: &evening}},
	}
	for _, x := range list {
		tr := x.t
		if err := a.mobility.Publish(ctx, x.who, ter, &tr); err != nil {
			return fmt.Errorf("demo trip to %s: %w", tr.To.Label, err)
		}
	}
	return nil
}
