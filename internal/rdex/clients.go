package rdex

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Client is a platform allowed to search a territory's journeys. The
// private key signs its requests; RDEX needs the server to hold it in
// clear (an HMAC is checked by recomputing it), so it is shown only to
// administrators and never in a public API.
type Client struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"-"`
	Name        string    `json:"name"`
	APIKey      string    `json:"apikey"`
	PrivateKey  string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// Store keeps the clients.
type Store interface {
	Insert(ctx context.Context, c *Client) error
	ByAPIKey(ctx context.Context, apiKey string) (*Client, error)
	List(ctx context.Context, territoryID int64) ([]*Client, error)
	// Delete removes a territory's client by name; NotFound when none.
	Delete(ctx context.Context, territoryID int64, name string) error
}

// Service holds the rules for clients: territory administrators manage
// them.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the client service over st.
func NewService(st Store) *Service { return &Service{store: st, now: time.Now} }

// Add creates a client with new keys and returns it, private key included:
// the only time it is shown.
func (s *Service) Add(ctx context.Context, actor access.Actor, territoryID int64, name string) (*Client, error) {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	var v errs.Validator
	v.Check(name != "", "name", "err.required")
	v.Check(utf8.RuneCountInString(name) <= 80, "name", "err.too_long", "Max", 80)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &Client{TerritoryID: territoryID, Name: name, APIKey: randomHex(16), PrivateKey: randomHex(32),
		CreatedAt: s.now().UTC().Truncate(time.Second)}
	if err := s.store.Insert(ctx, c); err != nil {
		if errs.Is(err, errs.Conflict) {
			return nil, errs.E(errs.Conflict, "err.rdex_client_taken", "Name", name)
		}
		return nil, fmt.Errorf("rdex: add client %q: %w", name, err)
	}
	return c, nil
}

// List returns a territory's clients, by name.
func (s *Service) List(ctx context.Context, actor access.Actor, territoryID int64) ([]*Client, error) {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return nil, err
	}
	return s.store.List(ctx, territoryID)
}

// Remove deletes a territory's client: its keys stop working at once.
func (s *Service) Remove(ctx context.Context, actor access.Actor, territoryID int64, name string) error {
	if err := actor.Require(territoryID, access.Admin); err != nil {
		return err
	}
	return s.store.Delete(ctx, territoryID, strings.TrimSpace(name))
}

// ByAPIKey implements Clients.
func (s *Service) ByAPIKey(ctx context.Context, apiKey string) (*Client, error) {
	if apiKey == "" || len(apiKey) > 200 {
		return nil, errs.E(errs.NotFound, "err.rdex_client_not_found")
	}
	return s.store.ByAPIKey(ctx, apiKey)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("rdex: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b)
}

// SQLStore keeps clients in either dialect.
type SQLStore struct{ db *store.DB }

// NewSQLStore returns a store over db.
func NewSQLStore(db *store.DB) *SQLStore { return &SQLStore{db: db} }

const clientColumns = `id, territory_id, name, api_key, private_key, created_at`

func scanClient(sc store.Scanner) (*Client, error) {
	var c Client
	if err := sc.Scan(&c.ID, &c.TerritoryID, &c.Name, &c.APIKey, &c.PrivateKey, &c.CreatedAt); err != nil {
		return nil, store.NotFound(err, "err.rdex_client_not_found")
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

func (s *SQLStore) Insert(ctx context.Context, c *Client) error {
	return s.db.QueryRowW(ctx, `INSERT INTO rdex_clients (territory_id, name, api_key, private_key, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, c.TerritoryID, c.Name, c.APIKey, c.PrivateKey, c.CreatedAt).Scan(&c.ID)
}

func (s *SQLStore) ByAPIKey(ctx context.Context, apiKey string) (*Client, error) {
	return scanClient(s.db.QueryRow(ctx, `SELECT `+clientColumns+` FROM rdex_clients WHERE api_key = ?`, apiKey))
}

func (s *SQLStore) List(ctx context.Context, territoryID int64) ([]*Client, error) {
	var out []*Client
	err := store.Collect(ctx, s.db, `SELECT `+clientColumns+` FROM rdex_clients WHERE territory_id = ? ORDER BY name`,
		[]any{territoryID}, func(sc store.Scanner) error {
			c, err := scanClient(sc)
			if err == nil {
				out = append(out, c)
			}
			return err
		})
	return out, err
}

func (s *SQLStore) Delete(ctx context.Context, territoryID int64, name string) error {
	return s.deleteNamed(ctx, "rdex_clients", territoryID, name, "err.rdex_client_not_found")
}

// deleteNamed removes a territory's row of table by name (clients and
// partners are both named per territory); NotFound with key when none.
func (s *SQLStore) deleteNamed(ctx context.Context, table string, territoryID int64, name, key string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM `+table+` WHERE territory_id = ? AND name = ?`, territoryID, name)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errs.E(errs.NotFound, key)
	}
	return nil
}
