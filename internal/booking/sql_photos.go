package booking

import (
	"context"
	"fmt"
	"strings"

	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Photos returns the photos of each resource of ids, in order.
func (s *SQLStore) Photos(ctx context.Context, territoryID int64, ids []int64) (map[int64][]media.Photo, error) {
	out := map[int64][]media.Photo{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{territoryID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.q.Query(ctx, `SELECT resource_id, key, thumb_key, width, height, thumb_width, thumb_height, content_type, bytes
		FROM resource_photos WHERE territory_id = ? AND resource_id IN (`+store.Placeholders(len(ids))+`)
		ORDER BY resource_id, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ph media.Photo
		if err := rows.Scan(&id, &ph.Key, &ph.ThumbKey, &ph.Width, &ph.Height, &ph.ThumbWidth, &ph.ThumbHeight,
			&ph.ContentType, &ph.Bytes); err != nil {
			return nil, err
		}
		out[id] = append(out[id], ph)
	}
	return out, rows.Err()
}

// SetPhotos replaces a resource's photos with one DELETE and one INSERT.
func (s *SQLStore) SetPhotos(ctx context.Context, territoryID, id int64, photos []media.Photo) error {
	return s.write(ctx, func(s *SQLStore) error {
		if _, err := s.q.Exec(ctx, `DELETE FROM resource_photos WHERE resource_id = ? AND territory_id = ?`, id, territoryID); err != nil {
			return fmt.Errorf("resource %d: photos: %w", id, err)
		}
		if len(photos) == 0 {
			return nil
		}
		values := make([]string, len(photos))
		var args []any
		for i, ph := range photos {
			values[i] = "(" + store.Placeholders(11) + ")"
			args = append(args, id, territoryID, i, ph.Key, ph.ThumbKey, ph.Width, ph.Height, ph.ThumbWidth, ph.ThumbHeight,
				ph.ContentType, ph.Bytes)
		}
		_, err := s.q.Exec(ctx, `INSERT INTO resource_photos (resource_id, territory_id, position, key, thumb_key, width, height,
			thumb_width, thumb_height, content_type, bytes) VALUES `+strings.Join(values, ", "), args...)
		if err != nil {
			return fmt.Errorf("resource %d: photos: %w", id, err)
		}
		return nil
	})
}
