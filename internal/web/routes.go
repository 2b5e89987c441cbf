package web

import (
	"io/fs"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns the whole site: pages, API, assets and operations.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()

	// Operations and assets: no session, no database unless needed.
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.Registry != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	}
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", cacheStatic(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.HandleFunc("GET /api/openapi.json", s.openAPI)

	// The map endpoint is the hottest path: public, cached per tile, no session.
	mux.HandleFunc("GET /api/v1/territories/{slug}/initiatives", s.apiInitiativesGeoJSON)
	s.rdexRoute(mux) // signed by partner platforms, no session

	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.withSession(h)) }

	page("GET /{$}", s.home)
	page("GET /api/docs", s.apiDocs)
	page("GET /t/{slug}/{$}", s.territoryHome)
	page("GET /t/{slug}/accessibility", s.accessibility)
	page("GET /accessibility", s.platformAccessibility)
	page("GET /t/{slug}/open-data", s.openData)

	s.accountRoutes(page)
	s.organisationRoutes(page)
	s.rdexPartnerAdminRoutes(page)
	s.directoryRoutes(page)
	s.offerRoutes(page)
	s.bookingRoutes(page)
	s.mobilityRoutes(page)
	s.ledgerRoutes(page)
	if s.Media != nil {
		mux.Handle("GET /media/", http.StripPrefix("/media", s.Media.Handler()))
	}
	s.apiRoutes(page)

	mux.Handle("/", s.withSession(http.HandlerFunc(s.notFound)))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, errForbiddenOrigin)
	}))
	return s.outer(cop.Handler(mux))
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}
