package directory

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestConcurrentChanges races 50 writers on one initiative: members
// proposing, moderators editing, approving, archiving and publishing.
// Revision numbers must stay unique and contiguous, and the entry must show
// an applied revision.
func TestConcurrentChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		in := e.published(t, sample("Fablab", 45.76, 4.83))
		const n = 50
		var wg sync.WaitGroup
		errc := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ch := *sample(fmt.Sprintf("Fablab %d", i), 45.76, 4.83)
				var err error
				switch i % 5 {
				case 0, 1:
					_, err = e.svc.ProposeChange(ctx, e.member, e.ter, in.ID, &ch, "")
				case 2:
					_, err = e.svc.ProposeChange(ctx, e.moderator, e.ter, in.ID, &ch, "")
				case 3:
					err = e.svc.Archive(ctx, e.moderator, e.ter, in.ID)
				case 4:
					err = e.svc.Publish(ctx, e.moderator, e.ter, in.ID)
				}
				// Status moves race each other; a Conflict is a fair answer,
				// and so is NotFound for a member while the entry is archived.
				if err != nil && !errs.Is(err, errs.Conflict) && !(i%5 < 2 && errs.Is(err, errs.NotFound)) {
					errc <- err
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		revs, err := e.svc.Revisions(ctx, e.moderator, e.ter, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range revs {
			if r.Number != i+1 {
				t.Fatalf("revision %d has number %d", i+1, r.Number)
			}
		}
		got, _ := e.svc.Get(ctx, e.moderator, e.ter, in.ID)
		if got.Revision < 1 || got.Revision > len(revs) || revs[got.Revision-1].Status != RevisionApplied {
			t.Fatalf("current revision %d of %d is not applied", got.Revision, len(revs))
		}
		if revs[got.Revision-1].Content.Name != got.Name {
			t.Fatalf("shown name %q differs from its revision %q", got.Name, revs[got.Revision-1].Content.Name)
		}
		t.Logf("%d revisions", len(revs))

		// Only changes, on a published entry: every one gets its number.
		if got.Status != StatusPublished {
			if err := e.svc.Publish(ctx, e.moderator, e.ter, in.ID); err != nil {
				t.Fatal(err)
			}
		}
		before := len(revs)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				actor := e.member
				if i%2 == 0 {
					actor = e.moderator
				}
				ch := *sample(fmt.Sprintf("Fablab bis %d", i), 45.76, 4.83)
				if _, err := e.svc.ProposeChange(ctx, actor, e.ter, in.ID, &ch, ""); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		revs, _ = e.svc.Revisions(ctx, e.moderator, e.ter, in.ID)
		if len(revs) != before+n {
			t.Fatalf("%d revisions, want %d", len(revs), before+n)
		}
		for i, r := range revs {
			if r.Number != i+1 {
				t.Fatalf("revision %d has number %d", i+1, r.Number)
			}
		}
	})
}
