package territory

import (
	"context"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// SQLStore keeps territories in either dialect.
type SQLStore struct{ db *store.DB }

func NewSQLStore(db *store.DB) *SQLStore { return &SQLStore{db: db} }

const territoryColumns = `id, slug, name, min_lon, min_lat, max_lon, max_lat, lang, time_zone, modules,
	tile_url, tile_attribution, licence, contact_email, data_version, created_at, router_kind, router_url`

func scanTerritory(s store.Scanner) (*Territory, error) {
	var t Territory
	var modules string
	err := s.Scan(&t.ID, &t.Slug, &t.Name, &t.BBox.MinLon, &t.BBox.MinLat, &t.BBox.MaxLon, &t.BBox.MaxLat,
		&t.Lang, &t.TimeZone, &modules, &t.TileURL, &t.TileAttribution, &t.Licence, &t.ContactEmail,
		&t.DataVersion, &t.CreatedAt, &t.RouterKind, &t.RouterURL)
	if err != nil {
		return nil, store.NotFound(err, "err.territory_not_found")
	}
	if modules != "" {
		t.Modules = strings.Split(modules, ",")
	}
	return &t, nil
}

func (s *SQLStore) Create(ctx context.Context, t *Territory) error {
	t.CreatedAt = time.Now().UTC().Truncate(time.Second)
	return s.db.QueryRowW(ctx, `INSERT INTO territories (slug, name, min_lon, min_lat, max_lon, max_lat, lang, time_zone,
		modules, tile_url, tile_attribution, licence, contact_email, created_at, router_kind, router_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, data_version`,
		t.Slug, t.Name, t.BBox.MinLon, t.BBox.MinLat, t.BBox.MaxLon, t.BBox.MaxLat, t.Lang, t.TimeZone,
		strings.Join(t.Modules, ","), t.TileURL, t.TileAttribution, t.Licence, t.ContactEmail, t.CreatedAt,
		t.RouterKind, t.RouterURL,
	).Scan(&t.ID, &t.DataVersion)
}

func (s *SQLStore) Update(ctx context.Context, t *Territory) error {
	_, err := s.db.Exec(ctx, `UPDATE territories SET name = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?,
		lang = ?, time_zone = ?, modules = ?, tile_url = ?, tile_attribution = ?, licence = ?, contact_email = ?,
		router_kind = ?, router_url = ?, data_version = data_version + 1 WHERE id = ?`,
		t.Name, t.BBox.MinLon, t.BBox.MinLat, t.BBox.MaxLon, t.BBox.MaxLat, t.Lang, t.TimeZone,
		strings.Join(t.Modules, ","), t.TileURL, t.TileAttribution, t.Licence, t.ContactEmail,
		t.RouterKind, t.RouterURL, t.ID)
	return err
}

func (s *SQLStore) BySlug(ctx context.Context, slug string) (*Territory, error) {
	return scanTerritory(s.db.QueryRow(ctx, `SELECT `+territoryColumns+` FROM territories WHERE slug = ?`, slug))
}

func (s *SQLStore) ByID(ctx context.Context, id int64) (*Territory, error) {
	return scanTerritory(s.db.QueryRow(ctx, `SELECT `+territoryColumns+` FROM territories WHERE id = ?`, id))
}

func (s *SQLStore) List(ctx context.Context) ([]*Territory, error) {
	rows, err := s.db.Query(ctx, `SELECT `+territoryColumns+` FROM territories ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Territory
	for rows.Next() {
		t, err := scanTerritory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *SQLStore) BumpVersion(ctx context.Context, id int64) (int64, error) {
	var v int64
	err := s.db.QueryRowW(ctx, `UPDATE territories SET data_version = data_version + 1 WHERE id = ? RETURNING data_version`, id).Scan(&v)
	return v, store.NotFound(err, "err.territory_not_found")
}

func (s *SQLStore) Version(ctx context.Context, id int64) (int64, error) {
	var v int64
	err := s.db.QueryRow(ctx, `SELECT data_version FROM territories WHERE id = ?`, id).Scan(&v)
	return v, store.NotFound(err, "err.territory_not_found")
}
