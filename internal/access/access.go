// Package access describes who is acting: the Actor every service method
// receives, with the roles it holds per territory. Services decide with it;
// the web layer only builds it from the session or API token.
package access

import "github.com/sharingcity/sharingcity/internal/errs"

// Role is a member's standing in one territory. Roles are ordered: each
// includes what the ones before it may do.
type Role string

const (
	None      Role = ""
	Member    Role = "member"
	Organiser Role = "organiser"
	Moderator Role = "moderator"
	Admin     Role = "admin"
)

// Roles lists the valid roles in increasing order.
var Roles = []Role{Member, Organiser, Moderator, Admin}

func (r Role) rank() int {
	switch r {
	case Member:
		return 1
	case Organiser:
		return 2
	case Moderator:
		return 3
	case Admin:
		return 4
	}
	return 0
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r includes min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && r.rank() > 0 }

// Actor is the person (or the system) on whose behalf a service acts.
// The zero Actor is an anonymous visitor.
type Actor struct {
	UserID        int64
	Email         string
	Name          string
	Verified      bool
	PlatformAdmin bool
	// System is the command line or a background job: trusted, but still
	// subject to data rules (validation, boundaries).
	System bool
	// Roles maps territory id to the actor's role there.
	Roles map[int64]Role
}

// System returns the actor used by CLI commands and jobs.
func SystemActor() Actor { return Actor{System: true} }

// Authenticated reports a signed-in user (or the system).
func (a Actor) Authenticated() bool { return a.UserID != 0 || a.System }

// RoleIn returns the actor's role in a territory. Platform administrators
// and the system act as territory administrators everywhere.
func (a Actor) RoleIn(territoryID int64) Role {
	if a.System || a.PlatformAdmin {
		return Admin
	}
	return a.Roles[territoryID]
}

// Can reports whether the actor holds at least min in the territory.
func (a Actor) Can(territoryID int64, min Role) bool {
	return a.RoleIn(territoryID).AtLeast(min)
}

// Require returns nil when the actor holds min in the territory, an
// Unauthenticated error for anonymous visitors and Forbidden otherwise.
func (a Actor) Require(territoryID int64, min Role) error {
	if !a.Authenticated() {
		return errs.ErrUnauthenticated
	}
	if !a.Can(territoryID, min) {
		return errs.E(errs.Forbidden, "err.role_required", "Role", string(min))
	}
	return nil
}

// RequireUser returns nil for a signed-in user, Unauthenticated otherwise.
func (a Actor) RequireUser() error {
	if a.UserID == 0 {
		return errs.ErrUnauthenticated
	}
	return nil
}
