package offers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// The public position of a listing is its exact position moved by an
// offset of 200 to 500 m in a direction that looks random but is derived,
// with HMAC-SHA256 and the server's secret, from the owner and the grid
// cell (about 250 m) of the exact position. So:
//   - it is stable: reads and edits of other fields never change it, and
//     only moving the exact position moves it (by the same offset within a
//     cell, a new one in another cell), so nothing can be averaged over time;
//   - all listings of one owner from one place share the offset, so
//     averaging them gives back the public point, not the home. An offset
//     drawn per listing would let the centroid of ten listings land within
//     about a hundred metres of the door;
//   - without the secret the offset cannot be recomputed.
// The result is rounded to 4 decimals (about 10 m), which keeps it within
// the 200-500 m ring: offsets are drawn in 210-490 m.

const (
	minOffsetM     = 210.0
	maxOffsetM     = 490.0
	offsetCellDeg  = 0.0025
	publicDecimals = 1e4
	metresPerDeg   = 6371008.8 * math.Pi / 180
)

// approximate returns the public position for an owner's exact position.
func approximate(secret []byte, ownerID int64, exact geo.Point) geo.Point {
	cellLat := int64(math.Floor(exact.Lat / offsetCellDeg))
	cellLon := int64(math.Floor(exact.Lon / offsetCellDeg))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("sharingcity/offers/position/v1|" + strconv.FormatInt(ownerID, 10) + "|" +
		strconv.FormatInt(cellLat, 10) + "|" + strconv.FormatInt(cellLon, 10)))
	sum := mac.Sum(nil)
	u1 := float64(binary.BigEndian.Uint64(sum[0:8])>>11) / (1 << 53)
	u2 := float64(binary.BigEndian.Uint64(sum[8:16])>>11) / (1 << 53)
	angle := 2 * math.Pi * u1
	// Uniform over the ring's area, not its radius.
	dist := math.Sqrt(minOffsetM*minOffsetM + u2*(maxOffsetM*maxOffsetM-minOffsetM*minOffsetM))
	dLat := dist * math.Cos(angle) / metresPerDeg
	cos := math.Max(math.Cos(exact.Lat*math.Pi/180), 1e-6)
	dLon := dist * math.Sin(angle) / (metresPerDeg * cos)
	p := geo.Point{Lat: round4(exact.Lat + dLat), Lon: round4(exact.Lon + dLon)}
	p.Lat = math.Max(-90, math.Min(90, p.Lat))
	if p.Lon > 180 {
		p.Lon -= 360
	} else if p.Lon < -180 {
		p.Lon += 360
	}
	return p
}

func round4(x float64) float64 { return math.Round(x*publicDecimals) / publicDecimals }
