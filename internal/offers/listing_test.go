package offers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestCategoryCodes(t *testing.T) {
	seen := map[int]bool{}
	for _, c := range directory.Categories {
		code, ok := categoryCodes[c]
		if !ok || code < 1 || code > 15 || seen[code] {
			t.Errorf("category %q: code %d", c, code)
		}
		seen[code] = true
	}
}

func photo(n byte) media.Photo {
	k := strings.Repeat(string('a'+n), 32)
	return media.Photo{Key: k + ".jpg", ThumbKey: strings.Repeat("0", 31) + string('a'+n) + ".jpg", Width: 800, Height: 600,
		ThumbWidth: 200, ThumbHeight: 150, ContentType: media.TypeJPEG, Bytes: 1000}
}

func TestValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		now := e.clock.now()
		cases := []struct {
			name         string
			edit         func(l *Listing)
			field, key   string
			check        func(t *testing.T, l *Listing)
			wantKindOnly errs.Kind
		}{
			{name: "valid gift", check: func(t *testing.T, l *Listing) {
				if !l.ExpiresAt.Equal(now.Add(DefaultLifetime)) || l.Status != StatusActive || l.Quantity != 1 {
					t.Fatalf("defaults: %+v", l)
				}
			}},
			{name: "negative price", edit: func(l *Listing) { l.Mode, l.PriceCents = ModeRent, -500 }, field: "price_cents", key: "err.price_negative"},
			{name: "price on a gift", edit: func(l *Listing) { l.PriceCents = 500 }, field: "price_cents", key: "err.price_rent_only"},
			{name: "rent without price", edit: func(l *Listing) { l.Mode = ModeRent }, field: "price_cents", key: "err.price_required"},
			{name: "rent", edit: func(l *Listing) { l.Mode, l.PriceCents = ModeRent, 1500 }, check: func(t *testing.T, l *Listing) {
				if l.Currency != "EUR" || l.PriceCents != 1500 {
					t.Fatalf("rent: %+v", l)
				}
			}},
			{name: "expiry in the past", edit: func(l *Listing) { l.ExpiresAt = now.Add(-time.Hour) }, field: "expires_at", key: "err.expiry_past"},
			{name: "expiry too far", edit: func(l *Listing) { l.ExpiresAt = now.Add(91 * 24 * time.Hour) }, field: "expires_at", key: "err.expiry_too_far"},
			{name: "expiry in 90 days", edit: func(l *Listing) { l.ExpiresAt = now.Add(90 * 24 * time.Hour) }},
			{name: "HTML is kept as text, controls stripped", edit: func(l *Listing) {
				l.Title = "<b>Perceuse</b>\x00\x07 <script>alert(1)</script>\u202e"
				l.Description = "ligne 1\r\nligne 2\x1b[31m"
			}, check: func(t *testing.T, l *Listing) {
				got, err := e.svc.Get(ctx, e.member, e.ter, l.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Title != "<b>Perceuse</b> <script>alert(1)</script>" || got.Description != "ligne 1\nligne 2[31m" {
					t.Fatalf("stored %q / %q", got.Title, got.Description)
				}
			}},
			{name: "title too long", edit: func(l *Listing) { l.Title = strings.Repeat("é", MaxTitle+1) }, field: "title", key: "err.too_long"},
			{name: "description too long", edit: func(l *Listing) { l.Description = strings.Repeat("a", MaxDescription+1) }, field: "description", key: "err.too_long"},
			{name: "empty title", edit: func(l *Listing) { l.Title = " \x00 " }, field: "title", key: "err.required"},
			{name: "unknown category", edit: func(l *Listing) { l.Category = "weapons" }, field: "category", key: "err.category_unknown"},
			{name: "unknown mode", edit: func(l *Listing) { l.Mode = "sell" }, field: "mode", key: "err.listing_mode"},
			{name: "unknown kind", edit: func(l *Listing) { l.Kind = "ad" }, field: "kind", key: "err.listing_kind"},
			{name: "condition of a service", edit: func(l *Listing) { l.Mode = ModeService }, field: "condition", key: "err.condition_objects_only"},
			{name: "wanted on a gift", edit: func(l *Listing) { l.WantedInReturn = "des graines" }, field: "wanted_in_return", key: "err.wanted_swap_only"},
			{name: "swap", edit: func(l *Listing) { l.Mode, l.WantedInReturn = ModeSwap, "des graines" }},
			{name: "quantity", edit: func(l *Listing) { l.Quantity = MaxQuantity + 1 }, field: "quantity", key: "err.quantity_range"},
			{name: "outside the territory", edit: func(l *Listing) { l.ExactPosition = &geo.Point{Lat: 48.85, Lon: 2.35} }, field: "position", key: "err.outside_territory"},
			{name: "no position", edit: func(l *Listing) { l.ExactPosition = nil }, field: "position", key: "err.position_required"},
			{name: "seven photos", edit: func(l *Listing) {
				for i := range 7 {
					l.Photos = append(l.Photos, photo(byte(i)))
				}
			}, field: "photos", key: "err.photos_too_many"},
			{name: "fake photo key", edit: func(l *Listing) { l.Photos = []media.Photo{{Key: "../etc/passwd", ThumbKey: "x"}} }, field: "photos", key: "err.photo_invalid"},
			{name: "six photos", edit: func(l *Listing) {
				for i := range 6 {
					l.Photos = append(l.Photos, photo(byte(i)))
				}
			}, check: func(t *testing.T, l *Listing) {
				got, _ := e.svc.Get(ctx, e.member, e.ter, l.ID)
				if len(got.Photos) != 6 || got.Photos[5].Key != photo(5).Key {
					t.Fatalf("photos: %+v", got.Photos)
				}
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				l := sample("Perceuse", 45.76, 4.83)
				if c.edit != nil {
					c.edit(l)
				}
				err := e.svc.Create(ctx, e.owner, e.ter, l)
				if c.key != "" {
					if !errs.Is(err, errs.Invalid) || fieldKey(err, c.field) != c.key {
						t.Fatalf("got %v, want %s on %s", err, c.key, c.field)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if c.check != nil {
					c.check(t, l)
				}
			})
		}

		t.Run("another territory's id", func(t *testing.T) {
			l := e.create(t, e.owner, sample("Perceuse", 45.76, 4.83))
			if _, err := e.svc.Get(ctx, e.otherModerator, e.other, l.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("get from paris: %v", err)
			}
			if _, err := e.svc.Propose(ctx, e.otherModerator, e.other, l.ID, ""); !errs.Is(err, errs.NotFound) {
				t.Fatalf("propose from paris: %v", err)
			}
			if err := e.svc.Hide(ctx, e.otherModerator, e.other, l.ID, "spam"); !errs.Is(err, errs.NotFound) {
				t.Fatalf("hide from paris: %v", err)
			}
			if _, err := e.svc.Get(ctx, e.member, e.ter, 999999); !errs.Is(err, errs.NotFound) {
				t.Fatalf("unknown id: %v", err)
			}
		})

		t.Run("update keeps what it must", func(t *testing.T) {
			l := e.create(t, e.owner, sample("Perceuse", 45.76, 4.83))
			ch := *l
			ch.ExactPosition, ch.Title, ch.PriceCents = nil, "Perceuse à percussion", -1
			if err := e.svc.Update(ctx, e.owner, e.ter, &ch); fieldKey(err, "price_cents") != "err.price_negative" {
				t.Fatalf("bad update: %v", err)
			}
			got, _ := e.svc.Get(ctx, e.owner, e.ter, l.ID)
			if got.Title != "Perceuse" {
				t.Fatal("a refused update changed the listing")
			}
			ch.PriceCents = 0
			if err := e.svc.Update(ctx, e.owner, e.ter, &ch); err != nil {
				t.Fatal(err)
			}
			if ch.Title != "Perceuse à percussion" || *ch.ExactPosition != *l.ExactPosition || ch.Position != l.Position {
				t.Fatalf("updated: %+v", ch)
			}
		})
	})
}

func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		l := e.create(t, e.owner, sample("Perceuse", 45.76, 4.83))
		visible := func() bool {
			_, err := e.svc.Get(ctx, e.member, e.ter, l.ID)
			res, _ := e.svc.Search(ctx, e.anon, e.ter, Query{Text: "perceuse"})
			if (err == nil) != (len(res.Items) == 1) {
				t.Fatalf("get (%v) and search (%d) disagree", err, len(res.Items))
			}
			return err == nil
		}
		step := func(name string, err error, wantVisible bool) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if visible() != wantVisible {
				t.Fatalf("after %s: visible %v", name, !wantVisible)
			}
		}
		step("create", nil, true)
		_, err := e.svc.Pause(ctx, e.owner, e.ter, l.ID)
		step("pause", err, false)
		if _, err := e.svc.Pause(ctx, e.owner, e.ter, l.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("pause twice: %v", err)
		}
		_, err = e.svc.Resume(ctx, e.owner, e.ter, l.ID)
		step("resume", err, true)
		step("hide", e.svc.Hide(ctx, e.moderator, e.ter, l.ID, "annonce en double"), false)
		if _, err := e.svc.Get(ctx, e.owner, e.ter, l.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("owner reads a hidden listing: %v", err)
		}
		if got, err := e.svc.Get(ctx, e.moderator, e.ter, l.ID); err != nil || got.HideReason != "annonce en double" {
			t.Fatalf("moderator reads hidden: %v", err)
		}
		step("unhide", e.svc.Unhide(ctx, e.moderator, e.ter, l.ID), true)

		// Expiry: past the date the listing leaves search at once, and
		// the job flags it; renewing brings it back.
		e.clock.add(DefaultLifetime + time.Minute)
		step("expiry passes", nil, false)
		n, err := e.svc.ExpireDue(ctx, e.clock.now())
		if err != nil || n != 1 {
			t.Fatalf("expire: %d %v", n, err)
		}
		if n, _ := e.svc.ExpireDue(ctx, e.clock.now()); n != 0 {
			t.Fatalf("expired twice: %d", n)
		}
		mine, err := e.svc.MyListings(ctx, e.owner, e.ter)
		if err != nil || len(mine) != 1 || !mine[0].Expired || mine[0].ExactPosition == nil {
			t.Fatalf("my listings: %+v %v", mine, err)
		}
		got, err := e.svc.Renew(ctx, e.owner, e.ter, l.ID)
		step("renew", err, true)
		if got.Expired || !got.ExpiresAt.Equal(e.clock.now().Add(DefaultLifetime)) {
			t.Fatalf("renewed: %+v", got)
		}

		// A suspended owner's listings disappear, and come back.
		if _, err := e.svc.HideOwner(ctx, e.moderator, e.owner.UserID, true); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("moderator hides owner: %v", err)
		}
		n, err = e.svc.HideOwner(ctx, e.platform, e.owner.UserID, true)
		step("hide owner", err, false)
		if n != 1 {
			t.Fatalf("hid %d", n)
		}
		_, err = e.svc.HideOwner(ctx, e.platform, e.owner.UserID, false)
		step("show owner", err, true)

		_, err = e.svc.Close(ctx, e.owner, e.ter, l.ID)
		step("close", err, false)
		if _, err := e.svc.Renew(ctx, e.owner, e.ter, l.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("renew closed: %v", err)
		}
		st, err := e.svc.Stats(ctx, e.anon, e.ter)
		if err != nil || st.Listings[StatusClosed] != 1 || st.Searchable != 0 {
			t.Fatalf("stats: %+v %v", st, err)
		}
	})
}
