package mail_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func fixedClock() func() time.Time {
	t := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	return func() time.Time { return t }
}

func TestOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var logBuf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logBuf, nil))
		ob := mail.NewOutbox(db, log, fixedClock())

		secret := "token=SECRET-IN-BODY"
		if err := ob.Send(ctx, mail.Message{To: "Alice@Example.org", Subject: "Bienvenue", Body: "Hello " + secret}); err != nil {
			t.Fatal(err)
		}
		if err := ob.Send(ctx, mail.Message{To: "bob@example.org", Subject: "Réinitialisation", Body: "b"}); err != nil {
			t.Fatal(err)
		}
		logged := logBuf.String()
		if !strings.Contains(logged, "mail queued in outbox") || !strings.Contains(logged, "alice@example.org") && !strings.Contains(logged, "Alice@Example.org") || !strings.Contains(logged, "Bienvenue") {
			t.Fatalf("log does not name recipient and subject: %s", logged)
		}
		if strings.Contains(logged, secret) {
			t.Fatalf("log leaks the body: %s", logged)
		}

		all, err := ob.List(ctx, "", 0)
		if err != nil || len(all) != 2 || all[0].To != "bob@example.org" {
			t.Fatalf("list all: %+v %v", all, err)
		}
		alice, err := ob.List(ctx, "ALICE@example.org", 10)
		if err != nil || len(alice) != 1 {
			t.Fatalf("list alice: %+v %v", alice, err)
		}
		m := alice[0]
		if m.Subject != "Bienvenue" || !strings.Contains(m.Body, secret) || m.SentAt != nil || m.Error != "" ||
			!m.CreatedAt.Equal(fixedClock()()) {
			t.Fatalf("stored message: %+v", m)
		}
		if one, _ := ob.List(ctx, "", 1); len(one) != 1 {
			t.Fatalf("limit ignored: %d", len(one))
		}
		n, err := ob.DeleteFor(ctx, "alice@example.org")
		if err != nil || n != 1 {
			t.Fatalf("delete for alice: %d %v", n, err)
		}
		if rest, _ := ob.List(ctx, "", 0); len(rest) != 1 {
			t.Fatalf("after delete: %+v", rest)
		}
	})
}

func TestMessageValidate(t *testing.T) {
	cases := map[string]mail.Message{
		"no recipient":         {Subject: "s", Body: "b"},
		"two recipients":       {To: "a@example.org, b@example.org", Subject: "s"},
		"display name":         {To: "Eve <eve@example.org>", Subject: "s"},
		"header injection":     {To: "a@example.org", Subject: "hi\r\nBcc: x@example.org"},
		"empty subject":        {To: "a@example.org", Subject: " "},
		"invalid utf-8 body":   {To: "a@example.org", Subject: "s", Body: "\xff"},
		"subject far too long": {To: "a@example.org", Subject: strings.Repeat("x", 300)},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			if err := m.Validate(); !errs.Is(err, errs.Invalid) {
				t.Fatalf("want invalid, got %v", err)
			}
		})
	}
}

func smtpConfig(t *testing.T, srv string) mail.SMTPConfig {
	host, port, _ := net.SplitHostPort(srv)
	p, _ := strconv.Atoi(port)
	return mail.SMTPConfig{Host: host, Port: p, From: "Sharing City <noreply@sharing.example>", TLS: mail.TLSNone, Timeout: 5 * time.Second}
}

func TestSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := startSMTP(t, "relay", "s3cret", "ghost@example.org")
		cfg := smtpConfig(t, srv.addr)
		cfg.Username, cfg.Password = "relay", "s3cret"
		s, err := mail.NewSMTP(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)), fixedClock())
		if err != nil {
			t.Fatal(err)
		}
		body := "Bonjour,\n.\nUne ligne avec un point seul ne doit pas couper le message. Accents: é à ç."
		if err := s.Send(ctx, mail.Message{To: "carol@example.org", Subject: "Vérifiez votre adresse", Body: body}); err != nil {
			t.Fatalf("send: %v", err)
		}
		got := srv.messages()
		if len(got) != 1 || got[0].To != "carol@example.org" || got[0].From != "noreply@sharing.example" || got[0].AuthUser != "relay" {
			t.Fatalf("server received %+v", got)
		}
		if !strings.Contains(got[0].Data, "Subject:") || !strings.Contains(got[0].Data, "text/plain") {
			t.Fatalf("message lacks headers:\n%s", got[0].Data)
		}

		err = s.Send(ctx, mail.Message{To: "ghost@example.org", Subject: "x", Body: "y"})
		if err == nil {
			t.Fatal("a refused recipient was reported as sent")
		}
		stored, err := s.List(ctx, "", 10)
		if err != nil || len(stored) != 2 {
			t.Fatalf("outbox: %+v %v", stored, err)
		}
		failed, sent := stored[0], stored[1]
		if sent.SentAt == nil || !sent.SentAt.Equal(fixedClock()()) || sent.Error != "" || sent.Body != body {
			t.Fatalf("sent record: %+v", sent)
		}
		if failed.SentAt != nil || !strings.Contains(failed.Error, "550") {
			t.Fatalf("failed record: %+v", failed)
		}
	})
}

func TestSMTPWrongPasswordAndDownServer(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	srv := startSMTP(t, "relay", "right", "")
	cfg := smtpConfig(t, srv.addr)
	cfg.Username, cfg.Password = "relay", "wrong"
	s, err := mail.NewSMTP(cfg, db, nil, fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, mail.Message{To: "a@example.org", Subject: "s", Body: "b"}); err == nil {
		t.Fatal("sent with a wrong password")
	}

	// A port nobody listens on: NewSMTP still succeeds (the server may come
	// up later), Send fails and the failure is recorded.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	down, err := mail.NewSMTP(smtpConfig(t, addr), db, nil, fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Send(ctx, mail.Message{To: "b@example.org", Subject: "s", Body: "b"}); err == nil {
		t.Fatal("sent to a closed port")
	}
	rec, _ := down.List(ctx, "b@example.org", 1)
	if len(rec) != 1 || rec[0].Error == "" || rec[0].SentAt != nil {
		t.Fatalf("failure not recorded: %+v", rec)
	}
}

func TestSMTPConfigValidation(t *testing.T) {
	db := storetest.OpenSQLite(t)
	cases := map[string]mail.SMTPConfig{
		"no host":  {From: "a@example.org"},
		"bad from": {Host: "smtp.example.org", From: "not an address"},
		"bad tls":  {Host: "smtp.example.org", From: "a@example.org", TLS: "ssl3"},
		"bad port": {Host: "smtp.example.org", From: "a@example.org", Port: 70000},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := mail.NewSMTP(cfg, db, nil, nil); !errs.Is(err, errs.Invalid) {
				t.Fatalf("want invalid, got %v", err)
			}
		})
	}
	if _, err := mail.NewSMTP(mail.SMTPConfig{Host: "smtp.example.org", From: "a@example.org"}, db, nil, nil); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}
