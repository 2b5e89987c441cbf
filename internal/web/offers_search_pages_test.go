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

// TestListingsPageSortAndPages: the search page sorts by distance or by
// date, and pages forwards and back, keeping the filters.
func TestListingsPageSortAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		a, _ := e.member("a@example.org", access.Member)
		// East of the search point, 1, 3 and 5 km away (public offsets are
		// under 500 m): created nearest first.
		for i, title := range []string{"Objet un", "Objet deux", "Objet trois"} {
			f := drillForm()
			f.Set("title", title)
			f.Set("lat", "45.16")
			f.Set("lon", fmt.Sprintf("%.5f", 5.68+float64(1+2*i)/78.6))
			e.seeOther(a, "/t/test/listings/new", f)
		}
		order := func(body string) []string {
			var out []string
			for _, part := range strings.Split(body, `<h3><a href="/t/test/listings/`)[1:] {
				title := part[strings.Index(part, ">")+1:]
				out = append(out, title[:strings.Index(title, "<")])
			}
			return out
		}
		for _, c := range []struct {
			query string
			want  string
			prev  bool
			next  bool
		}{
			{"lat=45.16&lon=5.68", "[Objet un Objet deux Objet trois]", false, false},
			{"lat=45.16&lon=5.68&sort=distance", "[Objet un Objet deux Objet trois]", false, false},
			{"lat=45.16&lon=5.68&sort=recent", "[Objet trois Objet deux Objet un]", false, false},
			{"", "[Objet trois Objet deux Objet un]", false, false},
			{"lat=45.16&lon=5.68&limit=1", "[Objet un]", false, true},
			{"lat=45.16&lon=5.68&limit=1&offset=1&mode=lend", "[Objet deux]", true, true},
			{"lat=45.16&lon=5.68&limit=1&offset=2", "[Objet trois]", true, false},
		} {
			resp := e.get(nil, "/t/test/listings?lang=en&"+c.query)
			body := readBody(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", c.query, resp.StatusCode, body)
			}
			if got := fmt.Sprint(order(body)); got != c.want {
				t.Errorf("%s: %s, want %s", c.query, got, c.want)
			}
			if strings.Contains(body, `rel="prev"`) != c.prev || strings.Contains(body, `rel="next"`) != c.next {
				t.Errorf("%s: prev %v next %v, want %v %v", c.query, strings.Contains(body, `rel="prev"`), strings.Contains(body, `rel="next"`), c.prev, c.next)
			}
			if c.prev && strings.Contains(c.query, "mode=lend") && !strings.Contains(body, "mode=lend&amp;offset=0") {
				t.Errorf("%s: the previous page loses the filters: %s", c.query, body)
			}
			// The results are on the map too: each card carries its public position.
			if strings.Count(body, `class="card" data-lat=`) != len(order(body)) {
				t.Errorf("%s: cards without a position for the map", c.query)
			}
		}
		resp := e.get(nil, "/t/test/listings?lang=en&sort=distance")
		if body := readBody(resp); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("sort by distance without a place: %d %s", resp.StatusCode, body)
		}
	})
}
