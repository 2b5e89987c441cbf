package messages

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestConversationAndUnread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		m1 := e.write(t, e.bob, drill, "Bonjour, la perceuse est-elle libre ?")
		e.clock.add(60e9)
		m2 := e.write(t, e.bob, drill, "Je peux passer samedi.")
		if m1.ConversationID != m2.ConversationID {
			t.Fatalf("second message started conversation %d, want %d", m2.ConversationID, m1.ConversationID)
		}
		if got := e.unread(t, e.alice); got != 2 {
			t.Fatalf("alice unread %d, want 2", got)
		}
		if got := e.unread(t, e.bob); got != 0 {
			t.Fatalf("bob unread %d, want 0 (his own messages)", got)
		}
		if got, _ := e.svc.UnreadCount(ctx, e.anon, e.ter); got != 0 {
			t.Fatalf("anonymous unread %d", got)
		}

		inbox, err := e.svc.Inbox(ctx, e.alice, e.ter)
		if err != nil || len(inbox) != 1 {
			t.Fatalf("alice inbox %+v, %v", inbox, err)
		}
		in := inbox[0]
		if in.OtherID != e.bob.UserID || in.Unread != 2 || in.SubjectTitle != "Perceuse" || in.SubjectKind != "listing" ||
			in.SubjectID != drill || in.Preview != "Je peux passer samedi." || in.LastSenderID != e.bob.UserID {
			t.Fatalf("inbox entry %+v", in)
		}
		if other, _ := e.svc.Inbox(ctx, e.alice, e.other); len(other) != 0 {
			t.Fatalf("conversation listed in another territory: %+v", other)
		}

		th, err := e.svc.Conversation(ctx, e.alice, e.ter, m1.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if len(th.Messages) != 2 || th.Messages[0].ID != m1.ID || th.Messages[1].Body != "Je peux passer samedi." ||
			th.OtherID != e.bob.UserID || th.Blocked || th.Truncated {
			t.Fatalf("thread %+v", th)
		}
		if got := e.unread(t, e.alice); got != 0 {
			t.Fatalf("alice unread %d after reading, want 0", got)
		}
		if _, err := e.svc.Send(ctx, e.alice, e.ter, m1.ConversationID, "Oui, à samedi."); err != nil {
			t.Fatal(err)
		}
		if got := e.unread(t, e.bob); got != 1 {
			t.Fatalf("bob unread %d, want 1", got)
		}

		// Carol writes about the same listing: her own conversation.
		c1 := e.write(t, e.carol, drill, "Je suis intéressée aussi.")
		if c1.ConversationID == m1.ConversationID {
			t.Fatal("carol joined bob's conversation")
		}
		e.write(t, e.carol, sofa, "Et le canapé ?")
		if got := e.unread(t, e.alice); got != 2 {
			t.Fatalf("alice unread %d, want 2", got)
		}
		inbox, _ = e.svc.Inbox(ctx, e.alice, e.ter)
		if len(inbox) != 3 || inbox[0].SubjectTitle != "Canapé" || inbox[2].ID != m1.ConversationID {
			t.Fatalf("inbox order: %+v", inbox)
		}
		// Bob reads: his unread goes, alice's stays.
		if _, err := e.svc.Conversation(ctx, e.bob, e.ter, m1.ConversationID); err != nil {
			t.Fatal(err)
		}
		if e.unread(t, e.bob) != 0 || e.unread(t, e.alice) != 2 {
			t.Fatalf("after bob read: bob %d alice %d", e.unread(t, e.bob), e.unread(t, e.alice))
		}
	})
}

func TestSendRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		if _, err := e.svc.SendAbout(ctx, e.alice, e.ter, "listing", drill, "À moi-même"); !isKey(err, "err.message_to_self") {
			t.Fatalf("writing to oneself: %v", err)
		}
		if _, err := e.svc.SendAbout(ctx, e.bob, e.ter, "casino", drill, "Bonjour"); !isKey(err, "err.subject_kind_unknown") {
			t.Fatalf("unknown kind: %v", err)
		}
		if _, err := e.svc.SendAbout(ctx, e.bob, e.ter, "listing", 404, "Bonjour"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown listing: %v", err)
		}
		if _, err := e.svc.Send(ctx, e.bob, e.ter, 404, "Bonjour"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown conversation: %v", err)
		}
		if _, err := e.svc.SendAbout(ctx, e.bob, e.other, "listing", drill, "Bonjour"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("writing in a territory one is not a member of: %v", err)
		}

		long := strings.Repeat("é", MaxBody)
		cases := []struct {
			name, body, want string // want "" means Invalid
		}{
			{"empty", "", ""},
			{"blank", " \n\t ", ""},
			{"only control characters", "\x00\x07\x1b", ""},
			{"too long", long + "a", ""},
			{"longest", long, long},
			{"control characters stripped", "a\x00b\x1b[31mc\u202ed", "ab[31mcd"},
			{"line ends", "un\r\ndeux\rtrois\n", "un\ndeux\ntrois"},
			{"html kept as text", "<b>gras</b> & <script>x</script>", "<b>gras</b> & <script>x</script>"},
			{"emoji joiner kept", "👩‍🔧", "👩‍🔧"},
			{"invalid utf-8 dropped", "ok\xff", "ok"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				m, err := e.svc.SendAbout(ctx, e.bob, e.ter, "listing", drill, tc.body)
				if tc.want == "" {
					if !errs.Is(err, errs.Invalid) {
						t.Fatalf("want invalid, got %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				th, err := e.svc.Conversation(ctx, e.bob, e.ter, m.ConversationID)
				if err != nil {
					t.Fatal(err)
				}
				if got := th.Messages[len(th.Messages)-1]; got.ID != m.ID || got.Body != tc.want {
					t.Fatalf("stored %q, want %q", got.Body, tc.want)
				}
			})
		}
	})
}

func isKey(err error, key string) bool {
	e, ok := errs.As(err)
	return ok && e.Key == key
}

func TestBlocking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		first := e.write(t, e.bob, drill, "Bonjour")
		if err := e.svc.Block(ctx, e.alice, e.ter, e.bob.UserID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Block(ctx, e.alice, e.ter, e.bob.UserID); err != nil {
			t.Fatalf("blocking twice: %v", err)
		}
		for _, pair := range [][2]int64{{1, 2}, {2, 1}} {
			if b, err := e.svc.Blocked(ctx, pair[0], pair[1]); err != nil || !b {
				t.Fatalf("Blocked(%d, %d) = %v, %v", pair[0], pair[1], b, err)
			}
		}
		if b, _ := e.svc.Blocked(ctx, 1, 3); b {
			t.Fatal("alice and carol blocked")
		}
		// Both ways: the blocked member cannot write, nor can the blocker.
		if _, err := e.svc.SendAbout(ctx, e.bob, e.ter, "listing", sofa, "Et le canapé ?"); !isKey(err, "err.blocked") || !errs.Is(err, errs.Forbidden) {
			t.Fatalf("blocked member starts a conversation: %v", err)
		}
		if _, err := e.svc.Send(ctx, e.bob, e.ter, first.ConversationID, "Allô ?"); !isKey(err, "err.blocked") {
			t.Fatalf("blocked member writes: %v", err)
		}
		if _, err := e.svc.Send(ctx, e.alice, e.ter, first.ConversationID, "Non."); !isKey(err, "err.blocked") {
			t.Fatalf("blocker writes: %v", err)
		}
		if _, err := e.svc.SendAbout(ctx, e.alice, e.ter, "listing", bike, "Le vélo ?"); !isKey(err, "err.blocked") {
			t.Fatalf("blocker writes about the blocked member's listing: %v", err)
		}
		// The conversation can still be read, without a reply form.
		th, err := e.svc.Conversation(ctx, e.bob, e.ter, first.ConversationID)
		if err != nil || !th.Blocked || len(th.Messages) != 1 {
			t.Fatalf("thread while blocked: %+v, %v", th, err)
		}
		// Bob cannot lift alice's block; alice can.
		if err := e.svc.Unblock(ctx, e.bob, e.ter, e.alice.UserID); err != nil {
			t.Fatal(err)
		}
		if b, _ := e.svc.Blocked(ctx, 2, 1); !b {
			t.Fatal("bob lifted alice's block")
		}
		if ids, err := e.svc.BlockedMembers(ctx, e.alice); err != nil || len(ids) != 1 || ids[0] != 2 {
			t.Fatalf("alice's blocks: %v, %v", ids, err)
		}
		if err := e.svc.Unblock(ctx, e.alice, e.ter, e.bob.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, e.bob, e.ter, first.ConversationID, "Merci !"); err != nil {
			t.Fatalf("after unblock: %v", err)
		}
		if err := e.svc.Block(ctx, e.alice, e.ter, e.alice.UserID); !isKey(err, "err.block_self") {
			t.Fatalf("blocking oneself: %v", err)
		}
		if err := e.svc.Block(ctx, e.alice, e.ter, 999); !errs.Is(err, errs.NotFound) {
			t.Fatalf("blocking nobody: %v", err)
		}
	})
}

func TestReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		first := e.write(t, e.bob, drill, "Bonjour")
		rude, err := e.svc.Send(ctx, e.alice, e.ter, first.ConversationID, "Propos injurieux")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Report(ctx, e.bob, e.ter, rude.ID, " "); !errs.Is(err, errs.Invalid) {
			t.Fatalf("report without reason: %v", err)
		}
		if _, err := e.svc.Report(ctx, e.bob, e.other, rude.ID, "Insulte"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("report through another territory: %v", err)
		}
		if _, err := e.svc.Report(ctx, e.bob, e.ter, 999, "Insulte"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("report of no message: %v", err)
		}
		rep, err := e.svc.Report(ctx, e.bob, e.ter, rude.ID, "Insulte")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Report(ctx, e.bob, e.ter, rude.ID, "Encore"); !isKey(err, "err.message_already_reported") {
			t.Fatalf("reporting twice: %v", err)
		}

		queue, err := e.svc.ReportedMessages(ctx, e.mod, e.ter)
		if err != nil || len(queue) != 1 {
			t.Fatalf("queue %+v, %v", queue, err)
		}
		if q := queue[0]; q.ID != rep.ID || q.Message.Body != "Propos injurieux" || q.Message.SenderID != e.alice.UserID ||
			q.ReporterID != e.bob.UserID || q.Reason != "Insulte" || q.ConversationID != first.ConversationID {
			t.Fatalf("queued report %+v", q)
		}
		// Moderators read the conversation through the report only.
		if _, err := e.svc.Conversation(ctx, e.mod, e.ter, first.ConversationID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("moderator reads a conversation directly: %v", err)
		}
		r, th, err := e.svc.ReportedConversation(ctx, e.mod, e.ter, rep.ID)
		if err != nil || r.ID != rep.ID || len(th.Messages) != 2 || th.Messages[1].ID != rude.ID {
			t.Fatalf("through the report: %+v %+v %v", r, th, err)
		}
		if got := e.unread(t, e.bob); got != 1 {
			t.Fatalf("a moderator's reading marked bob's message read: unread %d", got)
		}
		if _, _, err := e.svc.ReportedConversation(ctx, e.otherMod, e.other, rep.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("report read from another territory: %v", err)
		}

		if err := e.svc.Resolve(ctx, e.mod, e.ter, rep.ID, "Message retiré", true); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Resolve(ctx, e.mod, e.ter, rep.ID, "Encore", false); !isKey(err, "err.message_report_resolved") {
			t.Fatalf("resolving twice: %v", err)
		}
		if err := e.svc.Resolve(ctx, e.mod, e.ter, 999, "?", false); !isKey(err, "err.message_report_not_found") {
			t.Fatalf("resolving nothing: %v", err)
		}
		if queue, _ := e.svc.ReportedMessages(ctx, e.mod, e.ter); len(queue) != 0 {
			t.Fatalf("resolved report still queued: %+v", queue)
		}
		th, err = e.svc.Conversation(ctx, e.bob, e.ter, first.ConversationID)
		if err != nil || !th.Messages[1].Removed || th.Messages[1].Body != "" {
			t.Fatalf("removed message as bob sees it: %+v, %v", th, err)
		}
		inbox, _ := e.svc.Inbox(ctx, e.bob, e.ter)
		if len(inbox) != 1 || inbox[0].Preview != "" {
			t.Fatalf("inbox shows a removed message: %+v", inbox)
		}
		r, th, _ = e.svc.ReportedConversation(ctx, e.mod, e.ter, rep.ID)
		if r.ResolvedAt == nil || r.Resolution != "Message retiré" || r.ResolvedBy != e.mod.UserID || th.Messages[1].Body != "Propos injurieux" {
			t.Fatalf("moderator's view after removal: %+v %+v", r, th.Messages[1])
		}
	})
}

// TestConcurrentFirstMessages: many first messages at once about the same
// listing end in one conversation with every message counted.
func TestConcurrentFirstMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		const n = 12
		ids := make([]int64, n)
		errc := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := e.svc.SendAbout(ctx, e.bob, e.ter, "listing", sofa, "Bonjour !")
				if err != nil {
					errc <- err
					return
				}
				ids[i] = m.ConversationID
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("several conversations: %v", ids)
			}
		}
		if got := e.unread(t, e.alice); got != n {
			t.Fatalf("alice unread %d, want %d", got, n)
		}
		th, err := e.svc.Conversation(ctx, e.alice, e.ter, ids[0])
		if err != nil || len(th.Messages) != n {
			t.Fatalf("thread of %d messages, %v", len(th.Messages), err)
		}
	})
}

// TestReportedContext: the queue shows a reported message with a few of
// its conversation's messages on each side, to moderators only.
func TestReportedContext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		first := e.write(t, e.bob, drill, "Message 0")
		ids := []int64{first.ID}
		var reported *Message
		for i := 1; i <= 9; i++ {
			from := e.alice
			if i%2 == 0 {
				from = e.bob
			}
			m, err := e.svc.Send(ctx, from, e.ter, first.ConversationID, fmt.Sprintf("Message %d", i))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
			if i == 5 {
				reported = m
			}
		}
		rep, err := e.svc.Report(ctx, e.bob, e.ter, reported.ID, "Insulte")
		if err != nil {
			t.Fatal(err)
		}
		ms, err := e.svc.ReportedContext(ctx, e.mod, e.ter, rep)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, m := range ms {
			got = append(got, m.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(ids[2:9]) {
			t.Fatalf("context %v, want %v", got, ids[2:9])
		}
		// At the start of a conversation there is nothing before.
		rep0, err := e.svc.Report(ctx, e.alice, e.ter, first.ID, "Spam")
		if err != nil {
			t.Fatal(err)
		}
		if ms, err := e.svc.ReportedContext(ctx, e.mod, e.ter, rep0); err != nil || len(ms) != 4 || ms[0].ID != first.ID {
			t.Fatalf("context of the first message: %+v, %v", ms, err)
		}
		for _, a := range []access.Actor{e.bob, e.alice, e.otherMod} {
			if _, err := e.svc.ReportedContext(ctx, a, e.ter, rep); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%+v reads the context: %v", a, err)
			}
		}
		if _, err := e.svc.ReportedContext(ctx, e.otherMod, e.other, rep); !errs.Is(err, errs.NotFound) {
			t.Errorf("context through another territory: %v", err)
		}
	})
}
