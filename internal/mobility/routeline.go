package mobility

import (
	"math"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Route lines drawn on maps. The stored polyline starts at the driver's
// exact origin and ends at the exact destination (often a home): people
// outside an accepted booking see those ends rounded (hideExact), so the
// line they get leaves out the part near each end and joins the rounded
// ends instead. Passengers' pickup and drop-off are never on the line: it
// is the driver's route, computed before anyone booked.

const (
	maxLinePoints = 400 // a page carries at most this many points
	lineEndMargin = 300 // metres of the line hidden around each exact end
)

// LinePoint is a [lat, lon] pair, the order Leaflet takes.
type LinePoint [2]float64

// routeLine is the line of t for a viewer; exact is whether they may see
// exact places, from and to the ends they see.
func routeLine(line []geo.Point, exact bool, exactFrom, exactTo geo.Point, from, to Place) []LinePoint {
	if len(line) < 2 {
		return []LinePoint{{from.Lat, from.Lon}, {to.Lat, to.Lon}}
	}
	pts := line
	if !exact {
		lo, hi := 0, len(line)
		for lo < hi && geo.Distance(line[lo], exactFrom) < lineEndMargin {
			lo++
		}
		for hi > lo && geo.Distance(line[hi-1], exactTo) < lineEndMargin {
			hi--
		}
		pts = append([]geo.Point{from.Point()}, line[lo:hi]...)
		pts = append(pts, to.Point())
	}
	step := int(math.Ceil(float64(len(pts)) / maxLinePoints))
	out := make([]LinePoint, 0, min(len(pts), maxLinePoints)+1)
	for i := 0; i < len(pts); i += max(step, 1) {
		out = append(out, LinePoint{round6(pts[i].Lat), round6(pts[i].Lon)})
	}
	if last := pts[len(pts)-1]; out[len(out)-1] != (LinePoint{round6(last.Lat), round6(last.Lon)}) {
		out = append(out, LinePoint{round6(last.Lat), round6(last.Lon)})
	}
	return out
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
