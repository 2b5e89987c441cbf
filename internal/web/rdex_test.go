package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestRDEXJourneys: a partner platform signs a search the way RDEX
// defines it and finds a weekly commute passing near its two points, with a
// deep link to the trip's page and no personal data; a bad signature gets
// RDEX's error.
func TestRDEXJourneys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newTestEnv(t, db)
		e.srv.cfg.BaseURL = e.ts.URL // the deep links' address
		client, err := e.srv.RDEX.(*rdex.Service).Add(ctx, access.SystemActor(), e.ter.ID, "Partner")
		if err != nil {
			t.Fatal(err)
		}
		_, driver := e.member("camille.driver@example.org", access.Member)
		u, err := e.accounts.UserByEmail(ctx, "camille.driver@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.accounts.UpdateProfile(ctx, e.memberActor(u.ID), "Camille Martin", "fr"); err != nil {
			t.Fatal(err)
		}
		loc := e.ter.Location()
		tomorrow := time.Now().In(loc).AddDate(0, 0, 1)
		resp := e.do(nil, "POST", "/api/v1/territories/test/trips", driver, map[string]any{
			"from": map[string]any{"lat": 45.1883, "lon": 5.7243, "label": "12 rue Félix Poulat, 38000 Grenoble"},
			"to":   map[string]any{"lat": 45.165, "lon": 5.745}, "seats": 3, "phone": "0601020304",
			"weekly":       map[string]any{"days": []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "time": "07:40", "return": "17:30", "from": tomorrow.Format(time.DateOnly)},
			"contribution": map[string]any{"kind": "cash", "amount": 250},
		})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("publish: %d %s", resp.StatusCode, readBody(resp))
		}
		trip := decode[struct {
			ID int64 `json:"id"`
		}](t, resp)

		// From 1 km off the route, near its middle, to near its end.
		search := "&p%5Bdriver%5D%5Bstate%5D=1&p%5Bpassenger%5D%5Bstate%5D=0" +
			"&p%5Bfrom%5D%5Blatitude%5D=45.1765&p%5Bfrom%5D%5Blongitude%5D=5.7470" +
			"&p%5Bto%5D%5Blatitude%5D=45.1660&p%5Bto%5D%5Blongitude%5D=5.7440&p%5Bfrequency%5D=regular" +
			"&p%5Boutward%5D%5Bmindate%5D=" + tomorrow.Format(time.DateOnly) +
			"&p%5Boutward%5D%5Bmintime%5D=07:00:00&p%5Boutward%5D%5Bmaxtime%5D=09:00:00"
		signed := func(key string) string {
			u := e.ts.URL + "/rdex/journeys?timestamp=" + strconv.FormatInt(time.Now().Unix(), 10) + "&apikey=" + client.APIKey + search
			return u + "&signature=" + rdex.Sign(u, key)
		}
		resp, err = http.Get(signed(client.PrivateKey))
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("journeys: %d %s", resp.StatusCode, body)
		}
		var out []struct {
			Journeys rdex.Journey `json:"journeys"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		if len(out) != 1 {
			t.Fatalf("want the commute's outward journey only, got %s", body)
		}
		j := out[0].Journeys
		id := strconv.FormatInt(trip.ID, 10)
		if j.URL != e.ts.URL+"/t/test/trips/"+id || j.UUID != "trip-"+id || j.Operator == "" {
			t.Errorf("link: %+v", j)
		}
		if j.Driver == nil || j.Driver.Alias != "Camille" || j.Driver.Seats != 3 || j.Driver.State != 1 || j.Passenger != nil {
			t.Errorf("driver: %+v", j.Driver)
		}
		if j.Frequency != rdex.Regular || j.Type != rdex.RoundTrip || j.Days.Monday != 1 || j.Days.Sunday != 1 ||
			j.Outward.Monday == nil || j.Outward.Monday.MinTime != "07:40:00" || j.Return == nil || j.Return.Friday.MinTime != "17:30:00" ||
			j.Outward.MinDate != tomorrow.Format(time.DateOnly) || j.Outward.MaxDate == "" {
			t.Errorf("schedule: %+v", j)
		}
		if j.Cost == nil || j.Cost.Fixed == nil || *j.Cost.Fixed != 2.5 || j.Distance < 2000 || j.Duration <= 0 {
			t.Errorf("cost, distance: %+v", j)
		}
		if j.From.PostalCode != "38000" || j.From.City != "Grenoble" || strings.Contains(j.From.Address, "12") {
			t.Errorf("from: %+v", j.From)
		}
		for _, secret := range []string{"0601020304", "example.org", "Martin", "45.1883", "5.7243", "Félix Poulat, 38000 Grenoble\",\"city\":\"\""} {
			if strings.Contains(body, secret) {
				t.Errorf("the answer shows %q: %s", secret, body)
			}
		}

		// The afternoon window finds nothing going that way.
		evening := strings.NewReplacer("07:00:00", "16:00:00", "09:00:00", "19:00:00").Replace(search)
		u2 := e.ts.URL + "/rdex/journeys?timestamp=" + strconv.FormatInt(time.Now().Unix(), 10) + "&apikey=" + client.APIKey + evening
		resp, err = http.Get(u2 + "&signature=" + rdex.Sign(u2, client.PrivateKey))
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(resp); resp.StatusCode != http.StatusOK || body != "[]\n" {
			t.Errorf("evening: %d %s", resp.StatusCode, body)
		}

		// A passenger's one-off request on the same way, found by a
		// passengers' search: punctual, its date and time, no cost given.
		_, rider := e.member("rider@example.org", access.Member)
		dep := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 8, 5, 0, 0, loc)
		resp = e.do(nil, "POST", "/api/v1/territories/test/trips", rider, map[string]any{"kind": "request",
			"from": map[string]any{"lat": 45.180, "lon": 5.740}, "to": map[string]any{"lat": 45.166, "lon": 5.745},
			"departure": dep.Format(time.RFC3339), "seats": 2})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("request: %d %s", resp.StatusCode, readBody(resp))
		}
		resp.Body.Close()
		passengers := strings.NewReplacer("driver%5D%5Bstate%5D=1", "driver%5D%5Bstate%5D=0", "passenger%5D%5Bstate%5D=0", "passenger%5D%5Bstate%5D=1",
			"p%5Bfrequency%5D=regular", "p%5Bfrequency%5D=punctual").Replace(search)
		u3 := e.ts.URL + "/rdex/journeys?timestamp=" + strconv.FormatInt(time.Now().Unix(), 10) + "&apikey=" + client.APIKey + passengers
		resp, err = http.Get(u3 + "&signature=" + rdex.Sign(u3, client.PrivateKey))
		if err != nil {
			t.Fatal(err)
		}
		body = readBody(resp)
		out = nil
		if err := json.Unmarshal([]byte(body), &out); err != nil || len(out) != 1 {
			t.Fatalf("passengers: %d %s", resp.StatusCode, body)
		}
		if j := out[0].Journeys; j.Passenger == nil || j.Passenger.Persons != 2 || j.Passenger.Alias != "—" || j.Driver != nil ||
			j.Frequency != rdex.Punctual || j.Outward.MinDate != rdex.Date(dep) || j.Days.Has(dep.Weekday()) != true ||
			dayTimeOf(j.Outward, dep.Weekday()) != "08:05:00" || j.Cost == nil || *j.Cost.Fixed != 0 {
			t.Errorf("request: %s", body)
		}

		resp, err = http.Get(signed("not the key"))
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"name":"signature_mismatch"`) {
			t.Errorf("bad signature: %d %s", resp.StatusCode, body)
		}

		// A client that keeps asking is slowed down, the RDEX way.
		status := 0
		for i := 0; i < 130 && status != http.StatusTooManyRequests; i++ {
			resp, err = http.Get(signed("not the key"))
			if err != nil {
				t.Fatal(err)
			}
			status = resp.StatusCode
			if body := readBody(resp); status == http.StatusTooManyRequests && !strings.Contains(body, `"name":"too_many_requests"`) {
				t.Errorf("rate limit: %s", body)
			}
		}
		if status != http.StatusTooManyRequests {
			t.Errorf("130 requests in a row: still %d", status)
		}
	})
}

// dayTimeOf is a schedule's first departure time on a day.
func dayTimeOf(s rdex.Schedule, w time.Weekday) string {
	dt := [7]*rdex.DayTime{s.Sunday, s.Monday, s.Tuesday, s.Wednesday, s.Thursday, s.Friday, s.Saturday}[w]
	if dt == nil {
		return ""
	}
	return dt.MinTime
}
