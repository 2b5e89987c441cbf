package directory

import (
	"context"
	"fmt"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func intp(n int) *int    { return &n }
func boolp(b bool) *bool { return &b }

// carpoolRow is an area as the lieux-covoiturage reader makes it.
func carpoolRow(row int, id, name string, lat, lon float64, places int) CarpoolImportItem {
	return CarpoolImportItem{
		ImportItem: ImportItem{Row: row, SourceKey: CarpoolSourcePrefix + id, Initiative: Initiative{
			Name: name, Summary: "Aire de covoiturage", Categories: []string{"mobility"}, Tags: []string{CarpoolAreaTag},
			Kind: KindPublicService, Address: "Rue de " + name, Position: geo.Point{Lat: lat, Lon: lon},
		}},
		Area: CarpoolArea{NationalID: id, INSEE: id[:5], Type: "Aire de covoiturage", UpdatedOn: "2025-06-01", Open: true,
			Places: intp(places), PMRPlaces: intp(2), Owner: "Métropole de Lyon", Lighting: boolp(true), Hours: "24/7"},
	}
}

func TestCarpoolAreas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		rows := []CarpoolImportItem{
			carpoolRow(1, "69266-C-001", "Gratte-Ciel", 45.7689, 4.8804, 120),
			carpoolRow(2, "69123-C-004", "Part-Dieu Villette", 45.7606, 4.8596, 30),
			carpoolRow(3, "69123-C-007", "Perrache", 45.7490, 4.8260, 10),
			carpoolRow(4, "38053-C-002", "Bourgoin Nord", 45.6014, 5.2744, 80), // outside Lyon
		}
		bad := carpoolRow(5, "69123-C-0X9", "Identifiant faux", 45.74, 4.81, 5)
		bad.Area.Type = "Héliport"

		if _, err := e.svc.ImportCarpoolAreas(ctx, e.member, e.ter, rows, false); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("member import: %v", err)
		}
		res, err := e.svc.ImportCarpoolAreas(ctx, e.moderator, e.ter, append(rows, bad), false)
		if !errs.Is(err, errs.Invalid) || res.Created != 0 || res.Outside != 1 {
			t.Fatalf("bad row without skip: %+v %v", res, err)
		}
		fields := map[string]bool{}
		for _, f := range res.Errors {
			if f.Row != 5 {
				t.Fatalf("error on row %d: %+v", f.Row, f)
			}
			fields[f.Field] = true
		}
		if !fields["id_lieu"] || !fields["type"] {
			t.Fatalf("errors %+v", res.Errors)
		}
		if hits, _ := e.svc.NearCarpoolAreas(ctx, e.ter, geo.Point{Lat: 45.76, Lon: 4.86}, 5); len(hits) != 0 {
			t.Fatalf("refused import wrote %d areas", len(hits))
		}

		res, err = e.svc.ImportCarpoolAreas(ctx, e.moderator, e.ter, append(rows, bad), true)
		if err != nil || res.Created != 3 || res.Skipped != 1 || res.Outside != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}

		// A mobility initiative that is no carpool area, right at the query point.
		bike := sample("Atelier vélo", 45.7600, 4.8580)
		bike.Categories = []string{"mobility"}
		e.published(t, bike)

		hits, err := e.svc.NearCarpoolAreas(ctx, e.ter, geo.Point{Lat: 45.7600, Lon: 4.8580}, 2)
		if err != nil || len(hits) != 2 {
			t.Fatalf("near: %+v %v", hits, err)
		}
		if hits[0].Initiative.Name != "Part-Dieu Villette" || hits[1].Initiative.Name != "Gratte-Ciel" {
			t.Fatalf("near order: %s, %s", hits[0].Initiative.Name, hits[1].Initiative.Name)
		}
		a := hits[0].Area
		if a.NationalID != "69123-C-004" || *a.Places != 30 || *a.PMRPlaces != 2 || !*a.Lighting || a.Owner != "Métropole de Lyon" ||
			a.Hours != "24/7" || a.MaxStayMinutes != nil || !a.Open || a.InitiativeID != hits[0].Initiative.ID {
			t.Fatalf("area = %+v", a)
		}
		if d := hits[0].DistanceM; d < 100 || d > 200 {
			t.Fatalf("distance %.0f m", d)
		}
		// Far from everything, the box grows to the whole territory.
		if hits, err := e.svc.NearCarpoolAreas(ctx, e.ter, geo.Point{Lat: 45.805, Lon: 4.775}, 10); err != nil || len(hits) != 3 {
			t.Fatalf("near the corner: %d %v", len(hits), err)
		}
		if _, err := e.svc.NearCarpoolAreas(ctx, e.ter, geo.Point{Lat: 45.76, Lon: 4.86}, MaxCarpoolAreas+1); !errs.Is(err, errs.Invalid) {
			t.Fatalf("limit: %v", err)
		}

		// Re-importing with new figures updates the areas, not the entries.
		rows[1].Area.Places = intp(35)
		rows[1].Area.Lighting = nil
		res, err = e.svc.ImportCarpoolAreas(ctx, e.moderator, e.ter, rows[:3], false)
		if err != nil || res.Created != 0 || res.Unchanged != 3 {
			t.Fatalf("re-import: %+v %v", res, err)
		}
		var all []CarpoolAreaHit
		if err := e.svc.AllCarpoolAreas(ctx, e.ter, func(h *CarpoolAreaHit) error { all = append(all, *h); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || all[0].Initiative.ID > all[1].Initiative.ID {
			t.Fatalf("all: %d", len(all))
		}
		for _, h := range all {
			if h.Area.NationalID == "69123-C-004" && (*h.Area.Places != 35 || h.Area.Lighting != nil) {
				t.Fatalf("after re-import: %+v", h.Area)
			}
		}

		// A moderator moves Perrache next to the query point: the area's
		// index follows the initiative.
		var perrache *CarpoolAreaHit
		for i := range all {
			if all[i].Area.NationalID == "69123-C-007" {
				perrache = &all[i]
			}
		}
		moved := *perrache.Initiative
		moved.Position = geo.Point{Lat: 45.7601, Lon: 4.8581}
		if _, err := e.svc.ProposeChange(ctx, e.moderator, e.ter, moved.ID, &moved, "the entrance moved"); err != nil {
			t.Fatal(err)
		}
		hits, err = e.svc.NearCarpoolAreas(ctx, e.ter, geo.Point{Lat: 45.7600, Lon: 4.8580}, 1)
		if err != nil || len(hits) != 1 || hits[0].Initiative.Name != "Perrache" || hits[0].DistanceM > 20 {
			t.Fatalf("after the move: %+v %v", hits, err)
		}

		// An archived area is no longer suggested nor exported.
		var partDieu int64
		for _, h := range all {
			if h.Initiative.Name == "Part-Dieu Villette" {
				partDieu = h.Initiative.ID
			}
		}
		if err := e.svc.Archive(ctx, e.moderator, e.ter, partDieu); err != nil {
			t.Fatal(err)
		}
		hits, _ = e.svc.NearCarpoolAreas(ctx, e.ter, geo.Point{Lat: 45.7600, Lon: 4.8580}, 5)
		if len(hits) != 2 || hits[0].Initiative.Name != "Perrache" || hits[1].Initiative.Name != "Gratte-Ciel" {
			t.Fatalf("after archive: %+v", hits)
		}
		// Another territory sees none of them.
		if hits, _ := e.svc.NearCarpoolAreas(ctx, e.other, geo.Point{Lat: 48.85, Lon: 2.35}, 5); len(hits) != 0 {
			t.Fatalf("other territory: %d", len(hits))
		}
	})
}

func TestCarpoolAreaValidate(t *testing.T) {
	good := carpoolRow(1, "2A004-C-001", "Ajaccio", 41.92, 8.73, 10).Area
	if err := good.Validate(); err != nil {
		t.Fatalf("good: %v", err)
	}
	cases := map[string]func(a *CarpoolArea){
		"id_lieu":  func(a *CarpoolArea) { a.NationalID = "2A004-001" },
		"insee":    func(a *CarpoolArea) { a.INSEE = "20004" },
		"type":     func(a *CarpoolArea) { a.Type = "Héliport" },
		"date_maj": func(a *CarpoolArea) { a.UpdatedOn = "2025-02-30" },
		"source":   func(a *CarpoolArea) { a.SourceSIREN = "12345" },
		"nbre_pl":  func(a *CarpoolArea) { a.Places = intp(-1) },
	}
	for field, spoil := range cases {
		t.Run(field, func(t *testing.T) {
			a := good
			spoil(&a)
			err := a.Validate()
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != field {
				t.Fatalf("got %v", fmt.Sprint(err))
			}
		})
	}
}
