package territory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// Service holds the rules for territories.
type Service struct {
	store Store
	now   func() time.Time

	// Territories are read on every request; they change rarely, and every
	// change bumps data_version, so a short per-instance cache is safe.
	mu    sync.RWMutex
	cache map[string]cached
	ttl   time.Duration
}

type cached struct {
	t       *Territory
	fetched time.Time
}

// NewService returns a territory service over store.
func NewService(s Store) *Service {
	return &Service{store: s, now: time.Now, cache: map[string]cached{}, ttl: 2 * time.Second}
}

// Create adds a territory. Only platform administrators and the CLI may.
func (s *Service) Create(ctx context.Context, actor access.Actor, t *Territory) error {
	if !actor.System && !actor.PlatformAdmin {
		return errs.E(errs.Forbidden, "err.platform_admin_required")
	}
	t.Defaults()
	if err := t.Validate(); err != nil {
		return err
	}
	if err := s.store.Create(ctx, t); err != nil {
		if errs.Is(err, errs.Conflict) {
			return errs.E(errs.Conflict, "err.slug_taken", "Slug", t.Slug)
		}
		return fmt.Errorf("territory %s: create: %w", t.Slug, err)
	}
	return nil
}

// Update changes a territory's settings; its administrators may.
func (s *Service) Update(ctx context.Context, actor access.Actor, t *Territory) error {
	if err := actor.Require(t.ID, access.Admin); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if err := s.store.Update(ctx, t); err != nil {
		return fmt.Errorf("territory %s: update: %w", t.Slug, err)
	}
	s.forget(t.Slug)
	return nil
}

// Get returns a territory by slug, from a short cache.
func (s *Service) Get(ctx context.Context, slug string) (*Territory, error) {
	s.mu.RLock()
	c, ok := s.cache[slug]
	s.mu.RUnlock()
	if ok && s.now().Sub(c.fetched) < s.ttl {
		return c.t, nil
	}
	t, err := s.store.BySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[slug] = cached{t: t, fetched: s.now()}
	s.mu.Unlock()
	return t, nil
}

// ByID returns a territory by id (not cached).
func (s *Service) ByID(ctx context.Context, id int64) (*Territory, error) {
	return s.store.ByID(ctx, id)
}

// List returns every territory, by name.
func (s *Service) List(ctx context.Context) ([]*Territory, error) { return s.store.List(ctx) }

// DataChanged records that a module changed the territory's public data, so
// that caches keyed by the data version are dropped on every instance.
func (s *Service) DataChanged(ctx context.Context, t *Territory) error {
	v, err := s.store.BumpVersion(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("territory %s: bump version: %w", t.Slug, err)
	}
	s.mu.Lock()
	if c, ok := s.cache[t.Slug]; ok {
		cp := *c.t
		cp.DataVersion = v
		s.cache[t.Slug] = cached{t: &cp, fetched: s.now()}
	}
	s.mu.Unlock()
	return nil
}

func (s *Service) forget(slug string) {
	s.mu.Lock()
	delete(s.cache, slug)
	s.mu.Unlock()
}

// SetRouter points the territory's carpool routes at a routing server
// (kind RouterOSRM or RouterValhalla and its base URL), or back to
// straight segments (both empty). Its administrators may.
func (s *Service) SetRouter(ctx context.Context, actor access.Actor, slug, kind, url string) (*Territory, error) {
	t, err := s.store.BySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	upd := *t
	upd.RouterKind, upd.RouterURL = kind, url
	if err := s.Update(ctx, actor, &upd); err != nil {
		return nil, err
	}
	return &upd, nil
}
