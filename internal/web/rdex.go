package web

import (
	"context"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// RDEX (issue 6): other carpool platforms and journey planners search the
// territory's trips through `GET /rdex/journeys` (internal/rdex speaks the
// protocol). The adapter below answers with the carpool module's range
// search: the asked dates, days and daily windows are one route-aware
// search (trips passing near both points in the right order, one read of
// the corridor index), plus one for the way back when the query gives a
// return window; each trip, in each direction, is one journey.
//
// What a journey tells: the approximate places the search shows (house
// numbers dropped, positions rounded to about 200 m), the route's length
// and duration, the schedule, the seats left, the conditions, and the
// driver's or passenger's first name as alias; never an e-mail or a phone.
// Cost is in euros as RDEX defines it: a free trip costs 0, a contribution
// in euros gives its fixed price per seat, and a contribution in time
// credits or a local currency has no price in euros, so the journey carries
// no cost (the deep link shows it).

// rdexMaxDays bounds the dates one request searches (a week by default, two
// at most), within the range search's own bound.
const (
	rdexDefaultDays = 7
	rdexMaxDays     = 14
)

// rdexRoute registers the endpoint when the server has RDEX clients.
func (s *Server) rdexRoute(mux *http.ServeMux) {
	if s.RDEX == nil {
		return
	}
	h := rdex.NewHandler(rdexSearcher{s}, s.RDEX, rdex.Options{
		PublicURL: s.cfg.BaseURL, Operator: "Sharing City", Origin: hostOf(s.cfg.BaseURL), Now: s.Now, Log: s.Log,
	})
	mux.Handle("GET /rdex/journeys", s.rdexLimit(h))
}

// rdexLimit bounds requests per client address (any key, known or not) and
// per API key: a partner polling hard cannot crowd out the site's members.
func (s *Server) rdexLimit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("apikey")
		if !s.limits.allow("rdex-ip:"+s.clientIP(r), rate.Limit(4), 240) || !s.limits.allow("rdex-key:"+key, rate.Limit(2), 120) {
			w.Header().Set("Retry-After", "30")
			rdex.WriteError(w, &rdex.Error{Name: rdex.ErrTooManyRequests, Debug: "too many requests, slow down", User: "try again later"})
			return
		}
		h.ServeHTTP(w, r)
	})
}

func hostOf(base string) string {
	_, rest, ok := strings.Cut(base, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// rdexSearcher implements rdex.Searcher over the carpool search.
type rdexSearcher struct{ s *Server }

type rdexKey struct {
	trip int64
	back bool
}

func (a rdexSearcher) Journeys(ctx context.Context, territoryID int64, q rdex.Query) ([]rdex.Journey, error) {
	ter, err := a.s.Territories.ByID(ctx, territoryID)
	if err != nil {
		return nil, err
	}
	from, to := geo.Point{Lat: q.From.Lat, Lon: q.From.Lon}, geo.Point{Lat: q.To.Lat, Lon: q.To.Lon}
	if !ter.BBox.Contains(from) || !ter.BBox.Contains(to) {
		return []rdex.Journey{}, nil // not this territory's: nothing, not an error
	}
	loc := ter.Location()
	rq := mobility.RangeQuery{From: from, To: to, Days: q.Days, OnePerTrip: true, Limit: mobility.MaxRangeResults}
	rq.Earliest, rq.Latest = rdexDates(q.Outward, a.s.Now().In(loc), loc)
	rq.Times = rdexTimes(q.Outward)
	switch q.Frequency {
	case rdex.Punctual:
		rq.Frequency = mobility.Punctual
	case rdex.Regular:
		rq.Frequency = mobility.Regular
	}
	if q.Driver {
		rq.Kinds = append(rq.Kinds, mobility.KindOffer)
	}
	if q.Passenger {
		rq.Kinds = append(rq.Kinds, mobility.KindRequest)
	}
	if rq.Latest.Before(a.s.Now()) {
		return []rdex.Journey{}, nil // a window already over (yesterday's, in the territory)
	}
	ms, err := a.s.Mobility.SearchRange(ctx, access.Actor{}, ter, rq)
	if err != nil {
		return nil, err
	}
	// With p[return], a round trip is one only when its way back leaves in
	// the return window: the way back is searched (from near To to near
	// From) in a second read of the index.
	var backs map[rdexKey]bool
	if q.Return != nil {
		back := rq
		back.From, back.To, back.Days = to, from, [7]bool{}
		ret := *q.Return // its dates default to the outward's
		if ret.MinDate.IsZero() {
			ret.MinDate = q.Outward.MinDate
		}
		if ret.MaxDate.IsZero() {
			ret.MaxDate = q.Outward.MaxDate
		}
		back.Earliest, back.Latest = rdexDates(ret, a.s.Now().In(loc), loc)
		back.Times = rdexTimes(ret)
		var bm []mobility.Match
		if !back.Latest.Before(a.s.Now()) {
			if bm, err = a.s.Mobility.SearchRange(ctx, access.Actor{}, ter, back); err != nil {
				return nil, err
			}
		}
		backs = map[rdexKey]bool{}
		for _, m := range bm {
			backs[rdexKey{m.Trip.ID, m.Occurrence.Return}] = true
		}
	}
	b := journeyBuilder{s: a.s, ter: ter, loc: loc, aliases: map[int64]string{}}
	out := make([]rdex.Journey, 0, len(ms))
	for _, m := range ms {
		withReturn := backs == nil || backs[rdexKey{m.Trip.ID, !m.Occurrence.Return}]
		j, err := b.journey(ctx, m, withReturn)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// rdexDates turns a window's dates (a week from today by default, two
// weeks at most) into the first and last instants of those local days.
func rdexDates(w rdex.Window, now time.Time, loc *time.Location) (time.Time, time.Time) {
	today := midnight(now)
	first, last := today, today.AddDate(0, 0, rdexDefaultDays-1)
	if !w.MinDate.IsZero() {
		first = localDate(w.MinDate, loc)
		if first.Before(today) {
			first = today
		}
		last = first.AddDate(0, 0, rdexDefaultDays-1)
	}
	if !w.MaxDate.IsZero() {
		last = localDate(w.MaxDate, loc)
	}
	if limit := first.AddDate(0, 0, rdexMaxDays-1); last.After(limit) {
		last = limit
	}
	return first, last.AddDate(0, 0, 1).Add(-time.Microsecond)
}

func rdexTimes(w rdex.Window) [7]*mobility.DayWindow {
	var out [7]*mobility.DayWindow
	for d, tr := range w.Times {
		if tr != nil {
			out[d] = &mobility.DayWindow{Min: tr.Min, Max: tr.Max}
		}
	}
	return out
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// localDate is a query's date (midnight UTC) as midnight in the territory.
func localDate(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// journeyBuilder turns search matches into RDEX journeys.
type journeyBuilder struct {
	s       *Server
	ter     *territory.Territory
	loc     *time.Location
	aliases map[int64]string
}

// journey writes a match as RDEX does; withReturn false drops a weekly
// trip's way back (the query's return window does not fit it).
func (b *journeyBuilder) journey(ctx context.Context, m mobility.Match, withReturn bool) (rdex.Journey, error) {
	t, occ := m.Trip, m.Occurrence
	id := strconv.FormatInt(t.ID, 10)
	j := rdex.Journey{
		UUID:     "trip-" + id,
		URL:      strings.TrimRight(b.s.cfg.BaseURL, "/") + "/t/" + b.ter.Slug + "/trips/" + id,
		From:     rdexPlace(t.From),
		To:       rdexPlace(t.To),
		Distance: int(t.RouteMeters),
		Duration: int(t.RouteSeconds),
		Details:  &rdex.Details{Luggage: t.Luggage, Pets: t.Pets, Smoking: t.Smoking},
		Type:     rdex.OneWay,
	}
	stops := t.Stops
	if occ.Return {
		j.UUID += "-return"
		j.From, j.To = j.To, j.From
		stops = make([]mobility.Place, len(t.Stops))
		for i, p := range t.Stops {
			stops[len(stops)-1-i] = p
		}
	}
	for i, p := range stops {
		j.Waypoints = append(j.Waypoints, rdex.Waypoint{Place: rdexPlace(p), Step: i + 1})
	}
	j.NumberOfWaypoints = len(j.Waypoints)
	switch t.Contribution.Kind {
	case mobility.ContributionFree:
		zero := 0.0
		j.Cost = &rdex.Cost{Fixed: &zero}
	case mobility.ContributionCash:
		euros := float64(t.Contribution.Amount) / 100
		j.Cost = &rdex.Cost{Fixed: &euros}
	}
	alias, err := b.alias(ctx, t.UserID)
	if err != nil {
		return j, err
	}
	who := &rdex.Person{UUID: "member-" + strconv.FormatInt(t.UserID, 10), Alias: alias, State: 1}
	if t.Kind == mobility.KindRequest {
		who.Persons = t.Seats
		j.Passenger = who
	} else {
		who.Seats = occ.SeatsLeft
		j.Driver = who
	}
	if w := t.Weekly; w != nil {
		j.Frequency = rdex.Regular
		clock, back := w.Time, w.Return
		if occ.Return {
			clock, back = w.Return, ""
		}
		if !withReturn {
			back = ""
		}
		until := w.Until
		if until == "" {
			until = t.HorizonUntil // the departures materialised so far
		}
		j.Outward = rdex.Schedule{MinDate: w.From, MaxDate: until}
		var ret rdex.Schedule
		for _, d := range w.Days {
			j.Days.Set(d)
			at := sinceMidnight(clock)
			j.Outward.SetDay(d, at, at)
			if back != "" {
				at := sinceMidnight(back)
				ret.SetDay(d, at, at)
			}
		}
		if back != "" {
			ret.MinDate, ret.MaxDate = j.Outward.MinDate, j.Outward.MaxDate
			j.Type, j.Return = rdex.RoundTrip, &ret
		}
		return j, nil
	}
	j.Frequency = rdex.Punctual
	dep := occ.DepartsAt.In(b.loc)
	j.Days.Set(dep.Weekday())
	j.Outward = rdex.Schedule{MinDate: rdex.Date(dep), MaxDate: rdex.Date(dep)}
	at := dep.Sub(midnight(dep))
	j.Outward.SetDay(dep.Weekday(), at, at)
	return j, nil
}

// sinceMidnight reads a local "HH:MM" as a duration since midnight.
func sinceMidnight(s string) time.Duration {
	h, m, _ := strings.Cut(s, ":")
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
}

// alias is the member's first name as others see it: the first word of
// the display name, never the e-mail address.
func (b *journeyBuilder) alias(ctx context.Context, userID int64) (string, error) {
	if a, ok := b.aliases[userID]; ok {
		return a, nil
	}
	_, name, _, err := b.s.Accounts.Contact(ctx, userID)
	if err != nil {
		return "", err
	}
	a := "—"
	if f := strings.Fields(name); len(f) > 0 {
		a = f[0]
	}
	b.aliases[userID] = a
	return a, nil
}

// postalCity finds "38000 Grenoble" at the end of a French address label.
var postalCity = regexp.MustCompile(`\b(\d{5})\s+([^,\d][^,]*)$`)

func rdexPlace(p mobility.Place) rdex.Place {
	// The search's positions are rounded to 0.002°; six decimals drop the
	// floating-point noise of that rounding.
	out := rdex.Place{Address: p.Label, Latitude: math.Round(p.Lat*1e6) / 1e6, Longitude: math.Round(p.Lon*1e6) / 1e6}
	if m := postalCity.FindStringSubmatch(strings.TrimSpace(p.Label)); m != nil {
		out.PostalCode, out.City = m[1], strings.TrimSpace(m[2])
	}
	return out
}
