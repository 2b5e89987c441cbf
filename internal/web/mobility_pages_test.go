package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/mobility"
)

// TestMobilityPages walks the pages without JavaScript: a driver publishes
// a weekly commute with the form, a passenger 1.5 km off the route finds
// it, books, the driver accepts; both see it in their lists, in French and
// English.
func TestMobilityPages(t *testing.T) {
	e := newTestEnv(t, nil)
	driver, _ := e.member("driver@example.org", access.Member)
	rider, _ := e.member("rider@example.org", access.Member)

	resp := e.get(driver, "/t/test/trips/new")
	if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="from_lat"`) {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	bad := url.Values{"kind": {"offer"}, "from_lat": {"45.188"}, "from_lon": {"5.724"}, "to_lat": {"45.188"}, "to_lon": {"5.724"},
		"schedule": {"once"}, "departure": {time.Now().Add(-time.Hour).Format(localLayout)}, "seats": {"0"}}
	resp = e.form(driver, "/t/test/trips/new", bad)
	if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="form-errors"`) ||
		!strings.Contains(body, "La destination est la même que le départ") {
		t.Fatalf("bad trip: %d %s", resp.StatusCode, body)
	}
	commute := url.Values{"kind": {"offer"}, "from_address": {"12 rue Lesdiguières"}, "from_lat": {"45.188"}, "from_lon": {"5.724"},
		"to_address": {"Échirolles"}, "to_lat": {"45.150"}, "to_lon": {"5.724"},
		"schedule": {"weekly"}, "days": {"mon", "tue", "wed", "thu", "fri"}, "time": {"07:40"}, "return": {"17:30"},
		"seats": {"3"}, "contribution": {"cash"}, "amount": {"2,50"}, "max_detour": {"3000"}, "phone": {"06 11 22 33 44"}}
	resp = e.form(driver, "/t/test/trips/new", commute)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", resp.StatusCode, readBody(resp))
	}
	tripURL := resp.Header.Get("Location")
	if !strings.HasPrefix(tripURL, "/t/test/trips/") {
		t.Fatalf("redirect to %q", tripURL)
	}

	// The passenger lives 1.5 km east of the route, goes to Échirolles.
	loc := e.ter.Location()
	next := time.Now().In(loc).AddDate(0, 0, 1)
	for next.Weekday() == time.Saturday || next.Weekday() == time.Sunday {
		next = next.AddDate(0, 0, 1)
	}
	at := time.Date(next.Year(), next.Month(), next.Day(), 7, 50, 0, 0, loc)
	q := url.Values{"from_lat": {"45.175"}, "from_lon": {"5.743"}, "to_lat": {"45.152"}, "to_lon": {"5.725"}, "at": {at.Format(localLayout)}}
	resp = e.get(rider, "/t/test/trips?"+q.Encode()+"&lang=en")
	body := readBody(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, tripURL+"?occurrence=") || strings.Contains(body, "12 rue") {
		t.Fatalf("search: %d %s", resp.StatusCode, body)
	}
	resp = e.get(rider, tripURL)
	body = readBody(resp)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "06 11 22 33 44") || !strings.Contains(body, "rue Lesdiguières") {
		t.Fatalf("trip page before booking: %d %s", resp.StatusCode, body)
	}
	resp = e.form(rider, tripURL+"/book", url.Values{"seats": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("book: %d %s", resp.StatusCode, readBody(resp))
	}
	resp = e.form(driver, tripURL+"/book", url.Values{"seats": {"1"}})
	if body := readBody(resp); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("driver books: %d %s", resp.StatusCode, body)
	}
	resp = e.get(driver, "/t/test/my/trips")
	body = readBody(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="accept"`) {
		t.Fatalf("driver's list: %d %s", resp.StatusCode, body)
	}
	i := strings.Index(body, "/trip-bookings/")
	action := body[i : i+strings.Index(body[i:], `"`)]
	resp = e.form(driver, "/t/test"+action, url.Values{"action": {"accept"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", resp.StatusCode, readBody(resp))
	}
	for _, lang := range []string{"fr", "en"} {
		resp = e.get(rider, "/t/test/my/trips?lang="+lang)
		body = readBody(resp)
		want := map[string]string{"fr": "Acceptée", "en": "Accepted"}[lang]
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("rider's list (%s): %d %s", lang, resp.StatusCode, body)
		}
	}
	body = readBody(e.get(rider, "/t/test/my/trips"))
	i = strings.Index(body, "/t/test/feeds/")
	feed := body[i : i+strings.Index(body[i:], `"`)]
	resp = e.get(nil, feed)
	if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "BEGIN:VEVENT") || !strings.Contains(body, "Échirolles") {
		t.Fatalf("feed %s: %d %s", feed, resp.StatusCode, body)
	}
	if resp := e.get(nil, strings.Replace(feed, ".", "x", 1)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("forged feed: %d", resp.StatusCode)
	}
	// Replacing the address: the old link stops working, the new one works,
	// and a second replacement retires the first new one too.
	for round := 0; round < 2; round++ {
		resp = e.form(rider, "/t/test/my/trips/feed", url.Values{})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset feed: %d %s", resp.StatusCode, readBody(resp))
		}
		resp.Body.Close()
		if resp := e.get(nil, feed); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("old feed after reset: %d", resp.StatusCode)
		}
		body = readBody(e.get(rider, "/t/test/my/trips"))
		i = strings.Index(body, "/t/test/feeds/")
		fresh := body[i : i+strings.Index(body[i:], `"`)]
		if fresh == feed {
			t.Fatal("the address did not change")
		}
		if resp := e.get(nil, fresh); resp.StatusCode != http.StatusOK {
			t.Fatalf("new feed %s: %d", fresh, resp.StatusCode)
		}
		feed = fresh
	}
	resp = e.get(rider, tripURL)
	if body := readBody(resp); !strings.Contains(body, "06 11 22 33 44") || !strings.Contains(body, "12 rue Lesdiguières") {
		t.Fatalf("trip page after acceptance lacks the contact: %s", body)
	}
	for _, lang := range []string{"fr", "en"} {
		resp = e.get(nil, "/t/test/trips/indicators?lang="+lang)
		if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "0.218") {
			t.Fatalf("indicators (%s): %d %s", lang, resp.StatusCode, body)
		}
	}
	resp = e.form(rider, tripURL+"/message", url.Values{"body": {"Je serai devant la pharmacie"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/messages/") {
		t.Fatalf("message: %d %s", resp.StatusCode, readBody(resp))
	}
}

// TestMobilityDestinations: a shop's administrator publishes its place, a
// resident offers a ride there from its page, the shop's figures count it.
func TestMobilityDestinations(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	shop, _ := e.member("shop@example.org", access.Member)
	other, _ := e.member("other@example.org", access.Member)
	driver, _ := e.member("driver@example.org", access.Member)
	u, _ := e.accounts.UserByEmail(ctx, "shop@example.org")
	org, err := e.accounts.CreateOrganisation(ctx, access.Actor{UserID: u.ID, Roles: map[int64]access.Role{e.ter.ID: access.Member}},
		e.ter.ID, account.Organisation{Name: "Épicerie du marché", Kind: "merchant"})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"organisation_id": {fmt.Sprint(org.ID)}, "place_address": {"Halle du marché"}, "place_lat": {"45.190"},
		"place_lon": {"5.727"}, "opening": {"Samedi 8 h – 13 h"}}
	if resp := e.form(other, "/t/test/destinations", form); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a non-administrator publishes: %d", resp.StatusCode)
	}
	if resp := e.form(shop, "/t/test/destinations", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", resp.StatusCode, readBody(resp))
	}
	body := readBody(e.get(driver, "/t/test/destinations"))
	i := strings.Index(body, "/t/test/trips/new?destination=")
	if i < 0 || !strings.Contains(body, "Samedi 8 h") {
		t.Fatalf("destinations: %s", body)
	}
	offer := html.UnescapeString(body[i : i+strings.Index(body[i:], `"`)])
	body = readBody(e.get(driver, offer))
	if !strings.Contains(body, `name="organisation_id" value="`+fmt.Sprint(org.ID)+`"`) || !strings.Contains(body, "Halle du marché") {
		t.Fatalf("the form is not prefilled: %s", body)
	}
	resp := e.form(driver, "/t/test/trips/new", url.Values{"organisation_id": {fmt.Sprint(org.ID)}, "from_lat": {"45.165"}, "from_lon": {"5.745"},
		"to_address": {"Halle du marché"}, "to_lat": {"45.190"}, "to_lon": {"5.727"}, "schedule": {"once"},
		"departure": {time.Now().Add(24 * time.Hour).In(e.ter.Location()).Format(localLayout)}, "seats": {"2"}, "contribution": {"free"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ride to the shop: %d %s", resp.StatusCode, readBody(resp))
	}
	resp = e.get(nil, "/api/v1/territories/test/trip-destinations")
	if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Halle du marché") {
		t.Fatalf("API destinations: %d %s", resp.StatusCode, body)
	}
	// A passenger rides to the shop: the shop's figures count one shared
	// departure and one seat this month.
	du, _ := e.accounts.UserByEmail(ctx, "driver@example.org")
	mine, err := e.mobility.MyTrips(ctx, e.memberActor(du.ID), e.ter)
	if err != nil || len(mine.Trips) != 1 {
		t.Fatalf("driver's trips: %v", err)
	}
	e.member("rider@example.org", access.Member)
	ru, _ := e.accounts.UserByEmail(ctx, "rider@example.org")
	b, err := e.mobility.Book(ctx, access.Actor{UserID: ru.ID, Verified: true, Roles: map[int64]access.Role{e.ter.ID: access.Member}}, e.ter,
		mobility.BookRequest{TripID: mine.Trips[0].ID, Seats: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.mobility.Accept(ctx, access.Actor{UserID: du.ID, Verified: true, Roles: map[int64]access.Role{e.ter.ID: access.Member}}, e.ter, b.ID); err != nil {
		t.Fatal(err)
	}
	resp = e.get(nil, fmt.Sprintf("/t/test/trips/indicators?organisation_id=%d", org.ID))
	if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Épicerie du marché") {
		t.Fatalf("the shop's figures: %d %s", resp.StatusCode, body)
	}
	// The departure is tomorrow, which may be next month: ask for both.
	now := time.Now().In(e.ter.Location())
	span := "&from=" + now.Format("2006-01") + "&to=" + now.AddDate(0, 0, 2).Format("2006-01")
	for id, want := range map[int64]bool{org.ID: true, org.ID + 1000: false} {
		resp = e.get(nil, fmt.Sprintf("/api/v1/territories/test/trip-indicators?organisation_id=%d", id)+span)
		if body := readBody(resp); resp.StatusCode != http.StatusOK || strings.Contains(body, `"trips":1,"seats_filled":1`) != want {
			t.Fatalf("organisation %d's figures (want the ride: %v): %d %s", id, want, resp.StatusCode, body)
		}
	}
}
