package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/jobs"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/messages"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/route"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// app is the set of services every command works with.
type app struct {
	db           *store.DB
	log          *slog.Logger
	territories  *territory.Service
	accounts     *account.Service
	directory    *directory.Service
	messages     *messages.Service
	offers       *offers.Service
	booking      *booking.Service
	mobility     *mobility.Service
	rdex         *rdex.Service  // RDEX clients' API keys
	partners     *rdex.Asker    // asks partner platforms during trip searches
	partnerAdmin *rdex.Partners // the partner platforms' settings
	ledger       *ledger.Service
	jobs         *jobs.Queue
	outbox       *mail.Outbox
	created      bool // the SQLite file did not exist before
}

type appOptions struct {
	dsn     string
	baseURL string
	smtp    mail.SMTPConfig
}

// openApp opens and migrates the database and builds the services.
func openApp(ctx context.Context, log *slog.Logger, opts appOptions) (*app, error) {
	created := !store.IsPostgresURL(opts.dsn) && !fileExists(opts.dsn)
	db, err := store.Open(ctx, opts.dsn)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "versions", applied, "dialect", db.Dialect())
	}
	now := time.Now
	outbox := mail.NewOutbox(db, log, now)
	var sender mail.Sender = outbox
	if opts.smtp.Host != "" {
		smtp, err := mail.NewSMTP(opts.smtp, db, log, now)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("smtp: %w", err)
		}
		sender = smtp
	} else {
		log.Info("no SMTP server configured: e-mail goes to the outbox table (see /admin/outbox)")
	}
	if opts.baseURL == "" {
		opts.baseURL = "http://localhost:8080"
	}
	territories := territory.NewService(territory.NewSQLStore(db))
	accounts := account.NewService(db, sender, log, now, account.Options{BaseURL: opts.baseURL})
	dir := directory.NewService(directory.NewSQLStore(db), territories, accounts, log, now)
	msgs := messages.NewService(messages.NewSQLStore(db), accounts, territories, sender, log, now, messages.Options{BaseURL: opts.baseURL})
	secret, err := db.Secret(ctx, "offers.positions", 32)
	if err != nil {
		db.Close()
		return nil, err
	}
	// Blocked members cannot propose exchanges to each other; a done
	// exchange of a priced listing pays through the ledger.
	led := ledger.NewService(ledger.NewSQLStore(db), accounts, territories, log, now)
	// A member's deletion closes their ledger accounts, or is refused while one holds a balance.
	accounts.OnDelete(led.Leave)
	off, err := offers.NewService(offers.NewSQLStore(db), secret, msgs, led.Payer(), log, now)
	if err != nil {
		db.Close()
		return nil, err
	}
	msgs.RegisterSubject("listing", off)
	a := &app{db: db, log: log, territories: territories, accounts: accounts, directory: dir, messages: msgs, offers: off, ledger: led, outbox: outbox, created: created}
	a.jobs = newJobQueue(db, log, now, jobOptions(os.Getenv))
	a.booking = booking.NewService(booking.NewSQLStore(db), accounts, accounts, territories, sender, a.jobs, log, now, booking.Options{BaseURL: opts.baseURL})
	feeds, err := db.Secret(ctx, "mobility.feeds", 32)
	if err != nil {
		db.Close()
		return nil, err
	}
	// Each territory may name its own OSRM or Valhalla server; without one,
	// or while it fails, straight segments with a road factor stand in.
	routers := route.NewCache(&http.Client{Timeout: 5 * time.Second}, log)
	routerOf := func(t *territory.Territory) route.Router { return routers.For(t.ID, t.RouterKind, t.RouterURL) }
	a.mobility = mobility.NewService(mobility.NewSQLStore(db), territories, routerOf, log, now,
		mobility.Options{BaseURL: opts.baseURL, Mail: sender, People: accounts, Ledger: led, Orgs: accounts, Users: accounts, FeedSecret: feeds})
	msgs.RegisterSubject("trip", a.mobility)
	a.rdex = rdex.NewService(rdex.NewSQLStore(db))
	a.partnerAdmin = rdex.NewPartners(rdex.NewSQLStore(db))
	a.partners = rdex.NewAsker(a.partnerAdmin, rdex.AskerOptions{Log: log})
	registerJobs(a.jobs, a)
	return a, nil
}

func (a *app) Close() error { return a.db.Close() }
