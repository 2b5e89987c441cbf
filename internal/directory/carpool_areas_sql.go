package directory

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strings"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Carpool areas' queries. Near queries walk the areas' own spatial index
// (an R*Tree in SQLite, a GiST index in PostgreSQL, on the position copied
// from the initiative) and join the initiative for its status and content.

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

// SaveCarpoolArea writes the schema's fields of an initiative, with a copy
// of its position for the areas' own spatial index.
func (s *SQLStore) SaveCarpoolArea(ctx context.Context, territoryID int64, a *CarpoolArea) error {
	res, err := s.q.Exec(ctx, `INSERT INTO carpool_areas (initiative_id, territory_id, lat, lon, id_lieu, id_local, insee,
		commune, type, updated_on, open, source, places, pmr_places, max_minutes, hours, owner, lighting, comment)
		SELECT i.id, i.territory_id, i.lat, i.lon, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		FROM initiatives i WHERE i.id = ? AND i.territory_id = ?
		ON CONFLICT (initiative_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, id_lieu = excluded.id_lieu,
		id_local = excluded.id_local, insee = excluded.insee, commune = excluded.commune, type = excluded.type,
		updated_on = excluded.updated_on, open = excluded.open, source = excluded.source, places = excluded.places,
		pmr_places = excluded.pmr_places, max_minutes = excluded.max_minutes, hours = excluded.hours,
		owner = excluded.owner, lighting = excluded.lighting, comment = excluded.comment`,
		a.NationalID, a.LocalID, a.INSEE, a.Commune, a.Type, a.UpdatedOn, a.Open, a.SourceSIREN,
		nullInt(a.Places), nullInt(a.PMRPlaces), nullInt(a.MaxStayMinutes), a.Hours, a.Owner, nullBool(a.Lighting), a.Comment,
		a.InitiativeID, territoryID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errs.E(errs.NotFound, "err.initiative_not_found")
	}
	return nil
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

// areaCand is a carpool area found by the spatial index, with its exact
// distance from the query point (and, in PostgreSQL, the index's own).
type areaCand struct {
	id        int64
	dist, raw float64
}

// nearCarpoolSQLite grows a box around p on the areas' R*Tree until it
// holds limit published areas all closer than its inner radius, or covers
// the territory.
func (s *SQLStore) nearCarpoolSQLite(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]CarpoolAreaHit, error) {
	radius := 2000.0
	for {
		box := geo.Around(p, radius)
		covers := box.MinLon <= within.MinLon && box.MaxLon >= within.MaxLon && box.MinLat <= within.MinLat && box.MaxLat >= within.MaxLat
		cands, err := s.areaCands(ctx, p, `SELECT r.id, c.lat, c.lon, 0.0 FROM carpool_areas_rtree r
			JOIN carpool_areas c ON c.initiative_id = r.id WHERE r.`+strings.ReplaceAll(rtreeBox, "AND ", "AND r."),
			rtreeArgs(box, territoryID)...)
		if err != nil {
			return nil, err
		}
		out, err := s.firstPublished(ctx, territoryID, cands, p, limit)
		if err != nil {
			return nil, err
		}
		if covers || len(out) == limit && out[limit-1].DistanceM <= radius {
			return out, nil
		}
		if len(out) == limit {
			// The limit-th is outside the circle the box holds: a box of
			// its distance holds the answer.
			radius = out[limit-1].DistanceM * 1.001
			continue
		}
		radius *= 4
	}
}

// nearCarpoolPostgres walks the areas' GiST index in order of raw degree
// distance, reading more until the last candidate, shrunk by cos(lat), is
// farther than the limit-th best true distance (as nearPostgres).
func (s *SQLStore) nearCarpoolPostgres(ctx context.Context, territoryID int64, p geo.Point, limit int) ([]CarpoolAreaHit, error) {
	cosLat := math.Cos(math.Min(89, math.Abs(p.Lat)+1) * math.Pi / 180)
	n := 2*limit + 8
	for {
		cands, err := s.areaCands(ctx, p, `SELECT initiative_id, lat, lon, point(lon, lat) <-> point(?, ?) FROM carpool_areas
			WHERE territory_id = ? ORDER BY point(lon, lat) <-> point(?, ?) LIMIT ?`, p.Lon, p.Lat, territoryID, p.Lon, p.Lat, n)
		if err != nil {
			return nil, err
		}
		var last float64
		for _, c := range cands {
			last = max(last, c.raw)
		}
		out, err := s.firstPublished(ctx, territoryID, cands, p, limit)
		if err != nil {
			return nil, err
		}
		if len(cands) < n || len(out) == limit && out[limit-1].DistanceM <= last*cosLat*metresPerDegree {
			return out, nil
		}
		n *= 4
	}
}

// areaCands reads id, lat, lon and the index's distance of candidate
// areas, closest first by exact distance.
func (s *SQLStore) areaCands(ctx context.Context, p geo.Point, q string, args ...any) ([]areaCand, error) {
	var cands []areaCand
	err := store.Collect(ctx, s.q, q, args, func(sc store.Scanner) error {
		var c areaCand
		var pt geo.Point
		if err := sc.Scan(&c.id, &pt.Lat, &pt.Lon, &c.raw); err != nil {
			return err
		}
		c.dist = geo.Distance(p, pt)
		cands = append(cands, c)
		return nil
	})
	sort.Slice(cands, func(a, b int) bool { return cands[a].dist < cands[b].dist })
	return cands, err
}

// firstPublished reads the candidates in full, closest first, a few at a
// time, until it has limit published ones (archived areas stay in the
// index) or none is left.
func (s *SQLStore) firstPublished(ctx context.Context, territoryID int64, cands []areaCand, p geo.Point, limit int) ([]CarpoolAreaHit, error) {
	var out []CarpoolAreaHit
	for start := 0; start < len(cands) && len(out) < limit; start += limit + 2 {
		chunk := cands[start:min(start+limit+2, len(cands))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, territoryID)
		for _, c := range chunk {
			args = append(args, c.id)
		}
		hits, err := s.carpoolHits(ctx, `SELECT `+initiativeColumns+`, `+carpoolColumns+`, 0.0
			FROM initiatives i JOIN carpool_areas c ON c.initiative_id = i.id
			WHERE +i.territory_id = ? AND i.status = 'published' AND i.id IN (`+store.Placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, nearestAreas(hits, p, len(hits))...)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
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
