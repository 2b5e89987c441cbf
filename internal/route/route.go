// Package route finds the path a car takes between points. A territory can
// point it at an OSRM- or Valhalla-compatible server; without one, or when
// that server fails, straight segments stretched by a road factor stand in,
// so carpool search never depends on a service being up.
package route

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Route is a path through waypoints, first to last.
type Route struct {
	// Points is the polyline, starting at the first waypoint and ending at
	// the last one.
	Points   []geo.Point
	Meters   float64
	Duration time.Duration
}

// Router computes the driving route through waypoints, in order.
type Router interface {
	Route(ctx context.Context, waypoints []geo.Point) (Route, error)
}

// Straight joins waypoints with straight segments. Roads are longer than the
// crow flies: Factor (1.3 is typical in French towns) scales the distance,
// and the duration assumes an average speed of SpeedKmh.
type Straight struct {
	Factor   float64
	SpeedKmh float64
}

// DefaultStraight is the fallback used when a territory has no router.
var DefaultStraight = Straight{Factor: 1.3, SpeedKmh: 50}

// Route implements Router.
func (s Straight) Route(_ context.Context, waypoints []geo.Point) (Route, error) {
	if len(waypoints) < 2 {
		return Route{}, fmt.Errorf("route: need at least two waypoints, got %d", len(waypoints))
	}
	factor, speed := s.Factor, s.SpeedKmh
	if factor < 1 {
		factor = 1
	}
	if speed <= 0 {
		speed = 50
	}
	var metres float64
	for i := 1; i < len(waypoints); i++ {
		metres += geo.Distance(waypoints[i-1], waypoints[i])
	}
	metres *= factor
	return Route{
		Points:   append([]geo.Point(nil), waypoints...),
		Meters:   metres,
		Duration: time.Duration(metres / (speed / 3.6) * float64(time.Second)),
	}, nil
}

// Locate finds the point of the polyline nearest to p. It returns how far p
// is from the route and how far along the route (from its start, measured on
// the polyline) that nearest point lies, both in metres. Segments are short
// enough for a local equirectangular projection to be exact to a few metres.
func (r Route) Locate(p geo.Point) (distance, along float64) {
	if len(r.Points) == 0 {
		return math.Inf(1), 0
	}
	if len(r.Points) == 1 {
		return geo.Distance(p, r.Points[0]), 0
	}
	best := math.Inf(1)
	var walked float64
	for i := 1; i < len(r.Points); i++ {
		a, b := r.Points[i-1], r.Points[i]
		d, t := nearestOnSegment(p, a, b)
		seg := geo.Distance(a, b)
		if d < best {
			best, along = d, walked+t*seg
		}
		walked += seg
	}
	return best, along
}

// nearestOnSegment returns the distance from p to the segment [a, b] and
// where along it (0 at a, 1 at b) the nearest point lies.
func nearestOnSegment(p, a, b geo.Point) (float64, float64) {
	const mPerDeg = 111195.0 // metres per degree of latitude
	cos := math.Cos(p.Lat * math.Pi / 180)
	ax, ay := (a.Lon-p.Lon)*cos*mPerDeg, (a.Lat-p.Lat)*mPerDeg
	bx, by := (b.Lon-p.Lon)*cos*mPerDeg, (b.Lat-p.Lat)*mPerDeg
	dx, dy := bx-ax, by-ay
	var t float64
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	x, y := ax+t*dx, ay+t*dy
	return math.Hypot(x, y), t
}
