package route

import (
	"context"
	"math"
	"testing"

	"github.com/sharingcity/sharingcity/internal/geo"
)

func TestStraight(t *testing.T) {
	a := geo.Point{Lat: 45.0, Lon: 4.0}
	b := geo.Point{Lat: 45.1, Lon: 4.0}
	r, err := DefaultStraight.Route(context.Background(), []geo.Point{a, b})
	if err != nil {
		t.Fatal(err)
	}
	crow := geo.Distance(a, b)
	if math.Abs(r.Meters-1.3*crow) > 1 {
		t.Fatalf("metres = %.0f, want %.0f", r.Meters, 1.3*crow)
	}
	if got, want := r.Duration.Seconds(), r.Meters/(50/3.6); math.Abs(got-want) > 1 {
		t.Fatalf("duration = %.0fs, want %.0fs", got, want)
	}
	if _, err := DefaultStraight.Route(context.Background(), []geo.Point{a}); err == nil {
		t.Fatal("one waypoint: want an error")
	}
}

func TestLocate(t *testing.T) {
	// A route going north along the meridian 4°E, 11 km long.
	r := Route{Points: []geo.Point{{Lat: 45.0, Lon: 4.0}, {Lat: 45.05, Lon: 4.0}, {Lat: 45.1, Lon: 4.0}}}
	cases := []struct {
		name        string
		p           geo.Point
		dist, along float64 // metres
		tolD, tolA  float64
	}{
		{"on the start", geo.Point{Lat: 45.0, Lon: 4.0}, 0, 0, 1, 1},
		{"2 km east of the middle", geo.Point{Lat: 45.05, Lon: 4.0 + 2000/(111195*math.Cos(45.05*math.Pi/180))}, 2000, 5560, 10, 10},
		{"before the start", geo.Point{Lat: 44.99, Lon: 4.0}, 1112, 0, 5, 1},
		{"past the end", geo.Point{Lat: 45.11, Lon: 4.0}, 1112, 11119, 5, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, a := r.Locate(tc.p)
			if math.Abs(d-tc.dist) > tc.tolD || math.Abs(a-tc.along) > tc.tolA {
				t.Fatalf("Locate = (%.0f, %.0f), want (%.0f, %.0f)", d, a, tc.dist, tc.along)
			}
		})
	}
}
