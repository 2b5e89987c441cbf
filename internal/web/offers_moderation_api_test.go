package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestOffersModerationAPI walks the moderation API end to end, checking
// every answer against openapi.yaml.
func TestOffersModerationAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		spec := newSpecChecker(t)
		ctx := context.Background()
		_, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		_, tokMod := e.member("mod@example.org", access.Moderator)
		_, tokAdmin := e.member("admin@example.org", access.Moderator)
		if err := e.accounts.SetPlatformAdmin(ctx, access.SystemActor(), e.userID("admin@example.org"), true); err != nil {
			t.Fatal(err)
		}
		aID := e.userID("a@example.org")
		base := "/api/v1/territories/test"

		// status sends a request, validates the answer against the document
		// and checks its status.
		status := func(method, path, tok string, body any, want int) []byte {
			t.Helper()
			resp := e.do(nil, method, path, tok, body)
			code := resp.StatusCode
			out := spec.check(method, path, resp)
			if code != want {
				t.Fatalf("%s %s: %d, want %d: %s", method, path, code, want, out)
			}
			return out
		}

		resp := e.do(nil, "POST", base+"/listings", tokA, drillInput())
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create listing: %d %s", resp.StatusCode, readBody(resp))
		}
		l := decode[listingOut](t, resp)
		lid := strconv.FormatInt(l.ID, 10)
		resp = e.do(nil, "POST", base+"/listings/"+lid+"/messages", tokB, map[string]any{"body": "Message insultant"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("message: %d %s", resp.StatusCode, readBody(resp))
		}
		msg := decode[struct {
			ID int64 `json:"id"`
		}](t, resp)

		// Members report; a member cannot read the queue.
		status("POST", base+"/listings/"+lid+"/reports", tokB, map[string]any{"reason": "Objet volé"}, http.StatusCreated)
		status("POST", base+"/members/"+strconv.FormatInt(aID, 10)+"/reports", tokB, map[string]any{"reason": "Insultes"}, http.StatusCreated)
		status("POST", base+"/messages/"+strconv.FormatInt(msg.ID, 10)+"/reports", tokA, map[string]any{"reason": "Injure"}, http.StatusCreated)
		status("POST", base+"/listings/"+lid+"/reports", "", map[string]any{"reason": "x"}, http.StatusUnauthorized)
		status("GET", base+"/offers/moderation", tokA, nil, http.StatusForbidden)
		status("GET", base+"/offers/moderation", "", nil, http.StatusUnauthorized)

		body := status("GET", base+"/offers/moderation", tokMod, nil, http.StatusOK)
		noExact(t, "queue", string(body))
		if strings.Contains(string(body), "@example.org") {
			t.Fatalf("an e-mail address in the queue: %s", body)
		}
		var q struct {
			Reports []struct {
				ID        int64 `json:"id"`
				ListingID int64 `json:"listing_id"`
				MemberID  int64 `json:"member_id"`
			} `json:"reports"`
			MessageReports []struct {
				ID      int64 `json:"id"`
				Message struct {
					Body string `json:"body"`
				} `json:"message"`
				Context []struct {
					ID   int64  `json:"id"`
					Body string `json:"body"`
				} `json:"context"`
			} `json:"message_reports"`
		}
		if err := json.Unmarshal(body, &q); err != nil {
			t.Fatal(err)
		}
		if len(q.Reports) != 2 || len(q.MessageReports) != 1 || q.MessageReports[0].Message.Body != "Message insultant" {
			t.Fatalf("queue: %s", body)
		}
		if c := q.MessageReports[0].Context; len(c) == 0 || c[len(c)-1].ID != msg.ID || c[len(c)-1].Body != "Message insultant" {
			t.Errorf("the reported message's context: %+v", c)
		}
		for _, r := range q.Reports {
			if r.MemberID != aID {
				t.Errorf("report %d names member %d, want %d", r.ID, r.MemberID, aID)
			}
		}

		// Resolve: members may not; moderators may, and the report leaves the queue.
		rid := strconv.FormatInt(q.Reports[0].ID, 10)
		status("POST", base+"/offers/reports/"+rid+"/resolve", tokA, map[string]any{"resolution": "x"}, http.StatusForbidden)
		status("POST", base+"/offers/reports/"+rid+"/resolve", tokMod, map[string]any{"resolution": "Vu"}, http.StatusNoContent)
		mrid := strconv.FormatInt(q.MessageReports[0].ID, 10)
		status("POST", base+"/offers/message-reports/"+mrid+"/resolve", tokMod, map[string]any{"resolution": "Retiré", "remove": true}, http.StatusNoContent)
		body = status("GET", base+"/offers/moderation", tokMod, nil, http.StatusOK)
		if strings.Contains(string(body), `"id":`+rid+`,`) || strings.Contains(string(body), "Message insultant") {
			t.Fatalf("resolved reports still in the queue: %s", body)
		}

		// Hide and unhide.
		search := base + "/listings"
		inSearch := func() bool {
			t.Helper()
			return strings.Contains(string(status("GET", search, "", nil, http.StatusOK)), `"id":`+lid+`,`)
		}
		if !inSearch() {
			t.Fatal("the listing is not in the search")
		}
		status("POST", base+"/listings/"+lid+"/hide", tokA, map[string]any{"reason": "x"}, http.StatusForbidden)
		body = status("POST", base+"/listings/"+lid+"/hide", tokMod, map[string]any{"reason": "Annonce douteuse"}, http.StatusOK)
		if !strings.Contains(string(body), `"status":"hidden"`) {
			t.Fatalf("hide: %s", body)
		}
		noExact(t, "hide", string(body))
		if inSearch() {
			t.Fatal("a hidden listing is in the search")
		}
		body = status("POST", base+"/listings/"+lid+"/unhide", tokMod, nil, http.StatusOK)
		if strings.Contains(string(body), `"status":"hidden"`) || !inSearch() {
			t.Fatalf("unhide: %s", body)
		}

		// Suspension: platform administrators only; the member's token stops
		// working and their listings leave the search until reinstated.
		member := base + "/members/" + strconv.FormatInt(aID, 10)
		status("POST", member+"/suspend", tokMod, nil, http.StatusForbidden)
		status("POST", member+"/suspend", tokAdmin, nil, http.StatusNoContent)
		if inSearch() {
			t.Fatal("a suspended member's listing is in the search")
		}
		if resp := e.do(nil, "GET", "/api/v1/me", tokA, nil); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a suspended member's token still works: %d %s", resp.StatusCode, readBody(resp))
		} else {
			readBody(resp)
		}
		status("POST", member+"/reinstate", tokMod, nil, http.StatusForbidden)
		status("POST", member+"/reinstate", tokAdmin, nil, http.StatusNoContent)
		if !inSearch() {
			t.Fatal("a reinstated member's listing is not back in the search")
		}
		status("GET", "/api/v1/me", tokA, nil, http.StatusOK)
		status("POST", base+"/members/999999/suspend", tokAdmin, nil, http.StatusNotFound)
	})
}

func TestOffersModerationAPIErrors(t *testing.T) {
	e := newTestEnv(t, nil)
	spec := newSpecChecker(t)
	ctx := context.Background()
	_, tokA := e.member("a@example.org", access.Member)
	_, tokMod := e.member("mod@example.org", access.Moderator)
	_, tokAdmin := e.member("admin@example.org", access.Moderator)
	adminID := e.userID("admin@example.org")
	if err := e.accounts.SetPlatformAdmin(ctx, access.SystemActor(), adminID, true); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/territories/test"
	resp := e.do(nil, "POST", base+"/listings", tokA, drillInput())
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create listing: %d %s", resp.StatusCode, readBody(resp))
	}
	lid := strconv.FormatInt(decode[listingOut](t, resp).ID, 10)
	self := base + "/members/" + strconv.FormatInt(e.userID("a@example.org"), 10)
	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"broken JSON", "POST", base + "/listings/" + lid + "/reports", tokMod, "{", 400},
		{"empty reason", "POST", base + "/listings/" + lid + "/reports", tokMod, map[string]any{"reason": " "}, 400},
		{"unknown listing", "POST", base + "/listings/999999/reports", tokMod, map[string]any{"reason": "x"}, 404},
		{"non-numeric id", "POST", base + "/listings/abc/reports", tokMod, map[string]any{"reason": "x"}, 404},
		{"reporting oneself", "POST", self + "/reports", tokA, map[string]any{"reason": "x"}, 400},
		{"unknown message", "POST", base + "/messages/999999/reports", tokA, map[string]any{"reason": "x"}, 404},
		{"unknown territory", "GET", "/api/v1/territories/nowhere/offers/moderation", tokMod, nil, 404},
		{"resolve without resolution", "POST", base + "/offers/reports/1/resolve", tokMod, map[string]any{}, 400},
		{"hide without reason", "POST", base + "/listings/" + lid + "/hide", tokMod, map[string]any{}, 400},
		{"unhide a shown listing", "POST", base + "/listings/" + lid + "/unhide", tokMod, nil, 409},
		{"suspend without login", "POST", self + "/suspend", "", nil, 401},
		{"suspending oneself", "POST", base + "/members/" + strconv.FormatInt(adminID, 10) + "/suspend", tokAdmin, nil, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.do(nil, tc.method, tc.path, tc.token, tc.body, "Accept-Language", "en")
			code := resp.StatusCode
			body := spec.check(tc.method, tc.path, resp)
			if code != tc.status || !strings.Contains(string(body), `"error"`) {
				t.Fatalf("status %d, want %d: %s", code, tc.status, body)
			}
		})
	}
}
