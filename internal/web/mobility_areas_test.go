package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestTripFormSuggestsCarpoolAreas: without JavaScript, the form's second
// step looks the ends up and lists the nearest carpool areas (fr, en); the
// area picked becomes the trip's origin.
func TestTripFormSuggestsCarpoolAreas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newTestEnv(t, db)
		importTwoAreas(t, e)
		driver, _ := e.member("driver@example.org", access.Member)
		u, err := e.accounts.UserByEmail(ctx, "driver@example.org")
		if err != nil {
			t.Fatal(err)
		}
		me := e.memberActor(u.ID)
		step := url.Values{"step": {"areas"}, "kind": {"offer"}, "from_lat": {"45.190"}, "from_lon": {"5.738"},
			"to_address": {""}, "schedule": {"once"}, "seats": {"2"}}
		var value string
		for lang, want := range map[string]string{"fr": "Aires de covoiturage proches", "en": "Nearby carpool areas"} {
			resp := e.form(driver, "/t/test/trips/new?lang="+lang, step)
			body := html.UnescapeString(readBody(resp))
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "Grand Sablon") ||
				strings.Index(body, "Grand Sablon") > strings.Index(body, "Échirolles Centre") || strings.Contains(body, `name="to_area"`) {
				t.Fatalf("%s: %d %s", lang, resp.StatusCode, body)
			}
			m := regexp.MustCompile(`name="from_area" value="([^"]+ Grand Sablon)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s: no choice: %s", lang, body)
			}
			value = m[1]
		}
		if n, err := e.mobility.MyTrips(ctx, me, e.ter); err != nil || len(n.Trips) > 0 {
			t.Fatal("the second step published a trip")
		}

		dep := time.Now().In(e.ter.Location()).AddDate(0, 0, 2)
		publish := url.Values{"kind": {"offer"}, "from_lat": {"45.190"}, "from_lon": {"5.738"}, "from_area": {value},
			"to_lat": {"45.160"}, "to_lon": {"5.740"}, "schedule": {"once"}, "departure": {dep.Format(localLayout)}, "seats": {"2"},
			"contribution": {"free"}, "max_detour": {"3000"}}
		resp := e.form(driver, "/t/test/trips/new", publish)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", resp.StatusCode, readBody(resp))
		}
		resp.Body.Close()
		mine, err := e.mobility.MyTrips(ctx, me, e.ter)
		if err != nil || len(mine.Trips) != 1 {
			t.Fatalf("mine: %v %+v", err, mine)
		}
		if got := mine.Trips[0].From; got.Label != "Grand Sablon" || got.Lat != 45.1935 || got.Lon != 5.74 {
			t.Errorf("origin: %+v", got)
		}
	})
}

// TestTripSearchSuggestsCarpoolAreas: once a search names its ends, the
// search form lists the carpool areas near each as meeting points (fr, en),
// and a picked area is kept checked and used for the next search.
func TestTripSearchSuggestsCarpoolAreas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		importTwoAreas(t, e)
		rider, _ := e.member("rider@example.org", access.Member)
		q := url.Values{"from_lat": {"45.190"}, "from_lon": {"5.738"}, "to_lat": {"45.152"}, "to_lon": {"5.722"}}
		var value string
		for lang, want := range map[string]string{"fr": "Aires de covoiturage proches", "en": "Nearby carpool areas"} {
			resp := e.get(rider, "/t/test/trips?"+q.Encode()+"&lang="+lang)
			body := html.UnescapeString(readBody(resp))
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, `name="to_area"`) ||
				strings.Index(body, `name="from_area" value="45.193500,5.740000 Grand Sablon"`) < 0 {
				t.Fatalf("%s: %d %s", lang, resp.StatusCode, body)
			}
			m := regexp.MustCompile(`name="to_area" value="([^"]+ Échirolles Centre)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s: no choice: %s", lang, body)
			}
			value = m[1]
		}
		q.Set("to_area", value)
		resp := e.get(rider, "/t/test/trips?"+q.Encode())
		body := html.UnescapeString(readBody(resp))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="to_area" value="`+value+`" checked`) {
			t.Fatalf("picked area: %d %s", resp.StatusCode, body)
		}
	})
}

// importTwoAreas publishes two carpool areas of Grenoble: Grand Sablon in
// the centre and Échirolles Centre 5 km south.
func importTwoAreas(t *testing.T, e *testEnv) {
	t.Helper()
	if _, err := e.directory.ImportCarpoolAreas(context.Background(), access.SystemActor(), e.ter, []directory.CarpoolImportItem{
		carpoolItem(1, "38185-C-001", "Grand Sablon", 45.1935, 5.7400),
		carpoolItem(2, "38185-C-002", "Échirolles Centre", 45.1500, 5.7200),
	}, false); err != nil {
		t.Fatal(err)
	}
}
