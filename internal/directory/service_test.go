package directory

import (
	"context"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func fieldKey(err error, field string) string {
	if e, ok := errs.As(err); ok {
		for _, f := range e.Fields {
			if f.Field == field {
				return f.Key
			}
		}
	}
	return ""
}

func TestContribute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		v0 := e.version(t)

		mine := sample("Jardin partagé", 45.75, 4.84)
		if err := e.svc.Contribute(ctx, e.member, e.ter, mine); err != nil {
			t.Fatal(err)
		}
		if mine.Status != StatusPending || mine.Revision != 1 || mine.CreatedBy != e.member.UserID {
			t.Fatalf("member contribution: %+v", mine)
		}
		if e.version(t) != v0 {
			t.Fatal("a pending contribution changed the published data version")
		}
		revs, err := e.svc.Revisions(ctx, e.member, e.ter, mine.ID)
		if err != nil || len(revs) != 1 || revs[0].Number != 1 || revs[0].Status != RevisionApplied || revs[0].AuthorID != e.member.UserID {
			t.Fatalf("revision 1: %+v %v", revs, err)
		}
		if res, _ := e.svc.Search(ctx, e.ter, Query{Text: "jardin"}); res.Total != 0 {
			t.Fatal("a pending initiative is searchable")
		}
		if pts, _ := e.svc.InBox(ctx, e.ter, lyonBox, Filter{}, 0); len(pts) != 0 {
			t.Fatal("a pending initiative is on the map")
		}

		pub := e.published(t, sample("Ressourcerie", 45.74, 4.82))
		if pub.Status != StatusPublished || e.version(t) != v0+1 {
			t.Fatalf("moderator contribution: status %s, version %d", pub.Status, e.version(t))
		}

		t.Run("outside the territory", func(t *testing.T) {
			err := e.svc.Contribute(ctx, e.member, e.ter, sample("Paris", 48.85, 2.35))
			if !errs.Is(err, errs.Invalid) || fieldKey(err, "position") != "err.outside_territory" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("invalid content", func(t *testing.T) {
			bad := sample(" ", 45.75, 4.84)
			bad.Categories = []string{"casino"}
			err := e.svc.Contribute(ctx, e.member, e.ter, bad)
			if fieldKey(err, "name") != "err.required" || fieldKey(err, "categories") != "err.category_unknown" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("during a mapjam", func(t *testing.T) {
			now := e.clock.now()
			jam := &MapJam{Title: "MapJam de printemps", Place: "Médiathèque", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(2 * time.Hour)}
			if err := e.svc.OpenMapJam(ctx, e.moderator, e.ter, jam); err != nil {
				t.Fatal(err)
			}
			in := sample("Grainothèque", 45.73, 4.81)
			if err := e.svc.Contribute(ctx, e.member, e.ter, in); err != nil || in.MapJamID != jam.ID {
				t.Fatalf("mapjam id %d, want %d (%v)", in.MapJamID, jam.ID, err)
			}
			d, err := e.svc.GetMapJam(ctx, e.moderator, e.ter, jam.ID)
			if err != nil || d.Contributions != 1 || len(d.Initiatives) != 1 {
				t.Fatalf("jam detail: %+v %v", d, err)
			}
			if d, _ := e.svc.GetMapJam(ctx, e.anon, e.ter, jam.ID); len(d.Initiatives) != 0 {
				t.Fatal("a visitor sees a pending jam contribution")
			}
			if err := e.svc.CloseMapJam(ctx, e.moderator, e.ter, jam.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.CloseMapJam(ctx, e.moderator, e.ter, jam.ID); !errs.Is(err, errs.Conflict) {
				t.Fatalf("closing twice: %v", err)
			}
			after := sample("Après", 45.73, 4.81)
			if err := e.svc.Contribute(ctx, e.member, e.ter, after); err != nil || after.MapJamID != 0 {
				t.Fatalf("after the jam: %d %v", after.MapJamID, err)
			}
			jams, err := e.svc.ListMapJams(ctx, e.ter)
			if err != nil || len(jams) != 1 || jams[0].ClosedAt == nil {
				t.Fatalf("jams: %+v %v", jams, err)
			}
			bad := &MapJam{Title: "x", StartsAt: now, EndsAt: now.Add(-time.Hour)}
			if err := e.svc.OpenMapJam(ctx, e.moderator, e.ter, bad); !errs.Is(err, errs.Invalid) {
				t.Fatalf("reversed dates: %v", err)
			}
		})
	})
}

func TestModeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		in := sample("Vélo-école", 45.75, 4.84)
		if err := e.svc.Contribute(ctx, e.member, e.ter, in); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Reject(ctx, e.moderator, e.ter, in.ID, " "); fieldKey(err, "reason") != "err.required" {
			t.Fatalf("reject without reason: %v", err)
		}
		if err := e.svc.Reject(ctx, e.moderator, e.ter, in.ID, "Hors sujet"); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Get(ctx, e.member, e.ter, in.ID)
		if err != nil || got.Status != StatusRejected || got.RejectReason != "Hors sujet" {
			t.Fatalf("author sees %+v %v", got, err)
		}
		if err := e.svc.Reject(ctx, e.moderator, e.ter, in.ID, "again"); !errs.Is(err, errs.Conflict) {
			t.Fatalf("rejecting a rejected entry: %v", err)
		}
		v := e.version(t)
		if err := e.svc.Publish(ctx, e.moderator, e.ter, in.ID); err != nil {
			t.Fatal(err)
		}
		if e.version(t) != v+1 {
			t.Fatal("publishing did not bump the data version")
		}
		if err := e.svc.Publish(ctx, e.moderator, e.ter, in.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("publishing twice: %v", err)
		}
		if err := e.svc.Archive(ctx, e.moderator, e.ter, in.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.anon, e.ter, in.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("archived entry visible: %v", err)
		}
		if _, err := e.svc.Get(ctx, e.moderator, e.ter, 999999); !errs.Is(err, errs.NotFound) {
			t.Fatalf("missing entry: %v", err)
		}

		t.Run("reports", func(t *testing.T) {
			pub := e.published(t, sample("Boîte à livres", 45.76, 4.83))
			if _, err := e.svc.Report(ctx, e.member, e.ter, pub.ID, ""); !errs.Is(err, errs.Invalid) {
				t.Fatalf("empty reason: %v", err)
			}
			r, err := e.svc.Report(ctx, e.member, e.ter, pub.ID, "Fermé depuis 2024")
			if err != nil {
				t.Fatal(err)
			}
			q, err := e.svc.ModerationQueue(ctx, e.moderator, e.ter)
			if err != nil || len(q.Reports) != 1 || q.Reports[0].InitiativeName != "Boîte à livres" {
				t.Fatalf("queue: %+v %v", q, err)
			}
			if err := e.svc.ResolveReport(ctx, e.member, e.ter, r.ID, "ok"); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("member resolves: %v", err)
			}
			if err := e.svc.ResolveReport(ctx, e.otherModerator, e.other, r.ID, "ok"); !errs.Is(err, errs.NotFound) {
				t.Fatalf("other territory resolves: %v", err)
			}
			if err := e.svc.ResolveReport(ctx, e.moderator, e.ter, r.ID, "Archivé"); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.ResolveReport(ctx, e.moderator, e.ter, r.ID, "Archivé"); !errs.Is(err, errs.Conflict) {
				t.Fatalf("resolving twice: %v", err)
			}
			if q, _ := e.svc.ModerationQueue(ctx, e.moderator, e.ter); len(q.Reports) != 0 {
				t.Fatal("a resolved report is still queued")
			}
		})
	})
}

func TestRevisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		in := sample("Atelier vélo", 45.75, 4.84)
		in.OrganisationID = e.orgA
		e.published(t, in)

		// A member's change waits; the entry stays as it is.
		ch := *in
		ch.Summary = "Réparez votre vélo vous-même"
		rev, err := e.svc.ProposeChange(ctx, e.member, e.ter, in.ID, &ch, "nouveau texte")
		if err != nil || rev.Status != RevisionPending || rev.Number != 2 {
			t.Fatalf("member change: %+v %v", rev, err)
		}
		if got, _ := e.svc.Get(ctx, e.anon, e.ter, in.ID); got.Summary != in.Summary || got.Revision != 1 {
			t.Fatalf("a pending change was applied: %+v", got)
		}
		q, _ := e.svc.ModerationQueue(ctx, e.moderator, e.ter)
		if len(q.Revisions) != 1 || q.Revisions[0].Number != 2 || q.Revisions[0].InitiativeName != "Atelier vélo" {
			t.Fatalf("queue: %+v", q.Revisions)
		}
		v := e.version(t)
		if err := e.svc.ApproveRevision(ctx, e.moderator, e.ter, in.ID, 2); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Get(ctx, e.anon, e.ter, in.ID)
		if got.Summary != ch.Summary || got.Revision != 2 || e.version(t) != v+1 {
			t.Fatalf("approved change: %+v version %d", got, e.version(t))
		}
		if err := e.svc.ApproveRevision(ctx, e.moderator, e.ter, in.ID, 2); !errs.Is(err, errs.Conflict) {
			t.Fatalf("approving twice: %v", err)
		}

		// Rejecting needs a reason and leaves the entry alone.
		ch2 := *got
		ch2.Name = "Spam"
		rev, _ = e.svc.ProposeChange(ctx, e.member, e.ter, in.ID, &ch2, "")
		if err := e.svc.RejectRevision(ctx, e.moderator, e.ter, in.ID, rev.Number, ""); !errs.Is(err, errs.Invalid) {
			t.Fatalf("reject without reason: %v", err)
		}
		if err := e.svc.RejectRevision(ctx, e.moderator, e.ter, in.ID, rev.Number, "vandalisme"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RejectRevision(ctx, e.moderator, e.ter, in.ID, 99, "x"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown revision: %v", err)
		}

		// The organisation's organiser edits directly.
		ch3 := *got
		ch3.Phone = "04 78 00 00 00"
		rev, err = e.svc.ProposeChange(ctx, e.orgOrganiser, e.ter, in.ID, &ch3, "")
		if err != nil || rev.Status != RevisionApplied || rev.Number != 4 {
			t.Fatalf("organiser change: %+v %v", rev, err)
		}
		// ...but cannot hand the entry to an organisation they do not run.
		ch4 := ch3
		ch4.OrganisationID = e.orgB
		if rev, _ = e.svc.ProposeChange(ctx, e.orgOrganiser, e.ter, in.ID, &ch4, ""); rev.Status != RevisionPending {
			t.Fatalf("moving to another organisation applied at once: %+v", rev)
		}
		// A change outside the territory is refused.
		ch5 := ch3
		ch5.Position = geo.Point{Lat: 48.85, Lon: 2.35}
		if _, err := e.svc.ProposeChange(ctx, e.moderator, e.ter, in.ID, &ch5, ""); fieldKey(err, "position") != "err.outside_territory" {
			t.Fatalf("change outside: %v", err)
		}

		revs, err := e.svc.Revisions(ctx, e.anon, e.ter, in.ID)
		if err != nil || len(revs) != 5 {
			t.Fatalf("revisions: %d %v", len(revs), err)
		}
		wantStatus := []RevisionStatus{RevisionApplied, RevisionApplied, RevisionRejected, RevisionApplied, RevisionPending}
		for i, r := range revs {
			if r.Number != i+1 || r.Status != wantStatus[i] {
				t.Fatalf("revision %d: number %d status %s", i, r.Number, r.Status)
			}
		}
		if len(revs[1].Changes) != 1 || revs[1].Changes[0] != (FieldChange{"summary", "Un lieu de partage", ch.Summary}) {
			t.Fatalf("diff of revision 2: %+v", revs[1].Changes)
		}
		// Revision 4 differs from 2 (the previous applied one) by the phone only.
		if len(revs[3].Changes) != 1 || revs[3].Changes[0].Field != "phone" {
			t.Fatalf("diff of revision 4: %+v", revs[3].Changes)
		}
		if revs[2].ReviewNote != "vandalisme" || revs[2].ReviewedBy != e.moderator.UserID {
			t.Fatalf("rejected revision: %+v", revs[2])
		}

		// Restore revision 1: a new applied revision with the old content.
		if _, err := e.svc.Restore(ctx, e.otherOrganiser, e.ter, in.ID, 1); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("another organiser restores: %v", err)
		}
		rev, err = e.svc.Restore(ctx, e.orgOrganiser, e.ter, in.ID, 1)
		if err != nil || rev.Number != 6 || rev.Status != RevisionApplied {
			t.Fatalf("restore: %+v %v", rev, err)
		}
		got, _ = e.svc.Get(ctx, e.anon, e.ter, in.ID)
		if got.Summary != in.Summary || got.Phone != "" || got.Revision != 6 {
			t.Fatalf("restored content: %+v", got)
		}
	})
}

func TestStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		a := sample("A", 45.75, 4.84)
		a.Categories = []string{"food", "energy"}
		e.published(t, a)
		e.published(t, sample("B", 45.75, 4.84))
		if err := e.svc.Contribute(ctx, e.member, e.ter, sample("C", 45.75, 4.84)); err != nil {
			t.Fatal(err)
		}
		st, err := e.svc.Stats(ctx, e.ter)
		if err != nil || st.ByStatus[StatusPublished] != 2 || st.ByStatus[StatusPending] != 1 ||
			st.PublishedCategory["food"] != 1 || st.PublishedCategory["waste_repair"] != 1 || st.PublishedKind[KindAssociation] != 2 {
			t.Fatalf("stats: %+v %v", st, err)
		}
		var n int
		if err := e.svc.All(ctx, e.ter, func(*Initiative) error { n++; return nil }); err != nil || n != 2 {
			t.Fatalf("all: %d %v", n, err)
		}
	})
}
