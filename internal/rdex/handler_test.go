package rdex_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// fakeSearcher stands for the carpool module: it records the query and
// returns one commute.
type fakeSearcher struct {
	mu          sync.Mutex
	territoryID int64
	query       rdex.Query
	err         error
}

func (f *fakeSearcher) Journeys(_ context.Context, territoryID int64, q rdex.Query) ([]rdex.Journey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.territoryID, f.query = territoryID, q
	if f.err != nil {
		return nil, f.err
	}
	j := rdex.Journey{
		UUID:     "trip-42",
		URL:      "https://partage.example.org/t/lyon/trips/42",
		Driver:   &rdex.Person{UUID: "u-7", Alias: "Camille D.", Seats: 3, State: 1},
		From:     rdex.Place{Address: "Place Charles Béraudier", City: "Lyon", PostalCode: "69003", Country: "France", Latitude: 45.7606, Longitude: 4.8595},
		To:       rdex.Place{City: "Villeurbanne", PostalCode: "69100", Country: "France", Latitude: 45.7719, Longitude: 4.8902},
		Distance: 3150, Duration: 420, Frequency: rdex.Regular, Type: rdex.OneWay,
		Outward: rdex.Schedule{MinDate: "2026-12-01", MaxDate: "2027-06-30"},
	}
	j.Days.Set(time.Monday)
	j.Outward.SetDay(time.Monday, 7*time.Hour+30*time.Minute, 7*time.Hour+50*time.Minute)
	return []rdex.Journey{j}, nil
}

const site = "https://partage.example.org"

// signedURL builds a journeys request as an RDEX client does: every
// parameter, then the signature of the URL so far.
func signedURL(apiKey, privateKey string, ts time.Time, p url.Values) string {
	u := site + "/rdex/journeys?timestamp=" + strconv.FormatInt(ts.Unix(), 10) + "&apikey=" + apiKey
	if enc := p.Encode(); enc != "" {
		u += "&" + enc
	}
	return u + "&signature=" + rdex.Sign(u, privateKey)
}

func search() url.Values {
	return url.Values{
		"p[driver][state]": {"1"}, "p[passenger][state]": {"0"},
		"p[from][latitude]": {"45.7606"}, "p[from][longitude]": {"4.8595"},
		"p[to][latitude]": {"45.7719"}, "p[to][longitude]": {"4.8902"},
		"p[outward][mindate]": {"2026-12-01"}, "p[frequency]": {"regular"},
	}
}

type rdexError struct {
	Error struct {
		Name  string `json:"name"`
		Debug string `json:"message_debug"`
		User  string `json:"message_user"`
		Field string `json:"field"`
	} `json:"error"`
}

func TestHandler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ters := territory.NewService(territory.NewSQLStore(db))
		lyon := &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: geo.BBox{MinLon: 4.77, MinLat: 45.70, MaxLon: 4.95, MaxLat: 45.81}}
		if err := ters.Create(ctx, access.SystemActor(), lyon); err != nil {
			t.Fatal(err)
		}
		clients := rdex.NewService(rdex.NewSQLStore(db))
		c, err := clients.Add(ctx, access.SystemActor(), lyon.ID, "Mobicoop")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		fake := &fakeSearcher{}
		h := rdex.NewHandler(fake, clients, rdex.Options{PublicURL: site, Operator: "Sharing City", Origin: "partage.example.org",
			Now: func() time.Time { return now }})
		get := func(t *testing.T, u string) *httptest.ResponseRecorder {
			t.Helper()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
			return rec
		}
		refused := func(t *testing.T, rec *httptest.ResponseRecorder, status int, name, field string) {
			t.Helper()
			var e rdexError
			if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Name != name || e.Error.Field != field || e.Error.User == "" {
				t.Fatalf("got %d %s, want %d %s on %s", rec.Code, rec.Body, status, name, field)
			}
		}

		t.Run("round trip", func(t *testing.T) {
			rec := get(t, signedURL(c.APIKey, c.PrivateKey, now.Add(-time.Minute), search()))
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var out []map[string]rdex.Journey
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out) != 1 {
				t.Fatalf("answer %s: %v", rec.Body, err)
			}
			j := out[0]["journeys"]
			if j.UUID != "trip-42" || j.Operator != "Sharing City" || j.Origin != "partage.example.org" || j.URL != "https://partage.example.org/t/lyon/trips/42" || j.Driver.Seats != 3 ||
				j.From.PostalCode != "69003" || j.Days.Monday != 1 || j.Outward.Monday.MinTime != "07:30:00" {
				t.Fatalf("journey = %+v", j)
			}
			for _, key := range []string{`"postalcode":"69003"`, `"number_of_waypoints":0`, `"frequency":"regular"`, `"type":"one-way"`, `"mintime":"07:30:00"`} {
				if !strings.Contains(rec.Body.String(), key) {
					t.Errorf("answer lacks %s: %s", key, rec.Body)
				}
			}
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if fake.territoryID != lyon.ID || !fake.query.Driver || fake.query.Frequency != rdex.Regular || fake.query.From.Lat != 45.7606 {
				t.Fatalf("searcher got territory %d, %+v", fake.territoryID, fake.query)
			}
		})
		t.Run("signed before encoding", func(t *testing.T) {
			// Some clients sign the URL with its brackets, then encode it.
			raw := site + "/rdex/journeys?timestamp=" + strconv.FormatInt(now.Unix(), 10) + "&apikey=" + c.APIKey +
				"&p[driver][state]=1&p[passenger][state]=0&p[from][latitude]=45.76&p[from][longitude]=4.86&p[to][latitude]=45.77&p[to][longitude]=4.89"
			sig := rdex.Sign(raw, c.PrivateKey)
			enc := strings.NewReplacer("[", "%5B", "]", "%5D").Replace(raw) + "&signature=" + sig
			if rec := get(t, enc); rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		})
		t.Run("wrong signature", func(t *testing.T) {
			u := signedURL(c.APIKey, "not the key", now, search())
			refused(t, get(t, u), 401, rdex.ErrSignatureMismatch, "signature")
		})
		t.Run("tampered parameter", func(t *testing.T) {
			u := strings.Replace(signedURL(c.APIKey, c.PrivateKey, now, search()), "45.7719", "45.7720", 1)
			refused(t, get(t, u), 401, rdex.ErrSignatureMismatch, "signature")
		})
		t.Run("stale timestamp", func(t *testing.T) {
			refused(t, get(t, signedURL(c.APIKey, c.PrivateKey, now.Add(-10*time.Minute), search())), 401, rdex.ErrTimestampTooSkewed, "timestamp")
			refused(t, get(t, signedURL(c.APIKey, c.PrivateKey, now.Add(10*time.Minute), search())), 401, rdex.ErrTimestampTooSkewed, "timestamp")
		})
		t.Run("unknown key", func(t *testing.T) {
			refused(t, get(t, signedURL("0123456789abcdef", c.PrivateKey, now, search())), 401, rdex.ErrAccessDenied, "apikey")
		})
		t.Run("missing signature", func(t *testing.T) {
			u := site + "/rdex/journeys?timestamp=" + strconv.FormatInt(now.Unix(), 10) + "&apikey=" + c.APIKey + "&" + search().Encode()
			refused(t, get(t, u), 400, rdex.ErrMissingMandatoryField, "signature")
		})
		t.Run("bad parameter after authentication", func(t *testing.T) {
			p := search()
			p.Del("p[to][latitude]")
			refused(t, get(t, signedURL(c.APIKey, c.PrivateKey, now, p)), 400, rdex.ErrMissingMandatoryField, "p[to][latitude]")
		})
		t.Run("verb", func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, site+"/rdex/journeys", nil))
			refused(t, rec, 405, rdex.ErrUnsupportedHTTPVerb, "")
		})
		t.Run("search errors", func(t *testing.T) {
			fake.mu.Lock()
			fake.err = errs.E(errs.Invalid, "err.trip_same_place")
			fake.mu.Unlock()
			refused(t, get(t, signedURL(c.APIKey, c.PrivateKey, now, search())), 400, rdex.ErrInvalidInput, "")
			fake.mu.Lock()
			fake.err = context.DeadlineExceeded
			fake.mu.Unlock()
			refused(t, get(t, signedURL(c.APIKey, c.PrivateKey, now, search())), 500, rdex.ErrInternal, "")
			fake.mu.Lock()
			fake.err = nil
			fake.mu.Unlock()
		})
		t.Run("removed client", func(t *testing.T) {
			if err := clients.Remove(ctx, access.SystemActor(), lyon.ID, "Mobicoop"); err != nil {
				t.Fatal(err)
			}
			refused(t, get(t, signedURL(c.APIKey, c.PrivateKey, now, search())), 401, rdex.ErrAccessDenied, "apikey")
		})
	})
}

func TestClients(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ters := territory.NewService(territory.NewSQLStore(db))
		a := &territory.Territory{Slug: "a", Name: "A", BBox: geo.BBox{MinLon: 1, MinLat: 45, MaxLon: 2, MaxLat: 46}}
		b := &territory.Territory{Slug: "b", Name: "B", BBox: geo.BBox{MinLon: 1, MinLat: 45, MaxLon: 2, MaxLat: 46}}
		for _, ter := range []*territory.Territory{a, b} {
			if err := ters.Create(ctx, access.SystemActor(), ter); err != nil {
				t.Fatal(err)
			}
		}
		svc := rdex.NewService(rdex.NewSQLStore(db))
		member := access.Actor{UserID: 9, Roles: map[int64]access.Role{a.ID: access.Moderator}}
		if _, err := svc.Add(ctx, member, a.ID, "Karos"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("moderator added a client: %v", err)
		}
		admin := access.Actor{UserID: 8, Roles: map[int64]access.Role{a.ID: access.Admin}}
		c, err := svc.Add(ctx, admin, a.ID, " Karos ")
		if err != nil || c.Name != "Karos" || len(c.APIKey) != 32 || len(c.PrivateKey) != 64 {
			t.Fatalf("add: %+v %v", c, err)
		}
		if _, err := svc.Add(ctx, admin, a.ID, "Karos"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("same name twice: %v", err)
		}
		if _, err := svc.Add(ctx, admin, a.ID, " "); !errs.Is(err, errs.Invalid) {
			t.Fatalf("empty name: %v", err)
		}
		if _, err := svc.Add(ctx, admin, b.ID, "Karos"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("admin of a added to b: %v", err)
		}
		if _, err := svc.Add(ctx, access.SystemActor(), b.ID, "Karos"); err != nil {
			t.Fatalf("same name in another territory: %v", err)
		}
		got, err := svc.ByAPIKey(ctx, c.APIKey)
		if err != nil || got.TerritoryID != a.ID || got.PrivateKey != c.PrivateKey {
			t.Fatalf("by key: %+v %v", got, err)
		}
		if _, err := svc.ByAPIKey(ctx, "nope"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown key: %v", err)
		}
		list, err := svc.List(ctx, admin, a.ID)
		if err != nil || len(list) != 1 || list[0].APIKey != c.APIKey {
			t.Fatalf("list: %+v %v", list, err)
		}
		if err := svc.Remove(ctx, admin, a.ID, "Karos"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Remove(ctx, admin, a.ID, "Karos"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("remove twice: %v", err)
		}
	})
}
