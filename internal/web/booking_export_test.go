package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestBookingInMemberExport: a member's data export lists their
// reservations, and not anybody else's.
func TestBookingInMemberExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		_, tokLib := e.member("library@example.org", access.Member)
		_, tokA := e.member("a@example.org", access.Member)
		_, tokB := e.member("b@example.org", access.Member)
		lib, err := e.accounts.UserByEmail(ctx, "library@example.org")
		if err != nil {
			t.Fatal(err)
		}
		org, err := e.accounts.CreateOrganisation(ctx, access.Actor{UserID: lib.ID, Roles: map[int64]access.Role{e.ter.ID: access.Member}},
			e.ter.ID, account.Organisation{Name: "Outilthèque", Kind: "association"})
		if err != nil {
			t.Fatal(err)
		}
		resp := e.do(nil, "POST", "/api/v1/territories/test/resources", tokLib,
			map[string]any{"organisation_id": org.ID, "kind": "item", "name": "Scie sauteuse", "quantity": 2})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, readBody(resp))
		}
		res := decode[struct {
			ID int64 `json:"id"`
		}](t, resp)
		start := nextSaturday(time.Now(), 10)
		slot := map[string]any{"start": start.Format(time.RFC3339), "end": start.Add(4 * time.Hour).Format(time.RFC3339), "quantity": 1}
		for _, tok := range []string{tokA, tokB} {
			resp := e.do(nil, "POST", fmt.Sprintf("/api/v1/resources/%d/reservations", res.ID), tok, slot)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("book: %d %s", resp.StatusCode, readBody(resp))
			}
			readBody(resp)
		}
		type exported struct {
			Booking booking.MemberData `json:"booking"`
		}
		got := decode[exported](t, e.do(nil, "GET", "/api/v1/me/export", tokA, nil)).Booking
		if len(got.Reservations) != 1 || got.Reservations[0].Resource != "Scie sauteuse" || !got.Reservations[0].Start.Equal(start) {
			t.Fatalf("reservations in A's export: %+v", got.Reservations)
		}
	})
}
