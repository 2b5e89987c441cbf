package account

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// maxExportedMails bounds the mail part of an export; older mail is of no
// use and the outbox is not an archive.
const maxExportedMails = 1000

// ExportData gathers the actor's own data held by this module and the mail
// module, as a JSON-able struct: profile (without the password hash),
// territory memberships, organisations, API tokens (names and dates only)
// and the mail in the outbox addressed to them. Other modules add their own
// parts in the web layer.
func (s *Service) ExportData(ctx context.Context, actor access.Actor) (*DataExport, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	ex := &DataExport{ExportedAt: s.clock(), Profile: *u}
	if ex.Memberships, err = s.store.Memberships(ctx, u.ID); err != nil {
		return nil, err
	}
	if ex.Organisations, err = s.store.UserOrganisations(ctx, u.ID); err != nil {
		return nil, err
	}
	if ex.Tokens, err = s.store.Tokens(ctx, u.ID); err != nil {
		return nil, err
	}
	if ex.Mails, err = s.outbox.List(ctx, u.Email, maxExportedMails); err != nil {
		return nil, err
	}
	return ex, nil
}

// Leaver is a module's part in a member's leaving: it runs inside the
// deletion's transaction (ctx carries it) and refuses with an error kind.
type Leaver func(ctx context.Context, actor access.Actor) error

// OnDelete adds a module's Leaver to every account deletion. Call it while
// wiring the services, before serving.
func (s *Service) OnDelete(l Leaver) { s.leavers = append(s.leavers, l) }

// DeleteAccount deletes the actor's account after checking their password.
//
// Deleted with the users row (ON DELETE CASCADE): territory memberships,
// organisation memberships, API tokens, e-mail tokens; then the outbox mail
// addressed to them. Organisations they created stay (they belong to their
// territory). Sessions are scs's: the web layer destroys the current one,
// and any other session of the user fails at its next request because
// ActorFor answers Unauthenticated for a user that no longer exists.
// Other modules must reference users with ON DELETE SET NULL (or CASCADE)
// so that their rows are anonymised rather than blocking the deletion.
//
// The last administrator of a territory cannot leave it orphaned: that is
// a Conflict ("err.last_admin") until they hand the role to someone else.
func (s *Service) DeleteAccount(ctx context.Context, actor access.Actor, password string) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	if err := s.checkOwnPassword(ctx, actor.UserID, password, "password"); err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, actor.UserID)
	if err != nil {
		return err
	}
	err = s.store.InTxCtx(ctx, func(ctx context.Context, st Store) error {
		// Other modules (the ledger) may refuse, or tidy up, in this same
		// transaction: a refusal or a failure below undoes what they did.
		for _, leave := range s.leavers {
			if err := leave(ctx, actor); err != nil {
				return err
			}
		}
		roles, err := st.Roles(ctx, u.ID)
		if err != nil {
			return err
		}
		for tid, r := range roles {
			if r != access.Admin {
				continue
			}
			n, err := st.LockAdmins(ctx, tid)
			if err != nil {
				return err
			}
			if n <= 1 {
				return errs.E(errs.Conflict, "err.last_admin", "TerritoryID", tid)
			}
		}
		return st.DeleteUser(ctx, u.ID)
	})
	if err != nil {
		return fmt.Errorf("account: delete user %d: %w", u.ID, err)
	}
	if _, err := s.outbox.DeleteFor(ctx, u.Email); err != nil {
		s.log.ErrorContext(ctx, "outbox mail of deleted account not removed", "user_id", u.ID, "err", err)
	}
	s.log.InfoContext(ctx, "account deleted", "user_id", u.ID)
	return nil
}

// PurgeExpiredTokens deletes e-mail tokens that expired more than a day
// ago; a periodic job calls it. Returns how many were deleted.
func (s *Service) PurgeExpiredTokens(ctx context.Context) (int64, error) {
	return s.store.DeleteStaleEmailTokens(ctx, s.clock().Add(-24*time.Hour))
}
