package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestExactPositionNotExported: the territory's open-data exports and
// another member's data export never hold a listing's exact position.
func TestExactPositionNotExported(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, _ := e.member("a@example.org", access.Member)
		b, tokB := e.member("b@example.org", access.Member)
		e.seeOther(a, "/t/test/listings/new", drillForm())
		for _, f := range []string{"geojson", "csv", "jsonld"} {
			resp := e.get(nil, "/api/v1/territories/test/export?format="+f)
			body := readBody(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("export %s: %d %s", f, resp.StatusCode, body)
			}
			noExact(t, "export "+f, body)
		}
		for name, resp := range map[string]*http.Response{
			"B's data export (page)": e.get(b, "/account/export"),
			"B's data export (API)":  e.do(nil, "GET", "/api/v1/me/export", tokB, nil),
		} {
			body := readBody(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", name, resp.StatusCode, body)
			}
			noExact(t, name, body)
		}
	})
}

// TestMemberExportHoldsOffersAndMessages: a member's own export carries
// their listings (with the exact position, theirs), the exchanges they
// took part in and the messages they wrote; the other side's export holds
// the exchange but not the owner's position or words.
func TestMemberExportHoldsOffersAndMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, tokA := e.member("a@example.org", access.Member)
		b, tokB := e.member("b@example.org", access.Member)
		resp := e.do(nil, "POST", "/api/v1/territories/test/listings", tokA, drillInput())
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(resp))
		}
		l := decode[listingOut](t, resp)
		resp = e.do(nil, "POST", fmt.Sprintf("/api/v1/listings/%d/exchanges", l.ID), tokB, map[string]any{"message": "Dispo samedi ?"})
		readBody(resp)
		bodyA := readBody(e.get(a, "/account/export"))
		for _, want := range []string{"Perceuse", drillLatStr, `"role": "owner"`} {
			if !strings.Contains(bodyA, want) {
				t.Fatalf("A's export lacks %q: %s", want, bodyA)
			}
		}
		bodyB := readBody(e.get(b, "/account/export"))
		if !strings.Contains(bodyB, `"role": "requester"`) || !strings.Contains(bodyB, "Dispo samedi ?") {
			t.Fatalf("B's export lacks the exchange: %s", bodyB)
		}
		noExact(t, "B's export", bodyB)
	})
}
