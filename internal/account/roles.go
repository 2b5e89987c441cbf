package account

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
)

// Join makes the actor a member of a territory. Joining again keeps the
// role they hold.
func (s *Service) Join(ctx context.Context, actor access.Actor, territoryID int64) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	err := s.store.AddMember(ctx, territoryID, actor.UserID, s.clock())
	if isMissingReference(err) {
		return errs.E(errs.NotFound, "err.territory_not_found")
	}
	return err
}

// Grant gives a role in a territory to the account with that e-mail,
// creating the membership if needed. Territory administrators, platform
// administrators and the CLI may. A territory keeps at least one
// administrator: demoting the last one is a Conflict ("err.last_admin"),
// whoever asks; promote someone else first.
func (s *Service) Grant(ctx context.Context, actor access.Actor, territoryID int64, email string, role access.Role) error {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return err
	}
	if !role.Valid() {
		return fieldErr(errs.Invalid, "role", "err.role_invalid")
	}
	target, err := s.store.UserByEmail(ctx, NormaliseEmail(email))
	if err != nil {
		return err
	}
	now := s.clock()
	err = s.store.InTx(ctx, func(st Store) error {
		cur, err := st.Role(ctx, territoryID, target.ID)
		if err != nil {
			return err
		}
		if cur == access.Admin && role != access.Admin {
			n, err := st.LockAdmins(ctx, territoryID)
			if err != nil {
				return err
			}
			if n <= 1 {
				return errs.E(errs.Conflict, "err.last_admin")
			}
		}
		return st.SetRole(ctx, territoryID, target.ID, role, now)
	})
	if isMissingReference(err) {
		return errs.E(errs.NotFound, "err.territory_not_found")
	}
	if err != nil {
		return fmt.Errorf("account: grant %s in territory %d: %w", role, territoryID, err)
	}
	s.log.InfoContext(ctx, "role granted", "territory_id", territoryID, "user_id", target.ID, "role", string(role), "by_user_id", actor.UserID)
	return nil
}

// Roles returns the user's role per territory id.
func (s *Service) Roles(ctx context.Context, userID int64) (map[int64]access.Role, error) {
	return s.store.Roles(ctx, userID)
}

// MembersPageSize bounds one page of MembersPage.
const MembersPageSize = 500

// Members lists every member of a territory with their role, for its
// administrators. For large territories use MembersPage.
func (s *Service) Members(ctx context.Context, actor access.Actor, territoryID int64) ([]MemberRow, error) {
	var all []MemberRow
	after := int64(0)
	for {
		page, err := s.MembersPage(ctx, actor, territoryID, after, MembersPageSize)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < MembersPageSize {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

// MembersPage lists up to limit members with a user id above afterUserID,
// by user id (keyset pagination: fast at any depth).
func (s *Service) MembersPage(ctx context.Context, actor access.Actor, territoryID, afterUserID int64, limit int) ([]MemberRow, error) {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MembersPageSize {
		limit = MembersPageSize
	}
	return s.store.Members(ctx, territoryID, afterUserID, limit)
}

// ActorFor builds the actor for a signed-in user: the web layer calls it on
// every request with the user id from the session. A user that no longer
// exists is Unauthenticated (the session is stale: log out); a suspended
// one is Forbidden ("err.account_suspended").
func (s *Service) ActorFor(ctx context.Context, userID int64) (access.Actor, error) {
	u, err := s.store.UserByID(ctx, userID)
	if errs.Is(err, errs.NotFound) {
		return access.Actor{}, errs.Wrap(errs.Unauthenticated, "err.login_required", err)
	}
	if err != nil {
		return access.Actor{}, err
	}
	return s.actorOf(ctx, u)
}

// ActorOf is ActorFor for a user the caller has just read (the session
// middleware needs both): the same checks without reading the user again.
func (s *Service) ActorOf(ctx context.Context, u *User) (access.Actor, error) {
	return s.actorOf(ctx, u)
}

func (s *Service) actorOf(ctx context.Context, u *User) (access.Actor, error) {
	if u.Suspended {
		return access.Actor{}, errs.E(errs.Forbidden, "err.account_suspended")
	}
	roles, err := s.store.Roles(ctx, u.ID)
	if err != nil {
		return access.Actor{}, err
	}
	return access.Actor{UserID: u.ID, Email: u.Email, Name: u.DisplayName, Verified: u.EmailVerified,
		PlatformAdmin: u.PlatformAdmin, Roles: roles}, nil
}
