package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/i18n"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Weekly series: the booking form's "repeat every week" box (with a number
// of weeks or a last date) and POST /api/v1/resources/{id}/reservations/series.
// The free occurrences are booked, the others listed with their reason.

// seriesRow is an occurrence of a series as the page shows it.
type seriesRow struct {
	When   string
	Booked bool
	Reason string
}

// seriesRequest reads the form's series fields after bookingRequest.
func seriesRequest(r *http.Request, ter *territory.Territory, req booking.Request) (booking.SeriesRequest, error) {
	out := booking.SeriesRequest{Request: req}
	if v := strings.TrimSpace(r.PostForm.Get("until")); v != "" {
		var err error
		out.Until, err = parseUntil(v, ter.Location())
		return out, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("weeks")))
	if err != nil {
		return out, errs.Fields([]errs.FieldError{{Field: "weeks", Key: "err.booking.series_range", Args: map[string]any{"Max": booking.MaxOccurrences}}})
	}
	out.Weeks = n
	return out, nil
}

// parseUntil reads a series' last local date.
func parseUntil(v string, loc *time.Location) (time.Time, error) {
	until, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		return time.Time{}, errs.Fields([]errs.FieldError{{Field: "until", Key: "err.booking.time_format"}})
	}
	return until, nil
}

// refusalText is why an occurrence was refused, in the reader's language.
func refusalText(l *i18n.Localizer, f booking.Refusal) string { return l.T(f.Key, f.Args) }

// bookSeriesPage books the series and shows the resource page with what
// was booked and refused (409 when nothing was).
func (s *Server) bookSeriesPage(w http.ResponseWriter, r *http.Request, p *Page, id int64, req booking.Request) {
	sreq, err := seriesRequest(r, p.Territory, req)
	var res *booking.SeriesResult
	if err == nil {
		res, err = s.Booking.BookSeries(r.Context(), p.Actor, p.Territory, sreq)
	}
	if err != nil {
		s.bookingFormError(w, r, p, id, err)
		return
	}
	v, err := s.resourceView(r, p, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	loc := p.Territory.Location()
	rows := make([]seriesRow, 0, len(res.Booked)+len(res.Refused))
	for _, b := range res.Booked {
		rows = append(rows, seriesRow{When: when(b.Start, b.End, loc, p.Lang), Booked: true})
	}
	for _, f := range res.Refused {
		rows = append(rows, seriesRow{When: when(f.Start, f.End, loc, p.Lang), Reason: refusalText(p.L, f)})
	}
	// In time order: the booked and refused lists are each in order.
	all := append(append([]time.Time{}, startsOf(res.Booked)...), refusedStarts(res.Refused)...)
	sortRowsBy(rows, all)
	v.Series, v.SeriesBooked, v.SeriesRefused = rows, len(res.Booked), len(res.Refused)
	p.Title = v.R.Name
	p.Data = v
	status := http.StatusOK
	if len(res.Booked) == 0 {
		status = http.StatusConflict
	}
	s.render(w, r, status, "booking_resource", p)
}

func startsOf(list []*booking.Reservation) []time.Time {
	out := make([]time.Time, len(list))
	for i, r := range list {
		out[i] = r.Start
	}
	return out
}

func refusedStarts(list []booking.Refusal) []time.Time {
	out := make([]time.Time, len(list))
	for i, f := range list {
		out[i] = f.Start
	}
	return out
}

// sortRowsBy orders rows by the times at the same indexes (insertion
// sort: a series has at most 52 rows).
func sortRowsBy(rows []seriesRow, at []time.Time) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && at[j].Before(at[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
			at[j], at[j-1] = at[j-1], at[j]
		}
	}
}

// seriesInput is the API's body for a series.
type seriesInput struct {
	bookingInput
	Weeks int    `json:"weeks"`
	Until string `json:"until"` // YYYY-MM-DD, local
}

type refusalJSON struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Code    string    `json:"code"`
	Message string    `json:"message"`
}

type seriesJSON struct {
	SeriesID int64                  `json:"series_id,omitempty"`
	Booked   []*booking.Reservation `json:"booked"`
	Refused  []refusalJSON          `json:"refused"`
}

func (o seriesJSON) httpStatus() int {
	if len(o.Booked) == 0 {
		return http.StatusConflict
	}
	return http.StatusCreated
}

// apiBookSeries answers 201 with what was booked and refused, or 409 with
// the same body when nothing could be booked.
func (s *Server) apiBookSeries(w http.ResponseWriter, r *http.Request) {
	var in seriesInput
	s.bookingByID(w, r, http.StatusCreated, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		req := booking.SeriesRequest{Weeks: in.Weeks,
			Request: booking.Request{ResourceID: id, Start: in.Start, End: in.End, Quantity: in.Quantity, Note: in.Note}}
		if in.Until != "" {
			var err error
			if req.Until, err = parseUntil(in.Until, ter.Location()); err != nil {
				return nil, err
			}
		}
		res, err := s.Booking.BookSeries(r.Context(), a, ter, req)
		if err != nil {
			return nil, err
		}
		loc, l := ter.Location(), s.localizer(r)
		out := seriesJSON{SeriesID: res.SeriesID, Booked: inZone(res.Booked, loc).([]*booking.Reservation),
			Refused: make([]refusalJSON, 0, len(res.Refused))}
		for _, f := range res.Refused {
			out.Refused = append(out.Refused, refusalJSON{Start: f.Start.In(loc), End: f.End.In(loc), Code: f.Key, Message: refusalText(l, f)})
		}
		return out, nil
	})
}
