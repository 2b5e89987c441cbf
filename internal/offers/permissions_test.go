package offers

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

type role struct {
	name  string
	actor func(e *env) access.Actor
}

// roles: the owner of the listing, a member who proposed an exchange on it
// (the requester), another member, moderators here and elsewhere.
var roles = []role{
	{"anonymous", func(e *env) access.Actor { return e.anon }},
	{"owner", func(e *env) access.Actor { return e.owner }},
	{"requester", func(e *env) access.Actor { return e.member }},
	{"other member", func(e *env) access.Actor { return e.member2 }},
	{"moderator", func(e *env) access.Actor { return e.moderator }},
	{"moderator of another territory", func(e *env) access.Actor { return e.otherModerator }},
}

// TestPermissions runs every action as every role on a fresh listing of
// the owner (with a proposal by the requester) and checks the outcome.
func TestPermissions(t *testing.T) {
	U, F, N, C, I := errs.Unauthenticated, errs.Forbidden, errs.NotFound, errs.Conflict, errs.Invalid
	type fixture struct {
		l  *Listing
		ex *Exchange
	}
	type action struct {
		name  string
		want  [6]errs.Kind
		setup func(ctx context.Context, e *env, f *fixture) // after the listing and proposal exist
		run   func(ctx context.Context, e *env, a access.Actor, f *fixture) error
	}
	paused := func(ctx context.Context, e *env, f *fixture) { _, _ = e.svc.Pause(ctx, e.owner, e.ter, f.l.ID) }
	hidden := func(ctx context.Context, e *env, f *fixture) { _ = e.svc.Hide(ctx, e.moderator, e.ter, f.l.ID, "spam") }
	accepted := func(ctx context.Context, e *env, f *fixture) { _, _ = e.svc.Accept(ctx, e.owner, e.ter, f.ex.ID) }
	get := func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
		_, err := e.svc.Get(ctx, a, e.ter, f.l.ID)
		return err
	}
	actions := []action{
		{name: "create", want: [6]errs.Kind{U, ok, ok, ok, ok, F},
			run: func(ctx context.Context, e *env, a access.Actor, _ *fixture) error {
				return e.svc.Create(ctx, a, e.ter, sample("Scie", 45.75, 4.84))
			}},
		{name: "get active", want: [6]errs.Kind{ok, ok, ok, ok, ok, ok}, run: get},
		{name: "get paused", setup: paused, want: [6]errs.Kind{N, ok, N, N, ok, N}, run: get},
		{name: "get hidden", setup: hidden, want: [6]errs.Kind{N, N, N, N, ok, N}, run: get},
		{name: "update", want: [6]errs.Kind{U, ok, F, F, F, F},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				ch := *f.l
				ch.ExactPosition, ch.Title = nil, "Perceuse sans fil"
				return e.svc.Update(ctx, a, e.ter, &ch)
			}},
		{name: "update paused", setup: paused, want: [6]errs.Kind{U, ok, N, N, F, N},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				ch := *f.l
				ch.ExactPosition = nil
				return e.svc.Update(ctx, a, e.ter, &ch)
			}},
		{name: "renew", want: [6]errs.Kind{U, ok, F, F, F, F},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.Renew(ctx, a, e.ter, f.l.ID)
				return err
			}},
		{name: "close", want: [6]errs.Kind{U, ok, F, F, F, F},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.Close(ctx, a, e.ter, f.l.ID)
				return err
			}},
		{name: "hide", want: [6]errs.Kind{U, F, F, F, ok, F},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				return e.svc.Hide(ctx, a, e.ter, f.l.ID, "spam")
			}},
		{name: "unhide", setup: hidden, want: [6]errs.Kind{U, F, F, F, ok, F},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				return e.svc.Unhide(ctx, a, e.ter, f.l.ID)
			}},
		{name: "propose", want: [6]errs.Kind{U, I, C, ok, ok, F},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.Propose(ctx, a, e.ter, f.l.ID, "Bonjour !")
				return err
			}},
		{name: "accept", want: [6]errs.Kind{U, ok, F, N, N, N},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.Accept(ctx, a, e.ter, f.ex.ID)
				return err
			}},
		{name: "decline", want: [6]errs.Kind{U, ok, F, N, N, N},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.Decline(ctx, a, e.ter, f.ex.ID, "")
				return err
			}},
		{name: "cancel", want: [6]errs.Kind{U, ok, ok, N, N, N},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.Cancel(ctx, a, e.ter, f.ex.ID, "empêchement")
				return err
			}},
		{name: "mark done", setup: accepted, want: [6]errs.Kind{U, ok, ok, N, N, N},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.MarkDone(ctx, a, e.ter, f.ex.ID)
				return err
			}},
		{name: "get exchange", want: [6]errs.Kind{U, ok, ok, N, ok, N},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.GetExchange(ctx, a, e.ter, f.ex.ID)
				return err
			}},
		{name: "listing exchanges", want: [6]errs.Kind{U, ok, F, F, ok, F},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.ListingExchanges(ctx, a, e.ter, f.l.ID)
				return err
			}},
		{name: "report listing", want: [6]errs.Kind{U, ok, ok, ok, ok, F},
			run: func(ctx context.Context, e *env, a access.Actor, f *fixture) error {
				_, err := e.svc.Report(ctx, a, e.ter, TargetListing, f.l.ID, "arnaque")
				return err
			}},
		{name: "moderation queue", want: [6]errs.Kind{U, F, F, F, ok, F},
			run: func(ctx context.Context, e *env, a access.Actor, _ *fixture) error {
				_, err := e.svc.ModerationQueue(ctx, a, e.ter)
				return err
			}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		for _, act := range actions {
			for i, r := range roles {
				t.Run(act.name+"/"+r.name, func(t *testing.T) {
					f := &fixture{l: e.create(t, e.owner, sample("Perceuse "+act.name, 45.76, 4.83))}
					var err error
					if f.ex, err = e.svc.Propose(ctx, e.member, e.ter, f.l.ID, "Je peux passer samedi ?"); err != nil {
						t.Fatalf("setup: %v", err)
					}
					if act.setup != nil {
						act.setup(ctx, e, f)
					}
					err = act.run(ctx, e, r.actor(e), f)
					if got := kindOf(err); got != act.want[i] {
						t.Fatalf("got %v (%v), want %v", got, err, act.want[i])
					}
				})
			}
		}
	})
}
