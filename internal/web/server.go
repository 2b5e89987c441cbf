// Package web serves the pages and the JSON API. Handlers parse input, call
// one service method and render; every rule lives in the services.
package web

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geocode"
	"github.com/sharingcity/sharingcity/internal/i18n"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/messages"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Config is what an operator sets for the web layer.
type Config struct {
	// BaseURL is the public address, used in links sent by e-mail and to
	// decide whether cookies are marked Secure.
	BaseURL string
	// SecureCookies marks cookies Secure (on for https base URLs).
	SecureCookies bool
	// LoginPerMinute bounds login attempts per client address and e-mail.
	LoginPerMinute int
	// PostPerMinute bounds contributions (forms and API writes) per user.
	PostPerMinute int
	// TrustProxy takes the client address from X-Forwarded-For, for
	// deployments behind a reverse proxy or load balancer.
	TrustProxy bool
	Version    string
}

// Deps are the services the handlers call.
type Deps struct {
	DB          *store.DB
	Log         *slog.Logger
	I18n        *i18n.Bundle
	Territories *territory.Service
	Accounts    *account.Service
	Directory   *directory.Service
	Offers      *offers.Service
	Booking     *booking.Service
	Mobility    *mobility.Service
	RDEX        rdex.Clients // API keys of RDEX clients; nil: no /rdex/journeys
	Partners    *rdex.Asker  // asks partner platforms during a trip search; nil: none
	// RDEXPartners manages the partner platforms (the administrators'
	// page); nil: no page.
	RDEXPartners *rdex.Partners
	Ledger       *ledger.Service
	Messages     *messages.Service
	Geocoder     geocode.Geocoder // addresses of listings searches; nil: the directory's own addresses
	Media        *media.Processor // photos; nil disables uploads
	Outbox       *mail.Outbox
	Registry     *prometheus.Registry
	Now          func() time.Time
}

// Server holds the handlers' shared state.
type Server struct {
	cfg Config
	Deps
	sessions   *scs.SessionManager
	sessionNow func() time.Time
	views      *views
	limits     *limiters
	metrics    *metrics
	mapCache   *tileCache
	// bodies holds *[]byte buffers for the search pages (see apiSearch).
	bodies sync.Pool
}

// Bounds of the map's tile cache (see tileCache): 2 MB of compressed
// entries hold about 180 city viewports (64 kB of GeoJSON, 11 kB
// compressed), more than the 16 MB of plain bodies did before; the plain
// copies served to clients that do not accept gzip are 15 of them.
const (
	mapCacheBytes      = 2 << 20
	mapCachePlainBytes = 1 << 20
)

// New builds the server. It does not listen; call Handler.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.LoginPerMinute <= 0 {
		cfg.LoginPerMinute = 10
	}
	if cfg.PostPerMinute <= 0 {
		cfg.PostPerMinute = 30
	}
	if deps.Geocoder == nil && deps.Directory != nil {
		deps.Geocoder = geocode.NewBook(deps.Directory)
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	if deps.DB.Dialect() == store.Postgres {
		sm.Store = postgresstore.NewWithCleanupInterval(deps.DB.W, 30*time.Minute)
	} else {
		sm.Store = sqlite3store.NewWithCleanupInterval(deps.DB.W, 30*time.Minute)
	}
	// No IdleTimeout: it would write the session on every request; the
	// idle rule is refreshSession's (session.go).
	sm.Lifetime = sessionLifetime
	sm.Cookie.Name = "sc_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Persist = true
	s := &Server{
		cfg:      cfg,
		Deps:     deps,
		sessions: sm,
		// Sessions follow the real clock: the session stores compare
		// expiries with the database's.
		sessionNow: time.Now,
		views:      v,
		limits:     newLimiters(cfg.LoginPerMinute, cfg.PostPerMinute, deps.Now),
		mapCache:   newTileCache(mapCacheBytes, mapCachePlainBytes),
	}
	s.bodies.New = func() any { b := make([]byte, 0, 32<<10); return &b }
	if deps.Registry != nil {
		s.metrics = newMetrics(deps.Registry)
	}
	return s, nil
}
