package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// The exact position of the test drill: its digits must never reach
// another member, in any answer.
const (
	drillLat, drillLon       = 45.187654, 5.724321
	drillLatStr, drillLonStr = "45.187654", "5.724321"
)

func drillInput() map[string]any {
	return map[string]any{"mode": "lend", "title": "Perceuse <b>Bosch</b>", "description": "Avec mèches",
		"category": "goods_tools", "lat": drillLat, "lon": drillLon}
}

type listingOut struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Lat       float64    `json:"lat"`
	Lon       float64    `json:"lon"`
	Exact     *pointJSON `json:"exact"`
	DistanceM *float64   `json:"distance_m"`
}

func noExact(t *testing.T, what, body string) {
	t.Helper()
	if strings.Contains(body, drillLatStr) || strings.Contains(body, drillLonStr) {
		t.Errorf("%s shows the exact position: %s", what, body)
	}
}

func TestListingsAPIContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		_, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		_, tokC := e.member("c@example.org", "")
		base := "/api/v1/territories/test/listings"

		resp := e.do(nil, "POST", base, tokA, drillInput())
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(resp))
		}
		l := decode[listingOut](t, resp)
		if l.ID == 0 || l.Lat == 0 || l.Lon == 0 {
			t.Fatalf("create answer: %+v", l)
		}
		if l.Lat == drillLat && l.Lon == drillLon {
			t.Error("public position is the exact one")
		}
		if l.Exact == nil || l.Exact.Lat != drillLat {
			t.Errorf("owner should see the exact position under exact: %+v", l.Exact)
		}
		if l.Title != "Perceuse <b>Bosch</b>" {
			t.Errorf("HTML is kept as text: %q", l.Title)
		}

		// Another member: search, read; never the exact position.
		resp = e.do(nil, "GET", base+"?near=45.19,5.72&radius=3000&q=perceuse&mode=lend", tokB, nil)
		body := readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"more":false`) || !strings.Contains(body, `"distance_m"`) {
			t.Fatalf("search: %d %s", resp.StatusCode, body)
		}
		noExact(t, "search", body)
		if !strings.Contains(body, fmt.Sprintf(`"id":%d`, l.ID)) {
			t.Errorf("search misses the listing: %s", body)
		}
		id := fmt.Sprint(l.ID)
		for _, tok := range []string{tokB, tokC, ""} {
			resp = e.do(nil, "GET", base+"/"+id, tok, nil)
			body = readBody(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("get: %d %s", resp.StatusCode, body)
			}
			noExact(t, "get", body)
		}

		bad := []struct {
			name   string
			tok    string
			change func(m map[string]any)
			status int
		}{
			{"anonymous", "", func(map[string]any) {}, http.StatusUnauthorized},
			{"not a member", tokC, func(map[string]any) {}, http.StatusForbidden},
			{"negative price", tokA, func(m map[string]any) { m["mode"] = "rent"; m["price_cents"] = -5 }, http.StatusBadRequest},
			{"past expiry", tokA, func(m map[string]any) { m["expires_at"] = time.Now().Add(-time.Hour) }, http.StatusBadRequest},
			{"bad mode", tokA, func(m map[string]any) { m["mode"] = "steal" }, http.StatusBadRequest},
			{"outside", tokA, func(m map[string]any) { m["lat"] = 48.85 }, http.StatusBadRequest},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				in := drillInput()
				c.change(in)
				resp := e.do(nil, "POST", base, c.tok, in, "Accept-Language", "en")
				body := readBody(resp)
				if resp.StatusCode != c.status || !strings.Contains(body, `"message"`) {
					t.Errorf("status %d, want %d: %s", resp.StatusCode, c.status, body)
				}
			})
		}
		// Someone else's listing cannot be changed nor closed.
		for _, p := range []struct{ method, path string }{{"PATCH", base + "/" + id}, {"POST", base + "/" + id + "/close"}} {
			resp = e.do(nil, p.method, p.path, tokB, map[string]any{"title": "mine"})
			if body := readBody(resp); resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("%s %s by another: %d %s", p.method, p.path, resp.StatusCode, body)
			}
		}

		// Messages, then an exchange through the contract route.
		resp = e.do(nil, "POST", base+"/"+id+"/messages", tokB, map[string]any{"body": "Bonjour, dispo samedi ?"})
		if body := readBody(resp); resp.StatusCode != http.StatusCreated {
			t.Fatalf("message: %d %s", resp.StatusCode, body)
		}
		resp = e.do(nil, "GET", "/api/v1/territories/test/conversations", tokA, nil)
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"unread":1`) {
			t.Errorf("inbox: %d %s", resp.StatusCode, body)
		}
		noExact(t, "inbox", body)

		resp = e.do(nil, "POST", "/api/v1/listings/"+id+"/exchanges", tokB, map[string]any{"message": "Je la prends"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("propose: %d %s", resp.StatusCode, readBody(resp))
		}
		ex := decode[struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}](t, resp)
		if ex.Status != "proposed" {
			t.Errorf("proposed: %+v", ex)
		}
		resp = e.do(nil, "POST", "/api/v1/listings/"+id+"/exchanges", tokA, map[string]any{"message": "x"})
		if body := readBody(resp); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("owner proposing: %d %s", resp.StatusCode, body)
		}
		resp = e.do(nil, "POST", "/api/v1/listings/999999/exchanges", tokB, map[string]any{})
		if body := readBody(resp); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown listing: %d %s", resp.StatusCode, body)
		}

		exBase := fmt.Sprintf("/api/v1/territories/test/exchanges/%d", ex.ID)
		steps := []struct {
			tok, path string
			body      any
			status    int
		}{
			{tokB, "/accept", nil, http.StatusForbidden},
			{tokA, "/accept", nil, http.StatusOK},
			{tokA, "/done", nil, http.StatusOK},
			{tokB, "/done", nil, http.StatusOK},
			{tokB, "/reviews", map[string]any{"rating": 5, "comment": "Super"}, http.StatusCreated},
			{tokB, "/reviews", map[string]any{"rating": 5}, http.StatusConflict},
			{tokA, "/reviews", map[string]any{"rating": 9}, http.StatusBadRequest},
		}
		for _, st := range steps {
			resp := e.do(nil, "POST", exBase+st.path, st.tok, st.body)
			body := readBody(resp)
			if resp.StatusCode != st.status {
				t.Errorf("%s: %d, want %d: %s", st.path, resp.StatusCode, st.status, body)
			}
			noExact(t, st.path, body)
		}
	})
}
