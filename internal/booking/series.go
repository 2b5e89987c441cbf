package booking

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// MaxOccurrences bounds a weekly series (a year).
const MaxOccurrences = 52

// SeriesRequest asks for the same local times every week: the first
// occurrence is Request's interval, then one a week for Weeks occurrences
// in all, or (with Weeks zero) while the local start date is not after
// Until's.
type SeriesRequest struct {
	Request
	Weeks int
	Until time.Time
}

// Refusal is an occurrence of a series that was not booked, and why (an
// errs key with its arguments, for people to read in their language).
type Refusal struct {
	Start time.Time      `json:"start"`
	End   time.Time      `json:"end"`
	Kind  errs.Kind      `json:"-"`
	Key   string         `json:"code"`
	Args  map[string]any `json:"-"`
}

// SeriesResult: what was booked (in time order, sharing SeriesID) and
// what was refused.
type SeriesResult struct {
	SeriesID int64          `json:"series_id,omitempty"`
	Booked   []*Reservation `json:"booked"`
	Refused  []Refusal      `json:"refused"`
}

// occurrences lists the intervals of a series: the same local wall-clock
// times each week, so 18:00 stays 18:00 across a clock change. An
// occurrence whose local time does not exist that day keeps its error.
func occurrences(req SeriesRequest, loc *time.Location) ([]Request, []error, error) {
	start, end := utc(req.Start), utc(req.End)
	if !end.After(start) {
		return nil, nil, errs.Fields([]errs.FieldError{{Field: "end", Key: "err.booking.end_before_start"}})
	}
	n := req.Weeks
	ws, we := wall(start, loc), wall(end, loc)
	if n == 0 && !req.Until.IsZero() {
		last := wall(req.Until, loc)
		last = time.Date(last.Year(), last.Month(), last.Day(), 23, 59, 59, 0, time.UTC)
		for n = 0; n <= MaxOccurrences && !ws.AddDate(0, 0, 7*n).After(last); n++ {
		}
	}
	if n < 1 || n > MaxOccurrences {
		return nil, nil, errs.Fields([]errs.FieldError{{Field: "weeks", Key: "err.booking.series_range", Args: map[string]any{"Max": MaxOccurrences}}})
	}
	reqs, bad := make([]Request, n), make([]error, n)
	const layout = "2006-01-02T15:04:05"
	for k := range n {
		r := req.Request
		var e1, e2 error
		r.Start, e1 = ParseLocal(ws.AddDate(0, 0, 7*k).Format(layout), loc)
		r.End, e2 = ParseLocal(we.AddDate(0, 0, 7*k).Format(layout), loc)
		if e1 != nil || e2 != nil {
			// Shown at the wall-clock times asked for.
			r.Start, r.End = ws.AddDate(0, 0, 7*k), we.AddDate(0, 0, 7*k)
			bad[k] = errorsFirst(e1, e2)
		}
		reqs[k] = r
	}
	return reqs, bad, nil
}

func errorsFirst(list ...error) error {
	for _, err := range list {
		if err != nil {
			return err
		}
	}
	return nil
}

// BookSeries books a weekly series: each occurrence with every rule of
// Book (its own capacity check included), the free ones booked and the
// others listed with their reason. The booked ones share a series id.
func (s *Service) BookSeries(ctx context.Context, actor access.Actor, ter *territory.Territory, req SeriesRequest) (*SeriesResult, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	now, loc := s.clock(), ter.Location()
	occ, bad, err := occurrences(req, loc)
	if err != nil {
		return nil, err
	}
	r, late, _, err := s.store.ResourceForBooking(ctx, ter.ID, req.ResourceID, actor.UserID, now, time.Time{}, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("booking: series of resource %d: %w", req.ResourceID, err)
	}
	if err := s.mayBook(ctx, actor, ter, r); err != nil {
		return nil, err
	}
	if late {
		return nil, errs.E(errs.Conflict, "err.booking.overdue_blocks")
	}
	status := StatusConfirmed
	if r.Rules.Approval {
		status = StatusPending
	}
	// The occurrences are booked at once: on either database concurrent
	// bookings share a commit.
	results := make([]*Reservation, len(occ))
	var wg sync.WaitGroup
	for k := range occ {
		if bad[k] == nil {
			bad[k] = checkRequest(r, &occ[k], now, loc)
		}
		if bad[k] != nil {
			continue
		}
		o := occ[k]
		res := &Reservation{TerritoryID: ter.ID, ResourceID: r.ID, OrganisationID: r.OrganisationID, UserID: actor.UserID,
			Quantity: o.Quantity, Start: o.Start, End: o.End, Status: status, Note: o.Note, CreatedAt: now, UpdatedAt: now,
			ResourceName: r.Name}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.store.Reserve(ctx, res); err != nil {
				bad[k] = err
				return
			}
			results[k] = res
		}()
	}
	wg.Wait()
	out := &SeriesResult{Booked: []*Reservation{}, Refused: []Refusal{}}
	var ids []int64
	for k, res := range results {
		if res != nil {
			out.Booked = append(out.Booked, res)
			ids = append(ids, res.ID)
			continue
		}
		e, ok := errs.As(bad[k])
		if !ok {
			return nil, fmt.Errorf("booking: series of resource %d: %w", r.ID, bad[k])
		}
		key, args := e.Key, e.Args
		if len(e.Fields) > 0 {
			key, args = e.Fields[0].Key, e.Fields[0].Args
		}
		out.Refused = append(out.Refused, Refusal{Start: occ[k].Start, End: occ[k].End, Kind: e.Kind, Key: key, Args: args})
	}
	if len(ids) > 0 {
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		out.SeriesID = ids[0]
		if err := s.store.SetSeries(ctx, ter.ID, out.SeriesID, ids); err != nil {
			return nil, fmt.Errorf("booking: series of resource %d: %w", r.ID, err)
		}
		for _, res := range out.Booked {
			res.SeriesID = out.SeriesID
		}
	}
	s.log.InfoContext(ctx, "booking: series", "territory", ter.Slug, "resource", r.ID, "series", out.SeriesID,
		"booked", len(out.Booked), "refused", len(out.Refused), "user", actor.UserID)
	return out, nil
}

// CancelSeries cancels reservation id and the later occurrences of its
// series, each with the rules of Cancel (its member until CancelMinutes
// before its start, or the staff). Occurrences that cannot be cancelled
// any more (started, handed out, too late) are left as they are; it
// returns the reservation id, cancelled, and how many were.
func (s *Service) CancelSeries(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Reservation, int, error) {
	first, err := s.Cancel(ctx, actor, ter, id)
	if err != nil {
		return nil, 0, err
	}
	n := 1
	if first.SeriesID == 0 {
		return first, n, nil
	}
	later, err := s.store.Reservations(ctx, ter.ID, ReservationFilter{ResourceID: first.ResourceID, UserID: first.UserID,
		SeriesID: first.SeriesID, From: first.End, Statuses: []Status{StatusPending, StatusConfirmed}})
	if err != nil {
		return nil, n, fmt.Errorf("booking: cancel series %d: %w", first.SeriesID, err)
	}
	for _, r := range later {
		if !r.Start.After(first.Start) {
			continue
		}
		if _, err := s.Cancel(ctx, actor, ter, r.ID); err != nil {
			if k := errs.KindOf(err); k == errs.Conflict || k == errs.NotFound {
				continue // its own rules keep it
			}
			return nil, n, err
		}
		n++
	}
	return first, n, nil
}
