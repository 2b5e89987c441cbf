package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestMobilityStandingAndWomenOnlyAPI: {"seats": N} keeps its contract,
// "standing": true books every week; a women-only trip needs the private
// declaration (403 in the asker's language), which the member's export
// carries, the public trip never, and the account's deletion removes.
func TestMobilityStandingAndWomenOnlyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		_, driver := e.member("driver@example.org", access.Member)
		riderC, rider := e.member("rider@example.org", access.Member)
		_, other := e.member("other@example.org", access.Member)
		_, third := e.member("third@example.org", access.Member)
		from := map[string]any{"lat": 45.188, "lon": 5.724}
		to := map[string]any{"lat": 45.165, "lon": 5.745}
		start := time.Now().In(e.ter.Location()).AddDate(0, 0, 1).Format(time.DateOnly)
		weekly := map[string]any{"from": from, "to": to, "seats": 2, "auto_accept": true,
			"weekly": map[string]any{"days": []string{"mon", "tue", "wed", "thu", "fri"}, "time": "07:40", "return": "17:30", "from": start}}
		resp := e.do(nil, "POST", "/api/v1/territories/test/trips", driver, weekly)
		body := readBody(resp)
		if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"warnings":[]`) || !strings.Contains(body, `"id":`) {
			t.Fatalf("publish: %d %s", resp.StatusCode, body)
		}
		var tripID int64
		fmt.Sscanf(body[strings.Index(body, `"id":`)+5:], "%d", &tripID)
		book := fmt.Sprintf("/api/v1/trips/%d/bookings", tripID)
		resp = e.do(nil, "POST", book, rider, map[string]any{"seats": 1, "standing": true, "days": []string{"mon", "thu"}, "legs": "out"})
		body = readBody(resp)
		if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"standing":{`) || !strings.Contains(body, `"status":"accepted"`) ||
			!strings.Contains(body, `"days":["mon","thu"]`) || !strings.Contains(body, `"standing_id":`) || !strings.Contains(body, `"actions":["cancel"]`) {
			t.Fatalf("standing: %d %s", resp.StatusCode, body)
		}
		var standingID int64
		fmt.Sscanf(body[strings.Index(body, `"standing":{"id":`)+17:], "%d", &standingID)
		// What each side may do, as the pages offer it: both may stop it.
		for _, tok := range []string{driver, rider} {
			path := fmt.Sprintf("/api/v1/trip-standings/%d", standingID)
			if body := readBody(e.do(nil, "GET", path, tok, nil)); !strings.Contains(body, `"actions":["cancel"]`) {
				t.Fatalf("actions of an accepted standing booking: %s", body)
			}
		}
		if body := readBody(e.do(nil, "GET", "/api/v1/territories/test/my/trips", driver, nil)); !strings.Contains(body, `"standing_as_driver":[{`) ||
			!strings.Contains(body, `"actions":["cancel"]`) {
			t.Fatalf("my trips: %s", body)
		}
		// The plain contract: 201, then 409 with a readable reason.
		if resp := e.do(nil, "POST", book, other, map[string]any{"seats": 1}); resp.StatusCode != http.StatusCreated {
			t.Fatalf("book: %d %s", resp.StatusCode, readBody(resp))
		}
		resp = e.do(nil, "POST", book, third, map[string]any{"seats": 2}, "Accept-Language", "en")
		if body := readBody(resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "not enough seats") {
			t.Fatalf("full: %d %s", resp.StatusCode, body)
		}
		resp = e.do(nil, "POST", fmt.Sprintf("/api/v1/trip-standings/%d/cancel", standingID), rider, map[string]any{"reason": "Télétravail"})
		if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"cancelled"`) || !strings.Contains(body, "Télétravail") ||
			strings.Contains(body, `"actions"`) {
			t.Fatalf("cancel standing: %d %s", resp.StatusCode, body)
		}

		// Women-only: publishing and booking need the declaration.
		women := map[string]any{"from": from, "to": to, "seats": 2, "women_only": true,
			"departure": time.Now().Add(48 * time.Hour).Format(time.RFC3339)}
		resp = e.do(nil, "POST", "/api/v1/territories/test/trips", driver, women, "Accept-Language", "en")
		if body := readBody(resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "declared themselves women") {
			t.Fatalf("women-only without the declaration: %d %s", resp.StatusCode, body)
		}
		for _, tok := range []string{driver, rider} {
			if resp := e.do(nil, "PUT", "/api/v1/me/mobility-profile", tok, map[string]any{"woman": true}); resp.StatusCode != http.StatusOK {
				t.Fatalf("profile: %d %s", resp.StatusCode, readBody(resp))
			}
		}
		resp = e.do(nil, "POST", "/api/v1/territories/test/trips", driver, women)
		body = readBody(resp)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("women-only: %d %s", resp.StatusCode, body)
		}
		fmt.Sscanf(body[strings.Index(body, `"id":`)+5:], "%d", &tripID)
		book = fmt.Sprintf("/api/v1/trips/%d/bookings", tripID)
		resp = e.do(nil, "POST", book, other, map[string]any{"seats": 1})
		if body := readBody(resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "réservé aux femmes") {
			t.Fatalf("booked without the declaration: %d %s", resp.StatusCode, body)
		}
		if resp := e.do(nil, "POST", book, rider, map[string]any{"seats": 1}); resp.StatusCode != http.StatusCreated {
			t.Fatalf("declared: %d %s", resp.StatusCode, readBody(resp))
		}
		// Private: not on the public trip, in the member's own export.
		for _, path := range []string{fmt.Sprintf("/api/v1/trips/%d", tripID), "/t/test/trips/" + fmt.Sprint(tripID)} {
			if body := readBody(e.do(nil, "GET", path, "", nil)); strings.Contains(body, `"woman"`) || strings.Contains(body, "profile") {
				t.Fatalf("%s shows the profile: %s", path, body)
			}
		}
		if body := readBody(e.do(nil, "GET", "/api/v1/me/export", rider, nil)); !strings.Contains(body, `"woman": true`) ||
			!strings.Contains(body, `"standing_bookings": [`) {
			t.Fatalf("export: %s", body)
		}
		if resp := e.form(riderC, "/account/delete", url.Values{"password": {"correct horse battery"}}); resp.StatusCode >= 400 {
			t.Fatalf("delete account: %d %s", resp.StatusCode, readBody(resp))
		}
		var n int
		if err := e.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM mobility_profiles`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("profiles after the deletion: %d %v", n, err)
		}
	})
}

// TestMobilityDestinationHours: a destination's opening hours show in
// local time; a trip arriving while it is closed is published with a
// warning (page and API).
func TestMobilityDestinationHours(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	shop, _ := e.member("shop@example.org", access.Member)
	driverC, driver := e.member("driver@example.org", access.Member)
	u, _ := e.accounts.UserByEmail(ctx, "shop@example.org")
	org, err := e.accounts.CreateOrganisation(ctx, access.Actor{UserID: u.ID, Roles: map[int64]access.Role{e.ter.ID: access.Member}},
		e.ter.ID, account.Organisation{Name: "Marché", Kind: "merchant"})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"organisation_id": {fmt.Sprint(org.ID)}, "place_address": {"Halle du marché"}, "place_lat": {"45.190"},
		"place_lon": {"5.727"}, "opening": {"Le samedi"}, "hours_sat": {"08:00-13:00"}, "hours_mon": {"9h-10h"}}
	if resp := e.form(shop, "/t/test/destinations", form); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(readBody(resp), "08:00-12:00, 14:00-19:00") {
		t.Fatalf("bad hours: %d", resp.StatusCode)
	}
	form.Del("hours_mon")
	if resp := e.form(shop, "/t/test/destinations", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", resp.StatusCode, readBody(resp))
	}
	body := readBody(e.get(nil, "/t/test/destinations"))
	if !strings.Contains(body, "Samedi : 08:00-13:00") || !strings.Contains(body, "Lundi : fermé") || !strings.Contains(body, "Europe/Paris") {
		t.Fatalf("hours on the page: %s", body)
	}
	// A ride arriving on a Tuesday morning, about 300 m from the hall.
	loc := e.ter.Location()
	d := time.Now().In(loc).AddDate(0, 0, 2)
	for d.Weekday() != time.Tuesday {
		d = d.AddDate(0, 0, 1)
	}
	dep := time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, loc)
	trip := map[string]any{"from": map[string]any{"lat": 45.165, "lon": 5.745}, "to": map[string]any{"lat": 45.1915, "lon": 5.7285},
		"departure": dep.Format(time.RFC3339), "seats": 2}
	resp := e.do(nil, "POST", "/api/v1/territories/test/trips", driver, trip, "Accept-Language", "en")
	if body := readBody(resp); resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"code":"closed_on_arrival"`) ||
		!strings.Contains(body, "outside its opening hours") {
		t.Fatalf("warning (API): %d %s", resp.StatusCode, body)
	}
	resp = e.form(driverC, "/t/test/trips/new", url.Values{"from_lat": {"45.165"}, "from_lon": {"5.745"}, "to_lat": {"45.1915"}, "to_lon": {"5.7285"},
		"schedule": {"once"}, "departure": {dep.Format(localLayout)}, "seats": {"2"}, "contribution": {"free"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish (page): %d %s", resp.StatusCode, readBody(resp))
	}
	if body := readBody(e.get(driverC, resp.Header.Get("Location"))); !strings.Contains(body, "en dehors de ses horaires") {
		t.Fatalf("no warning on the page: %s", body)
	}
	// On Saturday at 9:00 the market is open: no warning.
	for d.Weekday() != time.Saturday {
		d = d.AddDate(0, 0, 1)
	}
	trip["departure"] = time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, loc).Format(time.RFC3339)
	if body := readBody(e.do(nil, "POST", "/api/v1/territories/test/trips", driver, trip)); !strings.Contains(body, `"warnings":[]`) {
		t.Fatalf("open on Saturday: %s", body)
	}
}

// TestMobilityStandingPages: without JavaScript a passenger books a weekly
// commute every week from the trip page, the driver accepts it once from
// "my trips", the passenger stops it; a member declares the profile with
// its form; French and English.
func TestMobilityStandingPages(t *testing.T) {
	e := newTestEnv(t, nil)
	driver, _ := e.member("driver@example.org", access.Member)
	rider, _ := e.member("rider@example.org", access.Member)
	commute := url.Values{"kind": {"offer"}, "from_lat": {"45.188"}, "from_lon": {"5.724"}, "to_address": {"Échirolles"},
		"to_lat": {"45.150"}, "to_lon": {"5.724"}, "schedule": {"weekly"}, "days": {"mon", "tue", "wed", "thu", "fri"},
		"time": {"07:40"}, "return": {"17:30"}, "seats": {"3"}, "contribution": {"free"}}
	resp := e.form(driver, "/t/test/trips/new", commute)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", resp.StatusCode, readBody(resp))
	}
	tripURL := resp.Header.Get("Location")
	for _, lang := range []string{"fr", "en"} {
		body := readBody(e.get(rider, tripURL+"?lang="+lang))
		want := map[string]string{"fr": "Réserver chaque semaine", "en": "Book every week"}[lang]
		if !strings.Contains(body, want) || !strings.Contains(body, `name="standing_days" value="mon"`) || !strings.Contains(body, `data-line="[[`) {
			t.Fatalf("trip page (%s): %s", lang, body)
		}
	}
	resp = e.form(rider, tripURL+"/book", url.Values{"seats": {"1"}, "standing": {"1"}, "standing_days": {"tue", "fri"}, "legs": {"both"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/my/trips#standing") {
		t.Fatalf("book every week: %d %s", resp.StatusCode, readBody(resp))
	}
	body := readBody(e.get(driver, "/t/test/my/trips?lang=en"))
	i := strings.Index(body, "/t/test/trip-standings/")
	if i < 0 || !strings.Contains(body, "Tuesday, Friday") || !strings.Contains(body, "there and back") || !strings.Contains(body, "<td>rider@example.org</td>") {
		t.Fatalf("driver's list: %s", body)
	}
	// The buttons are the actions the service allows each side.
	for _, c := range []struct {
		who  *http.Client
		want string
	}{{driver, "accept refuse cancel"}, {rider, "cancel"}} {
		if got := standingButtons(readBody(e.get(c.who, "/t/test/my/trips"))); got != c.want {
			t.Fatalf("pending: buttons %q, want %q", got, c.want)
		}
	}
	action := body[i : i+strings.Index(body[i:], `"`)]
	if resp := e.form(rider, action, url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the passenger accepts: %d", resp.StatusCode)
	}
	if resp := e.form(driver, action, url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", resp.StatusCode, readBody(resp))
	}
	body = readBody(e.get(rider, "/t/test/my/trips?lang=fr"))
	if !strings.Contains(body, "mardi, vendredi") || !strings.Contains(body, "Acceptée") || !strings.Contains(body, "aller et retour") ||
		!strings.Contains(body, "<td>driver@example.org</td>") {
		t.Fatalf("rider's list: %s", body)
	}
	for _, who := range []*http.Client{driver, rider} {
		if got := standingButtons(readBody(e.get(who, "/t/test/my/trips"))); got != "cancel" {
			t.Fatalf("accepted: buttons %q", got)
		}
	}
	if resp := e.form(rider, action, url.Values{"action": {"cancel"}, "reason": {"Déménagement"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("stop: %d %s", resp.StatusCode, readBody(resp))
	}
	if body := readBody(e.get(rider, "/t/test/my/trips")); !strings.Contains(body, "Déménagement") || standingButtons(body) != "" {
		t.Fatalf("after stopping: %s", body)
	}
	// The profile form: unticked by default, saved, shown ticked to its owner.
	if body := readBody(e.get(rider, "/t/test/my/trips")); !strings.Contains(body, `name="woman" value="1">`) {
		t.Fatalf("profile form: %s", body)
	}
	if resp := e.form(rider, "/t/test/my/trips/profile", url.Values{"woman": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save profile: %d %s", resp.StatusCode, readBody(resp))
	}
	if body := readBody(e.get(rider, "/t/test/my/trips")); !strings.Contains(body, `name="woman" value="1" checked>`) {
		t.Fatalf("profile not saved: %s", body)
	}
}

// standingButtons lists the actions of the standing bookings' forms on a
// page, in order.
func standingButtons(body string) string {
	var out []string
	for _, m := range standingButton.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, " ")
}

var standingButton = regexp.MustCompile(`trip-standings/\d+/action" class="inline"><input type="hidden" name="action" value="(\w+)"`)
