package account

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// tokenTouchInterval limits writes of last_used_at to one a minute per
// token: a script calling the API in a loop must not turn every read into
// a write (SQLite has one writer).
const tokenTouchInterval = time.Minute

var errAPITokenInvalid = errs.E(errs.Unauthenticated, "err.token_invalid")

// mayManageTokens: a user manages their own tokens; the CLI anyone's.
func mayManageTokens(actor access.Actor, userID int64) error {
	if actor.System || (actor.UserID != 0 && actor.UserID == userID) {
		return nil
	}
	if !actor.Authenticated() {
		return errs.ErrUnauthenticated
	}
	return errs.ErrForbidden
}

// CreateToken makes a personal API token for userID and returns its secret
// ("sc_" + 43 characters), which is shown once: only its SHA-256 is kept.
func (s *Service) CreateToken(ctx context.Context, actor access.Actor, userID int64, name string) (string, error) {
	if err := mayManageTokens(actor, userID); err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API"
	}
	if utf8.RuneCountInString(name) > MaxTokenName || !utf8.ValidString(name) {
		return "", fieldErr(errs.Invalid, "name", "err.too_long")
	}
	if _, err := s.store.UserByID(ctx, userID); err != nil {
		return "", err
	}
	raw, err := newSecret()
	if err != nil {
		return "", err
	}
	secret := APITokenPrefix + raw
	t := &Token{UserID: userID, Name: name, CreatedAt: s.clock()}
	if err := s.store.InsertToken(ctx, t, hashSecret(secret)); err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "api token created", "user_id", userID, "token_id", t.ID)
	return secret, nil
}

// UserForToken returns the owner of an API token (the web layer's Bearer
// authentication). Unknown tokens are Unauthenticated ("err.token_invalid"),
// suspended owners Forbidden.
func (s *Service) UserForToken(ctx context.Context, secret string) (*User, error) {
	if !strings.HasPrefix(secret, APITokenPrefix) || !plausibleSecret(secret) {
		return nil, errAPITokenInvalid
	}
	t, err := s.store.TokenByHash(ctx, hashSecret(secret))
	if errs.Is(err, errs.NotFound) {
		return nil, errAPITokenInvalid
	}
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if errs.Is(err, errs.NotFound) {
		return nil, errAPITokenInvalid
	}
	if err != nil {
		return nil, err
	}
	if u.Suspended {
		return nil, errs.E(errs.Forbidden, "err.account_suspended")
	}
	now := s.clock()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= tokenTouchInterval {
		if err := s.store.TouchToken(ctx, t.ID, now, now.Add(-tokenTouchInterval)); err != nil {
			s.log.WarnContext(ctx, "api token last use not saved", "token_id", t.ID, "err", err)
		}
	}
	return u, nil
}

// ActorForToken is UserForToken followed by ActorFor.
func (s *Service) ActorForToken(ctx context.Context, secret string) (access.Actor, error) {
	u, err := s.UserForToken(ctx, secret)
	if err != nil {
		return access.Actor{}, err
	}
	return s.actorOf(ctx, u)
}

// ListTokens lists a user's tokens (names and dates, never secrets).
func (s *Service) ListTokens(ctx context.Context, actor access.Actor, userID int64) ([]Token, error) {
	if err := mayManageTokens(actor, userID); err != nil {
		return nil, err
	}
	return s.store.Tokens(ctx, userID)
}

// RevokeToken deletes one of the actor's tokens (any token for the CLI).
// Someone else's token is NotFound, so ids reveal nothing.
func (s *Service) RevokeToken(ctx context.Context, actor access.Actor, tokenID int64) error {
	if !actor.Authenticated() {
		return errs.ErrUnauthenticated
	}
	owner := actor.UserID
	if actor.System {
		owner = 0
	}
	ok, err := s.store.DeleteToken(ctx, tokenID, owner)
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.NotFound, "err.token_not_found")
	}
	return nil
}
