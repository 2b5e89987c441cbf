package mobility

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// Profile is a member's private mobility settings. Woman is self-declared
// ("I am a woman") and only opens women-only trips: publishing one and
// booking a seat on one. Nobody checks it; a false declaration is reported
// to the moderators like any abuse. It never leaves the member's own
// pages, API and data export, and goes with the account.
type Profile struct {
	Woman     bool       `json:"woman"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// MyProfile returns the actor's mobility profile (all false when never set).
func (s *Service) MyProfile(ctx context.Context, actor access.Actor) (*Profile, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	return s.store.Profile(ctx, actor.UserID)
}

// SetMyProfile saves the actor's mobility profile.
func (s *Service) SetMyProfile(ctx context.Context, actor access.Actor, p Profile) (*Profile, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	now := s.clock()
	p.UpdatedAt = &now
	if err := s.store.SetProfile(ctx, actor.UserID, p); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "mobility: profile saved", "user", actor.UserID)
	return &p, nil
}

// checkWomenOnly refuses a women-only trip to a member who has not
// declared themselves a woman; key says what they tried.
func (s *Service) checkWomenOnly(ctx context.Context, t *Trip, userID int64, key string) error {
	if !t.WomenOnly {
		return nil
	}
	p, err := s.store.Profile(ctx, userID)
	if err != nil {
		return err
	}
	if !p.Woman {
		return errs.E(errs.Forbidden, key)
	}
	return nil
}

func (s *SQLStore) Profile(ctx context.Context, userID int64) (*Profile, error) {
	var p Profile
	var at time.Time
	err := s.q.QueryRow(ctx, `SELECT woman, updated_at FROM mobility_profiles WHERE user_id = ?`, userID).Scan(&p.Woman, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return &p, nil
	}
	if err != nil {
		return nil, err
	}
	at = at.UTC()
	p.UpdatedAt = &at
	return &p, nil
}

func (s *SQLStore) SetProfile(ctx context.Context, userID int64, p Profile) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `INSERT INTO mobility_profiles (user_id, woman, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET woman = excluded.woman, updated_at = excluded.updated_at`,
			userID, p.Woman, utc(*p.UpdatedAt))
		return err
	})
}
