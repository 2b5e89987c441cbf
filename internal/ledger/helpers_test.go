package ledger

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a territory "lyon" and a neighbour "paris", members in each, and
// the service under test over the real accounts service.
type env struct {
	db         *store.DB
	svc        *Service
	accounts   *account.Service
	ter, other *territory.Territory
	clock      *clock
	anon       access.Actor
	a, b, c    access.Actor // members of lyon
	admin      access.Actor // administrator of lyon
	p          access.Actor // member of paris
	platform   access.Actor
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, clock: &clock{t: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)}}
	ts := territory.NewService(territory.NewSQLStore(db))
	e.ter = &territory.Territory{Slug: "lyon", Name: "Lyon", BBox: geo.BBox{MinLon: 4.77, MinLat: 45.70, MaxLon: 4.90, MaxLat: 45.81}}
	e.other = &territory.Territory{Slug: "paris", Name: "Paris", BBox: geo.BBox{MinLon: 2.22, MinLat: 48.81, MaxLon: 2.47, MaxLat: 48.91}}
	for _, ter := range []*territory.Territory{e.ter, e.other} {
		if err := ts.Create(ctx, access.SystemActor(), ter); err != nil {
			t.Fatalf("create territory: %v", err)
		}
	}
	e.accounts = account.NewService(db, mail.NewOutbox(db, nil, e.clock.now), nil, e.clock.now, account.Options{Hash: account.TestHashParams})
	user := func(n int, ter *territory.Territory, role access.Role) access.Actor {
		var id int64
		if err := db.QueryRowW(ctx, `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', ?) RETURNING id`,
			fmt.Sprintf("u%d@example.org", n), e.clock.now()).Scan(&id); err != nil {
			t.Fatalf("user %d: %v", n, err)
		}
		a := access.Actor{UserID: id, Roles: map[int64]access.Role{ter.ID: role}}
		if err := e.accounts.Join(ctx, a, ter.ID); err != nil {
			t.Fatalf("join: %v", err)
		}
		if role != access.Member {
			if _, err := db.Exec(ctx, `UPDATE memberships SET role = ? WHERE territory_id = ? AND user_id = ?`, role, ter.ID, id); err != nil {
				t.Fatalf("role: %v", err)
			}
		}
		return a
	}
	e.a, e.b, e.c = user(1, e.ter, access.Member), user(2, e.ter, access.Member), user(3, e.ter, access.Member)
	e.admin = user(4, e.ter, access.Admin)
	e.p = user(5, e.other, access.Member)
	e.platform = access.Actor{UserID: e.admin.UserID, PlatformAdmin: true, Roles: e.admin.Roles}
	e.svc = NewService(NewSQLStore(db), e.accounts, ts, nil, e.clock.now)
	return e
}

func ref(a access.Actor) string { return fmt.Sprintf("member:%d", a.UserID) }

// balance returns a member's balance in code (0 without an account).
func (e *env) balance(t testing.TB, a access.Actor, code string) int64 {
	t.Helper()
	acc, err := e.svc.MyAccount(context.Background(), a, e.ter, code)
	if err != nil {
		t.Fatalf("account of %d: %v", a.UserID, err)
	}
	return acc.Balance
}

// verify fails t unless the whole ledger checks out.
func (e *env) verify(t testing.TB) *VerifyResult {
	t.Helper()
	res, err := e.svc.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !res.OK() {
		t.Fatalf("verify found %v", res.Discrepancies)
	}
	return res
}

func wantKey(t testing.TB, err error, key string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("want %s, got %v", key, err)
	}
	if e.Key == key {
		return
	}
	for _, f := range e.Fields {
		if f.Key == key {
			return
		}
	}
	t.Fatalf("want %s, got %v", key, err)
}
