package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Standing bookings ("every week") and the member's mobility profile: the
// JSON API and the pages' forms share the service calls below.

func standingIn(res *mobility.StandingResult, loc *time.Location) *mobility.StandingResult {
	if st := res.Standing; st != nil {
		st.CreatedAt, st.UpdatedAt = st.CreatedAt.In(loc), st.UpdatedAt.In(loc)
	}
	for _, b := range res.Bookings {
		bookingIn(b, loc)
	}
	res.Missed = occurrencesIn(res.Missed, loc)
	return res
}

func (s *Server) apiTripStanding(w http.ResponseWriter, r *http.Request) {
	s.mobilityByID(w, r, mobility.ThingStanding, http.StatusOK, false, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		st, err := s.Mobility.StandingBooking(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		return standingIn(&mobility.StandingResult{Standing: st}, ter.Location()).Standing, nil
	})
}

func (s *Server) apiTripStandingAction(action mobility.StandingAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Reason string `json:"reason"`
		}
		s.mobilityByID(w, r, mobility.ThingStanding, http.StatusOK, true, &in, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
			res, err := s.Mobility.ActOnStanding(r.Context(), a, ter, id, action, in.Reason)
			if err != nil {
				return nil, err
			}
			return standingIn(res, ter.Location()), nil
		})
	}
}

func (s *Server) apiMobilityProfile(w http.ResponseWriter, r *http.Request) {
	p, err := s.Mobility.MyProfile(r.Context(), actorFrom(r.Context()))
	s.answer(w, r, http.StatusOK, p, err)
}

func (s *Server) apiSetMobilityProfile(w http.ResponseWriter, r *http.Request) {
	a, err := s.writer(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var in mobility.Profile
	if err := decodeJSON(w, r, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	p, err := s.Mobility.SetMyProfile(r.Context(), a, mobility.Profile{Woman: in.Woman})
	s.answer(w, r, http.StatusOK, p, err)
}

// standingRow is a standing booking in "my trips"; its buttons are the
// actions the service allows (Standing.Actions).
type standingRow struct {
	S                   *mobility.Standing
	Who, Days, Legs     string
	Status, Trip        string
	Accept, Refuse, Can bool
}

func standingRowOf(p *Page, st *mobility.Standing, driver bool, names map[int64]string) standingRow {
	row := standingRow{S: st, Status: p.L.T("mob.status_" + string(st.Status)), Trip: st.FromLabel + " → " + st.ToLabel,
		Legs: p.L.T("mob.legs_" + string(st.Legs)), Days: p.L.T("mob.every_day")}
	if row.Trip == " → " {
		row.Trip = p.L.T("mob.trip_n", "ID", st.TripID)
	}
	if len(st.Days) > 0 {
		days := make([]string, len(st.Days))
		for i, d := range st.Days {
			days[i] = p.L.T("mob.day_" + mobility.DayNames[d])
		}
		row.Days = strings.Join(days, ", ")
	}
	if driver {
		row.Who = names[st.PassengerID]
	} else {
		row.Who = names[st.DriverID]
	}
	row.Accept = slices.Contains(st.Actions, mobility.StandingAccept)
	row.Refuse = slices.Contains(st.Actions, mobility.StandingRefuse)
	row.Can = slices.Contains(st.Actions, mobility.StandingCancel)
	return row
}

// standingBookPage books "every week" from the trip page's form.
func (s *Server) standingBookPage(r *http.Request, p *Page, req mobility.BookRequest) (string, error) {
	var days mobility.Days
	for _, d := range r.PostForm["standing_days"] {
		if w := mobility.ParseDay(d); w >= 0 {
			days = append(days, w)
		}
	}
	res, err := s.Mobility.BookStanding(r.Context(), p.Actor, p.Territory, req, days, mobility.Legs(r.PostForm.Get("legs")))
	if err != nil {
		return "", err
	}
	msg := p.L.T("mob.standing_pending")
	if res.Standing.Status == mobility.BookingAccepted {
		msg = p.L.T("mob.standing_accepted", "Count", len(res.Bookings))
	}
	if len(res.Missed) > 0 {
		msg += " " + p.L.T("mob.standing_missed", "Dates", missedDates(res.Missed))
	}
	return msg, nil
}

func missedDates(occs []mobility.Occurrence) string {
	out := make([]string, len(occs))
	for i, o := range occs {
		d, _ := time.Parse(time.DateOnly, o.LocalDate)
		out[i] = d.Format("02/01") + " " + o.LocalTime
	}
	return strings.Join(out, ", ")
}

func (s *Server) tripStandingActionPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	action := mobility.StandingAction(r.PostForm.Get("action"))
	res, err := s.Mobility.ActOnStanding(r.Context(), p.Actor, p.Territory, id, action, r.PostForm.Get("reason"))
	msg := p.L.T("mob.done_standing_" + string(action))
	if err == nil && len(res.Missed) > 0 {
		msg += " " + p.L.T("mob.standing_missed", "Dates", missedDates(res.Missed))
	}
	s.done(w, r, err, msg, "/t/"+p.Territory.Slug+"/my/trips#standing")
}

func (s *Server) mobilityProfilePage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "mob.my_title")
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, errs.E(errs.Invalid, "err.invalid_input"))
		return
	}
	_, err := s.Mobility.SetMyProfile(r.Context(), p.Actor, mobility.Profile{Woman: r.PostForm.Get("woman") != ""})
	s.done(w, r, err, p.L.T("mob.profile_saved"), "/t/"+p.Territory.Slug+"/my/trips#profile")
}
