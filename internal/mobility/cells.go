package mobility

import (
	"math"
	"sort"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// The search grid: cells of cellLat by cellLon degrees (about 1.7 by 1.6 km
// at 45°N). Small enough that a cell holds few routes at one time, large
// enough that a 20 km route with a 3 km corridor covers a hundred or so.
const (
	cellLat = 0.015
	cellLon = 0.02
	// sampleStep is how far apart (metres) the corridor is sampled along
	// the route; each sample's box is widened by half of it, so no point
	// within the detour distance of the route falls between two samples.
	sampleStep = 400.0
)

// cellOf is the grid cell holding p: row * 100000 + column, counted from
// -90 and -180.
func cellOf(p geo.Point) int64 {
	return cellAt(int64(math.Floor((p.Lat+90)/cellLat)), int64(math.Floor((p.Lon+180)/cellLon)))
}

func cellAt(row, col int64) int64 { return row*100000 + col }

// corridorCells lists the cells holding any point within radius metres of
// the polyline, sorted.
func corridorCells(line []geo.Point, radius float64) []int64 {
	set := map[int64]struct{}{}
	add := func(p geo.Point) {
		b := geo.Around(p, radius+sampleStep/2)
		r0, r1 := int64(math.Floor((b.MinLat+90)/cellLat)), int64(math.Floor((b.MaxLat+90)/cellLat))
		c0, c1 := int64(math.Floor((b.MinLon+180)/cellLon)), int64(math.Floor((b.MaxLon+180)/cellLon))
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				set[cellAt(r, c)] = struct{}{}
			}
		}
	}
	for i, p := range line {
		add(p)
		if i == 0 {
			continue
		}
		a := line[i-1]
		n := int(geo.Distance(a, p) / sampleStep)
		for k := 1; k <= n; k++ {
			t := float64(k) / float64(n+1)
			add(geo.Point{Lat: a.Lat + t*(p.Lat-a.Lat), Lon: a.Lon + t*(p.Lon-a.Lon)})
		}
	}
	out := make([]int64, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
