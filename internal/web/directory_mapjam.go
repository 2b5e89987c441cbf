package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// datetime-local inputs carry no zone: they are read and written in the
// territory's time zone, which is what the people at the event live in.
const localInput = "2006-01-02T15:04"

type mapJamRow struct {
	*directory.MapJam
	Starts, Ends string // in the territory's zone, for display
	Open         bool
}

type mapJamsView struct {
	Jams      []mapJamRow
	Moderator bool
	TimeZone  string
}

func jamRow(m *directory.MapJam, ter *territory.Territory, lang string, now time.Time) mapJamRow {
	loc := ter.Location()
	return mapJamRow{MapJam: m, Starts: localTime(m.StartsAt.In(loc), lang), Ends: localTime(m.EndsAt.In(loc), lang), Open: m.OpenAt(now)}
}

func localTime(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2 Jan 2006, 15:04")
	}
	return t.Format("02/01/2006 à 15h04")
}

func (s *Server) mapJamsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.mapjams_title")
	if !ok {
		return
	}
	s.renderMapJams(w, r, p, http.StatusOK)
}

func (s *Server) renderMapJams(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	list, err := s.Directory.ListMapJams(r.Context(), p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	now := s.Now()
	v := mapJamsView{Moderator: p.Can(string(access.Moderator)), TimeZone: p.Territory.TimeZone}
	for _, m := range list {
		v.Jams = append(v.Jams, jamRow(m, p.Territory, p.Lang, now))
	}
	if v.Moderator && p.Form.Get("starts_at") == "" && status == http.StatusOK {
		// Suggest the next full hour, for two hours.
		start := now.In(p.Territory.Location()).Truncate(time.Hour).Add(time.Hour)
		p.Form.Set("starts_at", start.Format(localInput))
		p.Form.Set("ends_at", start.Add(2*time.Hour).Format(localInput))
	}
	p.Data = v
	s.renderDir(w, r, status, "mapjams", p)
}

func (s *Server) openMapJam(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.mapjams_title")
	if !ok {
		return
	}
	_ = r.ParseForm()
	p.Form = r.PostForm
	loc := p.Territory.Location()
	m := &directory.MapJam{Title: p.Form.Get("title"), Place: p.Form.Get("place")}
	var bad []errs.FieldError
	var err error
	if m.StartsAt, err = time.ParseInLocation(localInput, strings.TrimSpace(p.Form.Get("starts_at")), loc); err != nil {
		bad = append(bad, errs.FieldError{Field: "starts_at", Key: "err.datetime_format"})
	}
	if m.EndsAt, err = time.ParseInLocation(localInput, strings.TrimSpace(p.Form.Get("ends_at")), loc); err != nil {
		bad = append(bad, errs.FieldError{Field: "ends_at", Key: "err.datetime_format"})
	}
	if len(bad) > 0 {
		if err = actorFrom(r.Context()).Require(p.Territory.ID, access.Moderator); err == nil {
			err = mergeFieldErrors(bad, nil)
		}
	} else {
		err = s.Directory.OpenMapJam(r.Context(), p.Actor, p.Territory, m)
	}
	if err != nil {
		if errs.KindOf(err) != errs.Invalid {
			s.renderError(w, r, err)
			return
		}
		p.setErr(err)
		s.renderMapJams(w, r, p, http.StatusBadRequest)
		return
	}
	s.flash(r, p.L.T("dir.mapjam_opened", "Title", m.Title))
	http.Redirect(w, r, "/t/"+p.Territory.Slug+"/mapjams/"+strconv.FormatInt(m.ID, 10), http.StatusSeeOther)
}

type mapJamView struct {
	Jam       mapJamRow
	Cards     []cardView
	Points    string
	Map       mapAttrs
	Moderator bool
}

func (s *Server) mapJamPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.territoryPageID(w, r, "dir.mapjam_title")
	if !ok {
		return
	}
	d, err := s.Directory.GetMapJam(r.Context(), p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Title = d.Title
	p.Data = mapJamView{
		Jam:       jamRow(&d.MapJam, p.Territory, p.Lang, s.Now()),
		Cards:     cardsOfInitiatives(d.Initiatives),
		Points:    pagePoints(p.Territory.Slug, d.Initiatives),
		Map:       mapAttrsOf(p.Territory),
		Moderator: p.Can(string(access.Moderator)),
	}
	p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css")
	p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "js/mapkit.js", "js/minimap.js")
	s.renderDir(w, r, http.StatusOK, "mapjam", p)
}

func (s *Server) closeMapJam(w http.ResponseWriter, r *http.Request) {
	t, ok := s.territory(w, r)
	if !ok {
		return
	}
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.Directory.CloseMapJam(r.Context(), actorFrom(r.Context()), t, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.flash(r, s.localizer(r).T("dir.mapjam_closed"))
	http.Redirect(w, r, "/t/"+t.Slug+"/mapjams/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
