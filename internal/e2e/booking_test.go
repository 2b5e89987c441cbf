package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// bookingFlow is issue 4's journey: a library of things lends a drill with
// two copies; three members want the same weekend; the staff hand one out
// and take it back; a room of the town hall is booked with approval.
type bookingFlow struct {
	*flow
	admin, clerk, ta, tb, tc *tab
	emails                   map[string]string
	townHall                 *account.Organisation
	drillID, roomID          int64
	start, end               time.Time // the weekend, local
}

// TestE2EBooking is issue 4's end-to-end journey in Chromium, every page
// checked with axe-core.
func TestE2EBooking(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	br := startBrowser(t)
	srv := startServer(t)
	f := &bookingFlow{flow: &flow{t: t, c: c, srv: srv, b: br, run: contribution{lang: "fr"}, L: srv.i18n.Localizer("fr")},
		emails: map[string]string{"clerk": "claire@e2e.example.org", "a": "alice@e2e.example.org", "b": "bruno@e2e.example.org", "c": "chloe@e2e.example.org"}}
	ctx, system := context.Background(), access.SystemActor()
	for _, email := range f.emails {
		if _, err := srv.accounts.CreateUser(ctx, system, email, password, true); err != nil {
			t.Fatal(err)
		}
		if err := srv.accounts.Grant(ctx, system, srv.ter.ID, email, access.Member); err != nil {
			t.Fatal(err)
		}
	}
	// The library is the seeded association (its administrator is the
	// admin account); Claire staffs its desk.
	adminUser, err := srv.accounts.UserByEmail(ctx, adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	adminActor, err := srv.accounts.ActorFor(ctx, adminUser.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.accounts.AddOrgMember(ctx, adminActor, srv.ter.ID, srv.org.ID, f.emails["clerk"], account.OrgMember); err != nil {
		t.Fatal(err)
	}
	if f.townHall, err = srv.accounts.CreateOrganisation(ctx, adminActor, srv.ter.ID, account.Organisation{Name: "Mairie de Grenoble", Kind: "public_service"}); err != nil {
		t.Fatal(err)
	}
	// A shared car at a station, for the car-sharing page.
	car := &booking.Resource{OrganisationID: f.townHall.ID, Kind: booking.KindVehicle, Name: "Renault Zoé", Station: "Gare de Grenoble",
		Energy: "électrique", Capacity: 5, Quantity: 1, Position: &geo.Point{Lat: 45.1914, Lon: 5.7146}}
	if err := srv.booking.CreateResource(ctx, adminActor, srv.ter, car); err != nil {
		t.Fatal(err)
	}
	loc := srv.ter.Location()
	d := time.Now().In(loc).AddDate(0, 0, 1)
	for d.Weekday() != time.Saturday {
		d = d.AddDate(0, 0, 1)
	}
	f.start = time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, loc)
	f.end = f.start.AddDate(0, 0, 2)

	f.admin = f.login(t, "admin", adminEmail)
	f.clerk = f.login(t, "clerk", f.emails["clerk"])
	f.ta = f.login(t, "A", f.emails["a"])
	f.tb = f.login(t, "B", f.emails["b"])
	f.tc = f.login(t, "C", f.emails["c"])
	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"library_adds_a_drill_with_two_copies", f.addDrill},
		{"three_members_try_the_same_weekend", f.threeMembers},
		{"staff_check_one_out_and_in", f.checkOutAndIn},
		{"the_waiting_member_takes_the_freed_copy", f.waitingMemberAccepts},
		{"a_room_of_the_town_hall_is_booked_with_approval", f.roomWithApproval},
		{"a_club_books_the_room_every_week", f.weeklySeries},
		{"car_sharing_stations", f.stations},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.fn) {
			return
		}
	}
}

// setValue sets an input's value by id (datetime-local inputs take no keys portably).
func setValue(tb *tab, id, v string) {
	tb.t.Helper()
	tb.do("set #"+id, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = %q`, id, v)))
}

func (f *bookingFlow) inventory(orgID int64) string {
	return fmt.Sprintf("/t/%s/organisations/%d/inventory", slug, orgID)
}

// addResource fills the inventory form and returns the new resource's id.
func (f *bookingFlow) addResource(tb *tab, orgID int64, kind, name, quantity string, approval bool) int64 {
	tb.t.Helper()
	tb.open(f.inventory(orgID))
	f.page(tb, "inventory "+name)
	tb.do("choose the kind", chromedp.SetValue(chromedp.ID("f-kind"), kind))
	tb.fill(map[string]string{"f-name": name, "f-description": "Prêt aux membres du quartier.", "f-quantity": quantity})
	if approval {
		tb.click("#f-approval")
	}
	tb.submit("#f-name")
	if msg := flash(tb); msg != f.L.T("book.resource_added") {
		tb.t.Fatalf("after adding %s the page says %q: %s", name, msg, tb.text("main"))
	}
	href := eval[string](tb, fmt.Sprintf(`[...document.querySelectorAll("main table a")].find(a => a.innerText.trim() === %q)?.getAttribute("href") || ""`, name))
	m := regexp.MustCompile(`/resources/(\d+)$`).FindStringSubmatch(href)
	if m == nil {
		tb.t.Fatalf("%s is not in the inventory: %s", name, tb.text("main"))
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func (f *bookingFlow) addDrill(t *testing.T) {
	f.admin.t = t
	f.drillID = f.addResource(f.admin, f.srv.org.ID, "item", "Perceuse", "2", false)
	f.flow.c.screenshot(f.admin, "fr-booking-inventory")
}

func (f *bookingFlow) resourcePath(id int64) string {
	return fmt.Sprintf("/t/%s/resources/%d", slug, id)
}

// book fills the booking form on a resource's page.
func (f *bookingFlow) book(tb *tab, id int64, start, end time.Time) {
	tb.t.Helper()
	tb.open(f.resourcePath(id))
	setValue(tb, "f-start", start.Format("2006-01-02T15:04"))
	setValue(tb, "f-end", end.Format("2006-01-02T15:04"))
	tb.submit("#f-start")
}

func (f *bookingFlow) threeMembers(t *testing.T) {
	for _, tb := range []*tab{f.ta, f.tb} {
		tb.t = t
		tb.open(f.resourcePath(f.drillID))
		h1(tb, "Perceuse")
		f.page(tb, "resource page")
		f.book(tb, f.drillID, f.start, f.end)
		if msg := flash(tb); msg != f.L.T("book.booked") {
			t.Fatalf("%s: after booking the page says %q: %s", tb.name, msg, tb.text("main"))
		}
		f.page(tb, "my reservations")
	}
	tb := f.tc
	tb.t = t
	f.book(tb, f.drillID, f.start, f.end)
	if errText := tb.text("#form-errors"); !strings.Contains(errText, f.L.T("err.booking.unavailable")) {
		t.Fatalf("the third member is not refused: %q", errText)
	}
	f.page(tb, "resource page, slot taken")
	f.flow.c.screenshot(tb, "fr-booking-refused")
	tb.clickAndWait(`#form-errors button[type="submit"]`)
	if msg := flash(tb); msg != f.L.T("book.waiting") {
		t.Fatalf("joining the waiting list: %q", msg)
	}
	if !strings.Contains(tb.text("main ul.waits"), f.L.T("book.wait_waiting")) {
		t.Fatalf("C's page does not show the wait: %s", tb.text("main"))
	}
	f.page(tb, "my reservations (waiting)")
}

func (f *bookingFlow) desk(orgID int64) string {
	return fmt.Sprintf("/t/%s/organisations/%d/desk", slug, orgID)
}

func (f *bookingFlow) checkOutAndIn(t *testing.T) {
	tb := f.clerk
	tb.t = t
	tb.open(f.desk(f.srv.org.ID))
	f.page(tb, "desk")
	f.flow.c.screenshot(tb, "fr-booking-desk")
	rows := eval[float64](tb, `document.querySelectorAll('main form input[name="action"][value="check-out"]').length`)
	if rows != 2 {
		t.Fatalf("the desk offers %v check-outs, want 2: %s", rows, tb.text("main"))
	}
	tb.clickAndWait(`main form:has(input[name="action"][value="check-out"]) button`)
	if msg := flash(tb); msg != f.L.T("book.done_check_out") {
		t.Fatalf("check-out: %q: %s", msg, tb.text("main"))
	}
	if !strings.Contains(tb.text("main"), f.L.T("book.desk_out")) {
		t.Fatal("no loans out")
	}
	tb.fill(map[string]string{eval[string](tb, `document.querySelector('main input[name="condition"]').id`): "Rendue propre, mèches au complet"})
	tb.submit(`main input[name="condition"]`)
	if msg := flash(tb); msg != f.L.T("book.done_check_in") {
		t.Fatalf("check-in: %q: %s", msg, tb.text("main"))
	}
	f.page(tb, "desk after check-in")
}

func (f *bookingFlow) waitingMemberAccepts(t *testing.T) {
	tb := f.tc
	tb.t = t
	tb.open("/t/" + slug + "/reservations")
	if !strings.Contains(tb.text("main table"), f.L.T("book.status_offered")) {
		t.Fatalf("the freed copy is not offered to C: %s", tb.text("main"))
	}
	f.page(tb, "my reservations (offer)")
	f.flow.c.screenshot(tb, "fr-booking-offer")
	tb.clickAndWait(`main form:has(input[name="action"][value="accept"]) button`)
	if msg := flash(tb); msg != f.L.T("book.done_accept") {
		t.Fatalf("accept: %q", msg)
	}
	if !strings.Contains(tb.text("main table"), f.L.T("book.status_confirmed")) {
		t.Fatalf("C's reservation is not confirmed: %s", tb.text("main"))
	}
}

func (f *bookingFlow) roomWithApproval(t *testing.T) {
	f.admin.t = t
	f.roomID = f.addResource(f.admin, f.townHall.ID, "room", "Salle Hébert", "1", true)
	tb := f.ta
	tb.t = t
	start := f.start.Add(4 * time.Hour)
	f.book(tb, f.roomID, start, start.Add(4*time.Hour))
	if msg := flash(tb); msg != f.L.T("book.booked") {
		t.Fatalf("room booking: %q: %s", msg, tb.text("main"))
	}
	if !strings.Contains(tb.text("main table"), f.L.T("book.status_pending")) {
		t.Fatalf("the room reservation is not pending: %s", tb.text("main"))
	}
	adm := f.admin
	adm.open(f.desk(f.townHall.ID))
	if !strings.Contains(adm.text("main"), f.L.T("book.desk_pending")) || !strings.Contains(adm.text("main"), "Salle Hébert") {
		t.Fatalf("the town hall's desk: %s", adm.text("main"))
	}
	f.page(adm, "town hall desk")
	adm.clickAndWait(`main form:has(input[name="action"][value="approve"]) button`)
	if msg := flash(adm); msg != f.L.T("book.done_approve") {
		t.Fatalf("approve: %q", msg)
	}
	tb.open("/t/" + slug + "/reservations")
	row := eval[string](tb, `[...document.querySelectorAll("main table tr")].find(r => r.innerText.includes("Salle Hébert"))?.innerText || ""`)
	if !strings.Contains(row, f.L.T("book.status_confirmed")) {
		t.Fatalf("the room is not confirmed for A: %q", row)
	}
	f.page(tb, "my reservations (room)")
	f.flow.c.screenshot(tb, "fr-booking-mine")
}

// weeklySeries: B books the room every Saturday evening for three weeks
// from the form; the page lists the three sessions.
func (f *bookingFlow) weeklySeries(t *testing.T) {
	tb := f.tb
	tb.t = t
	start := f.start.AddDate(0, 0, 7).Add(8 * time.Hour)
	tb.open(f.resourcePath(f.roomID))
	setValue(tb, "f-start", start.Format("2006-01-02T15:04"))
	setValue(tb, "f-end", start.Add(2*time.Hour).Format("2006-01-02T15:04"))
	tb.click("#f-repeat")
	tb.fill(map[string]string{"f-weeks": "3"})
	tb.submit("#f-start")
	result := tb.text("#series-result")
	if !strings.Contains(result, f.L.T("book.series_result", "Booked", 3, "Refused", 0)) ||
		strings.Count(result, f.L.T("book.series_booked")) != 3 {
		t.Fatalf("the series result: %q", result)
	}
	f.page(tb, "resource page, weekly series")
	f.flow.c.screenshot(tb, "fr-booking-series")
}

func (f *bookingFlow) stations(t *testing.T) {
	tb := f.ta
	tb.t = t
	tb.open("/t/" + slug + "/resources")
	f.page(tb, "resources")
	tb.clickAndWait(`main a[href="/t/` + slug + `/stations"]`)
	h1(tb, f.L.T("book.stations_title"))
	tb.waitFor("the station on the map", `!!document.querySelector("#minimap .leaflet-marker-icon")`)
	f.page(tb, "stations")
	f.flow.c.screenshot(tb, "fr-booking-stations")
}
