package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// nextSaturday returns the coming Saturday at hour in the test territory's zone.
func nextSaturday(now time.Time, hour int) time.Time {
	loc, _ := time.LoadLocation("Europe/Paris")
	d := now.In(loc).AddDate(0, 0, 7)
	for d.Weekday() != time.Saturday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
}

// TestBookingAPIContract: the interfaces scripts rely on.
func TestBookingAPIContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		_, tokLib := e.member("library@example.org", access.Member)
		_, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		_, tokC := e.member("c@example.org", access.Member)
		lib, err := e.accounts.UserByEmail(ctx, "library@example.org")
		if err != nil {
			t.Fatal(err)
		}
		org, err := e.accounts.CreateOrganisation(ctx, access.Actor{UserID: lib.ID, Roles: map[int64]access.Role{e.ter.ID: access.Member}},
			e.ter.ID, account.Organisation{Name: "Outilthèque", Kind: "association"})
		if err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/territories/test/resources"
		input := map[string]any{"organisation_id": org.ID, "kind": "item", "name": "Perceuse", "quantity": 2}
		if resp := e.do(nil, "POST", base, tokA, input); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("non-admin creates: %d %s", resp.StatusCode, readBody(resp))
		}
		resp := e.do(nil, "POST", base, tokLib, input)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(resp))
		}
		res := decode[struct {
			ID       int64 `json:"id"`
			Quantity int   `json:"quantity"`
		}](t, resp)
		if res.ID == 0 || res.Quantity != 2 {
			t.Fatalf("created %+v", res)
		}
		bad := map[string]any{"organisation_id": org.ID, "kind": "boat", "name": "", "quantity": 0}
		if resp := e.do(nil, "POST", base, tokLib, bad); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad resource: %d %s", resp.StatusCode, readBody(resp))
		}

		start := nextSaturday(time.Now(), 10)
		end := start.AddDate(0, 0, 2)
		slot := map[string]any{"start": start.Format(time.RFC3339), "end": end.Format(time.RFC3339), "quantity": 1}
		path := fmt.Sprintf("/api/v1/resources/%d/reservations", res.ID)
		for _, tok := range []string{tokA, tokB} {
			resp := e.do(nil, "POST", path, tok, slot)
			body := readBody(resp)
			if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"status":"confirmed"`) {
				t.Fatalf("book: %d %s", resp.StatusCode, body)
			}
			if !strings.Contains(body, start.Format(time.RFC3339)) {
				t.Fatalf("times are not in the territory's zone: %s", body)
			}
		}
		resp = e.do(nil, "POST", path, tokC, slot, "Accept-Language", "en")
		body := readBody(resp)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "no longer available") {
			t.Fatalf("third: %d %s", resp.StatusCode, body)
		}
		resp = e.do(nil, "POST", fmt.Sprintf("/api/v1/resources/%d/waitlist", res.ID), tokC, slot)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("waitlist: %d %s", resp.StatusCode, readBody(resp))
		}
		resp.Body.Close()

		for name, in := range map[string]map[string]any{
			"end before start": {"start": end.Format(time.RFC3339), "end": start.Format(time.RFC3339)},
			"in the past":      {"start": "2020-01-04T10:00:00+01:00", "end": "2020-01-05T10:00:00+01:00"},
			"not a time":       {"start": "saturday", "end": "sunday"},
		} {
			if resp := e.do(nil, "POST", path, tokC, in); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d %s", name, resp.StatusCode, readBody(resp))
			} else {
				resp.Body.Close()
			}
		}
		if resp := e.do(nil, "POST", "/api/v1/resources/999999/reservations", tokC, slot); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown resource: %d", resp.StatusCode)
		}

		// Another territory's resource: members of "test" only are refused.
		other := &territory.Territory{Slug: "autre", Name: "Autreville", BBox: geo.BBox{MinLon: 2.2, MinLat: 48.8, MaxLon: 2.4, MaxLat: 48.9}}
		if err := e.territories.Create(ctx, access.SystemActor(), other); err != nil {
			t.Fatal(err)
		}
		sys := access.SystemActor()
		org2, err := e.accounts.CreateOrganisation(ctx, sys, other.ID, account.Organisation{Name: "Ailleurs", Kind: "association"})
		if err != nil {
			t.Fatal(err)
		}
		resp = e.do(nil, "POST", "/api/v1/territories/autre/resources", tokLib,
			map[string]any{"organisation_id": org2.ID, "kind": "item", "name": "Scie", "quantity": 1})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("admin of nothing there: %d %s", resp.StatusCode, readBody(resp))
		}
		resp = e.do(nil, "POST", base, tokLib, map[string]any{"organisation_id": org2.ID, "kind": "item", "name": "Scie", "quantity": 1})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("organisation of another territory: %d %s", resp.StatusCode, readBody(resp))
		}

		// Reads: availability (public), mine, desk, actions.
		resp = e.do(nil, "GET", fmt.Sprintf("/api/v1/resources/%d/availability?from=%s&to=%s", res.ID,
			start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339)), "", nil)
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"free":0`) {
			t.Fatalf("availability: %d %s", resp.StatusCode, body)
		}
		mine := decode[struct {
			Reservations []struct {
				ID int64 `json:"id"`
			} `json:"reservations"`
		}](t, e.do(nil, "GET", "/api/v1/territories/test/reservations", tokA, nil))
		if len(mine.Reservations) != 1 {
			t.Fatalf("mine: %+v", mine)
		}
		rid := mine.Reservations[0].ID
		if resp := e.do(nil, "POST", fmt.Sprintf("/api/v1/reservations/%d/check-out", rid), tokA, nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("member checks out: %d", resp.StatusCode)
		}
		resp = e.do(nil, "GET", fmt.Sprintf("/api/v1/territories/test/organisations/%d/desk", org.ID), tokLib, nil)
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"upcoming"`) {
			t.Fatalf("desk: %d %s", resp.StatusCode, body)
		}
		resp = e.do(nil, "POST", fmt.Sprintf("/api/v1/reservations/%d/cancel", rid), tokA, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(readBody(resp), `"status":"cancelled"`) {
			t.Fatalf("cancel: %d", resp.StatusCode)
		}
		// The waiting member is offered the copy.
		body = readBody(e.do(nil, "GET", "/api/v1/territories/test/reservations", tokC, nil))
		if !strings.Contains(body, `"status":"offered"`) {
			t.Fatalf("waiting member not offered: %s", body)
		}

		// PATCH: rules change; approval then refusal with a reason.
		rpath := fmt.Sprintf("/api/v1/resources/%d", res.ID)
		if resp := e.do(nil, "PATCH", rpath, tokA, map[string]any{"rules": map[string]any{"approval": true}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("member patches: %d %s", resp.StatusCode, readBody(resp))
		}
		resp = e.do(nil, "PATCH", rpath, tokLib, map[string]any{"rules": map[string]any{"approval": true, "hours": map[string]any{"sat": []string{"09:00-18:00"}, "mon": []string{"09:00-18:00"}}}})
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"approval":true`) || !strings.Contains(body, `"name":"Perceuse"`) {
			t.Fatalf("patch: %d %s", resp.StatusCode, body)
		}
		next := map[string]any{"start": start.AddDate(0, 0, 7).Format(time.RFC3339), "end": end.AddDate(0, 0, 7).Format(time.RFC3339)}
		resp = e.do(nil, "POST", path, tokA, next)
		body = readBody(resp)
		if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"status":"pending"`) {
			t.Fatalf("book with approval: %d %s", resp.StatusCode, body)
		}
		var pending struct {
			ID int64 `json:"id"`
		}
		_ = json.Unmarshal([]byte(body), &pending)
		outside := map[string]any{"start": start.AddDate(0, 0, 8).Format(time.RFC3339), "end": end.AddDate(0, 0, 7).Format(time.RFC3339)}
		if resp := e.do(nil, "POST", path, tokB, outside, "Accept-Language", "en"); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(readBody(resp), "outside opening hours") {
			t.Fatalf("Sunday pick-up: %d", resp.StatusCode)
		}
		act := func(tok, action string, in any) *http.Response {
			return e.do(nil, "POST", fmt.Sprintf("/api/v1/reservations/%d/%s", pending.ID, action), tok, in)
		}
		if resp := act(tokA, "approve", nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("member approves: %d", resp.StatusCode)
		}
		resp = act(tokLib, "refuse", map[string]any{"reason": "Inventaire ce week-end"})
		body = readBody(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"refused"`) || !strings.Contains(body, "Inventaire") {
			t.Fatalf("refuse: %d %s", resp.StatusCode, body)
		}
		if resp := act(tokLib, "approve", nil); resp.StatusCode != http.StatusConflict {
			t.Fatalf("approve after refusal: %d", resp.StatusCode)
		}
		if resp := e.do(nil, "GET", fmt.Sprintf("/api/v1/reservations/%d", pending.ID), tokB, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another member reads it: %d", resp.StatusCode)
		}
		resp = e.do(nil, "GET", "/api/v1/territories/test/vehicle-usage", "", nil)
		if body := readBody(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"stations"`) {
			t.Fatalf("usage: %d %s", resp.StatusCode, body)
		}
	})
}
