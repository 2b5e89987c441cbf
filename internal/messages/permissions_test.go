package messages

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

var roles = []role{
	{"anonymous", func(e *env) access.Actor { return e.anon }},
	{"starter", func(e *env) access.Actor { return e.bob }},
	{"owner", func(e *env) access.Actor { return e.alice }},
	{"other member", func(e *env) access.Actor { return e.carol }},
	{"moderator", func(e *env) access.Actor { return e.mod }},
	{"moderator of another territory", func(e *env) access.Actor { return e.otherMod }},
}

// fixture is what each case acts on: bob wrote to alice about her drill,
// she answered with reply, and bob reported the reply.
type fixture struct {
	conversationID, reply, report int64
}

// TestPermissions runs every action as every role and checks the outcome.
func TestPermissions(t *testing.T) {
	U, F, N, I := errs.Unauthenticated, errs.Forbidden, errs.NotFound, errs.Invalid
	actions := []struct {
		name string
		want [6]errs.Kind // per role, in the order of roles
		run  func(ctx context.Context, e *env, a access.Actor, f fixture) error
	}{
		{"send", [6]errs.Kind{U, ok, ok, N, N, F}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			_, err := e.svc.Send(ctx, a, e.ter, f.conversationID, "Toujours disponible ?")
			return err
		}},
		{"read conversation", [6]errs.Kind{U, ok, ok, N, N, N}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			_, err := e.svc.Conversation(ctx, a, e.ter, f.conversationID)
			return err
		}},
		{"read conversation from another territory", [6]errs.Kind{U, N, N, N, N, N}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			_, err := e.svc.Conversation(ctx, a, e.other, f.conversationID)
			return err
		}},
		{"inbox", [6]errs.Kind{U, ok, ok, ok, ok, ok}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			_, err := e.svc.Inbox(ctx, a, e.ter)
			return err
		}},
		{"report the reply", [6]errs.Kind{U, ok, I, N, N, F}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			_, err := e.svc.Report(ctx, a, e.ter, f.reply, "Propos insultants")
			if errs.Is(err, errs.Conflict) && a.UserID == e.bob.UserID {
				return nil // the fixture's own report: reporting again conflicts
			}
			return err
		}},
		{"moderation queue", [6]errs.Kind{U, F, F, F, ok, F}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			_, err := e.svc.ReportedMessages(ctx, a, e.ter)
			return err
		}},
		{"conversation through report", [6]errs.Kind{U, F, F, F, ok, F}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			_, _, err := e.svc.ReportedConversation(ctx, a, e.ter, f.report)
			return err
		}},
		{"resolve report", [6]errs.Kind{U, F, F, F, ok, F}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			return e.svc.Resolve(ctx, a, e.ter, f.report, "Averti", false)
		}},
		{"block and unblock", [6]errs.Kind{U, ok, ok, ok, ok, F}, func(ctx context.Context, e *env, a access.Actor, f fixture) error {
			if err := e.svc.Block(ctx, a, e.ter, 5); err != nil {
				return err
			}
			return e.svc.Unblock(ctx, a, e.ter, 5)
		}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		for _, act := range actions {
			for i, r := range roles {
				t.Run(act.name+"/"+r.name, func(t *testing.T) {
					first := e.write(t, e.bob, drill, "Bonjour, la perceuse est-elle libre samedi ?")
					reply, err := e.svc.Send(ctx, e.alice, e.ter, first.ConversationID, "Oui, passez à 10 h.")
					if err != nil {
						t.Fatal(err)
					}
					rep, err := e.svc.Report(ctx, e.bob, e.ter, reply.ID, "Pour le test")
					if err != nil {
						t.Fatal(err)
					}
					f := fixture{conversationID: first.ConversationID, reply: reply.ID, report: rep.ID}
					if got := kindOf(act.run(ctx, e, r.actor(e), f)); got != act.want[i] {
						t.Fatalf("got %v, want %v", got, act.want[i])
					}
				})
			}
		}
	})
}
