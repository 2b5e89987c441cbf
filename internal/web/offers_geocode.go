package web

import (
	"context"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/geocode"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Search by address: the listings page and API take an address instead of
// a point. The address typed may be a member's home, so it is never logged
// (the request log keeps the route only) nor stored.

// ambiguityGap is how much better the best candidate must score than the
// next for the address to be taken without asking.
const ambiguityGap = 0.05

// placeChoice is the outcome of looking an address up: one place, or the
// choices when several fit as well.
type placeChoice struct {
	Place   *geocode.Candidate
	Choices []geocode.Candidate
}

// lookUpAddress finds an address on the territory's map, near a point if
// given. No candidate is a field error on "address".
func (s *Server) lookUpAddress(ctx context.Context, ter *territory.Territory, address string, near *geo.Point) (placeChoice, error) {
	if s.Geocoder == nil {
		return placeChoice{}, errs.Fields([]errs.FieldError{{Field: "address", Key: "geocode.err_unavailable"}})
	}
	cs, err := s.Geocoder.Search(ctx, geocode.Request{Query: address, Territory: ter, Near: near})
	if err != nil {
		if errs.KindOf(err) == errs.Invalid {
			return placeChoice{}, err
		}
		// The remote geocoder is down and nothing else answered: a 4xx
		// would blame the member, so this stays an internal error without
		// the address in it.
		return placeChoice{}, errs.Wrap(errs.Internal, "geocode.err_unavailable", err)
	}
	switch {
	case len(cs) == 0:
		return placeChoice{}, errs.Fields([]errs.FieldError{{Field: "address", Key: "geocode.err_none"}})
	case len(cs) == 1 || cs[0].Score-cs[1].Score >= ambiguityGap:
		return placeChoice{Place: &cs[0]}, nil
	}
	return placeChoice{Choices: cs}, nil
}
