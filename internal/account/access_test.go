package account_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// actors builds one actor per standing, with real accounts and roles.
func actors(t *testing.T, e *env) map[string]access.Actor {
	t.Helper()
	platform, _ := e.user(t, "platform@example.org")
	must(t, e.svc.SetPlatformAdmin(context.Background(), access.SystemActor(), platform.ID, true))
	return map[string]access.Actor{
		"anonymous":      {},
		"member":         e.withRole(t, "member@example.org", e.ter, access.Member),
		"organiser":      e.withRole(t, "organiser@example.org", e.ter, access.Organiser),
		"moderator":      e.withRole(t, "moderator@example.org", e.ter, access.Moderator),
		"admin":          e.withRole(t, "admin@example.org", e.ter, access.Admin),
		"other admin":    e.withRole(t, "otheradmin@example.org", e.other, access.Admin),
		"platform admin": e.actor(t, platform.ID),
		"system":         access.SystemActor(),
	}
}

// outcome is nil for success or the expected error kind.
type outcome *errs.Kind

func kind(k errs.Kind) outcome { return &k }

var ok outcome

func check(t *testing.T, err error, want outcome) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	if !errs.Is(err, *want) {
		t.Fatalf("want %s, got %v", *want, err)
	}
}

func TestPermissionMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		as := actors(t, e)
		unauth, forbidden := kind(errs.Unauthenticated), kind(errs.Forbidden)

		// An organisation whose administrator is a plain member.
		orgAdmin := e.withRole(t, "orgadmin@example.org", e.ter, access.Member)
		org, err := e.svc.CreateOrganisation(ctx, orgAdmin, e.ter, account.Organisation{Name: "Repair Café", Kind: account.KindAssociation})
		must(t, err)
		as["organisation admin"] = orgAdmin

		type row struct{ grant, createOrg, addOrgMember, members outcome }
		matrix := map[string]row{
			"anonymous":          {unauth, unauth, unauth, unauth},
			"member":             {forbidden, ok, forbidden, forbidden},
			"organiser":          {forbidden, ok, forbidden, forbidden},
			"moderator":          {forbidden, ok, ok, forbidden},
			"admin":              {ok, ok, ok, ok},
			"other admin":        {forbidden, forbidden, forbidden, forbidden},
			"platform admin":     {ok, ok, ok, ok},
			"system":             {ok, ok, ok, ok},
			"organisation admin": {forbidden, ok, ok, forbidden},
		}
		i := 0
		for name, want := range matrix {
			i++
			actor := as[name]
			t.Run(name, func(t *testing.T) {
				target := fmt.Sprintf("target%d@example.org", i)
				e.user(t, target)
				t.Run("grant", func(t *testing.T) {
					check(t, e.svc.Grant(ctx, actor, e.ter, target, access.Organiser), want.grant)
				})
				t.Run("create organisation", func(t *testing.T) {
					_, err := e.svc.CreateOrganisation(ctx, actor, e.ter, account.Organisation{Name: "Org " + name, Kind: account.KindCollective})
					check(t, err, want.createOrg)
				})
				t.Run("add organisation member", func(t *testing.T) {
					check(t, e.svc.AddOrgMember(ctx, actor, e.ter, org.ID, target, account.OrgMember), want.addOrgMember)
				})
				t.Run("members", func(t *testing.T) {
					_, err := e.svc.Members(ctx, actor, e.ter)
					check(t, err, want.members)
				})
			})
		}

		// Creating an organisation makes the caller its administrator.
		mine, err := e.svc.CreateOrganisation(ctx, as["member"], e.ter, account.Organisation{Name: "Jardin partagé", Kind: account.KindCollective})
		must(t, err)
		if r, _ := e.svc.OrgRole(ctx, mine.ID, as["member"].UserID); r != account.OrgAdmin {
			t.Fatalf("creator's role: %q", r)
		}
	})
}

func TestGrantRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin := e.withRole(t, "admin@example.org", e.ter, access.Admin)
		e.user(t, "x@example.org")

		wantErr(t, e.svc.Grant(ctx, admin, e.ter, "x@example.org", access.Role("owner")), errs.Invalid, "err.role_invalid")
		wantErr(t, e.svc.Grant(ctx, admin, e.ter, "x@example.org", access.None), errs.Invalid, "err.role_invalid")
		wantErr(t, e.svc.Grant(ctx, admin, e.ter, "ghost@example.org", access.Member), errs.NotFound, "err.user_not_found")
		wantErr(t, e.svc.Grant(ctx, access.SystemActor(), 987654, "x@example.org", access.Member), errs.NotFound, "err.territory_not_found")

		// The last administrator cannot be demoted, even by the CLI.
		wantErr(t, e.svc.Grant(ctx, admin, e.ter, "admin@example.org", access.Moderator), errs.Conflict, "err.last_admin")
		wantErr(t, e.svc.Grant(ctx, access.SystemActor(), e.ter, "admin@example.org", access.Member), errs.Conflict, "err.last_admin")
		must(t, e.svc.Grant(ctx, admin, e.ter, "x@example.org", access.Admin))
		must(t, e.svc.Grant(ctx, admin, e.ter, "admin@example.org", access.Moderator))

		// Join keeps an existing role and is idempotent.
		xa := e.actor(t, admin.UserID)
		must(t, e.svc.Join(ctx, xa, e.ter))
		must(t, e.svc.Join(ctx, xa, e.other))
		must(t, e.svc.Join(ctx, xa, e.other))
		roles, _ := e.svc.Roles(ctx, admin.UserID)
		if roles[e.ter] != access.Moderator || roles[e.other] != access.Member {
			t.Fatalf("roles after join: %v", roles)
		}
		wantErr(t, e.svc.Join(ctx, access.Actor{}, e.ter), errs.Unauthenticated, "")
		wantErr(t, e.svc.Join(ctx, xa, 987654), errs.NotFound, "err.territory_not_found")

		x, _ := e.svc.UserByEmail(ctx, "X@example.org")
		members, err := e.svc.Members(ctx, e.actor(t, x.ID), e.ter)
		if err != nil || len(members) != 2 || members[0].Role != access.Moderator || members[1].Role != access.Admin {
			t.Fatalf("members: %+v %v", members, err)
		}
		page, err := e.svc.MembersPage(ctx, e.actor(t, x.ID), e.ter, members[0].ID, 10)
		if err != nil || len(page) != 1 || page[0].ID != x.ID {
			t.Fatalf("second page: %+v %v", page, err)
		}
	})
}

// Two administrators demoting each other at once: the territory must keep
// one, whatever the interleaving.
func TestLastAdminUnderRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		const n = 6
		admins := make([]access.Actor, n)
		for i := range admins {
			admins[i] = e.withRole(t, fmt.Sprintf("a%d@example.org", i), e.ter, access.Admin)
		}
		var wg sync.WaitGroup
		for i := range admins {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each demotes the next one.
				err := e.svc.Grant(ctx, admins[i], e.ter, fmt.Sprintf("a%d@example.org", (i+1)%n), access.Member)
				if err != nil && !errs.Is(err, errs.Conflict) {
					t.Errorf("demote: %v", err)
				}
			}()
		}
		wg.Wait()
		var left int
		must(t, db.QueryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE territory_id = ? AND role = 'admin'`, e.ter).Scan(&left))
		if left < 1 {
			t.Fatalf("%d administrators left", left)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		u, me := e.user(t, "kim@example.org")
		_, other := e.user(t, "lou@example.org")

		_, err := e.svc.CreateToken(ctx, access.Actor{}, u.ID, "x")
		wantErr(t, err, errs.Unauthenticated, "")
		_, err = e.svc.CreateToken(ctx, other, u.ID, "x")
		wantErr(t, err, errs.Forbidden, "")
		_, err = e.svc.CreateToken(ctx, me, u.ID, strings.Repeat("n", 81))
		wantErr(t, err, errs.Invalid, "")

		secret, err := e.svc.CreateToken(ctx, me, u.ID, "  laptop ")
		must(t, err)
		if !strings.HasPrefix(secret, "sc_") || len(secret) != 3+43 {
			t.Fatalf("secret format: %q", secret)
		}
		cliSecret, err := e.svc.CreateToken(ctx, access.SystemActor(), u.ID, "")
		must(t, err)
		var clear int
		must(t, db.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ? OR token_hash = ?`, secret, cliSecret).Scan(&clear))
		if clear != 0 {
			t.Fatal("token stored in clear")
		}

		got, err := e.svc.UserForToken(ctx, secret)
		if err != nil || got.ID != u.ID {
			t.Fatalf("user for token: %+v %v", got, err)
		}
		a, err := e.svc.ActorForToken(ctx, cliSecret)
		if err != nil || a.UserID != u.ID {
			t.Fatalf("actor for token: %+v %v", a, err)
		}
		for _, bad := range []string{"", "sc_", "sc_" + strings.Repeat("A", 43), secret[3:], "Bearer " + secret} {
			_, err := e.svc.UserForToken(ctx, bad)
			wantErr(t, err, errs.Unauthenticated, "err.token_invalid")
		}

		// last_used_at is written at most once a minute.
		firstUse := e.clock.Now().Truncate(time.Microsecond)
		lastUsed := func() time.Time {
			toks, err := e.svc.ListTokens(ctx, me, u.ID)
			if err != nil || len(toks) != 2 || toks[0].Name != "laptop" || toks[1].Name != "API" || toks[0].LastUsedAt == nil {
				t.Fatalf("tokens: %+v %v", toks, err)
			}
			return *toks[0].LastUsedAt
		}
		if !lastUsed().Equal(firstUse) {
			t.Fatalf("last used %v, want %v", lastUsed(), firstUse)
		}
		e.clock.Add(30 * time.Second)
		_, _ = e.svc.UserForToken(ctx, secret)
		if !lastUsed().Equal(firstUse) {
			t.Fatal("last_used_at written twice within a minute")
		}
		e.clock.Add(31 * time.Second)
		_, _ = e.svc.UserForToken(ctx, secret)
		if !lastUsed().Equal(e.clock.Now().Truncate(time.Microsecond)) {
			t.Fatal("last_used_at not refreshed after a minute")
		}

		_, err = e.svc.ListTokens(ctx, other, u.ID)
		wantErr(t, err, errs.Forbidden, "")
		toks, _ := e.svc.ListTokens(ctx, me, u.ID)
		wantErr(t, e.svc.RevokeToken(ctx, other, toks[0].ID), errs.NotFound, "err.token_not_found")
		wantErr(t, e.svc.RevokeToken(ctx, access.Actor{}, toks[0].ID), errs.Unauthenticated, "")
		must(t, e.svc.RevokeToken(ctx, me, toks[0].ID))
		must(t, e.svc.RevokeToken(ctx, access.SystemActor(), toks[1].ID))
		_, err = e.svc.UserForToken(ctx, secret)
		wantErr(t, err, errs.Unauthenticated, "err.token_invalid")

		// Suspension stops tokens too.
		again, err := e.svc.CreateToken(ctx, me, u.ID, "again")
		must(t, err)
		must(t, e.svc.SetSuspended(ctx, access.SystemActor(), u.ID, true))
		_, err = e.svc.UserForToken(ctx, again)
		wantErr(t, err, errs.Forbidden, "err.account_suspended")
	})
}

func TestOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		boss := e.withRole(t, "boss@example.org", e.ter, access.Member)
		worker := e.withRole(t, "worker@example.org", e.ter, access.Member)
		mod := e.withRole(t, "mod@example.org", e.ter, access.Moderator)

		bad := map[string]account.Organisation{
			"empty name":   {Name: "  ", Kind: account.KindMerchant},
			"long name":    {Name: strings.Repeat("n", 121), Kind: account.KindMerchant},
			"kind":         {Name: "X", Kind: "cartel"},
			"website":      {Name: "X", Kind: account.KindMerchant, Website: "javascript:alert(1)"},
			"website host": {Name: "X", Kind: account.KindMerchant, Website: "https://"},
		}
		for name, o := range bad {
			_, err := e.svc.CreateOrganisation(ctx, boss, e.ter, o)
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("%s: want invalid, got %v", name, err)
			}
		}
		org, err := e.svc.CreateOrganisation(ctx, boss, e.ter, account.Organisation{ID: 99, TerritoryID: e.other,
			Name: " La Boutique ", Kind: account.KindMerchant, Website: "https://boutique.example"})
		must(t, err)
		if org.Name != "La Boutique" || org.TerritoryID != e.ter || org.ID == 99 {
			t.Fatalf("created: %+v", org)
		}
		_, err = e.svc.CreateOrganisation(ctx, worker, e.ter, account.Organisation{Name: "La Boutique", Kind: account.KindCompany})
		wantErr(t, err, errs.Conflict, "err.organisation_name_taken")
		// Same name elsewhere is fine (a platform admin creates it there).
		_, err = e.svc.CreateOrganisation(ctx, access.SystemActor(), e.other, account.Organisation{Name: "La Boutique", Kind: account.KindCompany})
		must(t, err)

		got, err := e.svc.Organisation(ctx, e.ter, org.ID)
		if err != nil || got.Name != "La Boutique" || !got.CreatedAt.Equal(org.CreatedAt) {
			t.Fatalf("get: %+v %v", got, err)
		}
		_, err = e.svc.Organisation(ctx, e.other, org.ID)
		wantErr(t, err, errs.NotFound, "err.organisation_not_found")
		list, _ := e.svc.Organisations(ctx, e.ter)
		if len(list) != 1 {
			t.Fatalf("list: %+v", list)
		}

		wantErr(t, e.svc.AddOrgMember(ctx, boss, e.ter, org.ID, "worker@example.org", "owner"), errs.Invalid, "err.org_role_invalid")
		wantErr(t, e.svc.AddOrgMember(ctx, boss, e.other, org.ID, "worker@example.org", account.OrgMember), errs.NotFound, "")
		wantErr(t, e.svc.AddOrgMember(ctx, boss, e.ter, org.ID, "ghost@example.org", account.OrgMember), errs.NotFound, "err.user_not_found")
		must(t, e.svc.AddOrgMember(ctx, boss, e.ter, org.ID, "WORKER@example.org", account.OrgMember))
		if in, _ := e.svc.IsOrgMember(ctx, org.ID, worker.UserID); !in {
			t.Fatal("worker not a member")
		}
		if in, _ := e.svc.IsOrgMember(ctx, org.ID, mod.UserID); in {
			t.Fatal("moderator is a member")
		}
		// A plain organisation member cannot manage it.
		wantErr(t, e.svc.AddOrgMember(ctx, worker, e.ter, org.ID, "mod@example.org", account.OrgAdmin), errs.Forbidden, "err.org_admin_required")
		_, err = e.svc.UpdateOrganisation(ctx, worker, account.Organisation{ID: org.ID, TerritoryID: e.ter, Name: "Mine", Kind: account.KindMerchant})
		wantErr(t, err, errs.Forbidden, "")
		upd, err := e.svc.UpdateOrganisation(ctx, boss, account.Organisation{ID: org.ID, TerritoryID: e.ter, Name: "La Boutique du coin", Kind: account.KindMerchant, Description: "Épicerie"})
		if err != nil || upd.Name != "La Boutique du coin" {
			t.Fatalf("update: %+v %v", upd, err)
		}

		members, err := e.svc.OrgMembers(ctx, worker, e.ter, org.ID)
		if err != nil || len(members) != 2 || members[0].Role != account.OrgAdmin {
			t.Fatalf("org members: %+v %v", members, err)
		}
		outsider := e.withRole(t, "outsider@example.org", e.ter, access.Member)
		_, err = e.svc.OrgMembers(ctx, outsider, e.ter, org.ID)
		wantErr(t, err, errs.Forbidden, "")
		if _, err := e.svc.OrgMembers(ctx, mod, e.ter, org.ID); err != nil {
			t.Fatal(err)
		}

		// The last administrator cannot demote or remove themselves...
		wantErr(t, e.svc.AddOrgMember(ctx, boss, e.ter, org.ID, "boss@example.org", account.OrgMember), errs.Conflict, "err.last_org_admin")
		wantErr(t, e.svc.RemoveOrgMember(ctx, boss, e.ter, org.ID, boss.UserID), errs.Conflict, "err.last_org_admin")
		// ...a member may leave, and an outsider cannot remove anyone.
		wantErr(t, e.svc.RemoveOrgMember(ctx, outsider, e.ter, org.ID, worker.UserID), errs.Forbidden, "")
		must(t, e.svc.RemoveOrgMember(ctx, worker, e.ter, org.ID, worker.UserID))
		wantErr(t, e.svc.RemoveOrgMember(ctx, boss, e.ter, org.ID, worker.UserID), errs.NotFound, "err.org_member_not_found")
		// A moderator can always repair an organisation.
		must(t, e.svc.RemoveOrgMember(ctx, mod, e.ter, org.ID, boss.UserID))
		must(t, e.svc.AddOrgMember(ctx, mod, e.ter, org.ID, "worker@example.org", account.OrgAdmin))
		if r, _ := e.svc.OrgRole(ctx, org.ID, worker.UserID); r != account.OrgAdmin {
			t.Fatalf("worker's role: %q", r)
		}
		orgs, err := e.svc.UserOrganisations(ctx, worker.UserID)
		if err != nil || len(orgs) != 1 || orgs[0].ID != org.ID || orgs[0].Role != account.OrgAdmin {
			t.Fatalf("user organisations: %+v %v", orgs, err)
		}
	})
}

func TestExportAndDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		u, err := e.svc.SignUp(ctx, account.SignUpInput{Email: "max@example.org", Password: "my long password", DisplayName: "Max", TerritoryID: e.ter})
		must(t, err)
		me := e.actor(t, u.ID)
		_, err = e.svc.CreateToken(ctx, me, u.ID, "script")
		must(t, err)
		org, err := e.svc.CreateOrganisation(ctx, me, e.ter, account.Organisation{Name: "Max & Co", Kind: account.KindCompany})
		must(t, err)
		e.user(t, "someone@example.org")
		must(t, e.svc.RequestPasswordReset(ctx, "someone@example.org", "fr"))

		_, err = e.svc.ExportData(ctx, access.Actor{})
		wantErr(t, err, errs.Unauthenticated, "")
		ex, err := e.svc.ExportData(ctx, me)
		must(t, err)
		if ex.Profile.Email != "max@example.org" || len(ex.Memberships) != 1 || ex.Memberships[0].Role != access.Member ||
			len(ex.Organisations) != 1 || ex.Organisations[0].Role != account.OrgAdmin || len(ex.Tokens) != 1 || len(ex.Mails) != 1 {
			t.Fatalf("export: %+v", ex)
		}
		raw, err := json.Marshal(ex)
		must(t, err)
		var hash string
		must(t, db.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&hash))
		for _, secret := range []string{"argon2", hash, "password_hash", "token_hash", "someone@example.org"} {
			if strings.Contains(string(raw), secret) {
				t.Fatalf("export contains %q:\n%s", secret, raw)
			}
		}

		wantErr(t, e.svc.DeleteAccount(ctx, me, "wrong password"), errs.Invalid, "err.wrong_password")
		wantErr(t, e.svc.DeleteAccount(ctx, access.Actor{}, "my long password"), errs.Unauthenticated, "")
		// The last administrator of a territory cannot leave it orphaned.
		boss := e.withRole(t, "boss@example.org", e.other, access.Admin)
		wantErr(t, e.svc.DeleteAccount(ctx, boss, "correct horse battery"), errs.Conflict, "err.last_admin")

		must(t, e.svc.DeleteAccount(ctx, me, "my long password"))
		_, err = e.svc.User(ctx, u.ID)
		wantErr(t, err, errs.NotFound, "err.user_not_found")
		_, err = e.svc.ActorFor(ctx, u.ID) // what the web layer asks for any other session
		wantErr(t, err, errs.Unauthenticated, "")
		if e.mailCount(t, "max@example.org") != 0 || e.mailCount(t, "someone@example.org") != 1 {
			t.Fatal("outbox not cleaned for the deleted account only")
		}
		for _, table := range []string{"memberships", "organisation_members", "api_tokens", "email_tokens"} {
			var n int
			must(t, db.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE user_id = ?`, u.ID).Scan(&n))
			if n != 0 {
				t.Fatalf("%d rows left in %s", n, table)
			}
		}
		if _, err := e.svc.Organisation(ctx, e.ter, org.ID); err != nil {
			t.Fatalf("the organisation went with its creator: %v", err)
		}
		// The address is free again.
		if _, err := e.svc.SignUp(ctx, account.SignUpInput{Email: "max@example.org", Password: "my long password"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCreateUserAndProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		_, member := e.user(t, "nina@example.org")
		_, err := e.svc.CreateUser(ctx, member, "new@example.org", "a long password", true)
		wantErr(t, err, errs.Forbidden, "err.platform_admin_required")
		_, err = e.svc.CreateUser(ctx, access.Actor{}, "new@example.org", "a long password", true)
		wantErr(t, err, errs.Unauthenticated, "")
		_, err = e.svc.CreateUser(ctx, access.SystemActor(), "NINA@example.org", "a long password", true)
		wantErr(t, err, errs.Conflict, "err.email_taken")
		u, err := e.svc.CreateUser(ctx, access.SystemActor(), "new@example.org", "a long password", false)
		if err != nil || u.EmailVerified || e.mailCount(t, "new@example.org") != 0 {
			t.Fatalf("cli user: %+v %v", u, err)
		}
		p, err := e.svc.UpdateProfile(ctx, member, " Nina B. ", "en")
		if err != nil || p.DisplayName != "Nina B." || p.Lang != "en" {
			t.Fatalf("profile: %+v %v", p, err)
		}
		_, err = e.svc.UpdateProfile(ctx, member, "Nina", "xx")
		wantErr(t, err, errs.Invalid, "")
		if a := e.actor(t, member.UserID); a.Name != "Nina B." || !a.Verified || a.Email != "nina@example.org" {
			t.Fatalf("actor: %+v", a)
		}
	})
}
