package offers

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestSubjectTitle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		l := e.create(t, e.owner, sample("Perceuse à percussion", 45.76, 4.84))
		title, owner, err := e.svc.SubjectTitle(ctx, e.ter, "listing", l.ID)
		if err != nil || title != "Perceuse à percussion" || owner != e.owner.UserID {
			t.Fatalf("subject: %q %d %v", title, owner, err)
		}
		if _, _, err := e.svc.SubjectTitle(ctx, e.other, "listing", l.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another territory's listing: %v", err)
		}
		if _, _, err := e.svc.SubjectTitle(ctx, e.ter, "trip", l.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another kind: %v", err)
		}
		if err := e.svc.Hide(ctx, e.moderator, e.ter, l.ID, "spam"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.SubjectTitle(ctx, e.ter, "listing", l.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a hidden listing is still a subject: %v", err)
		}
	})
}
