package offers

import (
	"context"
	"database/sql"

	"github.com/sharingcity/sharingcity/internal/media"
)

// pgWithCover is the FROM clause and the columns of listings (public
// columns) each with its cover, by a join on listing_photos' primary key:
// the page comes in one query, not one for the rows and one for covers.
const (
	pgWithCoverColumns = publicColumns + `, p.key, p.thumb_key, p.width, p.height, p.thumb_width,
		p.thumb_height, p.content_type, p.bytes`
	pgWithCoverFrom = `listings l LEFT JOIN listing_photos p ON p.listing_id = l.id AND p.position = 0`
)

// pageByIDsPostgres reads a page of listings (public columns) in the order
// of ids, each with its cover, in one query: the ids as one array
// parameter (one statement text whatever the page's size).
func (s *SQLStore) pageByIDsPostgres(ctx context.Context, territoryID int64, ids []int64) ([]Hit, error) {
	if len(ids) == 0 {
		return []Hit{}, nil
	}
	byID, err := s.listingsWithCovers(ctx, `SELECT `+pgWithCoverColumns+` FROM `+pgWithCoverFrom+`
		WHERE l.territory_id = ? AND l.id = ANY(?)`, territoryID, ids)
	if err != nil {
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

// listingsWithCovers runs a query of pgWithCoverColumns and returns its
// listings by id, each marked as having its cover read (coverRead).
func (s *SQLStore) listingsWithCovers(ctx context.Context, text string, args ...any) (map[int64]*Listing, error) {
	rows, err := s.q.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[int64]*Listing{}
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
		l.coverRead = true
		byID[l.ID] = l
	}
	return byID, rows.Err()
}
