package geo

import (
	"math"
	"testing"
)

func TestParseBBox(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"1.0,45.0,2.0,46.0", true},
		{" 1 , 45 , 2 , 46 ", true},
		{"1,45,2", false},
		{"2,45,1,46", false},
		{"1,45,2,NaN", false},
		{"a,b,c,d", false},
		{"-200,45,2,46", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseBBox(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseBBox(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
			}
		})
	}
}

func TestDistanceAndAround(t *testing.T) {
	// Paris Notre-Dame to Lyon Fourvière: about 392 km.
	d := Distance(Point{48.853, 2.3499}, Point{45.7623, 4.8221})
	if math.Abs(d-392000) > 3000 {
		t.Fatalf("Paris-Lyon = %.0f m", d)
	}
	p := Point{45.0, 3.0}
	b := Around(p, 1000)
	for _, q := range []Point{{b.MinLat, p.Lon}, {b.MaxLat, p.Lon}, {p.Lat, b.MinLon}, {p.Lat, b.MaxLon}} {
		if got := Distance(p, q); math.Abs(got-1000) > 5 {
			t.Fatalf("edge of Around at %.1f m, want 1000", got)
		}
	}
}

func TestTileRoundTrip(t *testing.T) {
	p := Point{45.7640, 4.8357}
	for z := 0; z <= 18; z++ {
		tile := TileOf(p, z)
		if !tile.Bounds().Contains(p) {
			t.Fatalf("z=%d: tile %v bounds %v do not contain %v", z, tile, tile.Bounds(), p)
		}
	}
}
