package account

import (
	"context"
	"fmt"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// User returns a user by id. It is a lookup for other services and the web
// layer, which decide what of it to show; it checks no permission.
func (s *Service) User(ctx context.Context, id int64) (*User, error) {
	return s.store.UserByID(ctx, id)
}

// UsersByID returns the users of ids that exist, in one query: a lookup
// like User for lists that name many members; a missing id is left out.
func (s *Service) UsersByID(ctx context.Context, ids []int64) (map[int64]*User, error) {
	return s.store.UsersByID(ctx, ids)
}

// Contact returns how to write to a member, for modules that notify people
// (their e-mail, the name to greet them by and their language). A deleted
// member is errs.NotFound.
func (s *Service) Contact(ctx context.Context, userID int64) (email, displayName, lang string, err error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return "", "", "", err
	}
	return u.Email, u.DisplayName, u.Lang, nil
}

// UserByEmail returns a user by address (any case).
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.store.UserByEmail(ctx, NormaliseEmail(email))
}

func requirePlatformAdmin(actor access.Actor) error {
	if actor.System || actor.PlatformAdmin {
		return nil
	}
	if !actor.Authenticated() {
		return errs.ErrUnauthenticated
	}
	return errs.E(errs.Forbidden, "err.platform_admin_required")
}

// CreateUser adds an account without mail, for `admin user create` and
// platform administrators. verified marks the address as already checked.
func (s *Service) CreateUser(ctx context.Context, actor access.Actor, email, password string, verified bool) (*User, error) {
	if err := requirePlatformAdmin(actor); err != nil {
		return nil, err
	}
	email = NormaliseEmail(email)
	var v errs.Validator
	v.Check(validEmail(email), "email", "err.email_invalid")
	checkPassword(&v, "password", password, email)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password, s.opts.Hash)
	if err != nil {
		return nil, err
	}
	u := &User{Email: email, Lang: "fr", EmailVerified: verified, CreatedAt: s.clock()}
	if err := s.store.InsertUser(ctx, u, hash); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errEmailTaken()
		}
		return nil, fmt.Errorf("account: create user: %w", err)
	}
	s.log.InfoContext(ctx, "account created by administrator", "user_id", u.ID, "by_user_id", actor.UserID, "system", actor.System)
	return u, nil
}

// UpdateProfile changes the actor's display name and mail language.
func (s *Service) UpdateProfile(ctx context.Context, actor access.Actor, displayName, lang string) (*User, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	displayName = strings.TrimSpace(displayName)
	var v errs.Validator
	checkDisplayName(&v, displayName)
	v.Check(validLang(lang), "lang", "err.lang_invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.store.UpdateProfile(ctx, actor.UserID, displayName, lang); err != nil {
		return nil, err
	}
	return s.store.UserByID(ctx, actor.UserID)
}

// SetSuspended suspends or restores an account; platform administrators
// only (territory-level suspension may come later). A suspended member
// cannot log in, their sessions and API tokens stop working at the next
// request (ActorFor, UserForToken), and no reset mail is sent to them.
func (s *Service) SetSuspended(ctx context.Context, actor access.Actor, userID int64, suspended bool) error {
	if err := requirePlatformAdmin(actor); err != nil {
		return err
	}
	if suspended && actor.UserID == userID {
		return errs.E(errs.Invalid, "err.cannot_suspend_self")
	}
	if err := s.store.SetSuspended(ctx, userID, suspended); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "account suspension changed", "user_id", userID, "suspended", suspended, "by_user_id", actor.UserID)
	return nil
}

// SetPlatformAdmin gives or takes platform administration; the CLI and
// platform administrators only. Nobody can take it from themselves, so the
// platform keeps at least the administrator who acts.
func (s *Service) SetPlatformAdmin(ctx context.Context, actor access.Actor, userID int64, admin bool) error {
	if err := requirePlatformAdmin(actor); err != nil {
		return err
	}
	if !admin && actor.UserID == userID {
		return errs.E(errs.Invalid, "err.cannot_demote_self")
	}
	return s.store.SetPlatformAdmin(ctx, userID, admin)
}
