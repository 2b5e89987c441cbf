package offers

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// normalize checks a query and fills its defaults.
func (q *Query) normalize() error {
	var v errs.Validator
	q.Text = strings.TrimSpace(q.Text)
	v.Check(utf8.RuneCountInString(q.Text) <= MaxTextLen, "q", "err.too_long", "Max", MaxTextLen)
	v.Check(q.Category == "" || isCategory(q.Category), "category", "err.category_unknown", "Category", q.Category)
	v.Check(q.Mode == "" || oneOf(q.Mode, Modes), "mode", "err.listing_mode")
	v.Check(q.Kind == "" || oneOf(q.Kind, Kinds), "kind", "err.listing_kind")
	if q.Near != nil {
		v.Check(q.Near.Valid(), "near", "err.point_format")
	}
	v.Check(q.RadiusM >= 0 && q.RadiusM <= MaxRadiusM && !math.IsNaN(q.RadiusM), "radius", "err.radius_range", "Max", MaxRadiusM)
	v.Check(q.RadiusM == 0 || q.Near != nil, "radius", "err.radius_needs_point")
	switch q.Sort {
	case "":
		q.Sort = SortRecent
		if q.Near != nil {
			q.Sort = SortDistance
		}
	case SortRecent:
	case SortDistance:
		v.Check(q.Near != nil, "sort", "err.sort_needs_point")
	default:
		v.Add("sort", "err.sort_unknown")
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	v.Check(q.Limit > 0 && q.Limit <= MaxLimit, "limit", "err.limit_range", "Max", MaxLimit)
	v.Check(q.Offset >= 0 && q.Offset <= MaxOffset, "offset", "err.offset_range", "Max", MaxOffset)
	return v.Err()
}

// searchMargin widens the territory's box by more than the largest offset
// of a public position, so that "the whole territory" holds them all.
const searchMargin = 0.01

// Search finds the territory's active, unexpired listings of members in
// good standing, by distance from a point (public positions), text (French
// stems and prefixes, accents ignored), category, mode and kind. Listings
// are public: any actor may search. Results carry public positions only.
func (s *Service) Search(ctx context.Context, _ access.Actor, ter *territory.Territory, q Query) (Result, error) {
	if err := q.normalize(); err != nil {
		return Result{}, err
	}
	if q.Text != "" && len(textsearch.QueryTerms(q.Text)) == 0 {
		return Result{Items: []Hit{}}, nil // only punctuation: nothing can match
	}
	within := geo.BBox{MinLon: ter.BBox.MinLon - searchMargin, MinLat: ter.BBox.MinLat - searchMargin,
		MaxLon: ter.BBox.MaxLon + searchMargin, MaxLat: ter.BBox.MaxLat + searchMargin}
	res, err := s.store.Search(ctx, ter.ID, within, q, s.clock())
	if err != nil {
		return Result{}, fmt.Errorf("offers: search: %w", err)
	}
	for _, h := range res.Items {
		h.Listing.ExactPosition, h.Listing.HideReason = nil, "" // never selected; kept empty whatever the store does
	}
	return res, nil
}
