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

// TestRDEXReturnWindow: with p[return], a weekly commute is a round trip
// only when its way back leaves in the return window; bad windows get
// clear 400s naming the parameter.
func TestRDEXReturnWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newTestEnv(t, db)
		client, err := e.srv.RDEX.(*rdex.Service).Add(ctx, access.SystemActor(), e.ter.ID, "Partner")
		if err != nil {
			t.Fatal(err)
		}
		_, driver := e.member("driver@example.org", access.Member)
		loc := e.ter.Location()
		tomorrow := time.Now().In(loc).AddDate(0, 0, 1).Format(time.DateOnly)
		resp := e.do(nil, "POST", "/api/v1/territories/test/trips", driver, map[string]any{
			"from": map[string]any{"lat": 45.1883, "lon": 5.7243}, "to": map[string]any{"lat": 45.165, "lon": 5.745}, "seats": 3,
			"weekly": map[string]any{"days": []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "time": "07:40", "return": "17:30", "from": tomorrow},
		})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("publish: %d %s", resp.StatusCode, readBody(resp))
		}
		resp.Body.Close()
		get := func(extra string) (int, string) {
			t.Helper()
			u := e.ts.URL + "/rdex/journeys?timestamp=" + strconv.FormatInt(time.Now().Unix(), 10) + "&apikey=" + client.APIKey +
				"&p[driver][state]=1&p[passenger][state]=0&p[from][latitude]=45.1765&p[from][longitude]=5.7470" +
				"&p[to][latitude]=45.1660&p[to][longitude]=5.7440&p[outward][mindate]=" + tomorrow +
				"&p[outward][mintime]=07:00:00&p[outward][maxtime]=09:00:00" + extra
			resp, err := http.Get(u + "&signature=" + rdex.Sign(u, client.PrivateKey))
			if err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode, readBody(resp)
		}
		journey := func(extra string) rdex.Journey {
			t.Helper()
			status, body := get(extra)
			var out []struct {
				Journeys rdex.Journey `json:"journeys"`
			}
			if err := json.Unmarshal([]byte(body), &out); status != http.StatusOK || err != nil || len(out) != 1 {
				t.Fatalf("%s: %d %s", extra, status, body)
			}
			return out[0].Journeys
		}
		j := journey("&p[return][mintime]=17:00:00&p[return][maxtime]=18:00:00")
		if j.Type != rdex.RoundTrip || j.Return == nil || dayTimeOf(*j.Return, time.Monday) != "17:30:00" || j.Return.MinDate != tomorrow ||
			dayTimeOf(j.Outward, time.Monday) != "07:40:00" || j.Frequency != rdex.Regular {
			t.Errorf("return in the window: %+v", j)
		}
		j = journey("&p[return][mintime]=20:00:00&p[return][maxtime]=21:00:00")
		if j.Type != rdex.OneWay || j.Return != nil {
			t.Errorf("return outside the window: %+v", j)
		}
		// Only on the return's own days: Saturday evenings.
		j = journey("&p[return][saturday][mintime]=17:00:00&p[return][saturday][maxtime]=18:00:00&p[return][monday][mintime]=20:00:00")
		if j.Type != rdex.RoundTrip {
			t.Errorf("saturday's return: %+v", j)
		}

		yesterday := time.Now().In(loc).AddDate(0, 0, -3).Format(time.DateOnly)
		for _, tc := range []struct{ extra, field string }{
			{"&p[return][mindate]=" + yesterday, "p[return][mindate]"},
			{"&p[return][mindate]=" + tomorrow + "&p[return][maxdate]=" + yesterday, "p[return][maxdate]"},
			{"&p[return][monday][mintime]=18:00&p[return][monday][maxtime]=17:00", "p[return][monday][maxtime]"},
			{"&p[return][friday][maxtime]=7pm", "p[return][friday][maxtime]"},
			{"&p[outward][maxdate]=" + yesterday, "p[outward][maxdate]"},
		} {
			status, body := get(tc.extra)
			if status != http.StatusBadRequest || !strings.Contains(body, `"name":"invalid_input"`) || !strings.Contains(body, `"field":"`+tc.field+`"`) {
				t.Errorf("%s: %d %s", tc.extra, status, body)
			}
		}
	})
}
