package offers

import (
	"context"

	"github.com/sharingcity/sharingcity/internal/store"
)

// ListingTerritory returns the territory holding a listing, for routes
// without a territory in their path (POST /api/v1/listings/{id}/exchanges):
// one indexed read. It says nothing else about the listing; the service
// methods called next check who may see and take it up.
func (s *Service) ListingTerritory(ctx context.Context, id int64) (int64, error) {
	return s.store.ListingTerritory(ctx, id)
}

func (s *SQLStore) ListingTerritory(ctx context.Context, id int64) (int64, error) {
	var territoryID int64
	err := s.q.QueryRow(ctx, `SELECT territory_id FROM listings WHERE id = ?`, id).Scan(&territoryID)
	return territoryID, store.NotFound(err, "err.listing_not_found")
}
