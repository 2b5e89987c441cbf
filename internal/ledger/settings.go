package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Settings are a territory's ledger settings, chosen by its administrators.
type Settings struct {
	// DisputeDays is how many days after hours move either side of a
	// time-bank record may dispute them.
	DisputeDays int `json:"dispute_days"`
}

// MaxDisputeDays bounds the dispute delay (a year).
const MaxDisputeDays = 365

// DefaultSettings are a territory's settings until its administrators
// change them.
func DefaultSettings() Settings {
	return Settings{DisputeDays: int(DisputeDelay / (24 * time.Hour))}
}

// Validate checks the settings' ranges.
func (st Settings) Validate() error {
	var v errs.Validator
	v.Check(st.DisputeDays >= 1 && st.DisputeDays <= MaxDisputeDays, "dispute_days", "err.ledger.dispute_days_range", "Max", MaxDisputeDays)
	return v.Err()
}

// Settings returns a territory's ledger settings. Public: members see the
// dispute delay on the time bank.
func (s *Service) Settings(ctx context.Context, ter *territory.Territory) (Settings, error) {
	return s.settings(ctx, s.store, ter.ID)
}

func (s *Service) settings(ctx context.Context, st Store, territoryID int64) (Settings, error) {
	got, err := st.Settings(ctx, territoryID)
	if errs.KindOf(err) == errs.NotFound {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("ledger: settings of %d: %w", territoryID, err)
	}
	return *got, nil
}

// SetSettings changes a territory's ledger settings: administrators only.
// A new dispute delay applies to hours that move from then on.
func (s *Service) SetSettings(ctx context.Context, actor access.Actor, ter *territory.Territory, in Settings) (Settings, error) {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return Settings{}, err
	}
	if err := in.Validate(); err != nil {
		return Settings{}, err
	}
	if err := s.store.SetSettings(ctx, ter.ID, in, actor.UserID, s.clock()); err != nil {
		return Settings{}, fmt.Errorf("ledger: set settings: %w", err)
	}
	s.log.InfoContext(ctx, "ledger: settings", "territory", ter.Slug, "dispute_days", in.DisputeDays, "user", actor.UserID)
	return in, nil
}

func (s *SQLStore) Settings(ctx context.Context, territoryID int64) (*Settings, error) {
	var st Settings
	if err := s.q.QueryRow(ctx, `SELECT dispute_days FROM ledger_settings WHERE territory_id = ?`, territoryID).Scan(&st.DisputeDays); err != nil {
		return nil, store.NotFound(err, "err.ledger.no_settings")
	}
	return &st, nil
}

func (s *SQLStore) SetSettings(ctx context.Context, territoryID int64, st Settings, by int64, at time.Time) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `INSERT INTO ledger_settings (territory_id, dispute_days, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (territory_id) DO UPDATE SET dispute_days = excluded.dispute_days, updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`, territoryID, st.DisputeDays, by, at)
		return err
	})
}
