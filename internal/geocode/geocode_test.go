package geocode

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

var lyon = &territory.Territory{ID: 1, Slug: "lyon", Name: "Lyon", BBox: geo.BBox{MinLon: 4.77, MinLat: 45.70, MaxLon: 4.90, MaxLat: 45.81}}

// fakeBAN is the outside world: a server that answers like
// api-adresse.data.gouv.fr, from a fixed list of addresses.
func fakeBAN(t *testing.T, seen *[]string) *httptest.Server {
	t.Helper()
	type feature struct {
		label    string
		lon, lat float64
		score    float64
	}
	known := []feature{
		{"12 Rue de la République 69001 Lyon", 4.8357, 45.7640, 0.97},
		{"12 Rue de la République 13002 Marseille", 5.3698, 43.2965, 0.95}, // outside the territory
		{"12 Rue de la République 69100 Villeurbanne", 4.8801, 45.7667, 0.91},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/search/" {
			http.NotFound(w, r)
			return
		}
		*seen = append(*seen, r.URL.RawQuery)
		q := strings.ToLower(r.URL.Query().Get("q"))
		if q == "panne" {
			http.Error(w, "boom", http.StatusBadGateway)
			return
		}
		fc := map[string]any{"type": "FeatureCollection", "version": "draft", "query": q}
		var feats []any
		for _, f := range known {
			if strings.Contains(strings.ToLower(f.label), q) {
				feats = append(feats, map[string]any{"type": "Feature",
					"geometry":   map[string]any{"type": "Point", "coordinates": []float64{f.lon, f.lat}},
					"properties": map[string]any{"label": f.label, "score": f.score, "type": "housenumber"}})
			}
		}
		fc["features"] = feats
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(fc)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAddokSearch(t *testing.T) {
	var seen []string
	srv := fakeBAN(t, &seen)
	a, err := NewAddok(srv.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	near := geo.Point{Lat: 45.76, Lon: 4.84}
	cs, err := a.Search(context.Background(), Request{Query: "  12 rue de la  République ", Territory: lyon, Near: &near})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Label != "12 Rue de la République 69001 Lyon" || cs[1].Label != "12 Rue de la République 69100 Villeurbanne" {
		t.Fatalf("candidates: %+v (Marseille is outside the territory)", cs)
	}
	if cs[0].Position != (geo.Point{Lat: 45.7640, Lon: 4.8357}) || cs[0].Score != 0.97 {
		t.Errorf("first: %+v", cs[0])
	}
	if len(seen) != 1 || !strings.Contains(seen[0], "lat=45.760000") || !strings.Contains(seen[0], "lon=4.840000") ||
		!strings.Contains(seen[0], "q=12+rue+de+la+R%C3%A9publique") || !strings.Contains(seen[0], "limit=20") {
		t.Errorf("request: %v", seen)
	}
	// Without a point, the territory's centre.
	if _, err := a.Search(context.Background(), Request{Query: "villeurbanne", Territory: lyon, Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if c := lyon.BBox.Center(); !strings.Contains(seen[1], "limit=4") || !strings.Contains(seen[1], "lat=45.755000") {
		t.Errorf("request without a point: %s (centre %v)", seen[1], c)
	}
}

func TestAddokErrors(t *testing.T) {
	var seen []string
	srv := fakeBAN(t, &seen)
	a, _ := NewAddok(srv.URL, nil)
	ctx := context.Background()
	_, err := a.Search(ctx, Request{Query: "panne", Territory: lyon})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("bad gateway: %v", err)
	}
	for _, q := range []string{"", "ab", strings.Repeat("x", MaxQueryLen+1)} {
		if _, err := a.Search(ctx, Request{Query: q, Territory: lyon}); errs.KindOf(err) != errs.Invalid {
			t.Errorf("query %q: %v", q, err)
		}
	}
	if _, err := a.Search(ctx, Request{Query: "rue", Territory: lyon, Limit: MaxLimit + 1}); errs.KindOf(err) != errs.Invalid {
		t.Errorf("limit: %v", err)
	}
	// Unreachable: the error never carries the address typed.
	srv.Close()
	_, err = a.Search(ctx, Request{Query: "12 rue secrète", Territory: lyon})
	if !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), "secr") {
		t.Errorf("unreachable: %v", err)
	}
	for _, bad := range []string{"", "ftp://x", "http://", "not a url"} {
		if _, err := NewAddok(bad, nil); err == nil {
			t.Errorf("NewAddok(%q) accepted", bad)
		}
	}
}

func TestAddokNotGeoJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"type":"Feature"}`))
	}))
	defer srv.Close()
	a, _ := NewAddok(srv.URL, &http.Client{Timeout: time.Second})
	if _, err := a.Search(context.Background(), Request{Query: "rue", Territory: lyon}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("not a FeatureCollection: %v", err)
	}
}

// staticGeocoder answers a fixed list, or an error.
type staticGeocoder struct {
	cs    []Candidate
	err   error
	calls int
}

func (g *staticGeocoder) Search(_ context.Context, _ Request) ([]Candidate, error) {
	g.calls++
	return g.cs, g.err
}

func TestFallback(t *testing.T) {
	ctx := context.Background()
	one := []Candidate{{Label: "A", Position: geo.Point{Lat: 45.75, Lon: 4.85}}}
	two := []Candidate{{Label: "B", Position: geo.Point{Lat: 45.76, Lon: 4.86}}}
	cases := []struct {
		name   string
		first  *staticGeocoder
		want   string
		second int
	}{
		{"first answers", &staticGeocoder{cs: one}, "A", 0},
		{"first fails", &staticGeocoder{err: ErrUnavailable}, "B", 1},
		{"first finds nothing", &staticGeocoder{}, "B", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			then := &staticGeocoder{cs: two}
			f := Fallback{First: tc.first, Then: then, Log: slog.New(slog.DiscardHandler)}
			cs, err := f.Search(ctx, Request{Query: "rue", Territory: lyon})
			if err != nil || len(cs) != 1 || cs[0].Label != tc.want || then.calls != tc.second {
				t.Fatalf("got %+v, %v; fallback calls %d", cs, err, then.calls)
			}
		})
	}
	// Bad input stops before any geocoder.
	first := &staticGeocoder{cs: one}
	if _, err := (Fallback{First: first, Then: first}).Search(ctx, Request{Query: "x", Territory: lyon}); errs.KindOf(err) != errs.Invalid || first.calls != 0 {
		t.Fatalf("short query: %v, %d calls", err, first.calls)
	}
}

func TestAddressScore(t *testing.T) {
	cases := []struct {
		q, a string
		want float64
	}{
		{"12 rue republique", "12 Rue de la République, 69001 Lyon", 1},
		{"12 rue rep", "12 Rue de la République", 1},
		{"1 rue republique", "12 Rue de la République", 2.0 / 3},
		{"perceuse", "3 place Bellecour", 0},
	}
	for _, tc := range cases {
		got := addressScore(strings.Fields(tc.q), strings.Fields(strings.ToLower(strings.NewReplacer(",", "", "é", "e").Replace(tc.a))))
		if got != tc.want {
			t.Errorf("%q in %q: %v, want %v", tc.q, tc.a, got, tc.want)
		}
	}
}

// TestBook looks addresses up among the directory's published initiatives,
// through its service, on both databases.
func TestBook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := territory.NewService(territory.NewSQLStore(db))
		ter := &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: lyon.BBox}
		if err := ts.Create(ctx, access.SystemActor(), ter); err != nil {
			t.Fatal(err)
		}
		dir := directory.NewService(directory.NewSQLStore(db), nil, nil, slog.New(slog.DiscardHandler),
			func() time.Time { return time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC) })
		items := []directory.ImportItem{
			{Row: 1, Initiative: directory.Initiative{Name: "Repair Café des Pentes", Categories: []string{"waste_repair"}, Kind: "association",
				Address: "8 rue Burdeau, 69001 Lyon", Position: geo.Point{Lat: 45.7699, Lon: 4.8305}}},
			{Row: 2, Initiative: directory.Initiative{Name: "Outilthèque Burdeau", Categories: []string{"goods_tools"}, Kind: "association",
				Address: "8 Rue Burdeau, 69001 Lyon", Position: geo.Point{Lat: 45.7699, Lon: 4.8306}}},
			{Row: 3, Initiative: directory.Initiative{Name: "Jardin de la rue Burdeau", Categories: []string{"food"}, Kind: "association",
				Address: "2 place Sathonay, 69001 Lyon", Position: geo.Point{Lat: 45.7680, Lon: 4.8297}}},
			{Row: 4, Initiative: directory.Initiative{Name: "AMAP Croix-Rousse", Categories: []string{"food"}, Kind: "association",
				Address: "4 boulevard de la Croix-Rousse, 69004 Lyon", Position: geo.Point{Lat: 45.7745, Lon: 4.8320}}},
		}
		if _, err := dir.Import(ctx, access.SystemActor(), ter, items, false); err != nil {
			t.Fatal(err)
		}
		book := NewBook(dir)
		cs, err := book.Search(ctx, Request{Query: "8 rue burdeau", Territory: ter})
		if err != nil {
			t.Fatal(err)
		}
		// One address however many initiatives it holds; the garden named
		// after the street is not at that address.
		if len(cs) != 1 || !strings.EqualFold(cs[0].Label, "8 rue Burdeau, 69001 Lyon") || cs[0].Score != 1 {
			t.Fatalf("8 rue burdeau: %+v", cs)
		}
		cs, err = book.Search(ctx, Request{Query: "croix rousse", Territory: ter})
		if err != nil || len(cs) != 1 || cs[0].Position != (geo.Point{Lat: 45.7745, Lon: 4.8320}) {
			t.Fatalf("croix rousse: %+v, %v", cs, err)
		}
		cs, err = book.Search(ctx, Request{Query: "rue inconnue", Territory: ter})
		if err != nil || len(cs) != 0 {
			t.Fatalf("unknown: %+v, %v", cs, err)
		}
	})
}
