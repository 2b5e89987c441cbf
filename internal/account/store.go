package account

import (
	"context"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
)

// Store is what the service needs from the database. Methods run SQL only;
// every rule is the service's. Methods that find nothing return an
// errs.NotFound error, except Role and OrgRole which return "".
type Store interface {
	// InTx runs fn with a Store bound to one transaction.
	InTx(ctx context.Context, fn func(Store) error) error
	// InTxCtx is InTx with a context carrying the transaction, for the
	// services of other modules that must act in it.
	InTxCtx(ctx context.Context, fn func(ctx context.Context, st Store) error) error

	InsertUser(ctx context.Context, u *User, passwordHash string) error
	UserByID(ctx context.Context, id int64) (*User, error)
	// UsersByID reads the users of ids that exist, in one query.
	UsersByID(ctx context.Context, ids []int64) (map[int64]*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	// Credentials returns the user and their password hash.
	Credentials(ctx context.Context, email string) (*User, string, error)
	PasswordHash(ctx context.Context, userID int64) (string, error)
	// SetPassword replaces the hash; verified also marks the e-mail verified.
	SetPassword(ctx context.Context, userID int64, passwordHash string, verified bool) error
	// EndSessions ends every session of the user started before now.
	EndSessions(ctx context.Context, userID int64) error
	SetEmailVerified(ctx context.Context, userID int64) error
	SetLastLogin(ctx context.Context, userID int64, at time.Time) error
	SetSuspended(ctx context.Context, userID int64, suspended bool) error
	SetPlatformAdmin(ctx context.Context, userID int64, admin bool) error
	UpdateProfile(ctx context.Context, userID int64, displayName, lang string) error
	DeleteUser(ctx context.Context, userID int64) error

	InsertEmailToken(ctx context.Context, tokenHash string, userID int64, purpose string, expires time.Time) error
	// PeekEmailToken returns the user of a usable token without using it.
	PeekEmailToken(ctx context.Context, tokenHash, purpose string, now time.Time) (int64, error)
	// ConsumeEmailToken marks a usable token used, in one guarded statement,
	// and returns its user: of concurrent uses exactly one succeeds.
	ConsumeEmailToken(ctx context.Context, tokenHash, purpose string, now time.Time) (int64, error)
	// RetireEmailTokens marks every unused token of the purpose used.
	RetireEmailTokens(ctx context.Context, userID int64, purpose string, now time.Time) error
	// LatestEmailTokenExpiry is the expiry of the newest token of the purpose.
	LatestEmailTokenExpiry(ctx context.Context, userID int64, purpose string) (time.Time, bool, error)
	DeleteStaleEmailTokens(ctx context.Context, expiredBefore time.Time) (int64, error)

	// AddMember makes the user a member unless they already hold a role.
	AddMember(ctx context.Context, territoryID, userID int64, at time.Time) error
	SetRole(ctx context.Context, territoryID, userID int64, role access.Role, at time.Time) error
	Role(ctx context.Context, territoryID, userID int64) (access.Role, error)
	// LockAdmins counts the territory's administrators, locking their rows
	// until the transaction ends so that two demotions cannot both pass.
	LockAdmins(ctx context.Context, territoryID int64) (int, error)
	Roles(ctx context.Context, userID int64) (map[int64]access.Role, error)
	Memberships(ctx context.Context, userID int64) ([]Membership, error)
	Members(ctx context.Context, territoryID, afterUserID int64, limit int) ([]MemberRow, error)

	InsertToken(ctx context.Context, t *Token, tokenHash string) error
	TokenByHash(ctx context.Context, tokenHash string) (*Token, error)
	// TouchToken sets last_used_at unless it is already after staleBefore.
	TouchToken(ctx context.Context, tokenID int64, at, staleBefore time.Time) error
	Tokens(ctx context.Context, userID int64) ([]Token, error)
	// DeleteToken deletes a token of userID (of anyone when userID is 0).
	DeleteToken(ctx context.Context, tokenID, userID int64) (bool, error)

	InsertOrganisation(ctx context.Context, o *Organisation) error
	UpdateOrganisation(ctx context.Context, o *Organisation) error
	Organisation(ctx context.Context, territoryID, id int64) (*Organisation, error)
	Organisations(ctx context.Context, territoryID int64) ([]Organisation, error)
	SetOrgRole(ctx context.Context, orgID, territoryID, userID int64, role string, at time.Time) error
	OrgRole(ctx context.Context, orgID, userID int64) (string, error)
	LockOrgAdmins(ctx context.Context, orgID int64) (int, error)
	DeleteOrgMember(ctx context.Context, orgID, userID int64) (bool, error)
	OrgMembers(ctx context.Context, orgID int64) ([]OrgMemberRow, error)
	UserOrganisations(ctx context.Context, userID int64) ([]OrgMembership, error)
}
