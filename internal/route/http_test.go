package route

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Lyon Part-Dieu to Villeurbanne, through one stop.
var (
	partDieu     = geo.Point{Lat: 45.7606, Lon: 4.8595}
	stop         = geo.Point{Lat: 45.7660, Lon: 4.8700}
	villeurbanne = geo.Point{Lat: 45.7719, Lon: 4.8902}
	roadPoints   = []geo.Point{partDieu, {Lat: 45.7630, Lon: 4.8650}, stop, {Lat: 45.7690, Lon: 4.8800}, villeurbanne}
)

func TestPolylineRoundTrip(t *testing.T) {
	for _, precision := range []int{5, 6} {
		s := encodePolyline(roadPoints, precision)
		got, err := decodePolyline(s, precision)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(roadPoints) {
			t.Fatalf("precision %d: %d points, want %d", precision, len(got), len(roadPoints))
		}
		for i := range got {
			if geo.Distance(got[i], roadPoints[i]) > 2 {
				t.Fatalf("precision %d: point %d = %v, want %v", precision, i, got[i], roadPoints[i])
			}
		}
	}
	// The example of Google's documentation, precision 5.
	got, err := decodePolyline("_p~iF~ps|U_ulLnnqC_mqNvxq`@", 5)
	if err != nil || len(got) != 3 || got[0] != (geo.Point{Lat: 38.5, Lon: -120.2}) || got[2] != (geo.Point{Lat: 43.252, Lon: -126.453}) {
		t.Fatalf("google example: %v %v", got, err)
	}
	if _, err := decodePolyline("_p~iF~ps|U_", 5); err == nil {
		t.Fatal("truncated polyline accepted")
	}
}

// fakeOSRM answers like osrm-backend's route service.
func fakeOSRM(t *testing.T, calls *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/route/v1/driving/") || r.URL.Query().Get("geometries") != "geojson" || r.URL.Query().Get("overview") != "full" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":"InvalidUrl","message":"URL string malformed close to position 1"}`)
			return
		}
		coords := strings.Split(strings.TrimPrefix(r.URL.Path, "/route/v1/driving/"), ";")
		if len(coords) == 2 && coords[0] == coords[1] {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":"NoRoute","message":"Impossible route between points"}`)
			return
		}
		line := make([][2]float64, len(roadPoints))
		for i, p := range roadPoints {
			line[i] = [2]float64{p.Lon, p.Lat}
		}
		wps := make([]map[string]any, len(coords))
		for i, c := range coords {
			var lon, lat float64
			fmt.Sscanf(c, "%g,%g", &lon, &lat)
			wps[i] = map[string]any{"hint": "x", "distance": 3.2, "name": "Rue", "location": []float64{lon, lat}}
		}
		json.NewEncoder(w).Encode(map[string]any{
			"code": "Ok",
			"routes": []any{map[string]any{
				"geometry":    map[string]any{"type": "LineString", "coordinates": line},
				"legs":        []any{map[string]any{"steps": []any{}, "summary": "", "weight": 300.1, "duration": 301.5, "distance": 3150.2}},
				"weight_name": "routability", "weight": 300.1, "duration": 301.5, "distance": 3150.2,
			}},
			"waypoints": wps,
		})
	}))
}

// fakeValhalla answers like Valhalla's /route.
func fakeValhalla(t *testing.T, calls *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			Locations []valhallaLocation `json:"locations"`
			Costing   string             `json:"costing"`
		}
		if r.Method != http.MethodPost || r.URL.Path != "/route" || json.NewDecoder(r.Body).Decode(&req) != nil || req.Costing != "auto" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error_code":100,"error":"Failed to parse json request","status_code":400,"status":"Bad Request"}`)
			return
		}
		if req.Locations[0].Lat > 80 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error_code":171,"error":"No suitable edges near location","status_code":400,"status":"Bad Request"}`)
			return
		}
		// Two legs, split at the stop, each with its own polyline6 shape.
		legs := []any{
			map[string]any{"shape": encodePolyline(roadPoints[:3], 6), "summary": map[string]any{"length": 1.6, "time": 150.0}},
			map[string]any{"shape": encodePolyline(roadPoints[2:], 6), "summary": map[string]any{"length": 1.55, "time": 151.5}},
		}
		json.NewEncoder(w).Encode(map[string]any{
			"trip": map[string]any{
				"locations": req.Locations, "legs": legs,
				"summary": map[string]any{"length": 3.150, "time": 301.5, "min_lat": 45.76, "max_lat": 45.77},
				"status":  0, "status_message": "Found route between points", "units": "kilometers", "language": "en-US",
			},
		})
	}))
}

func checkRoute(t *testing.T, r Route) {
	t.Helper()
	if len(r.Points) != len(roadPoints) {
		t.Fatalf("%d points, want %d: %v", len(r.Points), len(roadPoints), r.Points)
	}
	if geo.Distance(r.Points[0], partDieu) > 1 || geo.Distance(r.Points[len(r.Points)-1], villeurbanne) > 1 {
		t.Fatalf("route from %v to %v", r.Points[0], r.Points[len(r.Points)-1])
	}
	if math.Abs(r.Meters-3150) > 1 || math.Abs(r.Duration.Seconds()-301.5) > 0.01 {
		t.Fatalf("route of %.1f m, %s", r.Meters, r.Duration)
	}
}

func TestOSRM(t *testing.T) {
	var calls atomic.Int32
	srv := fakeOSRM(t, &calls)
	defer srv.Close()
	o := &OSRM{BaseURL: srv.URL + "/", Client: srv.Client()}
	r, err := o.Route(context.Background(), []geo.Point{partDieu, stop, villeurbanne})
	if err != nil {
		t.Fatal(err)
	}
	checkRoute(t, r)
	_, err = o.Route(context.Background(), []geo.Point{partDieu, partDieu})
	se, ok := err.(*ServerError)
	if !ok || !se.NoRoute() || se.Status != 400 {
		t.Fatalf("no route: %v", err)
	}
	if _, err := o.Route(context.Background(), []geo.Point{partDieu}); err == nil {
		t.Fatal("one waypoint accepted")
	}
}

func TestValhalla(t *testing.T) {
	var calls atomic.Int32
	srv := fakeValhalla(t, &calls)
	defer srv.Close()
	v := &Valhalla{BaseURL: srv.URL, Client: srv.Client()}
	r, err := v.Route(context.Background(), []geo.Point{partDieu, stop, villeurbanne})
	if err != nil {
		t.Fatal(err)
	}
	checkRoute(t, r) // the stop shared by both legs is there once
	_, err = v.Route(context.Background(), []geo.Point{{Lat: 85, Lon: 0}, partDieu})
	if se, ok := err.(*ServerError); !ok || !se.NoRoute() || se.Code != "171" {
		t.Fatalf("no edges: %v", err)
	}
}

func TestFallback(t *testing.T) {
	ctx := context.Background()
	var down atomic.Bool
	var calls atomic.Int32
	osrm := fakeOSRM(t, new(atomic.Int32))
	defer osrm.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if down.Load() {
			time.Sleep(300 * time.Millisecond) // slower than the client's timeout
			return
		}
		osrm.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	client := &http.Client{Timeout: 100 * time.Millisecond}
	r := New(KindOSRM, srv.URL, client, log)
	fb, ok := r.(*Fallback)
	if !ok {
		t.Fatalf("New(osrm) = %T", r)
	}
	fb.Now = func() time.Time { return now }
	wps := []geo.Point{partDieu, villeurbanne}

	got, err := r.Route(ctx, wps)
	if err != nil || len(got.Points) != len(roadPoints) {
		t.Fatalf("server up: %v %v", got, err)
	}
	down.Store(true)
	for i := 0; i < 3; i++ {
		got, err = r.Route(ctx, wps)
		straight, _ := DefaultStraight.Route(ctx, wps)
		if err != nil || len(got.Points) != 2 || got.Meters != straight.Meters {
			t.Fatalf("server down: %v %v", got, err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d calls to the server: the cooldown should skip it after the failure", n)
	}
	if n := strings.Count(logs.String(), "router failing"); n != 1 {
		t.Fatalf("failure logged %d times, want once per burst:\n%s", n, logs.String())
	}
	down.Store(false)
	now = now.Add(time.Minute)
	if got, err = r.Route(ctx, wps); err != nil || len(got.Points) != len(roadPoints) || fb.Failing() {
		t.Fatalf("server back: %v %v", got, err)
	}
	if !strings.Contains(logs.String(), "router answers again") {
		t.Fatalf("recovery not logged:\n%s", logs.String())
	}
	// "No route" falls back without opening the breaker.
	if got, err = r.Route(ctx, []geo.Point{partDieu, partDieu}); err != nil || fb.Failing() {
		t.Fatalf("no route: %v %v failing=%v", got, err, fb.Failing())
	}
}

func TestNewAndCache(t *testing.T) {
	if _, ok := New("", "", nil, nil).(Straight); !ok {
		t.Fatal("no router: want straight segments")
	}
	if _, ok := New("graphhopper", "http://x", nil, nil).(Straight); !ok {
		t.Fatal("unknown kind: want straight segments")
	}
	if fb, ok := New(KindValhalla, "http://x", nil, nil).(*Fallback); !ok || fb.Server.(*Valhalla).Client.Timeout != DefaultTimeout {
		t.Fatal("valhalla: want a fallback with a timeout")
	}
	c := NewCache(nil, nil)
	a := c.For(1, KindOSRM, "http://a")
	if c.For(1, KindOSRM, "http://a") != a {
		t.Fatal("same configuration: want the same router")
	}
	if c.For(1, KindOSRM, "http://b") == a || c.For(2, KindOSRM, "http://a") == a {
		t.Fatal("other configuration or territory: want another router")
	}
}

func TestOSRMPolyline6(t *testing.T) {
	// A proxy that always answers polyline6 geometries.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"code": "Ok", "routes": []any{map[string]any{
			"geometry": encodePolyline(roadPoints, 6), "distance": 3150.0, "duration": 301.5}}})
	}))
	defer srv.Close()
	r, err := (&OSRM{BaseURL: srv.URL, Client: srv.Client()}).Route(context.Background(), []geo.Point{partDieu, villeurbanne})
	if err != nil {
		t.Fatal(err)
	}
	checkRoute(t, r)
}

// TestFallbackConcurrent: many searches hit a dead server at once; all get
// straight segments and the outage is logged once.
func TestFallbackConcurrent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>bad gateway</html>")
	}))
	defer srv.Close()
	var logs syncBuffer
	r := New(KindValhalla, srv.URL, srv.Client(), slog.New(slog.NewTextHandler(&logs, nil)))
	var wg sync.WaitGroup
	var bad atomic.Int32
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := r.Route(context.Background(), []geo.Point{partDieu, villeurbanne})
			if err != nil || len(got.Points) != 2 {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d routes failed", bad.Load())
	}
	if n := strings.Count(logs.String(), "router failing"); n != 1 {
		t.Fatalf("outage logged %d times:\n%s", n, logs.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
