package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/geocode"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// publishAddresses puts initiatives with addresses in the test territory's
// directory: the addresses the offline geocoder knows.
func (e *testEnv) publishAddresses() {
	e.t.Helper()
	items := []directory.ImportItem{
		{Row: 1, Initiative: directory.Initiative{Name: "Repair Café Grenette", Categories: []string{"waste_repair"}, Kind: directory.KindAssociation,
			Address: "5 place Grenette, 38000 Grenoble", Position: geo.Point{Lat: 45.1904, Lon: 5.7270}}},
		{Row: 2, Initiative: directory.Initiative{Name: "Outilthèque Lakanal", Categories: []string{"goods_tools"}, Kind: directory.KindAssociation,
			Address: "12 rue Lakanal, 38000 Grenoble", Position: geo.Point{Lat: 45.1850, Lon: 5.7200}}},
		{Row: 3, Initiative: directory.Initiative{Name: "Jardin partagé", Categories: []string{"food"}, Kind: directory.KindCollective,
			Address: "12 rue Lakanal, 38100 Grenoble", Position: geo.Point{Lat: 45.1700, Lon: 5.7300}}},
	}
	if _, err := e.directory.Import(context.Background(), access.SystemActor(), e.ter, items, false); err != nil {
		e.t.Fatal(err)
	}
}

type addressAnswer struct {
	Items []listingOut `json:"items"`
	Place *placeJSON   `json:"place"`
	Cands []placeJSON  `json:"candidates"`
}

func (e *testEnv) addressSearch(q string) (int, addressAnswer, string) {
	e.t.Helper()
	resp := e.get(nil, "/api/v1/territories/test/listings?"+q)
	body := readBody(resp)
	var out addressAnswer
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			e.t.Fatalf("%s: %v", body, err)
		}
	}
	return resp.StatusCode, out, body
}

// TestSearchByAddress: without a geocoder, the territory's own addresses
// answer; one place searches around it, several ask which.
func TestSearchByAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, _ := e.member("a@example.org", access.Member)
		e.seeOther(a, "/t/test/listings/new", drillForm())
		e.publishAddresses()

		status, out, body := e.addressSearch("address=" + url.QueryEscape("place Grenette"))
		if status != http.StatusOK || out.Place == nil || out.Place.Label != "5 place Grenette, 38000 Grenoble" ||
			len(out.Items) != 1 || out.Items[0].Title != "Perceuse" || out.Items[0].DistanceM == nil {
			t.Fatalf("by address: %d %s", status, body)
		}
		noExact(t, "search by address", body)

		// Two places fit as well: the API lists them and searches nothing.
		status, out, body = e.addressSearch("address=" + url.QueryEscape("12 rue Lakanal"))
		if status != http.StatusOK || out.Place != nil || len(out.Cands) != 2 || len(out.Items) != 0 {
			t.Fatalf("ambiguous: %d %s", status, body)
		}
		// The postcode settles it.
		status, out, body = e.addressSearch("address=" + url.QueryEscape("12 rue Lakanal 38100"))
		if status != http.StatusOK || out.Place == nil || out.Place.Label != "12 rue Lakanal, 38100 Grenoble" {
			t.Fatalf("with the postcode: %d %s", status, body)
		}

		for _, bad := range []string{"address=nowhere+street", "address=ab", "address=place+grenette&near=45.19,5.72"} {
			if status, _, body := e.addressSearch(bad); status != http.StatusBadRequest || !strings.Contains(body, `"address"`) {
				t.Errorf("%s: %d %s", bad, status, body)
			}
		}

		// The page: an address field, the place searched around, the choices.
		for _, c := range []struct{ lang, place, choose string }{
			{"fr", "Autour de : 5 place Grenette", "Plusieurs lieux correspondent"},
			{"en", "Around: 5 place Grenette", "Several places match"},
		} {
			resp := e.get(nil, "/t/test/listings?lang="+c.lang+"&address="+url.QueryEscape("place grenette"))
			body := readBody(resp)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="address"`) || !strings.Contains(body, c.place) ||
				!strings.Contains(body, "Perceuse") {
				t.Errorf("page by address (%s): %d %s", c.lang, resp.StatusCode, body)
			}
			noExact(t, "page by address", body)
			resp = e.get(nil, "/t/test/listings?lang="+c.lang+"&mode=lend&address="+url.QueryEscape("12 rue lakanal"))
			body = readBody(resp)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, c.choose) || strings.Contains(body, "Perceuse") ||
				strings.Count(body, "place=12&#43;rue&#43;Lakanal") != 2 || !strings.Contains(body, "mode=lend") {
				t.Errorf("page with choices (%s): %d %s", c.lang, resp.StatusCode, body)
			}
		}
		// A choice is a search around that place, which it names.
		resp := e.get(nil, "/t/test/listings?lang=en&lat=45.185&lon=5.72&place="+url.QueryEscape("12 rue Lakanal, 38000 Grenoble"))
		if body := readBody(resp); !strings.Contains(body, "Around: 12 rue Lakanal, 38000 Grenoble") || !strings.Contains(body, "Perceuse") {
			t.Errorf("chosen place: %s", body)
		}
		resp = e.get(nil, "/t/test/listings?lang=en&address=nowhere+street")
		if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "No place in the territory matches") {
			t.Errorf("unknown address on the page: %d %s", resp.StatusCode, body)
		}
	})
}

// TestSearchByAddressGeocoder: a deployment's BAN/addok geocoder answers
// first; when it is down, the territory's own addresses do.
func TestSearchByAddressGeocoder(t *testing.T) {
	e := newTestEnv(t, nil)
	a, _ := e.member("a@example.org", access.Member)
	e.seeOther(a, "/t/test/listings/new", drillForm())
	e.publishAddresses()
	var asked []string
	ban := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path+"?"+r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"type":"FeatureCollection","features":[
			{"type":"Feature","geometry":{"type":"Point","coordinates":[5.7245,45.1890]},"properties":{"label":"1 Rue Félix Poulat 38000 Grenoble","score":0.96}},
			{"type":"Feature","geometry":{"type":"Point","coordinates":[2.3488,48.8534]},"properties":{"label":"1 Rue Félix Poulat 75004 Paris","score":0.95}}]}`))
	}))
	addok, err := geocode.NewAddok(ban.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Geocoder = geocode.Fallback{First: addok, Then: geocode.NewBook(e.directory), Log: slog.New(slog.DiscardHandler)}

	status, out, body := e.addressSearch("address=" + url.QueryEscape("1 rue Félix Poulat"))
	if status != http.StatusOK || out.Place == nil || out.Place.Label != "1 Rue Félix Poulat 38000 Grenoble" || len(out.Items) != 1 {
		t.Fatalf("through the geocoder: %d %s", status, body)
	}
	if len(asked) != 1 || !strings.HasPrefix(asked[0], "/search/?") || !strings.Contains(asked[0], "q=1+rue+F%C3%A9lix+Poulat") {
		t.Errorf("geocoder asked %v", asked)
	}
	ban.Close()
	status, out, body = e.addressSearch("address=" + url.QueryEscape("place grenette"))
	if status != http.StatusOK || out.Place == nil || out.Place.Label != "5 place Grenette, 38000 Grenoble" {
		t.Fatalf("geocoder down, the directory's addresses: %d %s", status, body)
	}
}
