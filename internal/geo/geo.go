// Package geo holds the small amount of geography the modules share: WGS84
// points, bounding boxes, distances and the web-map tile grid.
package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Point is a WGS84 position.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Valid reports a finite position on Earth.
func (p Point) Valid() bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon) && p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// BBox is a box in longitude/latitude, in the GeoJSON order.
type BBox struct {
	MinLon float64 `json:"min_lon"`
	MinLat float64 `json:"min_lat"`
	MaxLon float64 `json:"max_lon"`
	MaxLat float64 `json:"max_lat"`
}

// Valid reports a non-empty box inside WGS84 bounds.
func (b BBox) Valid() bool {
	return (Point{b.MinLat, b.MinLon}).Valid() && (Point{b.MaxLat, b.MaxLon}).Valid() &&
		b.MinLon < b.MaxLon && b.MinLat < b.MaxLat
}

// Contains reports whether p lies in b (edges included).
func (b BBox) Contains(p Point) bool {
	return p.Lon >= b.MinLon && p.Lon <= b.MaxLon && p.Lat >= b.MinLat && p.Lat <= b.MaxLat
}

// Center is the middle of the box.
func (b BBox) Center() Point { return Point{(b.MinLat + b.MaxLat) / 2, (b.MinLon + b.MaxLon) / 2} }

// Intersect returns the overlap of two boxes and whether there is one.
func (b BBox) Intersect(o BBox) (BBox, bool) {
	r := BBox{math.Max(b.MinLon, o.MinLon), math.Max(b.MinLat, o.MinLat), math.Min(b.MaxLon, o.MaxLon), math.Min(b.MaxLat, o.MaxLat)}
	return r, r.MinLon < r.MaxLon && r.MinLat < r.MaxLat
}

// Array returns [minLon, minLat, maxLon, maxLat], GeoJSON's bbox member.
func (b BBox) Array() [4]float64 { return [4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} }

func (b BBox) String() string {
	return fmt.Sprintf("%g,%g,%g,%g", b.MinLon, b.MinLat, b.MaxLon, b.MaxLat)
}

// ParseBBox reads "minLon,minLat,maxLon,maxLat".
func ParseBBox(s string) (BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return BBox{}, errs.E(errs.Invalid, "err.bbox_format")
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return BBox{}, errs.E(errs.Invalid, "err.bbox_format")
		}
		v[i] = f
	}
	b := BBox{v[0], v[1], v[2], v[3]}
	if !b.Valid() {
		return BBox{}, errs.E(errs.Invalid, "err.bbox_range")
	}
	return b, nil
}

// ParsePoint reads "lat,lon".
func ParsePoint(s string) (Point, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return Point{}, errs.E(errs.Invalid, "err.point_format")
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	p := Point{lat, lon}
	if err1 != nil || err2 != nil || !p.Valid() {
		return Point{}, errs.E(errs.Invalid, "err.point_format")
	}
	return p, nil
}

const earthRadius = 6371008.8 // metres, mean radius

// Distance returns the great-circle distance in metres (haversine).
func Distance(a, b Point) float64 {
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat := la2 - la1
	dLon := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Around returns the box that holds every point within radius metres of p.
func Around(p Point, radius float64) BBox {
	dLat := radius / earthRadius * 180 / math.Pi
	cos := math.Cos(p.Lat * math.Pi / 180)
	dLon := 180.0
	if cos > 1e-9 {
		dLon = math.Min(180, dLat/cos)
	}
	return BBox{
		MinLon: math.Max(-180, p.Lon-dLon), MinLat: math.Max(-90, p.Lat-dLat),
		MaxLon: math.Min(180, p.Lon+dLon), MaxLat: math.Min(90, p.Lat+dLat),
	}
}

// Tile is a cell of the Web-Mercator tile grid used by web maps.
type Tile struct{ Z, X, Y int }

// TileOf returns the tile at zoom z that holds p.
func TileOf(p Point, z int) Tile {
	n := float64(int(1) << z)
	lat := math.Max(-85.05112878, math.Min(85.05112878, p.Lat)) * math.Pi / 180
	x := int((p.Lon + 180) / 360 * n)
	y := int((1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2 * n)
	maxIdx := int(n) - 1
	return Tile{z, min(max(x, 0), maxIdx), min(max(y, 0), maxIdx)}
}

// Bounds returns the box the tile covers.
func (t Tile) Bounds() BBox {
	n := float64(int(1) << t.Z)
	lon := func(x int) float64 { return float64(x)/n*360 - 180 }
	lat := func(y int) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*float64(y)/n))) * 180 / math.Pi }
	return BBox{MinLon: lon(t.X), MinLat: lat(t.Y + 1), MaxLon: lon(t.X + 1), MaxLat: lat(t.Y)}
}
