package directory

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// ok is the expected outcome "allowed"; any other value is the error kind.
const ok = errs.Kind(-1)

func kindOf(err error) errs.Kind {
	if err == nil {
		return ok
	}
	return errs.KindOf(err)
}

type role struct {
	name  string
	actor func(e *env) access.Actor
}

var roles = []role{
	{"anonymous", func(e *env) access.Actor { return e.anon }},
	{"member", func(e *env) access.Actor { return e.member }},
	{"organiser of the org", func(e *env) access.Actor { return e.orgOrganiser }},
	{"organiser of another org", func(e *env) access.Actor { return e.otherOrganiser }},
	{"moderator", func(e *env) access.Actor { return e.moderator }},
	{"moderator of another territory", func(e *env) access.Actor { return e.otherModerator }},
	{"admin", func(e *env) access.Actor { return e.admin }},
}

// TestPermissions runs every action as every role against an initiative of
// organisation A and checks the outcome.
func TestPermissions(t *testing.T) {
	U, F, N := errs.Unauthenticated, errs.Forbidden, errs.NotFound
	type action struct {
		name string
		// want per role, in the order of roles
		want [7]errs.Kind
		// run acts on a fresh initiative of organisation A (pending when
		// pending is set, published otherwise).
		pending bool
		run     func(ctx context.Context, e *env, a access.Actor, in *Initiative) error
	}
	actions := []action{
		{name: "contribute", want: [7]errs.Kind{U, ok, ok, ok, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, _ *Initiative) error {
				return e.svc.Contribute(ctx, a, e.ter, sample("Nouveau", 45.75, 4.85))
			}},
		{name: "get pending", pending: true, want: [7]errs.Kind{N, N, ok, N, ok, N, ok},
			run: func(ctx context.Context, e *env, a access.Actor, in *Initiative) error {
				_, err := e.svc.Get(ctx, a, e.ter, in.ID)
				return err
			}},
		{name: "get published", want: [7]errs.Kind{ok, ok, ok, ok, ok, ok, ok},
			run: func(ctx context.Context, e *env, a access.Actor, in *Initiative) error {
				_, err := e.svc.Get(ctx, a, e.ter, in.ID)
				return err
			}},
		{name: "publish", pending: true, want: [7]errs.Kind{U, F, F, F, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, in *Initiative) error {
				return e.svc.Publish(ctx, a, e.ter, in.ID)
			}},
		{name: "reject", pending: true, want: [7]errs.Kind{U, F, F, F, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, in *Initiative) error {
				return e.svc.Reject(ctx, a, e.ter, in.ID, "duplicate")
			}},
		{name: "archive", want: [7]errs.Kind{U, F, F, F, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, in *Initiative) error {
				return e.svc.Archive(ctx, a, e.ter, in.ID)
			}},
		{name: "propose change", want: [7]errs.Kind{U, ok, ok, ok, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, in *Initiative) error {
				ch := *in
				ch.Summary = "changed"
				_, err := e.svc.ProposeChange(ctx, a, e.ter, in.ID, &ch, "")
				return err
			}},
		{name: "restore", want: [7]errs.Kind{U, F, ok, F, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, in *Initiative) error {
				_, err := e.svc.Restore(ctx, a, e.ter, in.ID, 1)
				return err
			}},
		{name: "report", want: [7]errs.Kind{U, ok, ok, ok, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, in *Initiative) error {
				_, err := e.svc.Report(ctx, a, e.ter, in.ID, "closed for good")
				return err
			}},
		{name: "moderation queue", want: [7]errs.Kind{U, F, F, F, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, _ *Initiative) error {
				_, err := e.svc.ModerationQueue(ctx, a, e.ter)
				return err
			}},
		{name: "import", want: [7]errs.Kind{U, F, F, F, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, _ *Initiative) error {
				_, err := e.svc.Import(ctx, a, e.ter, []ImportItem{{Row: 1, SourceKey: "k", Initiative: *sample("Importé", 45.72, 4.80)}}, false)
				return err
			}},
		{name: "open mapjam", want: [7]errs.Kind{U, F, F, F, ok, F, ok},
			run: func(ctx context.Context, e *env, a access.Actor, _ *Initiative) error {
				now := e.clock.now()
				return e.svc.OpenMapJam(ctx, a, e.ter, &MapJam{Title: "Jam", StartsAt: now, EndsAt: now.Add(3600e9)})
			}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		for _, act := range actions {
			for i, r := range roles {
				t.Run(act.name+"/"+r.name, func(t *testing.T) {
					in := sample("Atelier "+act.name+" "+r.name, 45.76, 4.83)
					in.OrganisationID = e.orgA
					author := e.moderator
					if act.pending {
						author = e.member2
					}
					if err := e.svc.Contribute(ctx, author, e.ter, in); err != nil {
						t.Fatalf("setup: %v", err)
					}
					err := act.run(ctx, e, r.actor(e), in)
					if got := kindOf(err); got != act.want[i] {
						t.Fatalf("got %v (%v), want %v", got, err, act.want[i])
					}
				})
			}
		}
		// A moderator of another territory passing their own territory
		// does not find entries of ours: every query filters by territory.
		in := e.published(t, sample("Ailleurs", 45.76, 4.83))
		if err := e.svc.Archive(ctx, e.otherModerator, e.other, in.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("cross-territory archive: %v", err)
		}
		if _, err := e.svc.Get(ctx, e.otherModerator, e.other, in.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("cross-territory get: %v", err)
		}
	})
}
