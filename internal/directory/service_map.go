package directory

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/textsearch"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Reads of the published directory: search, map and "near me". They need
// no actor: published data is public.

// checkFilter validates categories and kinds into v.
func checkFilter(v *errs.Validator, text string, cats []string, kinds []Kind) {
	v.Check(utf8.RuneCountInString(text) <= MaxTextLen, "q", "err.too_long", "Max", MaxTextLen)
	for _, c := range cats {
		v.Check(isCategory(c), "category", "err.category_unknown", "Category", c)
	}
	for _, k := range kinds {
		ok := false
		for _, known := range Kinds {
			ok = ok || k == known
		}
		v.Check(ok, "kind", "err.kind_unknown")
	}
}

// normalize checks a query and fills its defaults.
func (q *Query) normalize() error {
	var v errs.Validator
	q.Text = strings.TrimSpace(q.Text)
	checkFilter(&v, q.Text, q.Categories, q.Kinds)
	if q.Near != nil {
		v.Check(q.Near.Valid(), "near", "err.point_format")
	}
	v.Check(q.RadiusM >= 0 && q.RadiusM <= MaxRadiusM && !math.IsNaN(q.RadiusM), "radius", "err.radius_range", "Max", MaxRadiusM)
	v.Check(q.RadiusM == 0 || q.Near != nil, "radius", "err.radius_needs_point")
	v.Check(q.OrganisationID >= 0, "organisation", "err.organisation_format")
	if q.BBox != nil {
		v.Check(q.BBox.Valid(), "bbox", "err.bbox_range")
	}
	switch q.Sort {
	case "":
		switch {
		case len(textsearch.QueryTerms(q.Text)) > 0:
			q.Sort = SortRelevance
		case q.Near != nil:
			q.Sort = SortDistance
		default:
			q.Sort = SortName
		}
	case SortRelevance, SortName, SortRecent:
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

// Search finds published initiatives by words (French stems and prefixes,
// accents ignored), categories, kinds, organisation, a box and distance
// from a point. Pages may come from a cache shared by callers: the
// initiatives they point to must not be changed.
func (s *Service) Search(ctx context.Context, ter *territory.Territory, q Query) (Result, error) {
	if err := q.normalize(); err != nil {
		return Result{}, err
	}
	if q.Text != "" && len(textsearch.QueryTerms(q.Text)) == 0 {
		return Result{Items: []Hit{}}, nil // only punctuation: nothing can match
	}
	if q.plainNear() {
		return s.nearPage(ctx, ter, q)
	}
	dk := s.dataKey(ter)
	key := resultKey(ter.ID, dk, &q)
	if key != "" {
		if res, ok := s.results.get(key); ok {
			return res, nil
		}
	}
	if q.Text != "" {
		q.mem = s.near.get(ter.ID, dk)
	}
	res, err := s.store.Search(ctx, ter.ID, q)
	if err != nil {
		return res, fmt.Errorf("directory: search %q: %w", q.Text, err)
	}
	if res.Items == nil {
		res.Items = []Hit{}
	}
	if key != "" {
		s.results.put(key, res)
	}
	return res, nil
}

// plainNear reports a "near me" search with nothing else to filter on: the
// spatial index then yields the page in order, where the general search
// would sort every published entry by distance.
func (q *Query) plainNear() bool {
	return q.Near != nil && q.Text == "" && len(q.Categories) == 0 && len(q.Kinds) == 0 && q.BBox == nil && q.OrganisationID == 0 &&
		q.RadiusM == 0 && q.Sort == SortDistance && q.Offset+q.Limit <= MaxLimit
}

func (s *Service) nearPage(ctx context.Context, ter *territory.Territory, q Query) (Result, error) {
	hits, page, size, err := s.nearest(ctx, ter, *q.Near, q.Offset+q.Limit)
	if err != nil {
		return Result{}, err
	}
	res := Result{Items: []Hit{}, page: page}
	if q.Offset < len(hits) {
		res.Items = hits[q.Offset:]
	}
	if size >= 0 {
		res.Total, res.TotalCapped = min(size, countCap), size > countCap
		return res, nil
	}
	if res.Total, res.TotalCapped, err = s.store.CountPublished(ctx, ter.ID); err != nil {
		res.Release()
		return Result{}, fmt.Errorf("directory: near %v: %w", *q.Near, err)
	}
	return res, nil
}

// nearest returns the limit published initiatives closest to p, closest
// first, the page that holds them when the in-memory index answered (see
// Page) and the number of published initiatives then (-1 when the
// database answered). The index gives the ids; one query reads those rows,
// and the exact distances settle the order.
func (s *Service) nearest(ctx context.Context, ter *territory.Territory, p geo.Point, limit int) ([]Hit, *Page, int, error) {
	if ix := s.near.get(ter.ID, s.dataKey(ter)); ix != nil {
		sc, _ := s.nearScratch.Get().(*nearScratch)
		if sc == nil {
			sc = new(nearScratch)
		}
		ids := ix.points.nearest(p, limit+2, sc)
		page, err := s.store.PublishedByIDs(ctx, ter.ID, ids)
		s.nearScratch.Put(sc) // the ids are read
		if err != nil {
			return nil, nil, 0, fmt.Errorf("directory: near %v: %w", p, err)
		}
		// Fewer rows than ids: some changed since the index was built
		// and the new version is not known yet; the database answers.
		if len(page.Hits) >= min(len(ids), limit) {
			return nearest(page.Hits, p, limit), page, ix.size(), nil
		}
		page.Release()
	}
	hits, err := s.store.Near(ctx, ter.ID, ter.BBox, p, limit)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("directory: near %v: %w", p, err)
	}
	return hits, nil, -1, nil
}

// PrepareNear builds the territory's "near me" index now, unless it is
// current, and waits for it (or for ctx). Without it, the first "near me"
// after a change starts the build and the database answers meanwhile.
func (s *Service) PrepareNear(ctx context.Context, ter *territory.Territory) {
	s.near.prepare(ctx, ter.ID, s.dataKey(ter))
}

// PrepareAllNear builds the "near me" indexes of ters, one at a time so
// that only one build's rows are in memory at once, and stops when the
// instance's budget of indexed points is full (a further build would evict
// one just made) or ctx ends. It returns how many were prepared; the
// others are built by their first "near me".
func (s *Service) PrepareAllNear(ctx context.Context, ters []*territory.Territory) int {
	n := 0
	for _, ter := range ters {
		if ctx.Err() != nil || s.near.full() {
			break
		}
		s.PrepareNear(ctx, ter)
		n++
	}
	return n
}

func checkMap(box geo.BBox, f Filter) error {
	var v errs.Validator
	v.Check(box.Valid(), "bbox", "err.bbox_range")
	checkFilter(&v, strings.TrimSpace(f.Text), f.Categories, f.Kinds)
	return v.Err()
}

// InBox returns the light rows of the published initiatives in box, at most
// limit of them (0 or more than MaxMapPoints means MaxMapPoints).
func (s *Service) InBox(ctx context.Context, ter *territory.Territory, box geo.BBox, f Filter, limit int) ([]MapPoint, error) {
	if err := checkMap(box, f); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxMapPoints {
		limit = MaxMapPoints
	}
	box, ok := box.Intersect(ter.BBox)
	if !ok {
		return []MapPoint{}, nil
	}
	pts, err := s.store.InBox(ctx, ter.ID, box, f, limit)
	if err != nil {
		return nil, fmt.Errorf("directory: map box %s: %w", box, err)
	}
	return pts, nil
}

// Clusters groups the published initiatives of box on the grid of 64-pixel
// cells of the Web Mercator tiles at zoom, so that a whole territory costs a
// few hundred rows at most. Without a filter, counts come from totals kept
// per cell and cover the whole cells the box touches: for a box made of
// tiles, as the web layer asks, they add up to the points in the box.
func (s *Service) Clusters(ctx context.Context, ter *territory.Territory, box geo.BBox, zoom int, f Filter) ([]Cluster, error) {
	if err := checkMap(box, f); err != nil {
		return nil, err
	}
	if zoom < 0 || zoom > MaxZoom {
		return nil, errs.Fields([]errs.FieldError{{Field: "zoom", Key: "err.zoom_range", Args: map[string]any{"Max": MaxZoom}}})
	}
	box, ok := box.Intersect(ter.BBox)
	if !ok {
		return []Cluster{}, nil
	}
	cs, err := s.store.Clusters(ctx, ter.ID, box, zoom, f)
	if err != nil {
		return nil, fmt.Errorf("directory: clusters %s z%d: %w", box, zoom, err)
	}
	var singles []int64
	for _, c := range cs {
		if c.Count == 1 && c.ID != 0 {
			singles = append(singles, c.ID)
		}
	}
	// A map shows at most a few hundred cells; beyond that, names wait for
	// a closer zoom rather than make one large query.
	if len(singles) > 0 && len(singles) <= 500 {
		names, err := s.store.Names(ctx, ter.ID, singles)
		if err != nil {
			return nil, fmt.Errorf("directory: clusters %s z%d: names: %w", box, zoom, err)
		}
		for i := range cs {
			if cs[i].Count == 1 {
				cs[i].Name = names[cs[i].ID]
			}
		}
	}
	return cs, nil
}

// Near returns the limit (default 10, at most MaxLimit) published
// initiatives closest to p, closest first.
func (s *Service) Near(ctx context.Context, ter *territory.Territory, p geo.Point, limit int) ([]Hit, error) {
	var v errs.Validator
	v.Check(p.Valid(), "near", "err.point_format")
	v.Check(limit >= 0 && limit <= MaxLimit, "limit", "err.limit_range", "Max", MaxLimit)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 10
	}
	hits, _, _, err := s.nearest(ctx, ter, p, limit) // the page is the caller's for good
	if err != nil {
		return nil, err
	}
	if hits == nil {
		hits = []Hit{}
	}
	return hits, nil
}

// All calls fn for every published initiative, by id, for exports.
func (s *Service) All(ctx context.Context, ter *territory.Territory, fn func(*Initiative) error) error {
	return s.store.All(ctx, ter.ID, fn)
}

// Stats counts the territory's initiatives per status, category and kind.
func (s *Service) Stats(ctx context.Context, ter *territory.Territory) (Stats, error) {
	return s.store.Stats(ctx, ter.ID)
}

// ForgetSearches empties the cache of search pages, so that benchmarks
// can measure the path behind it.
func (s *Service) ForgetSearches() { s.results.purge() }
