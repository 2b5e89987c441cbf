package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
)

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func (s *SQLStore) AddMember(ctx context.Context, territoryID, userID int64, at time.Time) error {
	_, err := s.exec(ctx, "join territory", `INSERT INTO memberships (territory_id, user_id, role, created_at)
		VALUES (?, ?, 'member', ?) ON CONFLICT (territory_id, user_id) DO NOTHING`, territoryID, userID, at)
	return err
}

func (s *SQLStore) SetRole(ctx context.Context, territoryID, userID int64, role access.Role, at time.Time) error {
	_, err := s.exec(ctx, "set role", `INSERT INTO memberships (territory_id, user_id, role, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (territory_id, user_id) DO UPDATE SET role = excluded.role`,
		territoryID, userID, string(role), at)
	return err
}

func (s *SQLStore) Role(ctx context.Context, territoryID, userID int64) (access.Role, error) {
	var r string
	err := s.readRow(ctx, `SELECT role FROM memberships WHERE territory_id = ? AND user_id = ?`, territoryID, userID).Scan(&r)
	if isNoRows(err) {
		return access.None, nil
	}
	if err != nil {
		return access.None, fmt.Errorf("account: role: %w", err)
	}
	return access.Role(r), nil
}

func (s *SQLStore) countLocked(ctx context.Context, what, q string, args ...any) (int, error) {
	rows, err := s.q().Query(ctx, q+s.forUpdate(), args...)
	if err != nil {
		return 0, fmt.Errorf("account: %s: %w", what, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func (s *SQLStore) LockAdmins(ctx context.Context, territoryID int64) (int, error) {
	return s.countLocked(ctx, "lock territory admins",
		`SELECT user_id FROM memberships WHERE territory_id = ? AND role = 'admin'`, territoryID)
}

func (s *SQLStore) Roles(ctx context.Context, userID int64) (map[int64]access.Role, error) {
	ms, err := s.Memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]access.Role, len(ms))
	for _, m := range ms {
		out[m.TerritoryID] = m.Role
	}
	return out, nil
}

func (s *SQLStore) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	rows, err := s.q().Query(ctx, `SELECT territory_id, role, created_at FROM memberships WHERE user_id = ? ORDER BY territory_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("account: memberships: %w", err)
	}
	defer rows.Close()
	out := []Membership{}
	for rows.Next() {
		var m Membership
		var role string
		if err := rows.Scan(&m.TerritoryID, &role, &m.Since); err != nil {
			return nil, fmt.Errorf("account: scan membership: %w", err)
		}
		m.Role, m.Since = access.Role(role), m.Since.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *SQLStore) Members(ctx context.Context, territoryID, afterUserID int64, limit int) ([]MemberRow, error) {
	rows, err := s.q().Query(ctx, `SELECT `+userColumns+`, m.role FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.territory_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?`, territoryID, afterUserID, limit)
	if err != nil {
		return nil, fmt.Errorf("account: members: %w", err)
	}
	defer rows.Close()
	out := []MemberRow{}
	for rows.Next() {
		var role string
		u, err := scanUser(rows, &role)
		if err != nil {
			return nil, err
		}
		out = append(out, MemberRow{User: *u, Role: access.Role(role)})
	}
	return out, rows.Err()
}

const orgColumns = `o.id, o.territory_id, o.name, o.kind, o.description, o.website, o.created_at`

func scanOrg(sc store.Scanner, extra ...any) (*Organisation, error) {
	var o Organisation
	dest := append([]any{&o.ID, &o.TerritoryID, &o.Name, &o.Kind, &o.Description, &o.Website, &o.CreatedAt}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, store.NotFound(err, "err.organisation_not_found")
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, nil
}

func (s *SQLStore) InsertOrganisation(ctx context.Context, o *Organisation) error {
	err := s.writeRow(ctx, `INSERT INTO organisations (territory_id, name, kind, description, website, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		o.TerritoryID, o.Name, o.Kind, o.Description, o.Website, o.CreatedAt).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("account: insert organisation: %w", err)
	}
	return nil
}

func (s *SQLStore) UpdateOrganisation(ctx context.Context, o *Organisation) error {
	return s.execOne(ctx, "update organisation", "err.organisation_not_found",
		`UPDATE organisations SET name = ?, kind = ?, description = ?, website = ? WHERE id = ? AND territory_id = ?`,
		o.Name, o.Kind, o.Description, o.Website, o.ID, o.TerritoryID)
}

func (s *SQLStore) Organisation(ctx context.Context, territoryID, id int64) (*Organisation, error) {
	return scanOrg(s.readRow(ctx, `SELECT `+orgColumns+` FROM organisations o WHERE o.territory_id = ? AND o.id = ?`, territoryID, id))
}

func (s *SQLStore) Organisations(ctx context.Context, territoryID int64) ([]Organisation, error) {
	rows, err := s.q().Query(ctx, `SELECT `+orgColumns+` FROM organisations o WHERE o.territory_id = ? ORDER BY o.name, o.id`, territoryID)
	if err != nil {
		return nil, fmt.Errorf("account: organisations: %w", err)
	}
	defer rows.Close()
	out := []Organisation{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

func (s *SQLStore) SetOrgRole(ctx context.Context, orgID, territoryID, userID int64, role string, at time.Time) error {
	_, err := s.exec(ctx, "set organisation role", `INSERT INTO organisation_members (organisation_id, territory_id, user_id, role, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (organisation_id, user_id) DO UPDATE SET role = excluded.role`,
		orgID, territoryID, userID, role, at)
	return err
}

func (s *SQLStore) OrgRole(ctx context.Context, orgID, userID int64) (string, error) {
	var r string
	err := s.readRow(ctx, `SELECT role FROM organisation_members WHERE organisation_id = ? AND user_id = ?`, orgID, userID).Scan(&r)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account: organisation role: %w", err)
	}
	return r, nil
}

func (s *SQLStore) LockOrgAdmins(ctx context.Context, orgID int64) (int, error) {
	return s.countLocked(ctx, "lock organisation admins",
		`SELECT user_id FROM organisation_members WHERE organisation_id = ? AND role = 'admin'`, orgID)
}

func (s *SQLStore) DeleteOrgMember(ctx context.Context, orgID, userID int64) (bool, error) {
	n, err := s.exec(ctx, "remove organisation member",
		`DELETE FROM organisation_members WHERE organisation_id = ? AND user_id = ?`, orgID, userID)
	return n > 0, err
}

func (s *SQLStore) OrgMembers(ctx context.Context, orgID int64) ([]OrgMemberRow, error) {
	rows, err := s.q().Query(ctx, `SELECT `+userColumns+`, m.role FROM organisation_members m JOIN users u ON u.id = m.user_id
		WHERE m.organisation_id = ? ORDER BY m.role, u.display_name, u.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("account: organisation members: %w", err)
	}
	defer rows.Close()
	out := []OrgMemberRow{}
	for rows.Next() {
		var role string
		u, err := scanUser(rows, &role)
		if err != nil {
			return nil, err
		}
		out = append(out, OrgMemberRow{User: *u, Role: role})
	}
	return out, rows.Err()
}

func (s *SQLStore) UserOrganisations(ctx context.Context, userID int64) ([]OrgMembership, error) {
	rows, err := s.q().Query(ctx, `SELECT `+orgColumns+`, m.role FROM organisation_members m
		JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = ? ORDER BY o.name, o.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("account: user organisations: %w", err)
	}
	defer rows.Close()
	out := []OrgMembership{}
	for rows.Next() {
		var role string
		o, err := scanOrg(rows, &role)
		if err != nil {
			return nil, err
		}
		out = append(out, OrgMembership{Organisation: *o, Role: role})
	}
	return out, rows.Err()
}
