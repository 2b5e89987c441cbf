package messages

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

const aliceMail = "Alice@example.org"

func (e *env) digests(t testing.TB) int {
	t.Helper()
	n, err := e.svc.SendDigests(context.Background(), e.clock.now())
	if err != nil {
		t.Fatalf("send digests: %v", err)
	}
	return n
}

func TestDigestGroupsMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.write(t, e.bob, drill, "Premier message de Bob")
		e.clock.add(time.Minute)
		e.write(t, e.bob, drill, "Deuxième message\nsur deux lignes")
		e.write(t, e.carol, sofa, "Message de Carol")

		if due, _ := e.svc.DigestDue(ctx, e.alice.UserID, e.clock.now()); due {
			t.Fatal("digest due before the delay")
		}
		if n := e.digests(t); n != 0 {
			t.Fatalf("%d digests sent before the delay", n)
		}
		e.clock.add(5 * time.Minute)
		if due, _ := e.svc.DigestDue(ctx, e.alice.UserID, e.clock.now()); !due {
			t.Fatal("digest not due after the delay")
		}
		if n := e.digests(t); n != 1 {
			t.Fatalf("%d digests sent, want 1", n)
		}
		got := e.mails(t, aliceMail)
		if len(got) != 1 {
			t.Fatalf("%d mails to alice, want 1", len(got))
		}
		m := got[0]
		if m.Subject != "Vous avez 3 nouveaux messages sur Sharing City" {
			t.Fatalf("subject %q", m.Subject)
		}
		for _, want := range []string{"Bonjour Alice,", "Bob, à propos de « Perceuse »", "Premier message de Bob",
			"Deuxième message sur deux lignes", "Carol, à propos de « Canapé »", "Message de Carol",
			"https://partage.example.org/t/lyon/messages", "toutes les 15 minutes"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("mail lacks %q:\n%s", want, m.Body)
			}
		}
		if n := e.digests(t); n != 0 {
			t.Fatalf("sent again: %d", n)
		}

		// A new message within the interval waits for it, and the next
		// mail lists only what is new.
		e.clock.add(time.Minute)
		e.write(t, e.bob, drill, "Quatrième message")
		e.clock.add(6 * time.Minute)
		if n := e.digests(t); n != 0 {
			t.Fatalf("second digest within 15 minutes: %d", n)
		}
		e.clock.add(7 * time.Minute) // 14 minutes after the first digest
		if n := e.digests(t); n != 0 {
			t.Fatalf("second digest within 15 minutes: %d", n)
		}
		e.clock.add(time.Minute)
		if n := e.digests(t); n != 1 {
			t.Fatalf("second digest: %d sent", n)
		}
		got = e.mails(t, aliceMail)
		if len(got) != 2 || got[0].Subject != "Vous avez un nouveau message sur Sharing City" ||
			!strings.Contains(got[0].Body, "Quatrième message") || strings.Contains(got[0].Body, "Premier message") {
			t.Fatalf("second digest: %+v", got[0])
		}
		// Nothing went to the senders.
		if len(e.mails(t, "bob@example.org")) != 0 || len(e.mails(t, "carol@example.org")) != 0 {
			t.Fatal("a sender was mailed")
		}
	})
}

func TestDigestSkippedWhenRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		m := e.write(t, e.bob, drill, "Bonjour")
		e.write(t, e.bob, drill, "Vous êtes là ?")
		e.clock.add(2 * time.Minute)
		if _, err := e.svc.Conversation(ctx, e.alice, e.ter, m.ConversationID); err != nil {
			t.Fatal(err)
		}
		st, _ := e.svc.NotificationState(ctx, e.alice.UserID)
		if st.PendingSince != nil {
			t.Fatalf("pending after reading everything: %+v", st)
		}
		e.clock.add(time.Hour)
		if n := e.digests(t); n != 0 || len(e.mails(t, aliceMail)) != 0 {
			t.Fatalf("mail after reading: %d", n)
		}

		// Read in one conversation but not the other: still pending; the
		// mail lists only the unread one.
		e.write(t, e.bob, drill, "Message lu")
		e.write(t, e.carol, sofa, "Message non lu")
		if _, err := e.svc.Conversation(ctx, e.alice, e.ter, m.ConversationID); err != nil {
			t.Fatal(err)
		}
		e.clock.add(10 * time.Minute)
		if n := e.digests(t); n != 1 {
			t.Fatalf("%d sent", n)
		}
		got := e.mails(t, aliceMail)
		if len(got) != 1 || strings.Contains(got[0].Body, "Message lu") || !strings.Contains(got[0].Body, "Message non lu") {
			t.Fatalf("mail %+v", got)
		}

		// Read between the claim's due time and the run: nothing at all.
		e.write(t, e.bob, drill, "Encore un")
		e.clock.add(20 * time.Minute)
		if _, err := e.svc.Conversation(ctx, e.alice, e.ter, m.ConversationID); err != nil {
			t.Fatal(err)
		}
		if n := e.digests(t); n != 0 {
			t.Fatalf("%d sent after reading", n)
		}
	})
}

func TestDigestInRecipientLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.write(t, e.alice, bike, "Bonjour Bob, le vélo est-il libre ?")
		e.clock.add(10 * time.Minute)
		if n := e.digests(t); n != 1 {
			t.Fatalf("%d sent", n)
		}
		got := e.mails(t, "bob@example.org")
		if len(got) != 1 || got[0].Subject != "You have a new message on Sharing City" ||
			!strings.Contains(got[0].Body, "Hello Bob,") || !strings.Contains(got[0].Body, "Alice, about “Vélo”") {
			t.Fatalf("english digest: %+v", got)
		}
	})
}

// TestConcurrentDigests: instances running SendDigests at once send one
// mail per member.
func TestConcurrentDigests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.write(t, e.bob, drill, "Un")
		e.write(t, e.bob, drill, "Deux")
		e.write(t, e.alice, bike, "Trois")
		e.clock.add(10 * time.Minute)
		// Two services over the same database, as two instances would be.
		other := NewService(NewSQLStore(db), e.svc.people, e.svc.territories, e.outbox, nil, e.clock.now, e.svc.opts)
		const runs = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := e.svc
				if i%2 == 1 {
					svc = other
				}
				n, err := svc.SendDigests(context.Background(), e.clock.now())
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 2 {
			t.Fatalf("%d digests sent in total, want 2", total)
		}
		if a, b := len(e.mails(t, aliceMail)), len(e.mails(t, "bob@example.org")); a != 1 || b != 1 {
			t.Fatalf("alice got %d mails, bob %d; want 1 each", a, b)
		}
	})
}

// failing refuses to send while down is set.
type failing struct {
	mail.Sender
	mu   sync.Mutex
	down bool
}

func (f *failing) Send(ctx context.Context, m mail.Message) error {
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down {
		return errors.New("smtp: connection refused")
	}
	return f.Sender.Send(ctx, m)
}

func TestDigestRetriedAfterMailFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		f := &failing{Sender: e.outbox, down: true}
		e.svc.mailer = f
		e.write(t, e.bob, drill, "Bonjour")
		e.clock.add(10 * time.Minute)
		if n, err := e.svc.SendDigests(context.Background(), e.clock.now()); err == nil || n != 0 {
			t.Fatalf("failed send: %d, %v", n, err)
		}
		f.mu.Lock()
		f.down = false
		f.mu.Unlock()
		e.clock.add(time.Minute)
		if n := e.digests(t); n != 1 || len(e.mails(t, aliceMail)) != 1 {
			t.Fatalf("retry sent %d", n)
		}
	})
}

func TestRegisterJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var handler func(context.Context, json.RawMessage) error
		var interval time.Duration
		e.svc.RegisterJobs(func(kind string, h func(context.Context, json.RawMessage) error) {
			if kind != DigestJob {
				t.Fatalf("registered %q", kind)
			}
			handler = h
		}, func(kind string, d time.Duration) {
			if kind != DigestJob {
				t.Fatalf("periodic %q", kind)
			}
			interval = d
		})
		if handler == nil || interval != time.Minute {
			t.Fatalf("handler %v, interval %v", handler != nil, interval)
		}
		e.write(t, e.bob, drill, "Bonjour")
		e.clock.add(10 * time.Minute)
		if err := handler(context.Background(), json.RawMessage(`{}`)); err != nil {
			t.Fatal(err)
		}
		if len(e.mails(t, aliceMail)) != 1 {
			t.Fatal("the job sent no digest")
		}
	})
}
