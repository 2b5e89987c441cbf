package booking

import (
	"context"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Thing names what a top-level id (/api/v1/resources/{id}…) designates.
type Thing string

const (
	ThingResource    Thing = "resource"
	ThingReservation Thing = "reservation"
	ThingWait        Thing = "wait"
)

// TerritoryOf returns the territory holding a resource, reservation or
// waiting-list place, so that routes without a territory in their path are
// answered by one indexed read. It says nothing else about the thing: the
// service methods called next check who may see it.
func (s *Service) TerritoryOf(ctx context.Context, thing Thing, id int64) (int64, error) {
	return s.store.TerritoryOf(ctx, thing, id)
}

func (s *SQLStore) TerritoryOf(ctx context.Context, thing Thing, id int64) (int64, error) {
	var table string
	switch thing {
	case ThingResource:
		table = "resources"
	case ThingReservation:
		table = "reservations"
	case ThingWait:
		table = "booking_waits"
	default:
		return 0, errs.ErrNotFound
	}
	var territoryID int64
	err := s.q.QueryRow(ctx, `SELECT territory_id FROM `+table+` WHERE id = ?`, id).Scan(&territoryID)
	return territoryID, store.NotFound(err, "err.not_found")
}
