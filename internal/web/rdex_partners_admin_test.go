package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

const partnersPage = "/t/test/admin/rdex-partners"

// TestRDEXPartnersAdminPage: a territory administrator lists, adds (with
// errors shown in French and English), disables, enables and removes a
// partner platform, after a confirmation page; keys never appear on a
// page; the admin page links to it.
func TestRDEXPartnersAdminPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		// The asker tells the page what this instance saw of each partner.
		e.srv.Partners = rdex.NewAsker(rdex.NewPartners(rdex.NewSQLStore(db)), rdex.AskerOptions{})
		admin, _ := e.member("admin@example.org", access.Admin)

		body := readBody(e.get(admin, "/t/test/admin"))
		if !strings.Contains(body, `href="`+partnersPage+`"`) {
			t.Fatalf("the admin page does not link to the partners: %s", body)
		}
		for lang, want := range map[string]string{"fr": "Aucune plateforme partenaire", "en": "No partner platform yet"} {
			resp := e.get(admin, partnersPage+"?lang="+lang)
			if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, want) || strings.Contains(body, "rdexadm.") {
				t.Fatalf("%s: %d %s", lang, resp.StatusCode, body)
			}
		}

		// Errors in the user's language, next to the fields, and what was
		// typed kept, except the private key.
		for _, round := range []struct {
			lang, publicKey string
			want            []string
		}{
			{"fr", "pub-key-typed", []string{"Le formulaire contient des erreurs", "L'adresse RDEX du partenaire est une adresse http(s) complète", "Nom"}},
			{"en", "", []string{"The partner's RDEX address is a full http(s) address", "Public key (API key)", "The partner's public key and private key are both required."}},
		} {
			e.get(admin, partnersPage+"?lang="+round.lang).Body.Close() // the language sticks (a cookie)
			resp := e.form(admin, partnersPage, url.Values{"name": {""}, "url": {"javascript:alert(1)"}, "public_key": {round.publicKey},
				"private_key": {"typed-secret"}, "enabled": {"1"}})
			body := html.UnescapeString(readBody(resp))
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s: bad partner: %d %s", round.lang, resp.StatusCode, body)
			}
			for _, w := range round.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: the errors lack %q: %s", round.lang, w, body)
				}
			}
			if !strings.Contains(body, `id="f-url" name="url" type="url" value="javascript:alert(1)"`) || !strings.Contains(body, `aria-invalid="true"`) {
				t.Errorf("%s: the form is not filled back with its errors: %s", round.lang, body)
			}
			if strings.Contains(body, "typed-secret") {
				t.Errorf("%s: the private key is written back into the page", round.lang)
			}
		}
		e.get(admin, partnersPage+"?lang=fr").Body.Close()

		add := url.Values{"name": {"Mobicoop"}, "url": {"https://api.mobicoop.example/rdex/"}, "public_key": {"pub-123"}, "private_key": {"s3cret-key"}, "enabled": {"1"}}
		resp := e.form(admin, partnersPage, add)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != partnersPage {
			t.Fatalf("add: %d %s", resp.StatusCode, readBody(resp))
		}
		resp.Body.Close()
		body = readBody(e.get(admin, partnersPage))
		for _, w := range []string{"Plateforme partenaire « Mobicoop » ajoutée.", "https://api.mobicoop.example/rdex", "Oui", "Aucune erreur", "Désactiver"} {
			if !strings.Contains(body, w) {
				t.Errorf("the list lacks %q: %s", w, body)
			}
		}
		if strings.Contains(body, "s3cret-key") || strings.Contains(body, "pub-123") {
			t.Error("a key is shown on the page")
		}
		resp = e.form(admin, partnersPage, add)
		if body := readBody(resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Un partenaire nommé « Mobicoop » existe déjà") {
			t.Fatalf("twice: %d %s", resp.StatusCode, body)
		}

		// A partner that fails: the page shows when, why, and until when
		// this instance skips it.
		down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<b>maintenance</b>", http.StatusServiceUnavailable)
		}))
		defer down.Close()
		resp = e.form(admin, partnersPage, url.Values{"name": {"Panne"}, "url": {down.URL + "/rdex"}, "public_key": {"p"}, "private_key": {"s"}, "enabled": {"1"}})
		resp.Body.Close()
		e.srv.Partners.Start(context.Background(), rdex.PartnerSearch{TerritoryID: e.ter.ID, Drivers: true, Day: time.Now(), MaxTime: time.Hour})()
		raw := readBody(e.get(admin, partnersPage))
		body = html.UnescapeString(raw)
		for _, w := range []string{"Erreur le ", "status 503: <b>maintenance</b>", "Ignorée jusqu'au "} {
			if !strings.Contains(body, w) {
				t.Errorf("the failing partner's state lacks %q: %s", w, body)
			}
		}
		if strings.Contains(raw, "<b>maintenance") {
			t.Error("the partner's answer is not escaped")
		}
		resp = e.form(admin, partnersPage+"/remove", url.Values{"name": {"Panne"}})
		resp.Body.Close()

		resp = e.form(admin, partnersPage+"/disable", url.Values{"name": {"Mobicoop"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d %s", resp.StatusCode, readBody(resp))
		}
		resp.Body.Close()
		if on, _ := rdex.NewPartners(rdex.NewSQLStore(db)).Enabled(context.Background(), e.ter.ID); len(on) != 0 {
			t.Fatalf("still enabled: %+v", on)
		}
		body = html.UnescapeString(readBody(e.get(admin, partnersPage+"?lang=en")))
		if !strings.Contains(body, "« Mobicoop » n'est plus interrogée.") || !strings.Contains(body, "No (disabled)") || !strings.Contains(body, ">Enable<") {
			t.Fatalf("after disabling: %s", body)
		}
		resp = e.form(admin, partnersPage+"/enable", url.Values{"name": {"Mobicoop"}})
		resp.Body.Close()
		if on, _ := rdex.NewPartners(rdex.NewSQLStore(db)).Enabled(context.Background(), e.ter.ID); len(on) != 1 {
			t.Fatalf("not enabled again: %+v", on)
		}

		// Removing: the list's button opens a confirmation page (by id),
		// which removes nothing.
		list, err := rdex.NewPartners(rdex.NewSQLStore(db)).List(context.Background(), access.SystemActor(), e.ter.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("partners: %+v %v", list, err)
		}
		id := strconv.FormatInt(list[0].ID, 10)
		if body := readBody(e.get(admin, partnersPage)); !strings.Contains(body, `<input type="hidden" name="id" value="`+id+`">`) {
			t.Fatalf("the remove button does not name the partner's id: %s", body)
		}
		resp = e.get(admin, partnersPage+"/remove?id="+id)
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Remove “Mobicoop”") || !strings.Contains(body, `method="post" action="`+partnersPage+`/remove"`) ||
			!strings.Contains(body, `name="name" value="Mobicoop"`) {
			t.Fatalf("confirmation: %d %s", resp.StatusCode, body)
		}
		for _, q := range []string{"?id=999999", "?id=x", ""} {
			if resp := e.get(admin, partnersPage+"/remove"+q); resp.StatusCode != http.StatusNotFound {
				t.Fatalf("confirmation of an unknown partner (%q): %d", q, resp.StatusCode)
			}
		}
		if list, _ = rdex.NewPartners(rdex.NewSQLStore(db)).List(context.Background(), access.SystemActor(), e.ter.ID); len(list) != 1 {
			t.Fatal("the confirmation page removed the partner")
		}
		resp = e.form(admin, partnersPage+"/remove", url.Values{"name": {"Mobicoop"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d %s", resp.StatusCode, readBody(resp))
		}
		resp.Body.Close()
		if body := readBody(e.get(admin, partnersPage)); !strings.Contains(body, "“Mobicoop” removed.") || strings.Contains(body, "api.mobicoop.example") {
			t.Fatalf("after removing: %s", body)
		}
		if resp := e.form(admin, partnersPage+"/remove", url.Values{"name": {"Mobicoop"}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("remove twice: %d", resp.StatusCode)
		}
	})
}

// TestRDEXPartnersAdminForbidden: members and moderators get 403 on every
// route of the page and change nothing; anonymous visitors are sent to log
// in (GET) or get 401 (POST).
func TestRDEXPartnersAdminForbidden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		partners := rdex.NewPartners(rdex.NewSQLStore(db))
		mobicoop := &rdex.Partner{Name: "Mobicoop", URL: "https://api.mobicoop.example/rdex", PublicKey: "pub", PrivateKey: "secret", Enabled: true}
		if err := partners.Add(context.Background(), access.SystemActor(), e.ter.ID, mobicoop); err != nil {
			t.Fatal(err)
		}
		member, _ := e.member("member@example.org", access.Member)
		organiser, _ := e.member("organiser@example.org", access.Organiser)
		moderator, _ := e.member("moderator@example.org", access.Moderator)
		admin, _ := e.member("admin@example.org", access.Admin)
		type call struct {
			method, path string
			form         url.Values
		}
		calls := []call{
			{"GET", partnersPage, nil},
			{"POST", partnersPage, url.Values{"name": {"Other"}, "url": {"https://other.example/rdex"}, "public_key": {"p"}, "private_key": {"s"}}},
			{"POST", partnersPage + "/disable", url.Values{"name": {"Mobicoop"}}},
			{"POST", partnersPage + "/enable", url.Values{"name": {"Mobicoop"}}},
			{"GET", partnersPage + "/remove?id=" + strconv.FormatInt(mobicoop.ID, 10), nil},
			{"POST", partnersPage + "/remove", url.Values{"name": {"Mobicoop"}}},
		}
		do := func(c *http.Client, k call) *http.Response {
			if k.method == "GET" {
				return e.get(c, k.path)
			}
			return e.form(c, k.path, k.form)
		}
		for _, who := range []struct {
			name   string
			client *http.Client
			want   int
		}{{"member", member, 403}, {"organiser", organiser, 403}, {"moderator", moderator, 403}, {"anonymous", e.client(), 0}} {
			for _, k := range calls {
				t.Run(who.name+" "+k.method+" "+k.path, func(t *testing.T) {
					resp := do(who.client, k)
					body := readBody(resp)
					want := who.want
					if want == 0 { // anonymous
						want = http.StatusUnauthorized
						if k.method == "GET" {
							want = http.StatusSeeOther
						}
					}
					if resp.StatusCode != want {
						t.Fatalf("%d, want %d: %s", resp.StatusCode, want, body)
					}
					if strings.Contains(body, "api.mobicoop.example") {
						t.Fatalf("the refusal shows the partner: %s", body)
					}
				})
			}
		}
		list, err := partners.List(context.Background(), access.SystemActor(), e.ter.ID)
		if err != nil || len(list) != 1 || !list[0].Enabled || list[0].Name != "Mobicoop" {
			t.Fatalf("the refused calls changed the partners: %+v %v", list, err)
		}
		// The territory's administrator passes every route.
		for _, k := range calls {
			resp := do(admin, k)
			readBody(resp)
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
				t.Errorf("admin %s %s: %d", k.method, k.path, resp.StatusCode)
			}
		}
	})
}
