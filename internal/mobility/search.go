package mobility

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/route"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Query is a search: from near From to near To around At.
type Query struct {
	From, To geo.Point
	At       time.Time     // zero: now
	Window   time.Duration // ± around At; zero: the service's default
	Kind     Kind          // offers (default) or requests
	Limit    int
}

// Match is a departure that passes near both points in the right order.
type Match struct {
	Trip       *Trip      `json:"trip"`
	Occurrence Occurrence `json:"occurrence"`
	// PickupMeters and DropoffMeters are how far the points lie from the
	// route; DetourMeters estimates the extra driving to serve them.
	PickupMeters  int       `json:"pickup_meters"`
	DropoffMeters int       `json:"dropoff_meters"`
	DetourMeters  int       `json:"detour_meters"`
	PickupAt      time.Time `json:"pickup_at"` // estimated from the route's duration
}

// searchQuery checks q and fills its defaults: now, the service's
// SearchWindow, offers, MaxResults.
func (s *Service) searchQuery(ter *territory.Territory, q Query) (Query, error) {
	var v errs.Validator
	checkEnds(&v, ter, q.From, q.To)
	if q.Kind == "" {
		q.Kind = KindOffer
	}
	v.Check(oneOf(q.Kind, KindOffer, KindRequest), "kind", "err.mobility.kind")
	v.Check(q.Window >= 0 && q.Window <= 24*time.Hour, "window", "err.mobility.window_range")
	if err := v.Err(); err != nil {
		return q, err
	}
	if q.At.IsZero() {
		q.At = s.clock()
	}
	if q.Window == 0 {
		q.Window = s.opts.SearchWindow
	}
	if q.Limit <= 0 || q.Limit > MaxResults {
		q.Limit = MaxResults
	}
	return q, nil
}

// MaxResults bounds a search's answer.
const MaxResults = 50

// candidatesLimit bounds the rows the index gives one search.
const candidatesLimit = 1000

// Search finds active departures in ±Window of At whose route passes within
// its detour distance of From and then To. The grid index gives the
// departures whose corridor covers both points' cells in the window; each is
// then checked exactly on its polyline. Results go by detour (to 100 m),
// then time.
func (s *Service) Search(ctx context.Context, _ access.Actor, ter *territory.Territory, q Query) ([]Match, error) {
	q, err := s.searchQuery(ter, q)
	if err != nil {
		return nil, err
	}
	from, to := q.At.Add(-q.Window), q.At.Add(q.Window)
	if now := s.clock(); from.Before(now) {
		from = now
	}
	cands, err := s.store.CandidatesIn(ctx, ter.ID, CandidateFilter{Kinds: []Kind{q.Kind}, CellA: cellOf(q.From), CellB: cellOf(q.To),
		Spans: []Span{{From: from, To: to}}, Limit: candidatesLimit})
	if err != nil {
		return nil, err
	}
	out := []Match{}
	for _, c := range cands {
		if m, ok := matchOf(c, q.From, q.To); ok {
			out = append(out, m)
		}
	}
	return s.finish(ctx, ter, out, q.Limit)
}

// finish sorts matches by detour (to 100 m), then time, keeps the first
// limit and gives each its whole trip, exact addresses hidden.
func (s *Service) finish(ctx context.Context, ter *territory.Territory, out []Match, limit int) ([]Match, error) {
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := out[i].DetourMeters/100, out[j].DetourMeters/100
		if di != dj {
			return di < dj
		}
		return out[i].Occurrence.DepartsAt.Before(out[j].Occurrence.DepartsAt)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	ids := make([]int64, 0, len(out))
	for _, m := range out {
		ids = append(ids, m.Trip.ID)
	}
	trips, err := s.store.TripsByID(ctx, ter.ID, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		t, ok := trips[out[i].Trip.ID]
		if !ok {
			return nil, fmt.Errorf("mobility: search: trip %d vanished", out[i].Trip.ID)
		}
		// A weekly trip matched on several days shares one copy.
		cp := *t
		cp.Stops = append([]Place(nil), t.Stops...)
		hideExact(&cp)
		out[i].Trip = &cp
	}
	return out, nil
}

// matchOf checks a candidate exactly: both points within the trip's detour
// distance of its route, the pickup before the drop-off.
func matchOf(c Candidate, a, b geo.Point) (Match, bool) {
	t := c.Trip
	line := t.Polyline
	origin, dest := t.From.Point(), t.To.Point()
	if c.Occurrence.Return {
		line = reversed(line)
		origin, dest = dest, origin
	}
	r := route.Route{Points: line}
	dA, alongA := r.Locate(a)
	dB, alongB := r.Locate(b)
	limit := float64(t.MaxDetour)
	if dA > limit || dB > limit || alongA >= alongB {
		return Match{}, false
	}
	// The straight router's estimate: O→A→B→D against O→D, stretched by
	// its road factor; never more than going to each point and back.
	f := route.DefaultStraight.Factor
	detour := f * (geo.Distance(origin, a) + geo.Distance(a, b) + geo.Distance(b, dest) - geo.Distance(origin, dest))
	detour = math.Max(0, math.Min(detour, 2*f*(dA+dB)))
	m := Match{Trip: t, Occurrence: c.Occurrence, PickupMeters: int(dA), DropoffMeters: int(dB), DetourMeters: int(detour),
		PickupAt: c.Occurrence.DepartsAt}
	if total := lineLength(line); total > 0 {
		m.PickupAt = c.Occurrence.DepartsAt.Add(time.Duration(float64(t.RouteSeconds)*alongA/total) * time.Second).Truncate(time.Minute)
	}
	return m, true
}

func reversed(line []geo.Point) []geo.Point {
	out := make([]geo.Point, len(line))
	for i, p := range line {
		out[len(line)-1-i] = p
	}
	return out
}

func lineLength(line []geo.Point) float64 {
	var m float64
	for i := 1; i < len(line); i++ {
		m += geo.Distance(line[i-1], line[i])
	}
	return m
}
