package directory

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strings"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Carpool areas' queries. Near queries walk the directory's spatial index
// (the R*Tree of published initiatives in SQLite, the GiST index on their
// points in PostgreSQL) and keep the entries with a carpool_areas row.

const carpoolColumns = `c.id_lieu, c.id_local, c.insee, c.commune, c.type, c.updated_on, c.open, c.source,
	c.places, c.pmr_places, c.max_minutes, c.hours, c.owner, c.lighting, c.comment`

// scanCarpoolArea reads initiativeColumns, carpoolColumns, then extra.
func scanCarpoolArea(sc store.Scanner, extra ...any) (*CarpoolAreaHit, error) {
	var a CarpoolArea
	var places, pmr, minutes sql.NullInt64
	var lighting sql.NullBool
	dest := []any{&a.NationalID, &a.LocalID, &a.INSEE, &a.Commune, &a.Type, &a.UpdatedOn, &a.Open, &a.SourceSIREN,
		&places, &pmr, &minutes, &a.Hours, &a.Owner, &lighting, &a.Comment}
	in, err := scanInitiative(sc, append(dest, extra...)...)
	if err != nil {
		return nil, err
	}
	a.InitiativeID = in.ID
	a.Places, a.PMRPlaces, a.MaxStayMinutes = intPtr(places), intPtr(pmr), intPtr(minutes)
	if lighting.Valid {
		a.Lighting = &lighting.Bool
	}
	return &CarpoolAreaHit{Initiative: in, Area: a}, nil
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func nullBool(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

// SaveCarpoolArea writes the schema's fields of an initiative.
func (s *SQLStore) SaveCarpoolArea(ctx context.Context, territoryID int64, a *CarpoolArea) error {
	_, err := s.q.Exec(ctx, `INSERT INTO carpool_areas (initiative_id, territory_id, id_lieu, id_local, insee, commune,
		type, updated_on, open, source, places, pmr_places, max_minutes, hours, owner, lighting, comment)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (initiative_id) DO UPDATE SET id_lieu = excluded.id_lieu, id_local = excluded.id_local,
		insee = excluded.insee, commune = excluded.commune, type = excluded.type, updated_on = excluded.updated_on,
		open = excluded.open, source = excluded.source, places = excluded.places, pmr_places = excluded.pmr_places,
		max_minutes = excluded.max_minutes, hours = excluded.hours, owner = excluded.owner,
		lighting = excluded.lighting, comment = excluded.comment`,
		a.InitiativeID, territoryID, a.NationalID, a.LocalID, a.INSEE, a.Commune, a.Type, a.UpdatedOn, a.Open,
		a.SourceSIREN, nullInt(a.Places), nullInt(a.PMRPlaces), nullInt(a.MaxStayMinutes), a.Hours, a.Owner,
		nullBool(a.Lighting), a.Comment)
	return err
}

// AllCarpoolAreas reads the published carpool areas by id, a page at a time.
func (s *SQLStore) AllCarpoolAreas(ctx context.Context, territoryID int64, fn func(*CarpoolAreaHit) error) error {
	var after int64
	for {
		page, err := s.carpoolHits(ctx, `SELECT `+initiativeColumns+`, `+carpoolColumns+`, 0.0
			FROM carpool_areas c JOIN initiatives i ON i.id = c.initiative_id
			WHERE c.territory_id = ? AND i.territory_id = ? AND i.status = 'published' AND i.id > ?
			ORDER BY i.id LIMIT 1000`, territoryID, territoryID, after)
		if err != nil {
			return err
		}
		for _, h := range page {
			if err := fn(h); err != nil {
				return err
			}
			after = h.Initiative.ID
		}
		if len(page) < 1000 {
			return nil
		}
	}
}

func (s *SQLStore) carpoolHits(ctx context.Context, q string, args ...any) ([]*CarpoolAreaHit, error) {
	var out []*CarpoolAreaHit
	err := store.Collect(ctx, s.q, q, args, func(sc store.Scanner) error {
		var raw float64
		h, err := scanCarpoolArea(sc, &raw)
		if err == nil {
			h.DistanceM = raw
			out = append(out, h)
		}
		return err
	})
	return out, err
}

// NearCarpoolAreas returns the limit published carpool areas closest to p.
func (s *SQLStore) NearCarpoolAreas(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]CarpoolAreaHit, error) {
	if s.postgres() {
		return s.nearCarpoolPostgres(ctx, territoryID, p, limit)
	}
	return s.nearCarpoolSQLite(ctx, territoryID, within, p, limit)
}

// nearCarpoolSQLite grows a box around p until it holds limit carpool
// areas all closer than its inner radius, or covers the territory. The
// R*Tree reads the box; each entry found is looked up in carpool_areas by
// its primary key.
func (s *SQLStore) nearCarpoolSQLite(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]CarpoolAreaHit, error) {
	type cand struct {
		id   int64
		dist float64
	}
	radius := 2000.0
	var best []cand
	for {
		box := geo.Around(p, radius)
		covers := box.MinLon <= within.MinLon && box.MaxLon >= within.MaxLon && box.MinLat <= within.MinLat && box.MaxLat >= within.MaxLat
		best = best[:0]
		err := store.Collect(ctx, s.q, `SELECT r.id, r.min_lat, r.min_lon FROM initiatives_rtree r
			JOIN carpool_areas c ON c.initiative_id = r.id WHERE r.`+strings.ReplaceAll(rtreeBox, "AND ", "AND r."),
			rtreeArgs(box, territoryID), func(sc store.Scanner) error {
				var c cand
				var pt geo.Point
				if err := sc.Scan(&c.id, &pt.Lat, &pt.Lon); err != nil {
					return err
				}
				c.dist = geo.Distance(p, pt)
				best = append(best, c)
				return nil
			})
		if err != nil {
			return nil, err
		}
		if len(best) >= limit {
			kth := kthSmallest(best, limit, func(c cand) float64 { return c.dist })
			if kth <= radius || covers {
				break
			}
			radius = kth * 1.001
			continue
		}
		if covers {
			break
		}
		radius *= 4
	}
	if len(best) == 0 {
		return nil, nil
	}
	// The R*Tree's coordinates are 32-bit: read a few more than asked and
	// rank them again on the exact positions.
	sort.Slice(best, func(a, b int) bool { return best[a].dist < best[b].dist })
	n := min(len(best), limit+2)
	args := make([]any, 0, n+1)
	args = append(args, territoryID)
	for _, c := range best[:n] {
		args = append(args, c.id)
	}
	hits, err := s.carpoolHits(ctx, `SELECT `+initiativeColumns+`, `+carpoolColumns+`, 0.0
		FROM initiatives i JOIN carpool_areas c ON c.initiative_id = i.id
		WHERE i.territory_id = ? AND i.status = 'published' AND i.id IN (`+store.Placeholders(n)+`)`, args...)
	if err != nil {
		return nil, err
	}
	return nearestAreas(hits, p, limit), nil
}

// nearCarpoolPostgres walks the GiST index in order of raw degree
// distance, reading more until the last candidate, shrunk by cos(lat),
// is farther than the limit-th best true distance (as nearPostgres).
func (s *SQLStore) nearCarpoolPostgres(ctx context.Context, territoryID int64, p geo.Point, limit int) ([]CarpoolAreaHit, error) {
	cosLat := math.Cos(math.Min(89, math.Abs(p.Lat)+1) * math.Pi / 180)
	n := 2*limit + 8
	for {
		hits, err := s.carpoolHits(ctx, `SELECT `+initiativeColumns+`, `+carpoolColumns+`, point(i.lon, i.lat) <-> point(?, ?)
			FROM initiatives i JOIN carpool_areas c ON c.initiative_id = i.id
			WHERE i.status = 'published' AND i.territory_id = ? AND c.territory_id = ?
			ORDER BY point(i.lon, i.lat) <-> point(?, ?) LIMIT ?`, p.Lon, p.Lat, territoryID, territoryID, p.Lon, p.Lat, n)
		if err != nil {
			return nil, err
		}
		exhausted := len(hits) < n
		var last float64
		if len(hits) > 0 {
			last = hits[len(hits)-1].DistanceM
		}
		out := nearestAreas(hits, p, limit)
		if exhausted || len(out) < limit || out[len(out)-1].DistanceM <= last*cosLat*metresPerDegree {
			return out, nil
		}
		n *= 4
	}
}

// nearestAreas sets exact distances and keeps the n closest, by distance
// then id.
func nearestAreas(hits []*CarpoolAreaHit, p geo.Point, n int) []CarpoolAreaHit {
	out := make([]CarpoolAreaHit, len(hits))
	for i, h := range hits {
		out[i] = *h
		out[i].DistanceM = geo.Distance(p, h.Initiative.Position)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].DistanceM != out[b].DistanceM {
			return out[a].DistanceM < out[b].DistanceM
		}
		return out[a].Initiative.ID < out[b].Initiative.ID
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
