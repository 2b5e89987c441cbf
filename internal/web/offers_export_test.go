package web

import (
	"net/http"
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
