package booking

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// MaxPhotos a resource shows, in order (the first is its cover).
const MaxPhotos = 6

// checkPhotos refuses photos that internal/media did not make: a key of
// the wrong shape, a type it never writes, a size of zero, twice the same.
func checkPhotos(photos []media.Photo) error {
	if len(photos) > MaxPhotos {
		return errs.Fields([]errs.FieldError{{Field: "photos", Key: "err.photos_too_many", Args: map[string]any{"Max": MaxPhotos}}})
	}
	keys := make(map[string]struct{}, len(photos))
	for _, ph := range photos {
		_, dup := keys[ph.Key]
		keys[ph.Key] = struct{}{}
		typed := ph.ContentType == media.TypeJPEG || ph.ContentType == media.TypePNG
		sized := min(ph.Width, ph.Height, ph.ThumbWidth, ph.ThumbHeight) > 0
		if dup || !typed || !sized || !media.IsKey(ph.Key) || !media.IsKey(ph.ThumbKey) {
			return errs.Fields([]errs.FieldError{{Field: "photos", Key: "err.photo_invalid"}})
		}
	}
	return nil
}

// SetPhotos replaces the photos of a resource (the organisation's staff,
// or the territory's moderators) and returns those it no longer shows, for
// the caller to delete their files.
func (s *Service) SetPhotos(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, photos []media.Photo) ([]media.Photo, error) {
	if err := checkPhotos(photos); err != nil {
		return nil, err
	}
	var gone []media.Photo
	err := s.store.WithTx(ctx, func(tx Store) error {
		r, err := tx.GetResource(ctx, ter.ID, id, true)
		if err != nil {
			return err
		}
		if err := s.requireStaff(ctx, actor, ter, r.OrganisationID); err != nil {
			return err
		}
		old, err := tx.Photos(ctx, ter.ID, []int64{id})
		if err != nil {
			return err
		}
		kept := make(map[string]bool, len(photos))
		for _, ph := range photos {
			kept[ph.Key] = true
		}
		for _, ph := range old[id] {
			if !kept[ph.Key] {
				gone = append(gone, ph)
			}
		}
		return tx.SetPhotos(ctx, ter.ID, id, photos)
	})
	if err != nil {
		return nil, fmt.Errorf("booking: photos of resource %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "booking: photos set", "territory", ter.Slug, "resource", id, "count", len(photos), "user", actor.UserID)
	return gone, nil
}

// withPhotos fills the photos of resources (one query for all of them).
func (s *Service) withPhotos(ctx context.Context, ter *territory.Territory, list ...*Resource) error {
	ids := make([]int64, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	photos, err := s.store.Photos(ctx, ter.ID, ids)
	if err != nil {
		return fmt.Errorf("booking: photos: %w", err)
	}
	for _, r := range list {
		r.Photos = photos[r.ID]
		if r.Photos == nil {
			r.Photos = []media.Photo{}
		}
	}
	return nil
}
