package mobility

import (
	"context"
	"sort"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Frequency keeps one-off trips, weekly ones, or both (AnyFrequency).
type Frequency string

const (
	AnyFrequency Frequency = ""
	Punctual     Frequency = "punctual"
	Regular      Frequency = "regular"
)

// DayWindow is a window of local departure times, as durations since
// midnight, both ends included.
type DayWindow struct {
	Min, Max time.Duration
}

// MaxRangeDays bounds the days one range search covers; MaxRangeResults
// its answer (a partner platform lists more than a resident reads).
const (
	MaxRangeDays    = 15
	MaxRangeResults = 100
)

// RangeQuery is a search over dates: departures from Earliest to Latest,
// on the days and within the local times given, from near From to near To.
type RangeQuery struct {
	From, To geo.Point
	// Earliest and Latest bound the departures; Earliest before now (or
	// zero) is now. Latest is required.
	Earliest, Latest time.Time
	// Days are the weekdays searched, indexed by time.Weekday; all false:
	// every day.
	Days [7]bool
	// Times is each weekday's window of local departure times; nil: the
	// whole day.
	Times     [7]*DayWindow
	Frequency Frequency
	Kinds     []Kind // offers and/or requests; none: offers
	// OnePerTrip keeps a trip's earliest matching departure in each
	// direction only: a weekly trip is one result, not one per day.
	OnePerTrip bool
	Limit      int
}

// Span is an interval of departure instants, both ends included.
type Span struct {
	From, To time.Time
}

// CandidateFilter is what the index is asked: active occurrences of the
// kinds and frequency departing within one of the spans (sorted, disjoint)
// whose corridor covers both cells, at most Limit per span, the earliest
// of each span first.
type CandidateFilter struct {
	Kinds        []Kind
	Frequency    Frequency
	CellA, CellB int64
	Spans        []Span
	Limit        int
}

// SearchRange finds the departures of a date range, in one read of the
// corridor index: the local windows of each day become spans of instants
// (in the territory's zone, so daylight saving moves them with the clock),
// and the store reads the pickup cell's index entries of each span, in one
// statement. Results go by detour (to 100 m), then time.
func (s *Service) SearchRange(ctx context.Context, _ access.Actor, ter *territory.Territory, q RangeQuery) ([]Match, error) {
	var v errs.Validator
	checkEnds(&v, ter, q.From, q.To)
	if len(q.Kinds) == 0 {
		q.Kinds = []Kind{KindOffer}
	}
	for _, k := range q.Kinds {
		v.Check(oneOf(k, KindOffer, KindRequest), "kind", "err.mobility.kind")
	}
	v.Check(oneOf(q.Frequency, AnyFrequency, Punctual, Regular), "frequency", "err.mobility.frequency")
	now := s.clock()
	if q.Earliest.Before(now) {
		q.Earliest = now
	}
	v.Check(!q.Latest.IsZero() && !q.Latest.Before(q.Earliest), "latest", "err.mobility.range_order")
	v.Check(q.Latest.Sub(q.Earliest) <= MaxRangeDays*24*time.Hour, "latest", "err.mobility.range_too_long", "Max", MaxRangeDays)
	for _, w := range q.Times {
		v.Check(w == nil || (w.Min >= 0 && w.Min <= w.Max && w.Max < 24*time.Hour), "times", "err.mobility.range_times")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > MaxRangeResults {
		q.Limit = MaxRangeResults
	}
	spans := rangeSpans(q, ter.Location())
	if len(spans) == 0 {
		return []Match{}, nil
	}
	cands, err := s.store.CandidatesIn(ctx, ter.ID, CandidateFilter{Kinds: q.Kinds, Frequency: q.Frequency,
		CellA: cellOf(q.From), CellB: cellOf(q.To), Spans: spans, Limit: candidatesLimit})
	if err != nil {
		return nil, err
	}
	// Each span's candidates come in departure order, the spans maybe not.
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Occurrence.DepartsAt.Before(cands[j].Occurrence.DepartsAt) })
	type dir struct {
		trip int64
		back bool
	}
	seen := map[dir]bool{}
	out := []Match{}
	for _, c := range cands { // the earliest first
		k := dir{c.Occurrence.TripID, c.Occurrence.Return}
		if q.OnePerTrip && seen[k] {
			continue
		}
		if m, ok := matchOf(c, q.From, q.To); ok {
			seen[k] = true
			out = append(out, m)
		}
	}
	return s.finish(ctx, ter, out, q.Limit)
}

// checkEnds checks a search's two points.
func checkEnds(v *errs.Validator, ter *territory.Territory, from, to geo.Point) {
	v.Check(from.Valid() && ter.BBox.Contains(from), "from", "err.outside_territory")
	v.Check(to.Valid() && ter.BBox.Contains(to), "to", "err.outside_territory")
	if from.Valid() && to.Valid() {
		v.Check(geo.Distance(from, to) >= MinTripMeters, "to", "err.mobility.same_place")
	}
}

// rangeSpans turns a range query's days and local windows into instants,
// merging spans that touch: a range without windows is one span.
func rangeSpans(q RangeQuery, loc *time.Location) []Span {
	allDays := q.Days == [7]bool{}
	first, last := q.Earliest.In(loc), q.Latest.In(loc)
	var out []Span
	for day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc); !day.After(last); day = day.AddDate(0, 0, 1) {
		wd := day.Weekday()
		if !allDays && !q.Days[wd] {
			continue
		}
		lo, hi := day, day.AddDate(0, 0, 1).Add(-time.Microsecond)
		if w := q.Times[wd]; w != nil {
			lo, hi = atClock(day, w.Min), atClock(day, w.Max)
		}
		if lo.Before(q.Earliest) {
			lo = q.Earliest
		}
		if hi.After(q.Latest) {
			hi = q.Latest
		}
		if hi.Before(lo) {
			continue
		}
		lo, hi = lo.UTC(), hi.UTC()
		if n := len(out); n > 0 && !lo.After(out[n-1].To.Add(time.Microsecond)) {
			out[n-1].To = hi
			continue
		}
		out = append(out, Span{From: lo, To: hi})
	}
	return out
}

// atClock is the instant a local wall-clock time falls on a day: 7:40
// stays 7:40 on the day clocks change.
func atClock(day time.Time, since time.Duration) time.Time {
	s := int(since / time.Second)
	return time.Date(day.Year(), day.Month(), day.Day(), s/3600, s/60%60, s%60, 0, day.Location())
}
