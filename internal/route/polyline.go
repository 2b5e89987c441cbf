package route

import (
	"fmt"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// decodePolyline reads Google's encoded polyline format with the given
// precision (5 for OSRM's default "polyline", 6 for "polyline6" and
// Valhalla's shapes): latitude then longitude, each a zig-zag varint of
// 5-bit chunks offset by 63, as deltas from the previous point.
func decodePolyline(s string, precision int) ([]geo.Point, error) {
	factor := 1.0
	for i := 0; i < precision; i++ {
		factor *= 10
	}
	var pts []geo.Point
	var lat, lon int64
	for i := 0; i < len(s); {
		var deltas [2]int64
		for k := range deltas {
			var result int64
			var shift uint
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("route: polyline ends inside a point")
				}
				b := int64(s[i]) - 63
				i++
				if b < 0 || b > 63 || shift > 60 {
					return nil, fmt.Errorf("route: invalid polyline character at %d", i-1)
				}
				result |= (b & 0x1f) << shift
				shift += 5
				if b < 0x20 {
					break
				}
			}
			if result&1 != 0 {
				deltas[k] = ^(result >> 1)
			} else {
				deltas[k] = result >> 1
			}
		}
		lat += deltas[0]
		lon += deltas[1]
		pts = append(pts, geo.Point{Lat: float64(lat) / factor, Lon: float64(lon) / factor})
	}
	return pts, nil
}

// encodePolyline is decodePolyline's inverse, for tests and fake servers.
func encodePolyline(pts []geo.Point, precision int) string {
	factor := 1.0
	for i := 0; i < precision; i++ {
		factor *= 10
	}
	var out []byte
	var plat, plon int64
	enc := func(v int64) {
		u := v << 1
		if v < 0 {
			u = ^u
		}
		for u >= 0x20 {
			out = append(out, byte((0x20|(u&0x1f))+63))
			u >>= 5
		}
		out = append(out, byte(u+63))
	}
	for _, p := range pts {
		lat, lon := roundInt(p.Lat*factor), roundInt(p.Lon*factor)
		enc(lat - plat)
		enc(lon - plon)
		plat, plon = lat, lon
	}
	return string(out)
}

func roundInt(f float64) int64 {
	if f < 0 {
		return int64(f - 0.5)
	}
	return int64(f + 0.5)
}
