package route

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Kinds of routing server a territory may configure (territory.RouterKind).
const (
	KindStraight = ""
	KindOSRM     = "osrm"
	KindValhalla = "valhalla"
)

// New returns the router for a territory's configuration: an OSRM- or
// Valhalla-compatible server at url behind a Fallback to DefaultStraight,
// or DefaultStraight alone when kind is empty (or unknown, which is
// logged). client may be nil (then requests time out after
// DefaultTimeout); log may be nil.
func New(kind, url string, client *http.Client, log *slog.Logger) Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var server Router
	switch kind {
	case KindOSRM:
		server = &OSRM{BaseURL: url, Client: newClient(client)}
	case KindValhalla:
		server = &Valhalla{BaseURL: url, Client: newClient(client)}
	case KindStraight:
		return DefaultStraight
	default:
		log.Warn("route: unknown router kind, using straight segments", "kind", kind)
		return DefaultStraight
	}
	if url == "" {
		log.Warn("route: router without an address, using straight segments", "kind", kind)
		return DefaultStraight
	}
	return &Fallback{Server: server, Backup: DefaultStraight, Name: kind, URL: url, Log: log}
}

// Fallback asks Server and, when it fails or times out, answers with
// Backup, so that carpool search never depends on a service being up.
// After a failure of the server itself (not a "no route" answer) it skips
// the server for Cooldown, so that an outage costs one timeout per
// Cooldown rather than one per request. A burst of failures is logged
// once, when it starts, and once more when the server answers again.
type Fallback struct {
	Server Router
	Backup Router
	Name   string // for logs: "osrm", "valhalla"
	URL    string // for logs
	Log    *slog.Logger
	// Cooldown defaults to 30 seconds.
	Cooldown time.Duration
	// Now defaults to time.Now.
	Now func() time.Time

	mu        sync.Mutex
	failing   bool
	failures  int
	skipUntil time.Time
}

const defaultCooldown = 30 * time.Second

// Route implements Router.
func (f *Fallback) Route(ctx context.Context, waypoints []geo.Point) (Route, error) {
	if len(waypoints) < 2 {
		return f.backup().Route(ctx, waypoints)
	}
	now := f.now()
	f.mu.Lock()
	skip := now.Before(f.skipUntil)
	f.mu.Unlock()
	if !skip {
		r, err := f.Server.Route(ctx, waypoints)
		if err == nil {
			f.recovered()
			return r, nil
		}
		f.failed(ctx, err, now)
	}
	return f.backup().Route(ctx, waypoints)
}

// Failing reports whether the server's last answer was a failure.
func (f *Fallback) Failing() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failing
}

func (f *Fallback) backup() Router {
	if f.Backup == nil {
		return DefaultStraight
	}
	return f.Backup
}

func (f *Fallback) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Fallback) logger() *slog.Logger {
	if f.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Log
}

func (f *Fallback) failed(ctx context.Context, err error, now time.Time) {
	var se *ServerError
	if errors.As(err, &se) && se.NoRoute() {
		// The server works; these points have no road between them.
		f.logger().DebugContext(ctx, "route: no route, straight segments instead", "router", f.Name, "err", err)
		return
	}
	if ctx.Err() != nil {
		return // the caller gave up: that says nothing of the server
	}
	cooldown := f.Cooldown
	if cooldown <= 0 {
		cooldown = defaultCooldown
	}
	f.mu.Lock()
	first := !f.failing
	f.failing = true
	f.failures++
	f.skipUntil = now.Add(cooldown)
	f.mu.Unlock()
	if first {
		f.logger().WarnContext(ctx, "route: router failing, using straight segments", "router", f.Name, "url", f.URL, "err", err)
	}
}

func (f *Fallback) recovered() {
	f.mu.Lock()
	was, n := f.failing, f.failures
	f.failing, f.failures = false, 0
	f.mu.Unlock()
	if was {
		f.logger().Info("route: router answers again", "router", f.Name, "url", f.URL, "failures", n)
	}
}

// Cache keeps one router per territory, so that a Fallback's memory of a
// failing server lasts across requests. A territory whose configuration
// changed gets a new router.
type Cache struct {
	client *http.Client
	log    *slog.Logger

	mu    sync.Mutex
	byTer map[int64]cached
}

type cached struct {
	kind, url string
	router    Router
}

// NewCache returns an empty cache; client and log are passed to New.
func NewCache(client *http.Client, log *slog.Logger) *Cache {
	return &Cache{client: client, log: log, byTer: map[int64]cached{}}
}

// For returns the router of a territory configured with kind and url
// (territory.Territory's RouterKind and RouterURL).
func (c *Cache) For(territoryID int64, kind, url string) Router {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byTer[territoryID]; ok && e.kind == kind && e.url == url {
		return e.router
	}
	r := New(kind, url, c.client, c.log)
	c.byTer[territoryID] = cached{kind: kind, url: url, router: r}
	return r
}
