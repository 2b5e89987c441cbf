package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// syncBuffer is a log sink the asker's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestPartnerPlatforms: a second instance of the site, on its own
// database, is the partner of the first through its RDEX endpoint; a
// partner that hangs and one that answers garbage are asked too. The
// search answers within the timeout with the good partner's journey, apart
// from the site's own trips, on the API (partners=1) and on the page, in
// French and English; the failures are logged, then skipped; answers are
// cached; nothing personal leaves.
func TestPartnerPlatforms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		other := storetest.OpenSQLite
		if db.Dialect() == store.Postgres {
			other = storetest.OpenPostgres
		}
		// The partner: its own database, a driver's trip tomorrow at 8:00.
		partner := newTestEnv(t, other(t))
		partner.srv.cfg.BaseURL = partner.ts.URL
		client, err := partner.srv.RDEX.(*rdex.Service).Add(ctx, access.SystemActor(), partner.ter.ID, "Testville")
		if err != nil {
			t.Fatal(err)
		}
		_, driver := partner.member("driver@partner.example", access.Member)
		loc := partner.ter.Location()
		tomorrow := time.Now().In(loc).AddDate(0, 0, 1)
		dep := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 8, 0, 0, 0, loc)
		resp := partner.do(nil, "POST", "/api/v1/territories/test/trips", driver, map[string]any{
			"from": map[string]any{"lat": 45.1883, "lon": 5.7243, "label": "Grenoble"}, "to": map[string]any{"lat": 45.165, "lon": 5.745},
			"departure": dep.Format(time.RFC3339), "seats": 3, "contribution": map[string]any{"kind": "cash", "amount": 300}})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("partner's trip: %d %s", resp.StatusCode, readBody(resp))
		}
		tripURL := partner.ts.URL + "/t/test/trips/" + strings.TrimSpace(strings.Split(strings.Split(readBody(resp), `"id":`)[1], ",")[0])
		target, _ := url.Parse(partner.ts.URL)
		proxy := httputil.NewSingleHostReverseProxy(target)
		var partnerCalls atomic.Int32
		partnerTS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			partnerCalls.Add(1)
			if r.Header.Get("Cookie") != "" || r.Header.Get("Referer") != "" {
				t.Errorf("the partner got %v", r.Header)
			}
			// The resident's points, rounded to 0.002° (about 200 m).
			if q := r.URL.Query(); q.Get("p[from][latitude]") != "45.18" || q.Get("p[from][longitude]") != "5.73" || q.Get("p[to][latitude]") != "45.166" {
				t.Errorf("the partner got %s", r.URL.RawQuery)
			}
			proxy.ServeHTTP(w, r) // the Host stays the address we signed for

		}))
		defer partnerTS.Close()

		// The hanging partner answers only when its caller gives up, or
		// after a minute, which only a search without a deadline waits for.
		var hangCalls atomic.Int32
		var hangWaited atomic.Bool
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hangCalls.Add(1)
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
				hangWaited.Store(true)
			}
		}))
		defer hang.Close()
		garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"journeys": "<script>alert(1)</script>"`))
		}))
		defer garbage.Close()

		// The site asking: another database, the partners recorded.
		e := newTestEnv(t, db)
		logs := &syncBuffer{}
		partners := rdex.NewPartners(rdex.NewSQLStore(db))
		e.srv.Partners = rdex.NewAsker(partners, rdex.AskerOptions{Log: slog.New(slog.NewTextHandler(logs, nil))})
		for _, p := range []*rdex.Partner{
			{Name: "Covoit'Alpes", URL: partnerTS.URL + "/rdex", PublicKey: client.APIKey, PrivateKey: client.PrivateKey, Enabled: true},
			{Name: "Hanging", URL: hang.URL, PublicKey: "k", PrivateKey: "s", Enabled: true},
			{Name: "Garbage", URL: garbage.URL + "/rdex/", PublicKey: "k", PrivateKey: "s", Enabled: true},
			{Name: "Off", URL: "http://127.0.0.1:1/rdex", PublicKey: "k", PrivateKey: "s", Enabled: false},
		} {
			if err := partners.Add(ctx, access.SystemActor(), e.ter.ID, p); err != nil {
				t.Fatal(err)
			}
		}
		_, rider := e.member("rider@example.org", access.Member)
		search := "/api/v1/territories/test/trips?from=45.1801,5.7301&to=45.1660,5.7440&at=" + strings.ReplaceAll(dep.Add(20*time.Minute).Format(time.RFC3339), "+", "%2B")

		resp = e.do(nil, "GET", search+"&partners=1", rider, nil)
		var out struct {
			Trips    []tripMatchJSON       `json:"trips"`
			Partners []rdex.PartnerJourney `json:"partners"`
		}
		body := readBody(resp)
		if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("search: %d %s", resp.StatusCode, body)
		}
		if hangWaited.Load() || hangCalls.Load() != 1 {
			t.Errorf("the search waited for the hanging partner (%d calls)", hangCalls.Load())
		}
		if len(out.Trips) != 0 || len(out.Partners) != 1 {
			t.Fatalf("want the partner's journey only: %s", body)
		}
		j := out.Partners[0]
		if j.Partner != "Covoit'Alpes" || j.URL != tripURL || j.Seats != 3 || j.Price == nil || *j.Price != 3 ||
			j.Departure == nil || !j.Departure.Equal(dep) || j.Frequency != rdex.Punctual || j.From != "Grenoble" {
			t.Errorf("partner journey: %+v", j)
		}
		// The search answers at its deadline; the hanging partner's request
		// ends, and is logged, a moment later.
		wants := []string{"partner=Hanging", "partner=Garbage", "not RDEX journeys", "rdex partners: skipped"}
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			missing := ""
			for _, want := range wants {
				if !strings.Contains(logs.String(), want) {
					missing = want
				}
			}
			if missing == "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("logs lack %q: %s", missing, logs.String())
			}
		}
		if strings.Contains(logs.String(), "partner=Off") {
			t.Errorf("a disabled partner was asked: %s", logs.String())
		}

		// Again: the answer comes from the cache, the failing partners are
		// skipped for a while, so nothing waits.
		// Counted, not timed: a timed check fails on a loaded machine.
		calls := partnerCalls.Load()
		resp = e.do(nil, "GET", search+"&partners=1", rider, nil)
		body = string(newSpecChecker(t).check("GET", search+"&partners=1", resp)) // as the document says
		if partnerCalls.Load() != calls || hangCalls.Load() != 1 || !strings.Contains(body, tripURL) {
			t.Errorf("second search: %d calls to the partner (was %d), %d to the hanging one (was 1): %s",
				partnerCalls.Load(), calls, hangCalls.Load(), body)
		}
		// Without partners=1, the contract is unchanged.
		resp = e.do(nil, "GET", search, rider, nil)
		if body := readBody(resp); strings.Contains(body, "partners") || !strings.Contains(body, `"trips":[]`) {
			t.Errorf("without partners=1: %s", body)
		}

		// The page shows it apart, with the link to the partner's site.
		at := dep.Add(20 * time.Minute).Format("2006-01-02T15:04")
		for lang, want := range map[string]string{"fr": "Sur les plateformes partenaires", "en": "On partner platforms"} {
			req, _ := http.NewRequest("GET", e.ts.URL+"/t/test/trips?from_lat=45.1801&from_lon=5.7301&to_lat=45.1660&to_lon=5.7440&at="+at, nil)
			req.Header.Set("Accept-Language", lang)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			page := readBody(resp)
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) || !strings.Contains(page, `href="`+tripURL+`" rel="external noopener noreferrer"`) ||
				!strings.Contains(page, "3.00 €") || !strings.Contains(page, dep.Format("02/01/2006 15:04")) {
				t.Errorf("%s page: %d %s", lang, resp.StatusCode, page)
			}
		}
		// No secret anywhere a resident sees.
		for _, secret := range []string{client.PrivateKey, client.APIKey} {
			if strings.Contains(body, secret) {
				t.Errorf("the answer shows a key")
			}
		}
	})
}
