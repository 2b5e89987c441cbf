package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

var linkRE = regexp.MustCompile(`http://test\.local(/[a-z]+\?token=[A-Za-z0-9_-]+)`)

// lastLink reads the newest mail to addr from the outbox and returns the path of its link.
func (e *testEnv) lastLink(addr string) string {
	e.t.Helper()
	mails, err := e.outbox.List(context.Background(), addr, 1)
	if err != nil || len(mails) == 0 {
		e.t.Fatalf("no mail to %s: %v", addr, err)
	}
	m := linkRE.FindStringSubmatch(mails[0].Body)
	if m == nil {
		e.t.Fatalf("no link in %q", mails[0].Body)
	}
	return m[1]
}

func TestSignUpVerifyLoginReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		c := e.client()
		if resp := e.get(c, "/signup"); resp.StatusCode != 200 || !strings.Contains(readBody(resp), `autocomplete="new-password"`) {
			t.Fatal("signup form")
		}
		// Mismatched passwords re-render the form with the typed e-mail, in French.
		resp := e.form(c, "/signup", url.Values{"email": {"lea@example.org"}, "password": {"un long mot de passe"}, "password_confirm": {"autre chose encore"}})
		body := readBody(resp)
		if resp.StatusCode != 400 || !strings.Contains(body, "ne sont pas identiques") || !strings.Contains(body, `value="lea@example.org"`) {
			t.Fatalf("mismatch: %d %s", resp.StatusCode, body)
		}
		resp = e.form(c, "/signup", url.Values{"email": {"lea@example.org"}, "display_name": {"Léa"}, "territory": {"test"},
			"password": {"un long mot de passe"}, "password_confirm": {"un long mot de passe"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("signup: %d %s", resp.StatusCode, readBody(resp))
		}
		if body := readBody(e.get(c, "/account")); !strings.Contains(body, "non confirmée") || !strings.Contains(body, "Testville") {
			t.Fatalf("account before verification: %s", body)
		}
		// Signing up twice with the same address is refused.
		resp = e.form(e.client(), "/signup", url.Values{"email": {"LEA@example.org"}, "password": {"un long mot de passe"}, "password_confirm": {"un long mot de passe"}})
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("duplicate signup: %d", resp.StatusCode)
		}
		readBody(resp)
		if resp := e.get(c, e.lastLink("lea@example.org")); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d %s", resp.StatusCode, readBody(resp))
		}
		if body := readBody(e.get(c, "/account")); !strings.Contains(body, "confirmée") || strings.Contains(body, "non confirmée") {
			t.Fatalf("account after verification: %s", body)
		}
		if resp := e.get(c, "/verify?token=forged-token-forged-token-forged"); resp.StatusCode != 400 {
			t.Fatalf("forged token: %d", resp.StatusCode)
		}

		// Log out, then log in with a wrong and a right password.
		resp = e.form(c, "/logout", nil)
		readBody(resp)
		if resp := e.get(c, "/account"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("account after logout: %d", resp.StatusCode)
		}
		resp = e.form(c, "/login?lang=en", url.Values{"email": {"lea@example.org"}, "password": {"wrong password!"}})
		if body := readBody(resp); resp.StatusCode != 401 || !strings.Contains(body, "Wrong e-mail address or password") {
			t.Fatalf("wrong password: %d %s", resp.StatusCode, body)
		}
		resp = e.form(c, "/login", url.Values{"email": {"lea@example.org"}, "password": {"un long mot de passe"}, "next": {"/t/test/"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/t/test/" {
			t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		readBody(resp)

		// Password reset from another browser.
		other := e.client()
		resp = e.form(other, "/forgot", url.Values{"email": {"lea@example.org"}})
		readBody(resp)
		resp = e.form(other, "/forgot", url.Values{"email": {"nobody@example.org"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unknown address must look the same: %d", resp.StatusCode)
		}
		link := e.lastLink("lea@example.org")
		token := strings.SplitN(link, "token=", 2)[1]
		if !strings.HasPrefix(link, "/reset") {
			t.Fatalf("reset link %s", link)
		}
		if body := readBody(e.get(other, link)); !strings.Contains(body, `name="token" value="`+token+`"`) {
			t.Fatalf("reset form does not carry the token: %s", body)
		}
		resp = e.form(other, "/reset", url.Values{"token": {token}, "password": {"nouveau mot de passe"}, "password_confirm": {"nouveau mot de passe"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", resp.StatusCode, readBody(resp))
		}
		resp = e.form(other, "/login", url.Values{"email": {"lea@example.org"}, "password": {"nouveau mot de passe"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login with the new password: %d", resp.StatusCode)
		}
		readBody(resp)
		// The reset ended the session of the first browser.
		if resp := e.get(c, "/account"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("old session after a reset: %d", resp.StatusCode)
		}
		// A password change ends other sessions but keeps the one that made it.
		third := e.client()
		readBody(e.form(third, "/login", url.Values{"email": {"lea@example.org"}, "password": {"nouveau mot de passe"}}))
		resp = e.form(other, "/account/password", url.Values{"old_password": {"nouveau mot de passe"}, "new_password": {"encore un autre mot"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change password: %d %s", resp.StatusCode, readBody(resp))
		}
		if resp := e.get(other, "/account"); resp.StatusCode != 200 {
			t.Fatalf("the browser that changed the password was logged out: %d", resp.StatusCode)
		}
		if resp := e.get(third, "/account"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("another session survived a password change: %d", resp.StatusCode)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	e := newTestEnv(t, nil)
	e.srv.limits = newLimiters(3, 30, e.srv.Now)
	c := e.client()
	var last int
	for i := 0; i < 12; i++ {
		resp := e.form(c, "/login", url.Values{"email": {"x@example.org"}, "password": {"guess number " + string(rune('a'+i))}})
		last = resp.StatusCode
		readBody(resp)
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("12 quick attempts end with %d, want 429", last)
	}
}

func TestAccountDataAndDeletion(t *testing.T) {
	e := newTestEnv(t, nil)
	c, tok := e.member("sam@example.org", access.Member)
	resp := e.do(nil, "POST", "/api/v1/territories/test/initiatives", tok, map[string]any{"name": "Boîte à livres du square",
		"kind": "commons", "categories": []string{"knowledge_culture"}, "lat": 45.19, "lon": 5.72})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("contribute: %d %s", resp.StatusCode, readBody(resp))
	}
	readBody(resp)
	resp = e.get(c, "/account/export")
	body := readBody(resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "sam@example.org") || strings.Contains(body, "argon2") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `"initiatives_contributed"`) || !strings.Contains(body, "Boîte à livres du square") {
		t.Fatalf("export lacks the member's contributions: %s", body)
	}
	// Tokens: created, shown once, revoked.
	resp = e.form(c, "/account/tokens", url.Values{"name": {"script"}})
	readBody(resp)
	body = readBody(e.get(c, "/account"))
	if !regexp.MustCompile(`<code id="new-token">sc_[A-Za-z0-9_-]+</code>`).MatchString(body) {
		t.Fatalf("new token not shown: %s", body)
	}
	if strings.Contains(readBody(e.get(c, "/account")), `id="new-token"`) {
		t.Fatal("the token is shown twice")
	}
	// Deleting needs the password.
	resp = e.form(c, "/account/delete", url.Values{"password": {"not it at all"}})
	if resp.StatusCode != 400 {
		t.Fatalf("delete with a wrong password: %d", resp.StatusCode)
	}
	readBody(resp)
	resp = e.form(c, "/account/delete", url.Values{"password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", resp.StatusCode, readBody(resp))
	}
	if _, err := e.accounts.UserByEmail(context.Background(), "sam@example.org"); err == nil {
		t.Fatal("the user still exists")
	}
	resp = e.form(e.client(), "/login", url.Values{"email": {"sam@example.org"}, "password": {"correct horse battery"}})
	if resp.StatusCode != 401 {
		t.Fatalf("login after deletion: %d", resp.StatusCode)
	}
}

func TestAdminPagesPermissions(t *testing.T) {
	e := newTestEnv(t, nil)
	member, _ := e.member("m@example.org", access.Member)
	admin, _ := e.member("a@example.org", access.Admin)
	if resp := e.get(member, "/t/test/admin"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("member on the admin page: %d", resp.StatusCode)
	}
	if resp := e.get(admin, "/t/test/admin"); resp.StatusCode != 200 {
		t.Fatalf("admin page: %d", resp.StatusCode)
	}
	resp := e.form(admin, "/t/test/admin/grant", url.Values{"email": {"m@example.org"}, "role": {"moderator"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant: %d %s", resp.StatusCode, readBody(resp))
	}
	resp = e.form(member, "/t/test/admin/grant", url.Values{"email": {"m@example.org"}, "role": {"admin"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a moderator made themselves admin: %d", resp.StatusCode)
	}
	settings := url.Values{"name": {"Testville Métropole"}, "bbox": {"5.67,45.15,5.80,45.25"}, "lang": {"fr"}, "time_zone": {"Europe/Paris"},
		"tile_url": {"https://tiles.example.org/{z}/{x}/{y}.png"}, "tile_attribution": {`<a href="https://example.org" onclick="x()">Tuiles</a><script>alert(1)</script>`}}
	resp = e.form(member, "/t/test/admin/settings", settings)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a moderator changed the settings: %d", resp.StatusCode)
	}
	bad := url.Values{}
	for k, v := range settings {
		bad[k] = v
	}
	bad.Set("bbox", "5.80,45.15,5.67,45.25")
	if resp := e.form(admin, "/t/test/admin/settings", bad); resp.StatusCode != 400 {
		t.Fatalf("inverted bbox: %d", resp.StatusCode)
	}
	if resp := e.form(admin, "/t/test/admin/settings", settings); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", resp.StatusCode, readBody(resp))
	}
	ter, _ := e.territories.ByID(context.Background(), e.ter.ID)
	if ter.Name != "Testville Métropole" || ter.BBox.MaxLat != 45.25 || strings.Contains(ter.TileAttribution, "script") || strings.Contains(ter.TileAttribution, "onclick") {
		t.Fatalf("settings saved as %+v", ter)
	}
	if resp := e.get(admin, "/admin/outbox"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("territory admin reads the platform outbox: %d", resp.StatusCode)
	}
	// Organisations: any member creates one and administers it.
	resp = e.form(member, "/t/test/organisations", url.Values{"name": {"Les Incroyables Comestibles"}, "kind": {"collective"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create organisation: %d %s", resp.StatusCode, readBody(resp))
	}
	if body := readBody(e.get(member, resp.Header.Get("Location"))); !strings.Contains(body, "Les Incroyables Comestibles") || !strings.Contains(body, `action="/t/test/organisations/`) {
		t.Fatalf("organisation page: %s", body)
	}
	resp = e.form(member, "/t/test/organisations", url.Values{"name": {""}, "kind": {"collective"}})
	if resp.StatusCode != 400 {
		t.Fatalf("organisation without a name: %d", resp.StatusCode)
	}
}

func TestPagesInBothLanguages(t *testing.T) {
	e := newTestEnv(t, nil)
	for _, path := range []string{"/?all=1", "/login", "/signup", "/forgot", "/t/test/accessibility", "/api/docs", "/t/test/organisations"} {
		fr := readBody(e.get(nil, path))
		en := readBody(e.get(nil, path+sep(path)+"lang=en"))
		if !strings.Contains(fr, `<html lang="fr">`) || !strings.Contains(en, `<html lang="en">`) {
			t.Errorf("%s: lang attributes wrong", path)
		}
		if fr == en {
			t.Errorf("%s: the same page in both languages", path)
		}
	}
	if body := readBody(e.get(nil, "/t/test/nothing-here")); !strings.Contains(body, "existe pas") || !strings.Contains(body, "404") {
		t.Errorf("404 page: %s", body)
	}
	resp := e.get(nil, "/healthz")
	if resp.StatusCode != 200 || resp.Header.Get("X-Request-ID") == "" || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("healthz: %d %v", resp.StatusCode, resp.Header)
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}
