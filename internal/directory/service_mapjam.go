package directory

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// OpenMapJam starts a mapping event; moderators open them.
func (s *Service) OpenMapJam(ctx context.Context, actor access.Actor, ter *territory.Territory, m *MapJam) error {
	if err := requireModerator(actor, ter); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if m.BBox != nil {
		if _, ok := m.BBox.Intersect(ter.BBox); !ok {
			return errs.Fields([]errs.FieldError{{Field: "bbox", Key: "err.outside_territory"}})
		}
	}
	m.ID, m.TerritoryID, m.OpenedBy, m.CreatedAt, m.ClosedAt = 0, ter.ID, actor.UserID, s.clock(), nil
	m.StartsAt, m.EndsAt = m.StartsAt.UTC().Truncate(time.Microsecond), m.EndsAt.UTC().Truncate(time.Microsecond)
	if err := s.store.InsertMapJam(ctx, m); err != nil {
		return fmt.Errorf("directory: open mapjam %q: %w", m.Title, err)
	}
	return nil
}

// CloseMapJam ends a mapping event before its planned end.
func (s *Service) CloseMapJam(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) error {
	if err := requireModerator(actor, ter); err != nil {
		return err
	}
	if _, err := s.store.GetMapJam(ctx, ter.ID, id); err != nil {
		return err
	}
	return s.store.CloseMapJam(ctx, ter.ID, id, s.clock())
}

// GetMapJam returns a jam and what was mapped during it: its published
// entries for everyone, every entry for moderators.
func (s *Service) GetMapJam(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*MapJamDetail, error) {
	m, err := s.store.GetMapJam(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	all, err := s.store.MapJamInitiatives(ctx, ter.ID, id)
	if err != nil {
		return nil, fmt.Errorf("directory: mapjam %d: %w", id, err)
	}
	d := &MapJamDetail{MapJam: *m, Initiatives: []*Initiative{}}
	mod := isModerator(actor, ter)
	for _, in := range all {
		if mod || in.Status == StatusPublished || (actor.UserID != 0 && in.CreatedBy == actor.UserID) {
			d.Initiatives = append(d.Initiatives, in)
		}
	}
	return d, nil
}

// ListMapJams lists a territory's jams, latest first.
func (s *Service) ListMapJams(ctx context.Context, ter *territory.Territory) ([]*MapJam, error) {
	return s.store.ListMapJams(ctx, ter.ID)
}
