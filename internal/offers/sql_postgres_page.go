package offers

import (
	"context"
	"database/sql"

	"github.com/sharingcity/sharingcity/internal/media"
)

// pageByIDsPostgres reads a page of listings (public columns) in the order
// of ids, each with its cover, in one query: the ids as one array
// parameter (one statement text whatever the page's size), the cover by a
// join on listing_photos' primary key.
func (s *SQLStore) pageByIDsPostgres(ctx context.Context, territoryID int64, ids []int64) ([]Hit, error) {
	if len(ids) == 0 {
		return []Hit{}, nil
	}
	rows, err := s.q.Query(ctx, `SELECT `+publicColumns+`, p.key, p.thumb_key, p.width, p.height, p.thumb_width,
		p.thumb_height, p.content_type, p.bytes
		FROM listings l LEFT JOIN listing_photos p ON p.listing_id = l.id AND p.position = 0
		WHERE l.territory_id = ? AND l.id = ANY(?)`, territoryID, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]*Listing, len(ids))
	for rows.Next() {
		var key, thumb, ctype sql.NullString
		var w, h, tw, th, size sql.NullInt64
		l, err := scanListing(rows, false, &key, &thumb, &w, &h, &tw, &th, &ctype, &size)
		if err != nil {
			return nil, err
		}
		if key.Valid {
			l.Photos = []media.Photo{{Key: key.String, ThumbKey: thumb.String, Width: int(w.Int64), Height: int(h.Int64),
				ThumbWidth: int(tw.Int64), ThumbHeight: int(th.Int64), ContentType: ctype.String, Bytes: size.Int64}}
		}
		byID[l.ID] = l
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	hits := make([]Hit, 0, len(ids))
	for _, id := range ids {
		if l := byID[id]; l != nil {
			hits = append(hits, Hit{Listing: l})
		}
	}
	return hits, nil
}
