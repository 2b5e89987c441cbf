package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func (e *testEnv) userID(email string) int64 {
	e.t.Helper()
	u, err := e.accounts.UserByEmail(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

func (e *testEnv) memberActor(id int64) access.Actor {
	return access.Actor{UserID: id, Roles: map[int64]access.Role{e.ter.ID: access.Member}}
}

// seeOther posts and expects a redirect, returning its target.
func (e *testEnv) seeOther(c *http.Client, path string, v url.Values) string {
	e.t.Helper()
	resp := e.form(c, path, v)
	loc := resp.Header.Get("Location")
	if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
	return loc
}

func TestOffersModeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		a, _ := e.member("a@example.org", access.Member)
		b, _ := e.member("b@example.org", access.Member)
		mod, _ := e.member("mod@example.org", access.Moderator)
		admin, _ := e.member("admin@example.org", access.Moderator)
		if err := e.accounts.SetPlatformAdmin(ctx, access.SystemActor(), e.userID("admin@example.org"), true); err != nil {
			t.Fatal(err)
		}
		aID := e.userID("a@example.org")

		loc := e.seeOther(a, "/t/test/listings/new", drillForm())
		id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/t/test/listings/"), 10, 64)

		// B writes to A, A answers; A then reports B's message.
		conv := e.seeOther(b, loc+"/message", url.Values{"body": {"Bonjour, elle est libre ?"}})
		e.seeOther(a, conv, url.Values{"body": {"Oui, samedi."}})
		e.seeOther(b, conv, url.Values{"body": {"Message insultant"}})
		e.seeOther(a, conv, url.Values{"body": {"Pardon ?"}})
		convID, _ := strconv.ParseInt(strings.TrimPrefix(conv, "/t/test/messages/"), 10, 64)
		th, err := e.messages.Conversation(ctx, e.memberActor(aID), e.ter, convID)
		if err != nil {
			t.Fatal(err)
		}
		var fromB int64
		for _, m := range th.Messages {
			if m.SenderID != aID && m.Body == "Message insultant" {
				fromB = m.ID
			}
		}
		resp := e.get(a, conv+"?lang=en")
		if body := readBody(resp); !strings.Contains(body, fmt.Sprintf("/messages/%d/report", fromB)) || !strings.Contains(body, "Report this message") {
			t.Errorf("conversation lacks the report form: %s", body)
		}
		if got := e.seeOther(a, fmt.Sprintf("/t/test/messages/%d/report", fromB), url.Values{"reason": {"raison-message"}}); got != conv {
			t.Errorf("message report goes back to %q, want %q", got, conv)
		}
		if got := e.seeOther(b, loc+"/report", url.Values{"reason": {"raison-annonce"}}); got != loc {
			t.Errorf("listing report goes back to %q", got)
		}
		e.seeOther(b, fmt.Sprintf("/t/test/members/%d/report", aID), url.Values{"reason": {"raison-membre"}})

		// An empty reason is refused.
		resp = e.form(b, loc+"/report", url.Values{"reason": {" "}})
		if body := readBody(resp); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("empty reason: %d %s", resp.StatusCode, body)
		}

		for _, lang := range []string{"fr", "en"} {
			resp = e.get(mod, "/t/test/offers/moderation?lang="+lang)
			body := readBody(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("queue %s: %d %s", lang, resp.StatusCode, body)
			}
			// The reported message comes with the conversation around it;
			// the reported listing with its title and owner.
			for _, want := range []string{"raison-message", "raison-annonce", "raison-membre", "Message insultant",
				"Bonjour, elle est libre ?", "Oui, samedi.", "Pardon ?", "Perceuse", fmt.Sprintf("/t/test/members/%d", aID),
				map[string]string{"fr": "Masquer l&#39;annonce", "en": "Hide the listing"}[lang],
				map[string]string{"fr": "Contexte de la conversation (4 messages)", "en": "Conversation context (4 messages)"}[lang],
				map[string]string{"fr": "message signalé", "en": "reported message"}[lang]} {
				if !strings.Contains(body, want) {
					t.Errorf("queue %s lacks %q", lang, want)
				}
			}
			if strings.Contains(body, "/suspend") {
				t.Errorf("a moderator who is not a platform administrator sees suspend")
			}
		}
		for _, c := range []*http.Client{a, b} {
			resp = e.get(c, "/t/test/offers/moderation")
			if body := readBody(resp); resp.StatusCode != http.StatusForbidden {
				t.Errorf("member on the queue: %d %s", resp.StatusCode, body)
			}
		}
		resp = e.form(b, fmt.Sprintf("/t/test/members/%d/suspend", aID), url.Values{})
		if body := readBody(resp); resp.StatusCode != http.StatusForbidden {
			t.Errorf("member suspends: %d %s", resp.StatusCode, body)
		}
		resp = e.form(mod, fmt.Sprintf("/t/test/members/%d/suspend", aID), url.Values{})
		if body := readBody(resp); resp.StatusCode != http.StatusForbidden {
			t.Errorf("moderator suspends: %d %s", resp.StatusCode, body)
		}

		// Hide and unhide, then resolve every report.
		e.seeOther(mod, loc+"/hide", url.Values{"reason": {"hors charte"}})
		if _, err := e.offers.Get(ctx, e.memberActor(aID), e.ter, id); err == nil {
			t.Error("the owner still sees the hidden listing")
		}
		if l, err := e.offers.Get(ctx, access.SystemActor(), e.ter, id); err != nil || l.Status != offers.StatusHidden {
			t.Errorf("hidden: %v %+v", err, l)
		}
		e.seeOther(mod, loc+"/unhide", url.Values{})
		if _, err := e.offers.Get(ctx, e.memberActor(aID), e.ter, id); err != nil {
			t.Errorf("unhidden listing: %v", err)
		}
		reps, err := e.offers.ModerationQueue(ctx, access.SystemActor(), e.ter)
		if err != nil || len(reps) != 2 {
			t.Fatalf("queue: %v %d", err, len(reps))
		}
		mreps, err := e.messages.ReportedMessages(ctx, access.SystemActor(), e.ter)
		if err != nil || len(mreps) != 1 {
			t.Fatalf("message queue: %v %d", err, len(mreps))
		}
		e.seeOther(mod, fmt.Sprintf("/t/test/offers/reports/%d/resolve", reps[0].ID), url.Values{"resolution": {"vu"}})
		e.seeOther(mod, fmt.Sprintf("/t/test/offers/message-reports/%d/resolve", mreps[0].ID), url.Values{"resolution": {"retiré"}, "remove": {"1"}})
		resp = e.get(mod, "/t/test/offers/moderation?lang=en")
		body := readBody(resp)
		// The listing report came first, so it was the one resolved.
		if strings.Contains(body, "raison-message") || strings.Contains(body, "raison-annonce") || !strings.Contains(body, "raison-membre") {
			t.Errorf("queue after resolving: %s", body)
		}

		// The platform administrator suspends A: A's listings leave search
		// and A cannot log in any more.
		resp = e.get(admin, "/t/test/offers/moderation?lang=en")
		if body := readBody(resp); !strings.Contains(body, fmt.Sprintf("/members/%d/suspend", aID)) {
			t.Errorf("administrator lacks suspend: %s", body)
		}
		e.seeOther(admin, fmt.Sprintf("/t/test/members/%d/suspend", aID), url.Values{})
		res, err := e.offers.Search(ctx, access.Actor{}, e.ter, offers.Query{})
		if err != nil || len(res.Items) != 0 {
			t.Errorf("suspended member's listing in search: %v %d", err, len(res.Items))
		}
		resp = e.form(e.client(), "/login", url.Values{"email": {"a@example.org"}, "password": {"correct horse battery"}})
		if body := readBody(resp); resp.StatusCode == http.StatusSeeOther {
			t.Errorf("suspended member logged in: %s", body)
		}

		// Where the suspended member shows, the administrator gets the
		// reinstate button instead, in the queue and on the profile.
		reinstate := fmt.Sprintf("/t/test/members/%d/reinstate", aID)
		for _, path := range []string{"/t/test/offers/moderation?lang=en", fmt.Sprintf("/t/test/members/%d?lang=en", aID)} {
			body := readBody(e.get(admin, path))
			if !strings.Contains(body, reinstate) || !strings.Contains(body, "Reinstate the account") ||
				strings.Contains(body, fmt.Sprintf("/members/%d/suspend", aID)) {
				t.Errorf("%s: no reinstate button for the suspended member: %s", path, body)
			}
		}
		if body := readBody(e.get(mod, fmt.Sprintf("/t/test/members/%d?lang=en", aID))); strings.Contains(body, "/reinstate") {
			t.Error("a moderator who is not a platform administrator sees reinstate")
		}
		resp = e.form(mod, reinstate, url.Values{})
		if body := readBody(resp); resp.StatusCode != http.StatusForbidden {
			t.Errorf("moderator reinstates: %d %s", resp.StatusCode, body)
		}
		prof := fmt.Sprintf("/t/test/members/%d", aID)
		if got := e.seeOther(admin, reinstate, url.Values{"next": {prof}}); got != prof {
			t.Errorf("reinstate from the profile goes back to %q", got)
		}
		res, err = e.offers.Search(ctx, access.Actor{}, e.ter, offers.Query{})
		if err != nil || len(res.Items) != 1 {
			t.Errorf("reinstated member's listing not in search: %v %d", err, len(res.Items))
		}
		resp = e.form(e.client(), "/login", url.Values{"email": {"a@example.org"}, "password": {"correct horse battery"}})
		if body := readBody(resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("reinstated member cannot log in: %d %s", resp.StatusCode, body)
		}
		if body := readBody(e.get(admin, prof+"?lang=en")); !strings.Contains(body, fmt.Sprintf("/members/%d/suspend", aID)) {
			t.Errorf("profile of a reinstated member lacks suspend: %s", body)
		}
	})
}

func TestProfilePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		a, _ := e.member("a@example.org", access.Member)
		b, _ := e.member("b@example.org", access.Member)
		aID, bID := e.userID("a@example.org"), e.userID("b@example.org")
		if _, err := e.accounts.UpdateProfile(ctx, e.memberActor(bID), "Bertrand", "fr"); err != nil {
			t.Fatal(err)
		}
		loc := e.seeOther(a, "/t/test/listings/new", drillForm())
		id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/t/test/listings/"), 10, 64)

		// One exchange done both ways, and B's review of A.
		ex, err := e.offers.Propose(ctx, e.memberActor(bID), e.ter, id, "je prends")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.offers.Accept(ctx, e.memberActor(aID), e.ter, ex.ID); err != nil {
			t.Fatal(err)
		}
		for _, u := range []int64{aID, bID} {
			if _, err := e.offers.MarkDone(ctx, e.memberActor(u), e.ter, ex.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.offers.Review(ctx, e.memberActor(bID), e.ter, ex.ID, 4, "Très arrangeant"); err != nil {
			t.Fatal(err)
		}

		resp := e.get(b, loc+"?lang=en")
		if body := readBody(resp); !strings.Contains(body, fmt.Sprintf("/t/test/members/%d", aID)) || !strings.Contains(body, "/report") {
			t.Errorf("listing lacks the profile link or the report form: %s", body)
		}
		prof := fmt.Sprintf("/t/test/members/%d", aID)
		for _, c := range []struct {
			lang  string
			want  []string
			viewr *http.Client
		}{
			{"fr", []string{"Vérifiée", "Échanges réalisés", "4.0 / 5 (1 avis)", "Très arrangeant", "Bertrand", "Signaler ce membre"}, b},
			{"en", []string{"Verified", "Exchanges done", "4.0 / 5 (1 review)", "Très arrangeant", "Bertrand", "Report this member"}, b},
			{"en", []string{"Verified", "4.0 / 5"}, e.client()},
		} {
			resp := e.get(c.viewr, prof+"?lang="+c.lang)
			body := readBody(resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("profile %s: %d %s", c.lang, resp.StatusCode, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("profile %s lacks %q", c.lang, w)
				}
			}
			if strings.Contains(body, "@example.org") {
				t.Errorf("profile %s shows an e-mail address", c.lang)
			}
			if !strings.Contains(body, "<dd>1</dd>") {
				t.Errorf("profile %s: exchanges done is not 1", c.lang)
			}
		}
		// Nobody reports themselves from their own profile.
		resp = e.get(a, prof+"?lang=en")
		if body := readBody(resp); strings.Contains(body, "Report this member") {
			t.Error("own profile offers to report oneself")
		}
		resp = e.get(b, "/t/test/members/999999")
		if body := readBody(resp); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown member: %d %s", resp.StatusCode, body)
		}
	})
}
