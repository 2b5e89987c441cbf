package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func carpoolItem(row int, id, name string, lat, lon float64) directory.CarpoolImportItem {
	places := 40
	return directory.CarpoolImportItem{
		ImportItem: directory.ImportItem{Row: row, Initiative: directory.Initiative{
			Name: name, Summary: "Aire de covoiturage", Categories: []string{"mobility"}, Tags: []string{directory.CarpoolAreaTag},
			Kind: directory.KindPublicService, Address: "Avenue " + name, Position: geo.Point{Lat: lat, Lon: lon},
		}},
		Area: directory.CarpoolArea{NationalID: id, INSEE: id[:5], Type: "Aire de covoiturage", UpdatedOn: "2025-05-01",
			Open: true, Places: &places, Owner: "Grenoble-Alpes Métropole"},
	}
}

func TestCarpoolAreasAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		spec := newSpecChecker(t)
		_, err := e.directory.ImportCarpoolAreas(context.Background(), access.SystemActor(), e.ter, []directory.CarpoolImportItem{
			carpoolItem(1, "38185-C-001", "Grand Sablon", 45.1935, 5.7400),
			carpoolItem(2, "38185-C-002", "Échirolles Centre", 45.1500, 5.7200),
			carpoolItem(3, "38421-C-001", "Saint-Martin-d'Hères Gare", 45.1800, 5.7550),
		}, false)
		if err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/territories/test/carpool-areas"
		body := spec.check("GET", base+"?near=45.19,5.74&limit=2", e.get(nil, base+"?near=45.19,5.74&limit=2"))
		var out struct {
			Items []carpoolAreaJSON `json:"items"`
		}
		if err := json.Unmarshal(body, &out); err != nil || len(out.Items) != 2 {
			t.Fatalf("near: %s %v", body, err)
		}
		first := out.Items[0]
		if first.Name != "Grand Sablon" || first.NationalID != "38185-C-001" || *first.Places != 40 || first.DistanceM < 300 || first.DistanceM > 500 ||
			!strings.HasPrefix(first.URL, "/t/test/initiatives/") || out.Items[1].Name != "Saint-Martin-d'Hères Gare" {
			t.Fatalf("near: %+v", out.Items)
		}
		for _, bad := range []string{"", "?near=north", "?near=45.19,5.74&limit=0", "?near=45.19,5.74&limit=51"} {
			if resp := e.get(nil, base+bad); resp.StatusCode != 400 {
				t.Errorf("%s: status %d", bad, resp.StatusCode)
			} else {
				spec.check("GET", base+bad, resp)
			}
		}
		if resp := e.get(nil, "/api/v1/territories/nowhere/carpool-areas?near=45.19,5.74"); resp.StatusCode != 404 {
			t.Fatalf("unknown territory: %d", resp.StatusCode)
		}

		resp := e.get(nil, base+".csv")
		csvBody := string(spec.check("GET", base+".csv", resp))
		if resp.StatusCode != 200 || !strings.HasPrefix(csvBody, "id_lieu,id_local,nom_lieu,ad_lieu,com_lieu,insee,type,date_maj,ouvert,source,Xlong,Ylat") ||
			strings.Count(csvBody, "\n") != 4 || !strings.Contains(csvBody, "38185-C-001,,Grand Sablon,Avenue Grand Sablon,,38185,Aire de covoiturage,2025-05-01,true,,5.740000,45.193500,40,") {
			t.Fatalf("csv: %d %s", resp.StatusCode, csvBody)
		}

		page := readBody(e.get(nil, "/t/test/open-data"))
		if !strings.Contains(page, `href="/api/v1/territories/test/carpool-areas.csv"`) || !strings.Contains(page, "lieux-covoiturage") {
			t.Fatalf("open-data page lacks the carpool areas: %.2000s", page)
		}
	})
}

func TestRouterSettingsPage(t *testing.T) {
	e := newTestEnv(t, nil)
	admin, _ := e.member("admin@example.org", access.Admin)
	settings := url.Values{"name": {"Testville"}, "bbox": {"5.67,45.15,5.76,45.22"}, "lang": {"fr"}, "time_zone": {"Europe/Paris"},
		"router": {"osrm"}, "router_url": {"http://osrm.internal:5000"}}
	if resp := e.form(admin, "/t/test/admin/settings", settings); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", resp.StatusCode, readBody(resp))
	}
	ter, _ := e.territories.ByID(context.Background(), e.ter.ID)
	if ter.RouterKind != "osrm" || ter.RouterURL != "http://osrm.internal:5000" {
		t.Fatalf("router saved as %q %q", ter.RouterKind, ter.RouterURL)
	}
	page := readBody(e.get(admin, "/t/test/admin"))
	if !strings.Contains(page, `<option value="osrm" selected>`) || !strings.Contains(page, `value="http://osrm.internal:5000"`) {
		t.Fatalf("admin page does not show the router: %.3000s", page)
	}
	settings.Set("router_url", "")
	resp := e.form(admin, "/t/test/admin/settings", settings)
	if body := readBody(resp); resp.StatusCode != 400 || !strings.Contains(body, `id="f-router_url-error"`) {
		t.Fatalf("router without an address: %d %.3000s", resp.StatusCode, body)
	}
}
