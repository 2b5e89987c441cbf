package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestMobilityAPIContract: the interfaces scripts rely on (issue 6).
func TestMobilityAPIContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		_, driver := e.member("driver@example.org", access.Member)
		_, rider := e.member("rider@example.org", access.Member)
		dep := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
		from := map[string]any{"lat": 45.188, "lon": 5.724}
		to := map[string]any{"lat": 45.165, "lon": 5.745}
		base := "/api/v1/territories/test/trips"

		for name, tc := range map[string]struct {
			body map[string]any
			want string
		}{
			"same place": {map[string]any{"from": from, "to": from, "departure": dep.Format(time.RFC3339), "seats": 3}, "same as the origin"},
			"past":       {map[string]any{"from": from, "to": to, "departure": time.Now().Add(-time.Hour).Format(time.RFC3339), "seats": 3}, "in the past"},
			"zero seats": {map[string]any{"from": from, "to": to, "departure": dep.Format(time.RFC3339), "seats": 0}, "Between 1 and"},
			"outside":    {map[string]any{"from": map[string]any{"lat": 48.85, "lon": 2.35}, "to": to, "departure": dep.Format(time.RFC3339), "seats": 3}, "outside the territory"},
		} {
			resp := e.do(nil, "POST", base, driver, tc.body, "Accept-Language", "en")
			if body := readBody(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d %s", name, resp.StatusCode, body)
			}
		}
		resp := e.do(nil, "POST", base, driver, map[string]any{"from": from, "to": to, "departure": dep.Format(time.RFC3339), "seats": 2,
			"auto_accept": true, "phone": "0601020304"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("publish: %d %s", resp.StatusCode, readBody(resp))
		}
		trip := decode[struct {
			ID int64 `json:"id"`
		}](t, resp)
		if trip.ID == 0 {
			t.Fatal("no id")
		}

		// Search from 1 km off the route, near the middle.
		q := fmt.Sprintf("%s?from=%s&to=%s&at=%s", base, "45.1765,5.7470", "45.1660,5.7440", strings.ReplaceAll(dep.Add(10*time.Minute).Format(time.RFC3339), "+", "%2B"))
		resp = e.get(nil, q)
		body := readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`"id":%d`, trip.ID)) || strings.Contains(body, "0601020304") {
			t.Fatalf("search: %d %s", resp.StatusCode, body)
		}
		if resp := e.get(nil, base+"?from=45.1765,5.7470&to=1,2"); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("search outside: %d", resp.StatusCode)
		}

		book := fmt.Sprintf("/api/v1/trips/%d/bookings", trip.ID)
		if resp := e.do(nil, "POST", book, driver, map[string]any{"seats": 1}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("driver books own trip: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := e.do(nil, "POST", book, rider, map[string]any{"seats": 0}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("zero seats: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := e.do(nil, "POST", book, rider, map[string]any{"seats": 3}, "Accept-Language", "en"); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("3 of 2 seats: %d %s", resp.StatusCode, readBody(resp))
		}
		resp = e.do(nil, "POST", book, rider, map[string]any{"seats": 1})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("book: %d %s", resp.StatusCode, readBody(resp))
		}
		booking := decode[struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}](t, resp)
		if booking.Status != "accepted" {
			t.Fatalf("booked: %+v", booking)
		}
		// A booking read alone offers what my trips offer: either side may
		// cancel before the departure.
		bookingURL := fmt.Sprintf("/api/v1/trip-bookings/%d", booking.ID)
		for _, who := range []string{rider, driver} {
			resp = e.do(nil, "GET", bookingURL, who, nil)
			if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"actions":["cancel"]`) {
				t.Fatalf("booking read alone: %d %s", resp.StatusCode, body)
			}
		}
		// The accepted passenger now sees the phone.
		resp = e.do(nil, "GET", fmt.Sprintf("/api/v1/trips/%d", trip.ID), rider, nil)
		if body := readBody(resp); !strings.Contains(body, "0601020304") {
			t.Fatalf("accepted passenger: %s", body)
		}
		// Three more want the last seat: one gets it, two get 409 with a reason.
		var wg sync.WaitGroup
		codes := make([]int, 3)
		bodies := make([]string, 3)
		for i := range codes {
			_, tok := e.member(fmt.Sprintf("p%d@example.org", i), access.Member)
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := e.do(nil, "POST", book, tok, map[string]any{"seats": 1}, "Accept-Language", "fr")
				codes[i], bodies[i] = resp.StatusCode, readBody(resp)
			}()
		}
		wg.Wait()
		won := 0
		for i, c := range codes {
			switch {
			case c == http.StatusCreated:
				won++
			case c != http.StatusConflict || !strings.Contains(bodies[i], "plus assez de places"):
				t.Fatalf("last seat: %d %s", c, bodies[i])
			}
		}
		if won != 1 {
			t.Fatalf("%d won the last seat", won)
		}
		resp = e.do(nil, "GET", "/api/v1/territories/test/my/trips", rider, nil)
		if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"as_passenger":[{`) {
			t.Fatalf("my trips: %d %s", resp.StatusCode, body)
		}
		resp = e.do(nil, "GET", "/api/v1/territories/test/my/trips", driver, nil)
		if body := readBody(resp); !strings.Contains(body, `"as_driver":[{`) || !strings.Contains(body, "0601020304") {
			t.Fatalf("driver's trips: %s", body)
		}
		resp = e.do(nil, "GET", "/api/v1/me/export", driver, nil)
		if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"mobility": {`) || !strings.Contains(body, "0601020304") {
			t.Fatalf("driver's export: %d %s", resp.StatusCode, body)
		}
		// The answer to an action says what is left to do: nothing.
		resp = e.do(nil, "POST", bookingURL+"/cancel", rider, map[string]any{"reason": "malade"})
		if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"cancelled"`) || strings.Contains(body, `"actions"`) {
			t.Fatalf("cancel: %d %s", resp.StatusCode, body)
		}
	})
}
