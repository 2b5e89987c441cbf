package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
)

// TestBookingPages walks the pages without JavaScript: an organisation adds
// a drill with the form, members book it, the third joins the waiting list,
// the staff check it out and in; pages render in French and English.
func TestBookingPages(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	lib, _ := e.member("lib@example.org", access.Member)
	a, _ := e.member("a@example.org", access.Member)
	b, _ := e.member("b@example.org", access.Member)
	c, _ := e.member("c@example.org", access.Member)
	u, _ := e.accounts.UserByEmail(ctx, "lib@example.org")
	org, err := e.accounts.CreateOrganisation(ctx, access.Actor{UserID: u.ID, Roles: map[int64]access.Role{e.ter.ID: access.Member}},
		e.ter.ID, account.Organisation{Name: "Outilthèque", Kind: "association"})
	if err != nil {
		t.Fatal(err)
	}
	inv := fmt.Sprintf("/t/test/organisations/%d/inventory", org.ID)
	if resp := e.form(a, inv, url.Values{"kind": {"item"}, "name": {"Perceuse"}, "quantity": {"2"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("member adds: %d", resp.StatusCode)
	}
	resp := e.form(lib, inv, url.Values{"kind": {"item"}, "name": {""}, "quantity": {"2"}, "hours_mon": {"9h"}})
	body := readBody(resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="form-errors"`) {
		t.Fatalf("bad form: %d", resp.StatusCode)
	}
	resp = e.form(lib, inv, url.Values{"kind": {"item"}, "name": {"Perceuse"}, "quantity": {"2"}, "who": {"members"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %s", resp.StatusCode, readBody(resp))
	}
	list, err := e.booking.Resources(ctx, access.Actor{}, e.ter, booking.ResourceFilter{OrganisationID: org.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("resources: %v %v", list, err)
	}
	drill := list[0]
	page := fmt.Sprintf("/t/test/resources/%d", drill.ID)

	loc := e.ter.Location()
	sat := nextSaturday(time.Now(), 10)
	slot := url.Values{"start": {sat.In(loc).Format(localLayout)}, "end": {sat.AddDate(0, 0, 2).In(loc).Format(localLayout)}, "quantity": {"1"}}
	for _, m := range []*http.Client{a, b} {
		if resp := e.form(m, page+"/book", slot); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("book: %d %s", resp.StatusCode, readBody(resp))
		}
	}
	resp = e.form(c, page+"/book", slot)
	body = readBody(resp)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "plus disponible") || !strings.Contains(body, "/wait") {
		t.Fatalf("third: %d %s", resp.StatusCode, body)
	}
	if resp := e.form(c, page+"/wait", slot); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("wait: %d", resp.StatusCode)
	}
	body = readBody(e.get(c, "/t/test/reservations"))
	if !strings.Contains(body, "En attente") || !strings.Contains(body, "/reservations.ics") {
		t.Fatalf("my page: %s", body)
	}
	// The staff desk lists the two; check one out and in.
	desk := fmt.Sprintf("/t/test/organisations/%d/desk", org.ID)
	if resp := e.get(a, desk); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("member on the desk: %d", resp.StatusCode)
	}
	body = readBody(e.get(lib, desk))
	if !strings.Contains(body, "a@example.org") {
		t.Fatalf("desk: %s", body)
	}
	mine, err := e.booking.MyReservations(ctx, actorOf(t, e, "a@example.org"), e.ter)
	if err != nil || len(mine.Reservations) != 1 {
		t.Fatal(err)
	}
	rid := mine.Reservations[0].ID
	action := fmt.Sprintf("/t/test/reservations/%d/action", rid)
	// Check-out only once the loan is near: the desk shows confirmed ones from any date.
	if resp := e.form(lib, action, url.Values{"action": {"check-out"}, "next": {desk}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("check out: %d %s", resp.StatusCode, readBody(resp))
	}
	if resp := e.form(lib, action, url.Values{"action": {"check-in"}, "condition": {"Bon état"}, "next": {desk}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("check in: %d %s", resp.StatusCode, readBody(resp))
	}
	got, _ := e.booking.Get(ctx, actorOf(t, e, "a@example.org"), e.ter, rid)
	if got.Status != booking.StatusReturned || got.ConditionNote != "Bon état" {
		t.Fatalf("after check-in: %+v", got)
	}
	// The early return freed a copy: c is offered it.
	body = readBody(e.get(c, "/t/test/reservations"))
	if !strings.Contains(body, "Proposée") {
		t.Fatalf("c not offered: %s", body)
	}

	for _, lang := range []string{"fr", "en"} {
		for _, path := range []string{"/t/test/resources", page, "/t/test/stations", inv, desk, "/t/test/reservations",
			fmt.Sprintf("/t/test/organisations/%d", org.ID)} {
			resp := e.get(lib, path, "Accept-Language", lang)
			body := readBody(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %s", lang, path, resp.StatusCode, body)
			}
			if strings.Contains(body, "book.") {
				i := strings.Index(body, "book.")
				t.Errorf("%s %s: untranslated key near %q", lang, path, body[i:min(len(body), i+40)])
			}
		}
	}
	resp = e.get(nil, page+"/calendar.ics")
	body = readBody(resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(body, "BEGIN:VEVENT") || strings.Contains(body, "a@example.org") {
		t.Fatalf("resource feed: %d %s", resp.StatusCode, body)
	}
	if resp := e.get(nil, "/t/test/feeds/not-a-real-token-at-all-xxxx/reservations.ics"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("bad feed token: %d", resp.StatusCode)
	}
}

func actorOf(t *testing.T, e *testEnv, email string) access.Actor {
	t.Helper()
	u, err := e.accounts.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return access.Actor{UserID: u.ID, Email: email, Verified: true, Roles: map[int64]access.Role{e.ter.ID: access.Member}}
}
