package offers

import (
	"context"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// SubjectTitle lets members start a conversation about a listing (the
// messages module asks it): the listing must be one anybody may see, and
// its owner is the other participant.
func (s *Service) SubjectTitle(ctx context.Context, ter *territory.Territory, kind string, id int64) (string, int64, error) {
	if kind != "listing" {
		return "", 0, errs.E(errs.NotFound, "err.listing_not_found")
	}
	l, err := s.load(ctx, access.Actor{}, ter, id)
	if err != nil {
		return "", 0, err
	}
	return l.Title, l.OwnerID, nil
}
