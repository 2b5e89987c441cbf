package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
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
	return seedDemoCarpoolAreas(ctx, a, ter)
}

// seedDemoCarpoolAreas adds four carpool areas around town, as an import
// of the national file would, so the trip form suggests them.
func seedDemoCarpoolAreas(ctx context.Context, a *app, ter *territory.Territory) error {
	area := func(id, name, address, commune, kind string, lat, lon float64, places int) directory.CarpoolImportItem {
		return directory.CarpoolImportItem{
			ImportItem: directory.ImportItem{Initiative: directory.Initiative{
				Name: name, Summary: kind + " : garez-vous et partagez le trajet.", Categories: []string{"mobility"},
				Tags: []string{directory.CarpoolAreaTag}, Kind: directory.KindPublicService, Address: address,
				Position: geo.Point{Lat: lat, Lon: lon},
			}},
			Area: directory.CarpoolArea{NationalID: id, INSEE: id[:5], Commune: commune, Type: kind, UpdatedOn: "2026-09-01",
				Open: true, Places: &places, Hours: "24/7", Owner: "Grenoble-Alpes Métropole"},
		}
	}
	items := []directory.CarpoolImportItem{
		area("38185-C-001", "Parking relais Gare Europole", "Rue Émile Gueymard, 38000 Grenoble", "Grenoble", "Parking relais", 45.1925, 5.7125, 60),
		area("38516-C-001", "Parking relais Grand Sablon", "Chemin du Pont Prouiller, 38700 La Tronche", "La Tronche", "Parking relais", 45.1935, 5.7400, 120),
		area("38151-C-001", "Aire de covoiturage Échirolles Centre", "Cours Jean Jaurès, 38130 Échirolles", "Échirolles", "Aire de covoiturage", 45.1520, 5.7210, 35),
		area("38423-C-001", "Aire de covoiturage Casamaures", "Route de Lyon, 38950 Saint-Martin-le-Vinoux", "Saint-Martin-le-Vinoux", "Aire de covoiturage", 45.2045, 5.7090, 25),
	}
	if _, err := a.directory.ImportCarpoolAreas(ctx, access.SystemActor(), ter, items, false); err != nil {
		return fmt.Errorf("demo carpool areas: %w", err)
	}
	return nil
}
