package account_test

import (
	"context"
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

func TestSignUpAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		u, err := e.svc.SignUp(ctx, account.SignUpInput{Email: " Alice@Example.ORG ", Password: "une phrase de passe", DisplayName: " Alice ", TerritoryID: e.ter})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "alice@example.org" || u.DisplayName != "Alice" || u.Lang != "fr" || u.EmailVerified || !u.CreatedAt.Equal(e.clock.Now().Truncate(time.Microsecond)) {
			t.Fatalf("signed-up user: %+v", u)
		}
		roles, err := e.svc.Roles(ctx, u.ID)
		if err != nil || roles[e.ter] != access.Member || len(roles) != 1 {
			t.Fatalf("roles after sign-up: %v %v", roles, err)
		}

		m, path, token := e.lastLink(t, "alice@example.org")
		if path != "/verify" || m.Subject != "Confirmez votre adresse e-mail" || !strings.Contains(m.Body, base+"/verify?token=") ||
			!strings.Contains(m.Body, "Bonjour Alice") || len(token) != 43 {
			t.Fatalf("verification mail: %q %q\n%s", path, m.Subject, m.Body)
		}
		// The database keeps only a hash of the token.
		var n int
		must(t, db.QueryRow(ctx, `SELECT COUNT(*) FROM email_tokens WHERE token_hash = ?`, token).Scan(&n))
		if n != 0 {
			t.Fatal("the token is stored in clear")
		}

		got, err := e.svc.VerifyEmail(ctx, token)
		if err != nil || !got.EmailVerified || got.ID != u.ID {
			t.Fatalf("verify: %+v %v", got, err)
		}
		_, err = e.svc.VerifyEmail(ctx, token)
		wantErr(t, err, errs.Invalid, "err.token_invalid")
		_, err = e.svc.VerifyEmail(ctx, "x")
		wantErr(t, err, errs.Invalid, "err.token_invalid")
		_, err = e.svc.VerifyEmail(ctx, strings.Repeat("A", 43))
		wantErr(t, err, errs.Invalid, "err.token_invalid")
		wantErr(t, e.svc.ResendVerification(ctx, u.ID), errs.Conflict, "err.already_verified")

		_, err = e.svc.SignUp(ctx, account.SignUpInput{Email: "ALICE@example.org", Password: "another long one"})
		wantErr(t, err, errs.Conflict, "err.email_taken")

		// English mail for an English sign-up, no display name.
		_, err = e.svc.SignUp(ctx, account.SignUpInput{Email: "bob@example.org", Password: "a long password", Lang: "en"})
		must(t, err)
		m, _, _ = e.lastLink(t, "bob@example.org")
		if m.Subject != "Confirm your e-mail address" || !strings.HasPrefix(m.Body, "Hello,") {
			t.Fatalf("english mail: %q\n%s", m.Subject, m.Body)
		}

		_, err = e.svc.SignUp(ctx, account.SignUpInput{Email: "carol@example.org", Password: "a long password", TerritoryID: 98765})
		wantErr(t, err, errs.NotFound, "err.territory_not_found")
		if _, err := e.svc.UserByEmail(ctx, "carol@example.org"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a failed sign-up left an account: %v", err)
		}
	})
}

func TestSignUpValidation(t *testing.T) {
	db := storetest.OpenSQLite(t)
	e := newEnv(t, db)
	good := account.SignUpInput{Email: "dan@example.org", Password: "0123456789", DisplayName: "Dan", Lang: "en"}
	cases := map[string]struct {
		spoil func(*account.SignUpInput)
		field string
	}{
		"no e-mail":         {func(in *account.SignUpInput) { in.Email = "" }, "email"},
		"no domain":         {func(in *account.SignUpInput) { in.Email = "dan@" }, "email"},
		"display name form": {func(in *account.SignUpInput) { in.Email = "Dan <dan@example.org>" }, "email"},
		"two addresses":     {func(in *account.SignUpInput) { in.Email = "a@example.org,b@example.org" }, "email"},
		"short password":    {func(in *account.SignUpInput) { in.Password = "123456789" }, "password"},
		"long password":     {func(in *account.SignUpInput) { in.Password = strings.Repeat("é", 257) }, "password"},
		"password is email": {func(in *account.SignUpInput) { in.Email, in.Password = "dan@example.org", "DAN@example.org" }, "password"},
		"long name":         {func(in *account.SignUpInput) { in.DisplayName = strings.Repeat("n", 81) }, "display_name"},
		"control in name":   {func(in *account.SignUpInput) { in.DisplayName = "Dan\nBcc: x" }, "display_name"},
		"language":          {func(in *account.SignUpInput) { in.Lang = "de" }, "lang"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := good
			tc.spoil(&in)
			_, err := e.svc.SignUp(context.Background(), in)
			ee, ok := errs.As(err)
			if !ok || ee.Kind != errs.Invalid || len(ee.Fields) == 0 || ee.Fields[0].Field != tc.field {
				t.Fatalf("want invalid %s, got %v", tc.field, err)
			}
		})
	}
	// 10 characters, multi-byte, counts as 10.
	in := good
	in.Password = "éééééééééé"
	if _, err := e.svc.SignUp(context.Background(), in); err != nil {
		t.Fatalf("10-character password refused: %v", err)
	}
}

func TestVerificationExpiryAndResend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		u, err := e.svc.SignUp(ctx, account.SignUpInput{Email: "eve@example.org", Password: "a long password"})
		must(t, err)
		_, _, first := e.lastLink(t, "eve@example.org")

		wantErr(t, e.svc.ResendVerification(ctx, u.ID), errs.TooManyRequests, "err.try_later")
		e.clock.Add(2 * time.Minute)
		must(t, e.svc.ResendVerification(ctx, u.ID))
		_, _, second := e.lastLink(t, "eve@example.org")
		if second == first || e.mailCount(t, "eve@example.org") != 2 {
			t.Fatal("resend did not mail a new link")
		}

		e.clock.Add(47*time.Hour + 59*time.Minute) // first link is now 48 h 1 min old
		_, err = e.svc.VerifyEmail(ctx, first)
		wantErr(t, err, errs.Invalid, "err.token_invalid")
		if _, err := e.svc.VerifyEmail(ctx, second); err != nil {
			t.Fatalf("second link, 47 h 59 min old: %v", err)
		}
		if n, err := e.svc.PurgeExpiredTokens(ctx); err != nil || n != 0 {
			t.Fatalf("purge too early: %d %v", n, err)
		}
		e.clock.Add(50 * time.Hour)
		if n, err := e.svc.PurgeExpiredTokens(ctx); err != nil || n != 2 {
			t.Fatalf("purge: %d %v", n, err)
		}
	})
}

func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		u, err := e.svc.SignUp(ctx, account.SignUpInput{Email: "frank@example.org", Password: "old password!", DisplayName: "Frank"})
		must(t, err)

		// Unknown address: nil, and nothing is mailed.
		must(t, e.svc.RequestPasswordReset(ctx, "nobody@example.org", "fr"))
		if e.mailCount(t, "nobody@example.org") != 0 {
			t.Fatal("mail sent to an unknown address")
		}
		wantErr(t, e.svc.RequestPasswordReset(ctx, "not an address", "fr"), errs.Invalid, "err.email_invalid")

		must(t, e.svc.RequestPasswordReset(ctx, "FRANK@example.org", "en"))
		m, path, token := e.lastLink(t, "frank@example.org")
		if path != "/reset" || m.Subject != "Reset your password" || !strings.Contains(m.Body, "60 minutes") {
			t.Fatalf("reset mail: %s %q\n%s", path, m.Subject, m.Body)
		}
		// Asking again within a minute mails nothing more (and says nothing).
		must(t, e.svc.RequestPasswordReset(ctx, "frank@example.org", "en"))
		if e.mailCount(t, "frank@example.org") != 2 { // verification + one reset
			t.Fatalf("throttle: %d mails", e.mailCount(t, "frank@example.org"))
		}

		// A bad new password leaves the token usable.
		err = e.svc.ResetPassword(ctx, token, "short")
		wantErr(t, err, errs.Invalid, "")
		err = e.svc.ResetPassword(ctx, token, "frank@example.org")
		wantErr(t, err, errs.Invalid, "")
		must(t, e.svc.ResetPassword(ctx, token, "new password!"))
		wantErr(t, e.svc.ResetPassword(ctx, token, "another password"), errs.Invalid, "err.token_invalid")

		if _, err := e.svc.Authenticate(ctx, "frank@example.org", "old password!"); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("old password still works: %v", err)
		}
		got, err := e.svc.Authenticate(ctx, "frank@example.org", "new password!")
		if err != nil || !got.EmailVerified || got.ID != u.ID {
			t.Fatalf("login with the new password: %+v %v", got, err)
		}

		// Expiry: a link older than an hour no longer works.
		e.clock.Add(2 * time.Minute)
		must(t, e.svc.RequestPasswordReset(ctx, "frank@example.org", ""))
		m, _, late := e.lastLink(t, "frank@example.org")
		if m.Subject != "Réinitialisez votre mot de passe" {
			t.Fatalf("fallback to the account's language: %q", m.Subject)
		}
		e.clock.Add(61 * time.Minute)
		wantErr(t, e.svc.ResetPassword(ctx, late, "yet another one"), errs.Invalid, "err.token_invalid")

		// Changing the password retires pending reset links.
		must(t, e.svc.RequestPasswordReset(ctx, "frank@example.org", "fr"))
		_, _, pending := e.lastLink(t, "frank@example.org")
		a := e.actor(t, u.ID)
		wantErr(t, e.svc.ChangePassword(ctx, a, "wrong", "changed password"), errs.Invalid, "err.wrong_password")
		wantErr(t, e.svc.ChangePassword(ctx, a, "new password!", "short"), errs.Invalid, "")
		wantErr(t, e.svc.ChangePassword(ctx, access.Actor{}, "new password!", "changed password"), errs.Unauthenticated, "")
		must(t, e.svc.ChangePassword(ctx, a, "new password!", "changed password"))
		wantErr(t, e.svc.ResetPassword(ctx, pending, "hijacked password"), errs.Invalid, "err.token_invalid")
		if _, err := e.svc.Authenticate(ctx, "frank@example.org", "changed password"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestResetTokenSingleUseUnderRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.user(t, "gina@example.org")
		must(t, e.svc.RequestPasswordReset(ctx, "gina@example.org", "fr"))
		_, _, token := e.lastLink(t, "gina@example.org")
		const n = 10
		var wg sync.WaitGroup
		results := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- e.svc.ResetPassword(ctx, token, strings.Repeat(string(rune('a'+i)), 12))
			}()
		}
		wg.Wait()
		close(results)
		ok := 0
		for err := range results {
			if err == nil {
				ok++
			} else if !errs.Is(err, errs.Invalid) {
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d resets succeeded with one token, want 1", ok)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		u, _ := e.user(t, "hugo@example.org")
		if u.LastLoginAt != nil {
			t.Fatal("new user has a last login")
		}
		_, err := e.svc.Authenticate(ctx, "hugo@example.org", "wrong password")
		wantErr(t, err, errs.Unauthenticated, "err.bad_credentials")
		_, err = e.svc.Authenticate(ctx, "nobody@example.org", "correct horse battery")
		wantErr(t, err, errs.Unauthenticated, "err.bad_credentials")
		_, err = e.svc.Authenticate(ctx, "hugo@example.org", strings.Repeat("x", 5000))
		wantErr(t, err, errs.Unauthenticated, "err.bad_credentials")

		got, err := e.svc.Authenticate(ctx, "  HUGO@example.org", "correct horse battery")
		if err != nil || got.LastLoginAt == nil || !got.LastLoginAt.Equal(e.clock.Now().Truncate(time.Microsecond)) {
			t.Fatalf("login: %+v %v", got, err)
		}
		again, _ := e.svc.User(ctx, u.ID)
		if again.LastLoginAt == nil || !again.LastLoginAt.Equal(*got.LastLoginAt) {
			t.Fatalf("last login not stored: %+v", again)
		}

		_, admin := e.user(t, "root@example.org")
		wantErr(t, e.svc.SetSuspended(ctx, admin, u.ID, true), errs.Forbidden, "err.platform_admin_required")
		must(t, e.svc.SetPlatformAdmin(ctx, access.SystemActor(), admin.UserID, true))
		admin = e.actor(t, admin.UserID)
		if !admin.PlatformAdmin {
			t.Fatal("platform admin not in actor")
		}
		wantErr(t, e.svc.SetSuspended(ctx, admin, admin.UserID, true), errs.Invalid, "err.cannot_suspend_self")
		must(t, e.svc.SetSuspended(ctx, admin, u.ID, true))
		_, err = e.svc.Authenticate(ctx, "hugo@example.org", "correct horse battery")
		wantErr(t, err, errs.Forbidden, "err.account_suspended")
		_, err = e.svc.Authenticate(ctx, "hugo@example.org", "wrong password")
		wantErr(t, err, errs.Unauthenticated, "err.bad_credentials") // suspension not revealed without the password
		_, err = e.svc.ActorFor(ctx, u.ID)
		wantErr(t, err, errs.Forbidden, "err.account_suspended")
		must(t, e.svc.RequestPasswordReset(ctx, "hugo@example.org", "fr"))
		if e.mailCount(t, "hugo@example.org") != 0 {
			t.Fatal("reset mail sent to a suspended account")
		}
		must(t, e.svc.SetSuspended(ctx, admin, u.ID, false))
		if _, err := e.svc.Authenticate(ctx, "hugo@example.org", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ActorFor(ctx, 424242)
		wantErr(t, err, errs.Unauthenticated, "")
	})
}

func TestRehashOnLogin(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	e := newEnv(t, db)
	e.user(t, "ines@example.org")
	stronger := account.HashParams{Memory: 128, Time: 2, Threads: 1}
	svc2 := account.NewService(db, e.outbox, nil, e.clock.Now, account.Options{Hash: stronger})
	if _, err := svc2.Authenticate(ctx, "ines@example.org", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	var hash string
	must(t, db.QueryRow(ctx, `SELECT password_hash FROM users WHERE email = ?`, "ines@example.org").Scan(&hash))
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=128,t=2,p=1$") {
		t.Fatalf("hash not upgraded: %s", hash)
	}
	// Old parameters still verify a new hash: they are read from the hash.
	if _, err := e.svc.Authenticate(ctx, "ines@example.org", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultHashIsArgon2idOWASP(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	svc := account.NewService(db, nil, nil, nil, account.Options{})
	_, err := svc.CreateUser(ctx, access.SystemActor(), "jo@example.org", "correct horse battery", true)
	must(t, err)
	var hash string
	must(t, db.QueryRow(ctx, `SELECT password_hash FROM users`).Scan(&hash))
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("default hash: %s", hash)
	}
}

func TestConcurrentSignUpSameEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		const n = 20
		var wg sync.WaitGroup
		results := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.SignUp(ctx, account.SignUpInput{Email: "race@example.org", Password: "a long password", TerritoryID: e.ter})
				results <- err
			}()
		}
		wg.Wait()
		close(results)
		ok := 0
		for err := range results {
			switch {
			case err == nil:
				ok++
			case errs.Is(err, errs.Conflict):
				wantErr(t, err, errs.Conflict, "err.email_taken")
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d sign-ups succeeded, want exactly 1", ok)
		}
		var users, tokens int
		must(t, db.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&users))
		must(t, db.QueryRow(ctx, `SELECT COUNT(*) FROM email_tokens`).Scan(&tokens))
		if users != 1 || tokens != 1 || e.mailCount(t, "race@example.org") != 1 {
			t.Fatalf("after the race: %d users, %d tokens, %d mails", users, tokens, e.mailCount(t, "race@example.org"))
		}
	})
}
