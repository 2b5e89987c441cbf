package offers

import (
	"context"
	"strings"
)

// sqlitePageColumns are pgWithCoverColumns with the three times read as
// text (CAST drops their declared type): the driver parses a DATETIME
// column with two layouts, the first always failing (an error allocated
// each time), 60 parses a page and 8-12 % of a search's CPU;
// store.TimeColumn parses the one layout the store writes.
var sqlitePageColumns = strings.NewReplacer("l.expires_at", "CAST(l.expires_at AS TEXT)",
	"l.created_at", "CAST(l.created_at AS TEXT)", "l.updated_at", "CAST(l.updated_at AS TEXT)").Replace(pgWithCoverColumns)

// pageByIDsSQLite reads a page of listings (public columns) in the order
// of ids, each with its cover, in one query (was two: rows, then covers):
// the ids as one JSON parameter, looked up by rowid in their order.
func (s *SQLStore) pageByIDsSQLite(ctx context.Context, territoryID int64, ids []int64) ([]Hit, error) {
	byID, err := s.listingsWithCovers(ctx, `SELECT `+sqlitePageColumns+` FROM json_each(?) j
		CROSS JOIN listings l ON l.id = j.value LEFT JOIN listing_photos p ON p.listing_id = l.id AND p.position = 0
		WHERE l.territory_id = +?`, idsJSON(ids), territoryID)
	if err != nil {
		return nil, err
	}
	return hitsInOrder(ids, byID), nil
}
