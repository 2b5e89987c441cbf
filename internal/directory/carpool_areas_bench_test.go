package directory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// BenchmarkNearCarpoolAreas: one initiative in 100 of the shared 100,000
// is a carpool area (a metropolis has a few hundred).
func BenchmarkNearCarpoolAreas(b *testing.B) {
	benchEach(b, func(b *testing.B, d *benchData) {
		ctx := context.Background()
		if _, err := d.db.Exec(ctx, `INSERT INTO carpool_areas (initiative_id, territory_id, lat, lon, id_lieu, insee, type, updated_on)
			SELECT id, territory_id, lat, lon, '69123-C-001', '69123', 'Parking', '2025-01-01' FROM initiatives
			WHERE territory_id = ? AND id % 100 = 0 ON CONFLICT (initiative_id) DO NOTHING`, d.ter.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := d.db.Exec(ctx, `ANALYZE carpool_areas`); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		timed(b, func(r *rand.Rand) error {
			p := geo.Point{Lat: 45.70 + r.Float64()*0.12, Lon: 4.78 + r.Float64()*0.16}
			hits, err := d.svc.NearCarpoolAreas(ctx, d.ter, p, 5)
			if err == nil && len(hits) != 5 {
				err = fmt.Errorf("%d hits", len(hits))
			}
			return err
		})
	})
}
