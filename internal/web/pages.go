package web

import (
	"embed"
	"net/http"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Static files: our own CSS and scripts, plus the npm libraries that
// `make assets` copies into static/vendor (not committed).
//
//go:embed all:static
var staticFS embed.FS

var errForbiddenOrigin = errs.E(errs.Forbidden, "err.cross_origin")

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.DB.R.PingContext(r.Context()); err != nil {
		s.Log.Error("health check", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, errs.E(errs.NotFound, "err.page_not_found"))
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	list, err := s.Territories.List(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, s.localizer(r).T("home.title"))
	p.Data = list
	s.render(w, r, http.StatusOK, "home", p)
}

// territory loads the territory named in the path, or answers 404.
func (s *Server) territory(w http.ResponseWriter, r *http.Request) (*territory.Territory, bool) {
	t, err := s.Territories.Get(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	return t, true
}

// territoryPage starts a page of a territory.
func (s *Server) territoryPage(w http.ResponseWriter, r *http.Request, titleKey string) (*Page, bool) {
	t, ok := s.territory(w, r)
	if !ok {
		return nil, false
	}
	p := s.newPage(r, s.I18n.Localizer(langFrom(r.Context())).T(titleKey))
	p.Territory = t
	return p, true
}

// territoryPageID is territoryPage for a page about one thing: it also
// reads the {id} of the path, and answers "not found" itself when it is
// not a positive number.
func (s *Server) territoryPageID(w http.ResponseWriter, r *http.Request, titleKey string) (*Page, int64, bool) {
	p, ok := s.territoryPage(w, r, titleKey)
	if !ok {
		return nil, 0, false
	}
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return nil, 0, false
	}
	return p, id, true
}

func (s *Server) accessibility(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "a11y.title")
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "accessibility", p)
}

// platformAccessibility is the statement for the pages that belong to no
// territory (home, accounts, API documentation).
func (s *Server) platformAccessibility(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, s.localizer(r).T("a11y.title"))
	s.render(w, r, http.StatusOK, "accessibility", p)
}
