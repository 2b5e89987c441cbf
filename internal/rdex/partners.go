package rdex

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Partner is another carpool platform whose RDEX endpoint a territory's
// search also asks. URL is its RDEX base ("https://partner.example/rdex":
// journeys are at URL/journeys); PublicKey is the API key it gave us and
// PrivateKey the secret that signs our requests, never listed nor shown.
type Partner struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"-"`
	Name        string    `json:"name"`
	URL         string    `json:"url"`
	PublicKey   string    `json:"-"`
	PrivateKey  string    `json:"-"`
	Enabled     bool      `json:"enabled"`
	CreatedAt   time.Time `json:"created_at"`
}

// PartnerStore keeps partners.
type PartnerStore interface {
	InsertPartner(ctx context.Context, p *Partner) error
	// Partners lists a territory's partners by name, only the enabled
	// ones when enabledOnly.
	Partners(ctx context.Context, territoryID int64, enabledOnly bool) ([]*Partner, error)
	// Partner reads a territory's partner by id; NotFound when none.
	Partner(ctx context.Context, territoryID, id int64) (*Partner, error)
	// DeletePartner removes a territory's partner by name; NotFound when none.
	DeletePartner(ctx context.Context, territoryID int64, name string) error
	// SetPartnerEnabled turns asking a territory's partner on or off;
	// NotFound when none has that name.
	SetPartnerEnabled(ctx context.Context, territoryID int64, name string, enabled bool) error
}

// Partners holds the rules for partner platforms: territory administrators
// manage them; the search reads the enabled ones.
type Partners struct {
	store PartnerStore
	now   func() time.Time
}

// NewPartners returns the partner service over st.
func NewPartners(st PartnerStore) *Partners { return &Partners{store: st, now: time.Now} }

// Add records a partner.
func (s *Partners) Add(ctx context.Context, actor access.Actor, territoryID int64, p *Partner) error {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return err
	}
	p.Name, p.URL = strings.TrimSpace(p.Name), strings.TrimRight(strings.TrimSpace(p.URL), "/")
	p.PublicKey, p.PrivateKey = strings.TrimSpace(p.PublicKey), strings.TrimSpace(p.PrivateKey)
	var v errs.Validator
	v.Check(p.Name != "", "name", "err.required")
	v.Check(utf8.RuneCountInString(p.Name) <= 80, "name", "err.too_long", "Max", 80)
	u, err := url.Parse(p.URL)
	v.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.RawQuery == "" && u.User == nil,
		"url", "err.rdex_partner_url")
	v.Check(p.PublicKey != "" && len(p.PublicKey) <= 200, "public_key", "err.rdex_partner_key")
	v.Check(p.PrivateKey != "" && len(p.PrivateKey) <= 500, "private_key", "err.rdex_partner_key")
	if err := v.Err(); err != nil {
		return err
	}
	p.TerritoryID, p.CreatedAt = territoryID, s.now().UTC().Truncate(time.Second)
	if err := s.store.InsertPartner(ctx, p); err != nil {
		if errs.Is(err, errs.Conflict) {
			return errs.E(errs.Conflict, "err.rdex_partner_taken", "Name", p.Name)
		}
		return fmt.Errorf("rdex: add partner %q: %w", p.Name, err)
	}
	return nil
}

// List returns a territory's partners, by name, for its administrators.
func (s *Partners) List(ctx context.Context, actor access.Actor, territoryID int64) ([]*Partner, error) {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return nil, err
	}
	return s.store.Partners(ctx, territoryID, false)
}

// Get returns a territory's partner by id, for its administrators; a
// partner of another territory is NotFound.
func (s *Partners) Get(ctx context.Context, actor access.Actor, territoryID, id int64) (*Partner, error) {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return nil, err
	}
	return s.store.Partner(ctx, territoryID, id)
}

// Remove deletes a territory's partner.
func (s *Partners) Remove(ctx context.Context, actor access.Actor, territoryID int64, name string) error {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return err
	}
	return s.store.DeletePartner(ctx, territoryID, strings.TrimSpace(name))
}

// SetEnabled turns asking a territory's partner on or off, from the next
// search (the search reads the enabled partners each time).
func (s *Partners) SetEnabled(ctx context.Context, actor access.Actor, territoryID int64, name string, enabled bool) error {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return err
	}
	return s.store.SetPartnerEnabled(ctx, territoryID, strings.TrimSpace(name), enabled)
}

// Enabled lists the partners a territory's search asks. Any resident's
// search asks them, so there is no actor: what leaves is the query alone.
func (s *Partners) Enabled(ctx context.Context, territoryID int64) ([]*Partner, error) {
	return s.store.Partners(ctx, territoryID, true)
}

const partnerColumns = `id, territory_id, name, url, public_key, private_key, enabled, created_at`

func (s *SQLStore) InsertPartner(ctx context.Context, p *Partner) error {
	return s.db.QueryRowW(ctx, `INSERT INTO rdex_partners (territory_id, name, url, public_key, private_key, enabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.TerritoryID, p.Name, p.URL, p.PublicKey, p.PrivateKey, p.Enabled, p.CreatedAt).Scan(&p.ID)
}

func (s *SQLStore) Partners(ctx context.Context, territoryID int64, enabledOnly bool) ([]*Partner, error) {
	q, args := `SELECT `+partnerColumns+` FROM rdex_partners WHERE territory_id = ?`, []any{territoryID}
	if enabledOnly {
		q, args = q+` AND enabled = ?`, append(args, true)
	}
	out := []*Partner{}
	err := store.Collect(ctx, s.db, q+` ORDER BY name`, args, func(sc store.Scanner) error {
		p, err := scanPartner(sc)
		if err == nil {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

func (s *SQLStore) Partner(ctx context.Context, territoryID, id int64) (*Partner, error) {
	p, err := scanPartner(s.db.QueryRow(ctx, `SELECT `+partnerColumns+` FROM rdex_partners WHERE territory_id = ? AND id = ?`, territoryID, id))
	return p, store.NotFound(err, "err.rdex_partner_not_found")
}

func scanPartner(sc store.Scanner) (*Partner, error) {
	var p Partner
	if err := sc.Scan(&p.ID, &p.TerritoryID, &p.Name, &p.URL, &p.PublicKey, &p.PrivateKey, &p.Enabled, &p.CreatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

func (s *SQLStore) SetPartnerEnabled(ctx context.Context, territoryID int64, name string, enabled bool) error {
	res, err := s.db.Exec(ctx, `UPDATE rdex_partners SET enabled = ? WHERE territory_id = ? AND name = ?`, enabled, territoryID, name)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errs.E(errs.NotFound, "err.rdex_partner_not_found")
	}
	return nil
}

func (s *SQLStore) DeletePartner(ctx context.Context, territoryID int64, name string) error {
	return s.deleteNamed(ctx, "rdex_partners", territoryID, name, "err.rdex_partner_not_found")
}
