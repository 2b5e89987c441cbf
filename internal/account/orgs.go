package account

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

func errOrgNameTaken() error {
	return &errs.Error{Kind: errs.Conflict, Key: "err.organisation_name_taken",
		Fields: []errs.FieldError{{Field: "name", Key: "err.organisation_name_taken"}}}
}

// CreateOrganisation registers an organisation in a territory. Any member
// of the territory may; they become its administrator (the CLI creates it
// without one). Names are unique within a territory.
func (s *Service) CreateOrganisation(ctx context.Context, actor access.Actor, territoryID int64, in Organisation) (*Organisation, error) {
	if err := actor.Require(territoryID, access.Member); err != nil {
		return nil, err
	}
	o := in
	o.ID, o.TerritoryID, o.CreatedAt = 0, territoryID, s.clock()
	o.Normalise()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(st Store) error {
		if err := st.InsertOrganisation(ctx, &o); err != nil {
			return err
		}
		if actor.UserID == 0 {
			return nil
		}
		return st.SetOrgRole(ctx, o.ID, territoryID, actor.UserID, OrgAdmin, o.CreatedAt)
	})
	switch {
	case err == nil:
	case store.IsUniqueViolation(err):
		return nil, errOrgNameTaken()
	case isMissingReference(err):
		return nil, errs.E(errs.NotFound, "err.territory_not_found")
	default:
		return nil, fmt.Errorf("account: create organisation in territory %d: %w", territoryID, err)
	}
	s.log.InfoContext(ctx, "organisation created", "territory_id", territoryID, "organisation_id", o.ID, "by_user_id", actor.UserID)
	return &o, nil
}

// UpdateOrganisation changes an organisation's name, kind, description and
// website; its administrators and the territory's moderators may.
func (s *Service) UpdateOrganisation(ctx context.Context, actor access.Actor, in Organisation) (*Organisation, error) {
	cur, err := s.store.Organisation(ctx, in.TerritoryID, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.mayManageOrg(ctx, actor, cur); err != nil {
		return nil, err
	}
	o := in
	o.CreatedAt = cur.CreatedAt
	o.Normalise()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.UpdateOrganisation(ctx, &o); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errOrgNameTaken()
		}
		return nil, err
	}
	return &o, nil
}

// Organisation returns one organisation of a territory; an id from another
// territory is NotFound.
func (s *Service) Organisation(ctx context.Context, territoryID, id int64) (*Organisation, error) {
	return s.store.Organisation(ctx, territoryID, id)
}

// Organisations lists a territory's organisations by name. They are public.
func (s *Service) Organisations(ctx context.Context, territoryID int64) ([]Organisation, error) {
	return s.store.Organisations(ctx, territoryID)
}

// mayManageOrg: the organisation's administrators and the territory's
// moderators (and above) manage it.
func (s *Service) mayManageOrg(ctx context.Context, actor access.Actor, o *Organisation) error {
	if !actor.Authenticated() {
		return errs.ErrUnauthenticated
	}
	if actor.Can(o.TerritoryID, access.Moderator) {
		return nil
	}
	if actor.UserID != 0 {
		role, err := s.store.OrgRole(ctx, o.ID, actor.UserID)
		if err != nil {
			return err
		}
		if role == OrgAdmin {
			return nil
		}
	}
	return errs.E(errs.Forbidden, "err.org_admin_required")
}

// AddOrgMember adds the account with that e-mail to an organisation, or
// changes their role there (member or admin). The organisation's
// administrators and the territory's moderators may. An organisation keeps
// at least one administrator unless a moderator decides otherwise.
func (s *Service) AddOrgMember(ctx context.Context, actor access.Actor, territoryID, orgID int64, email, role string) error {
	if role != OrgMember && role != OrgAdmin {
		return fieldErr(errs.Invalid, "role", "err.org_role_invalid")
	}
	o, err := s.store.Organisation(ctx, territoryID, orgID)
	if err != nil {
		return err
	}
	if err := s.mayManageOrg(ctx, actor, o); err != nil {
		return err
	}
	target, err := s.store.UserByEmail(ctx, NormaliseEmail(email))
	if err != nil {
		return err
	}
	now := s.clock()
	return s.store.InTx(ctx, func(st Store) error {
		cur, err := st.OrgRole(ctx, orgID, target.ID)
		if err != nil {
			return err
		}
		if cur == OrgAdmin && role != OrgAdmin {
			if err := s.keepOrgAdmin(ctx, st, actor, o); err != nil {
				return err
			}
		}
		return st.SetOrgRole(ctx, orgID, territoryID, target.ID, role, now)
	})
}

// keepOrgAdmin refuses to remove the organisation's last administrator,
// except for territory moderators, who can always repair an organisation.
func (s *Service) keepOrgAdmin(ctx context.Context, st Store, actor access.Actor, o *Organisation) error {
	if actor.Can(o.TerritoryID, access.Moderator) {
		return nil
	}
	n, err := st.LockOrgAdmins(ctx, o.ID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return errs.E(errs.Conflict, "err.last_org_admin")
	}
	return nil
}

// RemoveOrgMember takes a user out of an organisation. Members may leave;
// the organisation's administrators and the territory's moderators may
// remove anyone.
func (s *Service) RemoveOrgMember(ctx context.Context, actor access.Actor, territoryID, orgID, userID int64) error {
	o, err := s.store.Organisation(ctx, territoryID, orgID)
	if err != nil {
		return err
	}
	if actor.UserID == 0 || actor.UserID != userID {
		if err := s.mayManageOrg(ctx, actor, o); err != nil {
			return err
		}
	}
	return s.store.InTx(ctx, func(st Store) error {
		cur, err := st.OrgRole(ctx, orgID, userID)
		if err != nil {
			return err
		}
		if cur == "" {
			return errs.E(errs.NotFound, "err.org_member_not_found")
		}
		if cur == OrgAdmin {
			if err := s.keepOrgAdmin(ctx, st, actor, o); err != nil {
				return err
			}
		}
		_, err = st.DeleteOrgMember(ctx, orgID, userID)
		return err
	})
}

// OrgMembers lists an organisation's members with their roles; shown to
// its members and the territory's moderators (it holds e-mail addresses).
func (s *Service) OrgMembers(ctx context.Context, actor access.Actor, territoryID, orgID int64) ([]OrgMemberRow, error) {
	o, err := s.store.Organisation(ctx, territoryID, orgID)
	if err != nil {
		return nil, err
	}
	if !actor.Authenticated() {
		return nil, errs.ErrUnauthenticated
	}
	if !actor.Can(territoryID, access.Moderator) {
		role, err := s.store.OrgRole(ctx, o.ID, actor.UserID)
		if err != nil {
			return nil, err
		}
		if role == "" {
			return nil, errs.E(errs.Forbidden, "err.org_member_required")
		}
	}
	return s.store.OrgMembers(ctx, orgID)
}

// IsOrgMember reports whether the user belongs to the organisation in any
// role; a lookup for other modules, which make their own decisions.
func (s *Service) IsOrgMember(ctx context.Context, orgID, userID int64) (bool, error) {
	r, err := s.store.OrgRole(ctx, orgID, userID)
	return r != "", err
}

// OrgRole returns "member", "admin", or "" when the user does not belong.
func (s *Service) OrgRole(ctx context.Context, orgID, userID int64) (string, error) {
	return s.store.OrgRole(ctx, orgID, userID)
}

// UserOrganisations lists the organisations a user belongs to, by name.
func (s *Service) UserOrganisations(ctx context.Context, userID int64) ([]OrgMembership, error) {
	return s.store.UserOrganisations(ctx, userID)
}
