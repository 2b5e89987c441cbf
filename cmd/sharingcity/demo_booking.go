package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// seedDemoBooking gives the demo's first organisations something to lend:
// the tool library of the first association (organisation 1, so the
// README's examples work), rooms of the municipal service and a few shared
// cars at stations. orgs are the demo organisations' ids by name.
func seedDemoBooking(ctx context.Context, a *app, ter *territory.Territory, admin access.Actor, orgs map[string]int64) error {
	library := booking.Rules{
		Hours:      map[string][]string{"wed": {"14:00-19:00"}, "fri": {"16:00-19:00"}, "sat": {"10:00-13:00", "14:00-18:00"}},
		MaxMinutes: 14 * 24 * 60, MaxAdvanceDays: 60, CancelMinutes: 60, Note: "Caution de 20 € par objet, rendue au retour.",
	}
	rooms := booking.Rules{
		Hours:    map[string][]string{"mon": {"18:00-22:00"}, "tue": {"18:00-22:00"}, "wed": {"18:00-22:00"}, "thu": {"18:00-22:00"}, "sat": {"09:00-23:00"}, "sun": {"09:00-19:00"}},
		Approval: true, Who: booking.WhoVerified, MaxMinutes: 8 * 60, MaxAdvanceDays: 90, LeadMinutes: 48 * 60,
		Note: "Gratuit pour les associations et les habitants ; ménage à faire en partant.",
	}
	cars := booking.Rules{MinMinutes: 60, MaxMinutes: 72 * 60, MaxAdvanceDays: 30, Who: booking.WhoVerified,
		Note: "2,50 € de l'heure et 0,30 € du km, carburant compris."}
	list := []struct {
		org string
		r   booking.Resource
	}{
		{"Les Bricolos du Drac", booking.Resource{Kind: booking.KindItem, Name: "Perceuse à percussion", Quantity: 2, Rules: library,
			Description: "Bosch 750 W, avec un coffret de forets bois, métal et béton."}},
		{"Les Bricolos du Drac", booking.Resource{Kind: booking.KindItem, Name: "Ponceuse orbitale", Quantity: 1, Rules: library}},
		{"Les Bricolos du Drac", booking.Resource{Kind: booking.KindItem, Name: "Échelle télescopique 3,8 m", Quantity: 1, Rules: library}},
		{"Les Bricolos du Drac", booking.Resource{Kind: booking.KindItem, Name: "Jeu de société « Les Aventuriers du rail »", Quantity: 3, Rules: library}},
		{"Pôle Vie des quartiers (service municipal fictif)", booking.Resource{Kind: booking.KindRoom, Name: "Salle polyvalente de la Capuche",
			Capacity: 60, Equipment: "Tables, chaises, vidéoprojecteur, cuisine", Quantity: 1, Rules: rooms, Position: &geo.Point{Lat: 45.1746, Lon: 5.7270}}},
		{"Pôle Vie des quartiers (service municipal fictif)", booking.Resource{Kind: booking.KindRoom, Name: "Salle de réunion de l'Abbaye",
			Capacity: 15, Equipment: "Tableau blanc", Quantity: 1, Rules: rooms, Position: &geo.Point{Lat: 45.1792, Lon: 5.7441}}},
		{"Roule Ensemble Coop", booking.Resource{Kind: booking.KindVehicle, Name: "Renault Zoé (AB-123-CD)", Station: "Gare de Grenoble",
			Capacity: 5, Energy: "électrique", Quantity: 1, Rules: cars, Position: &geo.Point{Lat: 45.1914, Lon: 5.7146}}},
		{"Roule Ensemble Coop", booking.Resource{Kind: booking.KindVehicle, Name: "Peugeot 208 (EF-456-GH)", Station: "Gare de Grenoble",
			Capacity: 5, Energy: "essence", Quantity: 1, Rules: cars, Position: &geo.Point{Lat: 45.1914, Lon: 5.7146}}},
		{"Roule Ensemble Coop", booking.Resource{Kind: booking.KindVehicle, Name: "Citroën Berlingo (IJ-789-KL)", Station: "Chavant",
			Capacity: 5, Energy: "diesel", Quantity: 1, Rules: cars, Position: &geo.Point{Lat: 45.1863, Lon: 5.7355}}},
	}
	var hall int64
	for _, it := range list {
		id, ok := orgs[it.org]
		if !ok {
			continue // the demo's organisations changed: lend nothing rather than fail
		}
		r := it.r
		r.OrganisationID = id
		if err := a.booking.CreateResource(ctx, admin, ter, &r); err != nil {
			return fmt.Errorf("demo resource %q: %w", r.Name, err)
		}
		if hall == 0 && r.Kind == booking.KindRoom {
			hall = r.ID
		}
	}
	if hall == 0 {
		return nil
	}
	// A sewing workshop in the hall every Tuesday evening for eight weeks
	// (pending the service's approval), from next week on.
	loc := ter.Location()
	d := time.Now().In(loc).AddDate(0, 0, 7)
	for d.Weekday() != time.Tuesday {
		d = d.AddDate(0, 0, 1)
	}
	start := time.Date(d.Year(), d.Month(), d.Day(), 18, 30, 0, 0, loc)
	_, err := a.booking.BookSeries(ctx, admin, ter, booking.SeriesRequest{Weeks: 8, Request: booking.Request{ResourceID: hall,
		Start: start, End: start.Add(2 * time.Hour), Note: "Atelier couture et réparation"}})
	if err != nil {
		return fmt.Errorf("demo weekly series: %w", err)
	}
	return nil
}
