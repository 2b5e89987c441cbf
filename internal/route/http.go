package route

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// DefaultTimeout bounds one request to a routing server: a trip form or a
// search waits for it, and the straight-segment fallback is always ready.
const DefaultTimeout = 3 * time.Second

// maxResponseBytes bounds a server's answer (a full geometry across France
// is a few hundred kilobytes).
const maxResponseBytes = 8 << 20

// maxWaypoints bounds one request: a trip has an origin, a destination and
// a few stops; public servers refuse long lists anyway.
const maxWaypoints = 25

// ServerError is a routing server's refusal: no route between the points,
// a point off the road network, or a failure of the server.
type ServerError struct {
	Server  string // "osrm" or "valhalla"
	Status  int    // HTTP status
	Code    string // the server's own code (OSRM "NoRoute", Valhalla "442")
	Message string
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("route: %s answered %d %s: %s", e.Server, e.Status, e.Code, e.Message)
}

// NoRoute reports whether the server found no path between the points
// (rather than failing): the fallback still draws straight segments, but
// callers may tell the user.
func (e *ServerError) NoRoute() bool {
	switch e.Code {
	case "NoRoute", "NoSegment", "442", "443", "171", "170":
		return true
	}
	return false
}

// checkWaypoints refuses what no server can route.
func checkWaypoints(waypoints []geo.Point) error {
	if len(waypoints) < 2 {
		return fmt.Errorf("route: need at least two waypoints, got %d", len(waypoints))
	}
	if len(waypoints) > maxWaypoints {
		return fmt.Errorf("route: at most %d waypoints, got %d", maxWaypoints, len(waypoints))
	}
	for _, p := range waypoints {
		if !p.Valid() {
			return fmt.Errorf("route: invalid waypoint %v", p)
		}
	}
	return nil
}

// newClient returns client, or one with DefaultTimeout.
func newClient(client *http.Client) *http.Client {
	if client == nil {
		return &http.Client{Timeout: DefaultTimeout}
	}
	return client
}

// do sends req with a deadline and reads at most maxResponseBytes of the
// answer, whatever its status.
func do(ctx context.Context, client *http.Client, req *http.Request) (int, []byte, error) {
	if _, ok := ctx.Deadline(); !ok && client.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	req = req.WithContext(ctx)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "sharingcity")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("route: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return 0, nil, fmt.Errorf("route: read answer: %w", err)
	}
	if len(body) > maxResponseBytes {
		return 0, nil, errors.New("route: answer too large")
	}
	return resp.StatusCode, body, nil
}

// OSRM asks an OSRM-compatible server (osrm-backend's HTTP API v5, also
// spoken by several hosted services) for the driving route.
type OSRM struct {
	BaseURL string // e.g. "https://router.project-osrm.org"
	Client  *http.Client
	// Profile is the path segment naming the profile, "driving" by default.
	Profile string
}

type osrmAnswer struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Routes  []struct {
		Distance float64         `json:"distance"` // metres
		Duration float64         `json:"duration"` // seconds
		Geometry json.RawMessage `json:"geometry"`
	} `json:"routes"`
}

// Route implements Router.
func (o *OSRM) Route(ctx context.Context, waypoints []geo.Point) (Route, error) {
	if err := checkWaypoints(waypoints); err != nil {
		return Route{}, err
	}
	coords := make([]string, len(waypoints))
	for i, p := range waypoints {
		coords[i] = strconv.FormatFloat(p.Lon, 'f', 6, 64) + "," + strconv.FormatFloat(p.Lat, 'f', 6, 64)
	}
	profile := o.Profile
	if profile == "" {
		profile = "driving"
	}
	u := strings.TrimRight(o.BaseURL, "/") + "/route/v1/" + url.PathEscape(profile) + "/" + strings.Join(coords, ";") +
		"?overview=full&geometries=geojson&steps=false&alternatives=false"
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return Route{}, fmt.Errorf("route: osrm: %w", err)
	}
	status, body, err := do(ctx, newClient(o.Client), req)
	if err != nil {
		return Route{}, err
	}
	var a osrmAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return Route{}, &ServerError{Server: "osrm", Status: status, Code: "unreadable", Message: err.Error()}
	}
	if status != http.StatusOK || a.Code != "Ok" || len(a.Routes) == 0 {
		if a.Code == "" {
			a.Code = "NoRoute"
		}
		return Route{}, &ServerError{Server: "osrm", Status: status, Code: a.Code, Message: a.Message}
	}
	r := a.Routes[0]
	pts, err := osrmGeometry(r.Geometry)
	if err != nil {
		return Route{}, err
	}
	return Route{Points: pts, Meters: r.Distance, Duration: seconds(r.Duration)}, nil
}

// osrmGeometry reads a GeoJSON LineString, or an encoded polyline string
// (polyline6 when the server was asked for it, or a proxy always answers so).
func osrmGeometry(raw json.RawMessage) ([]geo.Point, error) {
	var line struct {
		Type        string       `json:"type"`
		Coordinates [][2]float64 `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &line); err == nil && line.Type == "LineString" {
		pts := make([]geo.Point, len(line.Coordinates))
		for i, c := range line.Coordinates {
			pts[i] = geo.Point{Lon: c[0], Lat: c[1]}
		}
		if len(pts) < 2 {
			return nil, errors.New("route: osrm: geometry has fewer than two points")
		}
		return pts, nil
	}
	var encoded string
	if err := json.Unmarshal(raw, &encoded); err != nil {
		return nil, fmt.Errorf("route: osrm: unreadable geometry: %w", err)
	}
	return decodePolyline(encoded, 6)
}

// Valhalla asks a Valhalla-compatible server for the driving route.
type Valhalla struct {
	BaseURL string // e.g. "https://valhalla1.openstreetmap.de"
	Client  *http.Client
	// Costing is the travel mode, "auto" by default.
	Costing string
}

type valhallaLocation struct {
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
	Type string  `json:"type"`
}

type valhallaAnswer struct {
	Trip struct {
		Status int    `json:"status"`
		Units  string `json:"units"`
		Legs   []struct {
			Shape string `json:"shape"`
		} `json:"legs"`
		Summary struct {
			Length float64 `json:"length"` // in Units
			Time   float64 `json:"time"`   // seconds
		} `json:"summary"`
	} `json:"trip"`
	ErrorCode int    `json:"error_code"`
	Error     string `json:"error"`
}

// Route implements Router.
func (v *Valhalla) Route(ctx context.Context, waypoints []geo.Point) (Route, error) {
	if err := checkWaypoints(waypoints); err != nil {
		return Route{}, err
	}
	costing := v.Costing
	if costing == "" {
		costing = "auto"
	}
	locs := make([]valhallaLocation, len(waypoints))
	for i, p := range waypoints {
		// Stops are "break" locations: the route passes through each and a
		// leg ends there, as a carpool's pick-ups need.
		locs[i] = valhallaLocation{Lat: p.Lat, Lon: p.Lon, Type: "break"}
	}
	payload, err := json.Marshal(map[string]any{
		"locations":          locs,
		"costing":            costing,
		"units":              "kilometers",
		"directions_type":    "none",
		"directions_options": map[string]any{"units": "kilometers"},
	})
	if err != nil {
		return Route{}, err
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(v.BaseURL, "/")+"/route", bytes.NewReader(payload))
	if err != nil {
		return Route{}, fmt.Errorf("route: valhalla: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	status, body, err := do(ctx, newClient(v.Client), req)
	if err != nil {
		return Route{}, err
	}
	var a valhallaAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return Route{}, &ServerError{Server: "valhalla", Status: status, Code: "unreadable", Message: err.Error()}
	}
	if status != http.StatusOK || a.ErrorCode != 0 || len(a.Trip.Legs) == 0 {
		return Route{}, &ServerError{Server: "valhalla", Status: status, Code: strconv.Itoa(a.ErrorCode), Message: a.Error}
	}
	var pts []geo.Point
	for _, leg := range a.Trip.Legs {
		legPts, err := decodePolyline(leg.Shape, 6)
		if err != nil {
			return Route{}, fmt.Errorf("route: valhalla: %w", err)
		}
		// A leg starts where the previous one ended.
		if len(pts) > 0 && len(legPts) > 0 && legPts[0] == pts[len(pts)-1] {
			legPts = legPts[1:]
		}
		pts = append(pts, legPts...)
	}
	if len(pts) < 2 {
		return Route{}, errors.New("route: valhalla: shape has fewer than two points")
	}
	metres := a.Trip.Summary.Length * 1000
	if a.Trip.Units == "miles" || a.Trip.Units == "mi" {
		metres = a.Trip.Summary.Length * 1609.344
	}
	return Route{Points: pts, Meters: metres, Duration: seconds(a.Trip.Summary.Time)}, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
