package mobility

import (
	"testing"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// TestRouteLine: the line others see never comes within the margin of the
// exact ends, and keeps at most maxLinePoints points.
func TestRouteLine(t *testing.T) {
	from, to := geo.Point{Lat: 45.2050, Lon: 5.7000}, geo.Point{Lat: 45.1600, Lon: 5.7400}
	var line []geo.Point
	for i := 0; i <= 1000; i++ {
		f := float64(i) / 1000
		line = append(line, geo.Point{Lat: from.Lat + f*(to.Lat-from.Lat), Lon: from.Lon + f*(to.Lon-from.Lon)})
	}
	rounded := func(p geo.Point) Place { return Place{Lat: p.Lat + 0.0009, Lon: p.Lon - 0.0008} }
	blurred := routeLine(line, false, from, to, rounded(from), rounded(to))
	if len(blurred) > maxLinePoints+1 {
		t.Fatalf("%d points", len(blurred))
	}
	for i, p := range blurred {
		q := geo.Point{Lat: p[0], Lon: p[1]}
		if i > 0 && i < len(blurred)-1 && (geo.Distance(q, from) < lineEndMargin || geo.Distance(q, to) < lineEndMargin) {
			t.Fatalf("point %d %v lies within %d m of an exact end", i, p, lineEndMargin)
		}
	}
	if blurred[0] != (LinePoint{rounded(from).Lat, rounded(from).Lon}) {
		t.Fatalf("the line starts at %v, not at the rounded origin", blurred[0])
	}
	exact := routeLine(line, true, from, to, Place{Lat: from.Lat, Lon: from.Lon}, Place{Lat: to.Lat, Lon: to.Lon})
	if exact[0] != (LinePoint{from.Lat, from.Lon}) || exact[len(exact)-1] != (LinePoint{to.Lat, to.Lon}) {
		t.Fatalf("the exact line runs %v .. %v", exact[0], exact[len(exact)-1])
	}
	if got := routeLine(nil, false, from, to, rounded(from), rounded(to)); len(got) != 2 {
		t.Fatalf("no polyline: %v", got)
	}
}
