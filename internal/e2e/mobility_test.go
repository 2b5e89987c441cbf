package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sharingcity/sharingcity/internal/access"
)

// mobilityFlow is issue 6's journey: a driver publishes a weekly commute,
// a passenger living 2 km off its route finds it, books a seat, the driver
// accepts, and both see the trip in their lists.
type mobilityFlow struct {
	*flow
	driver, rider *tab
	tripPath      string
	at            time.Time // a coming weekday at 07:50, local
}

// The commute crosses Grenoble from the north-west to the south-east; the
// passenger's home lies 2 km north-east of its middle, the destination
// near its end.
const (
	commuteFromLat, commuteFromLon = "45.205", "5.700"
	commuteToLat, commuteToLon     = "45.160", "5.740"
	riderHomeLat, riderHomeLon     = "45.1921", "5.7416"
	riderDestLat, riderDestLon     = "45.162", "5.738"
)

// TestE2EMobility is issue 6's end-to-end journey in Chromium, every page
// checked with axe-core.
func TestE2EMobility(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	br := startBrowser(t)
	srv := startServer(t)
	f := &mobilityFlow{flow: &flow{t: t, c: c, srv: srv, b: br, run: contribution{lang: "fr"}, L: srv.i18n.Localizer("fr")}}
	ctx, system := context.Background(), access.SystemActor()
	emails := map[string]string{"driver": "denis@e2e.example.org", "rider": "rose@e2e.example.org"}
	for _, email := range emails {
		if _, err := srv.accounts.CreateUser(ctx, system, email, password, true); err != nil {
			t.Fatal(err)
		}
		if err := srv.accounts.Grant(ctx, system, srv.ter.ID, email, access.Member); err != nil {
			t.Fatal(err)
		}
	}
	loc := srv.ter.Location()
	d := time.Now().In(loc).AddDate(0, 0, 1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	f.at = time.Date(d.Year(), d.Month(), d.Day(), 7, 50, 0, 0, loc)
	f.driver = f.login(t, "driver", emails["driver"])
	f.rider = f.login(t, "rider", emails["rider"])
	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"driver_publishes_a_weekly_commute", f.publish},
		{"passenger_2km_off_the_route_finds_and_books_it", f.findAndBook},
		{"driver_accepts", f.accept},
		{"both_see_the_trip_in_their_lists", f.lists},
		{"passenger_books_every_week_driver_accepts_once", f.standing},
		{"passenger_declares_the_mobility_profile", f.profile},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.fn) {
			return
		}
	}
}

func (f *mobilityFlow) publish(t *testing.T) {
	tb := f.driver
	tb.t = t
	tb.open("/t/" + slug + "/trips/new")
	h1(tb, f.L.T("mob.new_title"))
	f.page(tb, "publish form")
	f.flow.c.screenshot(tb, "fr-mobility-publish")
	// The map fills the origin's coordinates on a click (typed values follow).
	tb.waitFor("the picking map", `!document.getElementById("trip-pick-map").hidden`)
	tb.click("#trip-pick-map")
	tb.waitFor("the origin from the map", `document.getElementById("f-from_lat").value !== ""`)
	tb.fill(map[string]string{
		"f-from_address": "Saint-Martin-le-Vinoux", "f-from_lat": commuteFromLat, "f-from_lon": commuteFromLon,
		"f-to_address": "Échirolles, zone d'activités", "f-to_lat": commuteToLat, "f-to_lon": commuteToLon,
		"f-seats": "3", "f-phone": "06 12 34 56 78",
	})
	tb.do("weekly schedule", chromedp.Evaluate[chromedp.Void](`
		document.querySelector('input[name="schedule"][value="weekly"]').checked = true;
		document.querySelectorAll('input[name="days"]').forEach(c => { c.checked = ["mon","tue","wed","thu","fri"].includes(c.value); });`))
	setValue(tb, "f-time", "07:40")
	setValue(tb, "f-return", "17:30")
	tb.submit("#f-seats")
	if msg := flash(tb); msg != f.L.T("mob.published") {
		t.Fatalf("after publishing the page says %q: %s", msg, tb.text("main"))
	}
	f.tripPath = tb.path()
	if !strings.HasPrefix(f.tripPath, "/t/"+slug+"/trips/") {
		t.Fatalf("published trip at %q", f.tripPath)
	}
	f.page(tb, "trip page (driver)")
	routeDrawn(tb)
	f.flow.c.screenshot(tb, "fr-mobility-trip")
}

func (f *mobilityFlow) findAndBook(t *testing.T) {
	tb := f.rider
	tb.t = t
	tb.open("/t/" + slug + "/trips")
	h1(tb, f.L.T("mob.search_title"))
	f.page(tb, "search form")
	tb.fill(map[string]string{"f-from_lat": riderHomeLat, "f-from_lon": riderHomeLon, "f-to_lat": riderDestLat, "f-to_lon": riderDestLon})
	setValue(tb, "f-at", f.at.Format("2006-01-02T15:04"))
	tb.submit("#f-from_lat")
	link := eval[string](tb, fmt.Sprintf(`[...document.querySelectorAll("main ul.trips a")].map(a => a.getAttribute("href")).find(h => h.startsWith(%q)) || ""`, f.tripPath+"?"))
	if link == "" {
		t.Fatalf("the commute is not found from 2 km off its route: %s", tb.text("main"))
	}
	if strings.Contains(tb.text("main"), "06 12 34 56 78") {
		t.Fatal("the search shows the driver's phone")
	}
	f.page(tb, "search results")
	f.flow.c.screenshot(tb, "fr-mobility-search")
	tb.open(link)
	f.page(tb, "trip page (passenger)")
	routeDrawn(tb)
	if strings.Contains(tb.text("main"), "06 12 34 56 78") {
		t.Fatal("the trip page shows the phone before the booking is accepted")
	}
	tb.fill(map[string]string{"f-message": "Je peux attendre à l'arrêt de bus."})
	tb.submit("#f-seats")
	if msg := flash(tb); msg != f.L.T("mob.booked_pending") {
		t.Fatalf("after booking the page says %q: %s", msg, tb.text("main"))
	}
	f.page(tb, "my trips (pending)")
}

func (f *mobilityFlow) accept(t *testing.T) {
	tb := f.driver
	tb.t = t
	tb.open("/t/" + slug + "/my/trips")
	h1(tb, f.L.T("mob.my_title"))
	f.page(tb, "my trips (driver, pending)")
	f.flow.c.screenshot(tb, "fr-mobility-my")
	tb.clickAndWait(`main form input[name="action"][value="accept"] ~ button`)
	if msg := flash(tb); msg != f.L.T("mob.done_accept") {
		t.Fatalf("after accepting the page says %q: %s", msg, tb.text("main"))
	}
}

func (f *mobilityFlow) lists(t *testing.T) {
	accepted := f.L.T("mob.status_accepted")
	for _, tb := range []*tab{f.driver, f.rider} {
		tb.t = t
		tb.open("/t/" + slug + "/my/trips")
		main := tb.text("main")
		if !strings.Contains(main, accepted) || !strings.Contains(main, "Échirolles") {
			t.Fatalf("%s's list lacks the accepted trip: %s", tb.name, main)
		}
		f.page(tb, "my trips ("+tb.name+", accepted)")
	}
	f.driver.open("/t/" + slug + "/my/trips")
	if !strings.Contains(f.driver.text("main #published ~ ul"), "Saint-Martin-le-Vinoux") {
		t.Fatalf("the driver's published trips: %s", f.driver.text("main"))
	}
	// Now the passenger sees the phone number.
	tb := f.rider
	tb.open(f.tripPath)
	if !strings.Contains(tb.text("main"), "06 12 34 56 78") {
		t.Fatalf("the accepted passenger does not see the phone: %s", tb.text("main"))
	}
	f.page(tb, "trip page (accepted passenger)")
	tb.open("/t/" + slug + "/trips/indicators")
	h1(tb, f.L.T("mob.indicators_title"))
	f.page(tb, "carpooling figures")
	f.flow.c.screenshot(tb, "fr-mobility-indicators")
	tb.open("/t/" + slug + "/destinations")
	h1(tb, f.L.T("mob.destinations_title"))
	f.page(tb, "destinations")
	f.flow.c.screenshot(tb, "fr-mobility-destinations")
}

// routeDrawn waits for the trip's route line on the page's map: an SVG
// path Leaflet draws with the trip-route class, longer than a dot.
func routeDrawn(tb *tab) {
	tb.t.Helper()
	tb.waitFor("the route line on the map", `(() => { const p = document.querySelector("#minimap path.trip-route");
		return !!p && p.getTotalLength() > 50; })()`)
}

// standing: the passenger books the commute every Tuesday and Thursday
// with the trip page's boxes; the driver accepts it once from "my trips".
func (f *mobilityFlow) standing(t *testing.T) {
	tb := f.rider
	tb.t = t
	tb.open(f.tripPath)
	tb.do("every week on Tuesdays and Thursdays", chromedp.Evaluate[chromedp.Void](`
		document.querySelector('input[name="standing"]').checked = true;
		document.querySelectorAll('input[name="standing_days"]').forEach(c => { c.checked = ["tue","thu"].includes(c.value); });`))
	tb.submit("#f-seats")
	if msg := flash(tb); msg != f.L.T("mob.standing_pending") {
		t.Fatalf("after booking every week the page says %q: %s", msg, tb.text("main"))
	}
	f.page(tb, "my trips (standing, pending)")
	tb = f.driver
	tb.t = t
	tb.open("/t/" + slug + "/my/trips")
	tb.clickAndWait(`main form[action*="/trip-standings/"] input[name="action"][value="accept"] ~ button`)
	if msg := flash(tb); !strings.HasPrefix(msg, f.L.T("mob.done_standing_accept")) {
		t.Fatalf("after accepting the weekly booking the page says %q: %s", msg, tb.text("main"))
	}
	f.page(tb, "my trips (driver, standing accepted)")
	if !strings.Contains(tb.text("main #standing ~ div"), f.L.T("mob.status_accepted")) {
		t.Fatalf("the weekly booking is not accepted: %s", tb.text("main"))
	}
}

// profile: the private declaration for women-only trips, saved by its form.
func (f *mobilityFlow) profile(t *testing.T) {
	tb := f.rider
	tb.t = t
	tb.open("/t/" + slug + "/my/trips#profile")
	tb.do("tick the declaration", chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="woman"]').checked = true;`))
	tb.submit(`input[name="woman"]`)
	if msg := flash(tb); msg != f.L.T("mob.profile_saved") {
		t.Fatalf("after saving the profile the page says %q", msg)
	}
	f.page(tb, "my trips (profile saved)")
}
