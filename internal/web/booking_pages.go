package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Pages of bookable resources: the territory's resources and car-sharing
// stations, one resource with its availability and booking form, "my
// reservations", and for organisations their inventory and desk. Every
// form posts and redirects, so all of it works without JavaScript. Times
// are shown and typed in the territory's time zone.

func (s *Server) bookingRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/resources", s.resourcesPage)
	page("GET /t/{slug}/stations", s.stationsPage)
	page("GET /t/{slug}/resources/{id}", s.resourcePage)
	page("POST /t/{slug}/resources/{id}/book", s.bookPage)
	page("POST /t/{slug}/resources/{id}/wait", s.waitPage)
	page("POST /t/{slug}/resources/{id}/photos", s.resourcePhotosPage)
	page("GET /t/{slug}/resources/{id}/calendar.ics", s.resourceFeed)
	page("GET /t/{slug}/reservations", s.myReservationsPage)
	page("POST /t/{slug}/reservations/{id}/action", s.reservationActionPage)
	page("POST /t/{slug}/waits/{id}/leave", s.leaveWaitPage)
	page("POST /t/{slug}/reservations/feed", s.resetFeedPage)
	page("GET /t/{slug}/feeds/{token}/reservations.ics", s.memberFeed)
	page("GET /t/{slug}/organisations/{id}/inventory", s.inventoryPage)
	page("POST /t/{slug}/organisations/{id}/inventory", s.createResourcePage)
	page("GET /t/{slug}/organisations/{id}/desk", s.deskPage)
}

// localLayout is how datetime-local inputs read and write times.
const localLayout = "2006-01-02T15:04"

// when formats an interval in the territory's zone for people.
func when(start, end time.Time, loc *time.Location, lang string) string {
	day, at := "02/01/2006", "15:04"
	if lang == "en" {
		day = "Mon 2 Jan 2006"
	}
	if lang != "en" {
		day = frDay(start.In(loc)) + " 02/01/2006"
	}
	a, b := start.In(loc), end.In(loc)
	if a.Format("2006-01-02") == b.Format("2006-01-02") {
		return a.Format(day+" "+at) + "–" + b.Format(at)
	}
	endDay := day
	if lang != "en" {
		endDay = frDay(b) + " 02/01/2006"
	}
	return a.Format(day+" "+at) + " → " + b.Format(endDay+" "+at)
}

func frDay(t time.Time) string {
	return [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}[t.Weekday()]
}

type resourceCard struct {
	R        *booking.Resource
	OrgName  string
	HoursTxt []string
}

type resourcesView struct {
	Kind  string
	Kinds []booking.Kind
	Cards []resourceCard
}

func (s *Server) orgNames(r *http.Request, ter *territory.Territory) map[int64]string {
	names := map[int64]string{}
	if list, err := s.Accounts.Organisations(r.Context(), ter.ID); err == nil {
		for _, o := range list {
			names[o.ID] = o.Name
		}
	}
	return names
}

func (s *Server) resourcesPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "book.resources_title")
	if !ok {
		return
	}
	kind := r.URL.Query().Get("kind")
	list, err := s.Booking.Resources(r.Context(), p.Actor, p.Territory, booking.ResourceFilter{Kind: booking.Kind(kind)})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names := s.orgNames(r, p.Territory)
	v := resourcesView{Kind: kind, Kinds: booking.Kinds}
	for _, res := range list {
		v.Cards = append(v.Cards, resourceCard{R: res, OrgName: names[res.OrganisationID]})
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "booking_resources", p)
}

// hoursLines describes opening hours, Monday first.
func hoursLines(p *Page, ru booking.Rules) []string {
	if len(ru.Hours) == 0 {
		return nil
	}
	var out []string
	for _, d := range booking.DayKeys {
		spans := ru.Hours[d]
		txt := p.L.T("book.closed_day")
		if len(spans) > 0 {
			txt = strings.Join(spans, ", ")
		}
		out = append(out, p.L.T("book.day_"+d)+" : "+txt)
	}
	return out
}

type freeRow struct {
	When string
	Free int
}

type calendarRow struct {
	ID     int64
	When   string
	Who    string
	Status string
	Qty    int
}

type resourceView struct {
	R         *booking.Resource
	OrgName   string
	Hours     []string
	Busy      []freeRow // runs with fewer than all copies free, next 14 days
	Member    bool
	Staff     bool
	Admin     bool
	Start     string // form values
	End       string
	Quantity  string
	Note      string
	Error     string // why the booking failed
	CanWait   bool   // the slot is taken: offer the waiting list
	Calendar  []calendarRow
	FeedURL   string
	MinuteMin string
	Uploads   bool // photos can be uploaded
	MaxPhotos int
	// A weekly series: the form's values, then what was booked and refused.
	Repeat        bool
	Weeks, Until  string
	Series        []seriesRow
	SeriesBooked  int
	SeriesRefused int
	MaxWeeks      int
}

func (s *Server) resourceView(r *http.Request, p *Page, id int64) (*resourceView, error) {
	ctx, ter := r.Context(), p.Territory
	res, err := s.Booking.Resource(ctx, p.Actor, ter, id)
	if err != nil {
		return nil, err
	}
	loc := ter.Location()
	now := s.Now()
	v := &resourceView{R: res, Hours: hoursLines(p, res.Rules), Member: p.Actor.UserID != 0,
		Staff:   s.Booking.IsStaff(ctx, p.Actor, ter, res.OrganisationID),
		Admin:   s.Booking.MayAdminister(ctx, p.Actor, ter, res.OrganisationID),
		FeedURL: "/t/" + ter.Slug + "/resources/" + strconv.FormatInt(id, 10) + "/calendar.ics", Quantity: "1",
		Uploads: s.Media != nil, MaxPhotos: booking.MaxPhotos, MaxWeeks: booking.MaxOccurrences, Weeks: "4"}
	if o, err := s.Accounts.Organisation(ctx, ter.ID, res.OrganisationID); err == nil {
		v.OrgName = o.Name
	}
	from := now.Truncate(time.Hour)
	free, err := s.Booking.Availability(ctx, p.Actor, ter, id, from, from.AddDate(0, 0, 14))
	if err != nil {
		return nil, err
	}
	for _, f := range free {
		if f.Free < res.Quantity {
			v.Busy = append(v.Busy, freeRow{When: when(f.Start, f.End, loc, p.Lang), Free: max(f.Free, 0)})
		}
	}
	if v.Staff {
		cal, err := s.Booking.Calendar(ctx, p.Actor, ter, id, from.AddDate(0, 0, -7), from.AddDate(0, 0, 30))
		if err == nil {
			for _, c := range cal {
				v.Calendar = append(v.Calendar, calendarRow{ID: c.ID, When: when(c.Start, c.End, loc, p.Lang),
					Who: s.memberName(r, c.UserID), Status: p.L.T("book.status_" + string(c.Status)), Qty: c.Quantity})
			}
		}
	}
	// A sensible default: tomorrow 10:00 to 12:00 local.
	d := now.In(loc).AddDate(0, 0, 1)
	v.Start = time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, loc).Format(localLayout)
	v.End = time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc).Format(localLayout)
	v.MinuteMin = now.In(loc).Format(localLayout)
	return v, nil
}

// memberName is what the staff see of a member: their display name, or their e-mail.
func (s *Server) memberName(r *http.Request, userID int64) string {
	email, name, _, err := s.Accounts.Contact(r.Context(), userID)
	if err != nil {
		return "#" + strconv.FormatInt(userID, 10)
	}
	if name != "" {
		return name
	}
	return email
}

func (s *Server) resourcePage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.territoryPageID(w, r, "book.resource_title")
	if !ok {
		return
	}
	v, err := s.resourceView(r, p, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Title = v.R.Name
	p.Data = v
	s.render(w, r, http.StatusOK, "booking_resource", p)
}

// bookingRequest reads the booking form: local times in the territory's zone.
func bookingRequest(r *http.Request, ter *territory.Territory, id int64) (booking.Request, error) {
	loc := ter.Location()
	req := booking.Request{ResourceID: id, Note: r.PostForm.Get("note")}
	var err error
	if req.Start, err = booking.ParseLocal(r.PostForm.Get("start"), loc); err != nil {
		return req, err
	}
	if req.End, err = booking.ParseLocal(r.PostForm.Get("end"), loc); err != nil {
		return req, err
	}
	if q := r.PostForm.Get("quantity"); q != "" {
		if req.Quantity, err = strconv.Atoi(q); err != nil {
			return req, errs.E(errs.Invalid, "err.invalid_input")
		}
	}
	return req, nil
}

// bookPage books from the form. A refusal shows the page again with the
// reason, the typed values and, when the slot is taken, the waiting list.
func (s *Server) bookPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	req, err := bookingRequest(r, p.Territory, id)
	if err == nil && r.PostForm.Get("repeat") != "" {
		s.bookSeriesPage(w, r, p, id, req)
		return
	}
	if err == nil {
		_, err = s.Booking.Book(r.Context(), p.Actor, p.Territory, req)
	}
	if err == nil {
		s.done(w, r, nil, p.L.T("book.booked"), "/t/"+p.Territory.Slug+"/reservations")
		return
	}
	s.bookingFormError(w, r, p, id, err)
}

// bookingFormError shows the resource page again with the reason, the
// typed values and, when the slot is taken, the waiting list.
func (s *Server) bookingFormError(w http.ResponseWriter, r *http.Request, p *Page, id int64, err error) {
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
		s.renderError(w, r, err)
		return
	}
	v, verr := s.resourceView(r, p, id)
	if verr != nil {
		s.renderError(w, r, verr)
		return
	}
	v.Start, v.End, v.Quantity, v.Note = r.PostForm.Get("start"), r.PostForm.Get("end"), r.PostForm.Get("quantity"), r.PostForm.Get("note")
	v.Repeat, v.Weeks, v.Until = r.PostForm.Get("repeat") != "", r.PostForm.Get("weeks"), r.PostForm.Get("until")
	v.Error = p.L.Err(err)
	if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
		v.Error = p.L.T(e.Fields[0].Key, e.Fields[0].Args)
	}
	v.CanWait = !v.Repeat && errs.Is(err, errs.Conflict) && strings.HasSuffix(keyOfErr(err), ".unavailable")
	p.Title = v.R.Name
	p.Data = v
	s.render(w, r, statusOf(errs.KindOf(err)), "booking_resource", p)
}

func keyOfErr(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Key
	}
	return ""
}

func (s *Server) waitPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	req, err := bookingRequest(r, p.Territory, id)
	if err == nil {
		_, err = s.Booking.JoinWaitlist(r.Context(), p.Actor, p.Territory, req)
	}
	s.done(w, r, err, p.L.T("book.waiting"), "/t/"+p.Territory.Slug+"/reservations")
}

func (s *Server) resourceFeed(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data, err := s.Booking.ResourceFeed(r.Context(), actorFrom(r.Context()), ter, id, langFrom(r.Context()))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeCalendar(w, data)
}

func writeCalendar(w http.ResponseWriter, data []byte) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write(data)
}

func (s *Server) memberFeed(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	data, err := s.Booking.MemberFeed(r.Context(), ter, r.PathValue("token"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	writeCalendar(w, data)
}

type myRow struct {
	R        *booking.Reservation
	When     string
	Status   string
	Until    string // offers: until when
	Cancel   bool
	Renew    bool
	Accept   bool
	Resource string
}

type myWait struct {
	W      *booking.Wait
	When   string
	Status string
}

type myReservationsView struct {
	Rows    []myRow
	Waits   []myWait
	FeedURL string
}

func (s *Server) myReservationsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "book.my_title")
	if !ok {
		return
	}
	mine, err := s.Booking.MyReservations(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	tok, err := s.Booking.FeedToken(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	loc, now := p.Territory.Location(), s.Now()
	v := myReservationsView{FeedURL: strings.TrimRight(s.cfg.BaseURL, "/") + "/t/" + p.Territory.Slug + "/feeds/" + url.PathEscape(tok) + "/reservations.ics"}
	sort.SliceStable(mine.Reservations, func(i, j int) bool { return mine.Reservations[i].Start.After(mine.Reservations[j].Start) })
	for _, res := range mine.Reservations {
		row := myRow{R: res, When: when(res.Start, res.End, loc, p.Lang), Status: p.L.T("book.status_" + string(res.Status)), Resource: res.ResourceName}
		if res.Overdue {
			row.Status = p.L.T("book.overdue")
		}
		switch res.Status {
		case booking.StatusOffered:
			row.Accept, row.Cancel = true, false
			if res.OfferExpiresAt != nil {
				row.Until = p.L.T("book.offer_until", "When", res.OfferExpiresAt.In(loc).Format("02/01 15:04"))
			}
		case booking.StatusPending:
			row.Cancel = now.Before(res.Start)
		case booking.StatusConfirmed:
			row.Cancel = now.Before(res.Start)
		case booking.StatusCheckedOut:
			row.Renew = !res.Overdue
		}
		v.Rows = append(v.Rows, row)
	}
	for _, wt := range mine.Waits {
		v.Waits = append(v.Waits, myWait{W: wt, When: when(wt.Start, wt.End, loc, p.Lang), Status: p.L.T("book.wait_" + string(wt.Status))})
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "booking_mine", p)
}

func (s *Server) reservationActionPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	action := r.PostForm.Get("action")
	_, err := s.reservationAction(r.Context(), p.Actor, p.Territory, id, action, r.PostForm.Get("reason"), r.PostForm.Get("condition"))
	next := r.PostForm.Get("next")
	if next == "" {
		next = "/t/" + p.Territory.Slug + "/reservations"
	}
	s.done(w, r, err, p.L.T("book.done_"+strings.ReplaceAll(action, "-", "_")), next)
}

func (s *Server) leaveWaitPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	err := s.Booking.LeaveWaitlist(r.Context(), p.Actor, p.Territory, id)
	s.done(w, r, err, p.L.T("book.left_waitlist"), "/t/"+p.Territory.Slug+"/reservations")
}

func (s *Server) resetFeedPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "book.my_title")
	if !ok {
		return
	}
	_, err := s.Booking.ResetFeedToken(r.Context(), p.Actor, p.Territory)
	s.done(w, r, err, p.L.T("book.feed_reset"), "/t/"+p.Territory.Slug+"/reservations")
}

// stationsView: car sharing stations with their vehicles and use.
type stationsView struct {
	Stations []stationRow
	Points   string
	Map      mapAttrs
	Since    string
}

type stationRow struct {
	Name     string
	Vehicles []vehicleRow
	Uses     int
	Hours    string
}

type vehicleRow struct {
	R     *booking.Resource
	Uses  int
	Hours string
}

func hoursText(h float64) string { return strconv.FormatFloat(h, 'f', 1, 64) }

func (s *Server) stationsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "book.stations_title")
	if !ok {
		return
	}
	ctx, ter := r.Context(), p.Territory
	vehicles, err := s.Booking.Resources(ctx, p.Actor, ter, booking.ResourceFilter{Kind: booking.KindVehicle})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	to := s.Now()
	from := to.AddDate(0, 0, -30)
	usage, err := s.Booking.Usage(ctx, ter, booking.KindVehicle, from, to)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	use := map[int64]booking.Usage{}
	for _, u := range usage {
		use[u.ResourceID] = u
	}
	v := stationsView{Map: mapAttrsOf(ter), Since: from.In(ter.Location()).Format("02/01/2006")}
	idx := map[string]int{}
	type point struct {
		Name string  `json:"name"`
		Lat  float64 `json:"lat"`
		Lon  float64 `json:"lon"`
		URL  string  `json:"url"`
	}
	var points []point
	for _, veh := range vehicles {
		i, ok := idx[veh.Station]
		if !ok {
			i = len(v.Stations)
			idx[veh.Station] = i
			v.Stations = append(v.Stations, stationRow{Name: veh.Station})
			if veh.Position != nil {
				points = append(points, point{Name: veh.Station, Lat: veh.Position.Lat, Lon: veh.Position.Lon,
					URL: "#station-" + strconv.Itoa(i)})
			}
		}
		u := use[veh.ID]
		st := &v.Stations[i]
		st.Vehicles = append(st.Vehicles, vehicleRow{R: veh, Uses: u.Uses, Hours: hoursText(u.Hours)})
		st.Uses += u.Uses
		h, _ := strconv.ParseFloat(st.Hours, 64)
		st.Hours = hoursText(h + u.Hours)
	}
	data, _ := json.Marshal(points)
	v.Points = string(data)
	if len(points) > 0 {
		p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css")
		p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "js/mapkit.js", "js/minimap.js")
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "booking_stations", p)
}

// inventoryView is an organisation's resources, with the form to add one.
type inventoryView struct {
	Org       *account.Organisation
	Cards     []resourceCard
	Admin     bool
	Staff     bool
	Kinds     []booking.Kind
	Whos      []booking.Who
	Days      []string
	FormError string
	Uploads   bool // photos can be uploaded
	MaxPhotos int
}

func (s *Server) inventoryView(r *http.Request, p *Page) (*inventoryView, error) {
	id, err := pagePathID(r, "id")
	if err != nil {
		return nil, err
	}
	org, err := s.Accounts.Organisation(r.Context(), p.Territory.ID, id)
	if err != nil {
		return nil, err
	}
	list, err := s.Booking.Resources(r.Context(), p.Actor, p.Territory, booking.ResourceFilter{OrganisationID: id})
	if err != nil {
		return nil, err
	}
	v := &inventoryView{Org: org, Kinds: booking.Kinds, Whos: booking.Whos, Days: booking.DayKeys,
		Uploads: s.Media != nil, MaxPhotos: booking.MaxPhotos,
		Admin: s.Booking.MayAdminister(r.Context(), p.Actor, p.Territory, id),
		Staff: s.Booking.IsStaff(r.Context(), p.Actor, p.Territory, id)}
	for _, res := range list {
		v.Cards = append(v.Cards, resourceCard{R: res, HoursTxt: hoursLines(p, res.Rules)})
	}
	return v, nil
}

func (s *Server) inventoryPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "book.inventory_title")
	if !ok {
		return
	}
	v, err := s.inventoryView(r, p)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Title = p.L.T("book.inventory_of", "Name", v.Org.Name)
	p.Data = v
	s.render(w, r, http.StatusOK, "booking_inventory", p)
}

// resourceFromForm reads the inventory form.
func resourceFromForm(f url.Values, orgID int64) *booking.Resource {
	atoi := func(k string) int { n, _ := strconv.Atoi(strings.TrimSpace(f.Get(k))); return n }
	res := &booking.Resource{OrganisationID: orgID, Kind: booking.Kind(f.Get("kind")), Name: f.Get("name"),
		Description: f.Get("description"), Quantity: atoi("quantity"), Capacity: atoi("capacity"),
		Equipment: f.Get("equipment"), Energy: f.Get("energy"), Station: f.Get("station"),
		Rules: booking.Rules{MinMinutes: atoi("min_minutes"), MaxMinutes: atoi("max_hours") * 60,
			MaxAdvanceDays: atoi("max_advance_days"), LeadMinutes: atoi("lead_minutes"), CancelMinutes: atoi("cancel_minutes"),
			Approval: f.Get("approval") != "", Who: booking.Who(f.Get("who")), Note: f.Get("fee_note")}}
	for _, d := range booking.DayKeys {
		if v := strings.TrimSpace(f.Get("hours_" + d)); v != "" {
			if res.Rules.Hours == nil {
				res.Rules.Hours = map[string][]string{}
			}
			for _, span := range strings.Split(v, ",") {
				res.Rules.Hours[d] = append(res.Rules.Hours[d], strings.TrimSpace(span))
			}
		} else if f.Get("hours_set") != "" {
			if res.Rules.Hours == nil {
				res.Rules.Hours = map[string][]string{}
			}
			res.Rules.Hours[d] = nil
		}
	}
	lat, e1 := strconv.ParseFloat(strings.TrimSpace(f.Get("lat")), 64)
	lon, e2 := strconv.ParseFloat(strings.TrimSpace(f.Get("lon")), 64)
	if e1 == nil && e2 == nil {
		res.Position = &geo.Point{Lat: lat, Lon: lon}
	}
	return res
}

func (s *Server) createResourcePage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.multipartPost(w, r)
	if !ok {
		return
	}
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	// A day left empty is closed once any day has hours.
	anyHours := false
	for _, d := range booking.DayKeys {
		anyHours = anyHours || strings.TrimSpace(r.PostForm.Get("hours_"+d)) != ""
	}
	if anyHours {
		r.PostForm.Set("hours_set", "1")
	}
	res := resourceFromForm(r.PostForm, id)
	added, bad := s.ingestPhotos(r)
	res.Photos = added
	err := errs.Fields(bad)
	if err == nil {
		err = s.Booking.CreateResource(r.Context(), p.Actor, p.Territory, res)
	}
	if err != nil && s.Media != nil {
		s.dropPhotos(r.Context(), added)
	}
	if err == nil {
		s.done(w, r, nil, p.L.T("book.resource_added"), "/t/"+p.Territory.Slug+"/organisations/"+strconv.FormatInt(id, 10)+"/inventory")
		return
	}
	if !errs.Is(err, errs.Invalid) {
		s.renderError(w, r, err)
		return
	}
	v, verr := s.inventoryView(r, p)
	if verr != nil {
		s.renderError(w, r, verr)
		return
	}
	p.Title = p.L.T("book.inventory_of", "Name", v.Org.Name)
	p.setErr(err)
	p.Form = r.PostForm
	p.Data = v
	s.render(w, r, http.StatusBadRequest, "booking_inventory", p)
}

type deskRow struct {
	R     *booking.Reservation
	When  string
	Who   string
	Cover *booking.Resource // the resource, for its photo
}

type deskView struct {
	Org                                   *account.Organisation
	Pending, ToHandOut, Out, Overdue, Ups []deskRow
	Held                                  []deskRow // waiting for copies an overdue loan holds
	Offers                                int
	Next                                  string
}

func (s *Server) deskPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.territoryPageID(w, r, "book.desk_title")
	if !ok {
		return
	}
	org, err := s.Accounts.Organisation(r.Context(), p.Territory.ID, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d, err := s.Booking.Desk(r.Context(), p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	loc := p.Territory.Location()
	resources := map[int64]*booking.Resource{}
	if list, err := s.Booking.Resources(r.Context(), p.Actor, p.Territory, booking.ResourceFilter{OrganisationID: id}); err == nil {
		for _, res := range list {
			resources[res.ID] = res
		}
	}
	rows := func(list []*booking.Reservation) []deskRow {
		out := make([]deskRow, 0, len(list))
		for _, res := range list {
			out = append(out, deskRow{R: res, When: when(res.Start, res.End, loc, p.Lang), Who: s.memberName(r, res.UserID),
				Cover: resources[res.ResourceID]})
		}
		return out
	}
	p.Title = p.L.T("book.desk_of", "Name", org.Name)
	p.Data = deskView{Org: org, Pending: rows(d.Pending), ToHandOut: rows(d.ToHandOut), Out: rows(d.Out), Overdue: rows(d.Overdue), Held: rows(d.Held),
		Ups: rows(d.Upcoming), Offers: d.OfferCount, Next: "/t/" + p.Territory.Slug + "/organisations/" + strconv.FormatInt(id, 10) + "/desk"}
	s.render(w, r, http.StatusOK, "booking_desk", p)
}
