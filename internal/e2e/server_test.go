package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/i18n"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/messages"
	"github.com/sharingcity/sharingcity/internal/mobility"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
	"github.com/sharingcity/sharingcity/internal/web"
)

// Accounts seeded in every test server.
const (
	adminEmail     = "admin@e2e.example.org"
	moderatorEmail = "moderation@e2e.example.org"
	password       = "correct horse battery staple"
	slug           = "demo"
)

// grenoble is the test territory's boundary.
var grenoble = geo.BBox{MinLon: 5.67, MinLat: 45.15, MaxLon: 5.76, MaxLat: 45.22}

// server is the whole platform on a fresh SQLite file, reached over HTTP on
// the loopback interface, with the services at hand to seed and inspect it.
type server struct {
	URL         string
	db          *store.DB
	i18n        *i18n.Bundle
	territories *territory.Service
	accounts    *account.Service
	directory   *directory.Service
	offers      *offers.Service
	booking     *booking.Service
	ledger      *ledger.Service
	messages    *messages.Service
	outbox      *mail.Outbox
	ter         *territory.Territory
	jam         *directory.MapJam
	org         *account.Organisation
	seeded      []*directory.Initiative
}

// tilesPath serves map tiles from the test server itself: the machine has
// no internet, and the browser must not try to reach a tile server.
const tilesPath = "/e2e-tiles/"

func startServer(t *testing.T) *server {
	t.Helper()
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	log := slog.New(slog.DiscardHandler)

	// The listener exists before the services, so that links in mail point
	// at the address the browser will open.
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()

	outbox := mail.NewOutbox(db, log, time.Now)
	territories := territory.NewService(territory.NewSQLStore(db))
	accounts := account.NewService(db, outbox, log, time.Now, account.Options{BaseURL: base, Hash: account.TestHashParams})
	dir := directory.NewService(directory.NewSQLStore(db), territories, accounts, log, time.Now)
	// Offers, messages and photos are wired as in production (and as in
	// internal/web's harness), photos on disk in a temporary folder.
	msgs := messages.NewService(messages.NewSQLStore(db), accounts, territories, outbox, log, time.Now, messages.Options{BaseURL: base})
	led := ledger.NewService(ledger.NewSQLStore(db), accounts, territories, log, time.Now)
	// A member's deletion closes their ledger accounts, or is refused while one holds a balance.
	accounts.OnDelete(led.Leave)
	off, err := offers.NewService(offers.NewSQLStore(db), []byte("e2e position secret, 32 bytes.."), msgs, led.Payer(), log, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	msgs.RegisterSubject("listing", off)
	mob := mobility.NewService(mobility.NewSQLStore(db), territories, nil, log, time.Now, mobility.Options{Users: accounts})
	msgs.RegisterSubject("trip", mob)
	book := booking.NewService(booking.NewSQLStore(db), accounts, accounts, territories, outbox, nil, log, time.Now, booking.Options{BaseURL: base})
	photos, err := media.NewDiskStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	bundle := i18n.MustLoad()
	partners := rdex.NewPartners(rdex.NewSQLStore(db))
	srv, err := web.New(web.Config{BaseURL: base, Version: "e2e", LoginPerMinute: 1000, PostPerMinute: 1000}, web.Deps{
		DB: db, Log: log, I18n: bundle, Territories: territories, Accounts: accounts,
		Directory: dir, Offers: off, Ledger: led, Messages: msgs, Booking: book, Mobility: mob, RDEX: rdex.NewService(rdex.NewSQLStore(db)), RDEXPartners: partners, Partners: rdex.NewAsker(partners, rdex.AskerOptions{}), Media: media.NewProcessor(photos, media.Options{}), Outbox: outbox,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	tile := blankTile(t)
	mux.HandleFunc("GET "+tilesPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(tile)
	})
	mux.Handle("/", srv.Handler())
	ts.Config.Handler = mux
	ts.Start()
	t.Cleanup(ts.Close)

	s := &server{URL: base, db: db, i18n: bundle, territories: territories, accounts: accounts, directory: dir,
		offers: off, ledger: led, booking: book, messages: msgs, outbox: outbox}
	s.seed(ctx, t)
	return s
}

// blankTile is a light grey 256×256 PNG standing in for map tiles.
func blankTile(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{0xe8, 0xe6, 0xe1, 0xff}), image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// seed creates the territory, a platform administrator who is also the
// territory's administrator, a moderator, a MapJam and a few published
// initiatives, so that every page has content.
func (s *server) seed(ctx context.Context, t *testing.T) {
	t.Helper()
	system := access.SystemActor()
	s.ter = &territory.Territory{
		Slug: slug, Name: "Grenoble (e2e)", BBox: grenoble, Lang: "fr", TimeZone: "Europe/Paris",
		Modules: []string{"directory", "offers"}, ContactEmail: "contact@e2e.example.org",
		TileURL:         s.URL + tilesPath + "{z}/{x}/{y}.png",
		TileAttribution: `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>`,
	}
	if err := s.territories.Create(ctx, system, s.ter); err != nil {
		t.Fatal(err)
	}
	admin, err := s.accounts.CreateUser(ctx, system, adminEmail, password, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.accounts.SetPlatformAdmin(ctx, system, admin.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.accounts.CreateUser(ctx, system, moderatorEmail, password, true); err != nil {
		t.Fatal(err)
	}
	if err := s.accounts.Grant(ctx, system, s.ter.ID, adminEmail, access.Admin); err != nil {
		t.Fatal(err)
	}
	if err := s.accounts.Grant(ctx, system, s.ter.ID, moderatorEmail, access.Moderator); err != nil {
		t.Fatal(err)
	}
	adminActor, err := s.accounts.ActorFor(ctx, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.accounts.CreateOrganisation(ctx, adminActor, s.ter.ID, account.Organisation{
		Name: "Les Bricoleurs de Berriat", Kind: "association",
		Description: "Association de quartier qui répare et prête des outils.", Website: "https://bricoleurs.example.org",
	})
	if err != nil {
		t.Fatal(err)
	}
	s.org = org
	s.jam = &directory.MapJam{
		Title: "MapJam d'automne à Berriat", Place: "40 cours Berriat, Grenoble",
		StartsAt: time.Date(2025, 10, 18, 12, 0, 0, 0, time.UTC), EndsAt: time.Date(2025, 10, 18, 16, 0, 0, 0, time.UTC),
	}
	if err := s.directory.OpenMapJam(ctx, adminActor, s.ter, s.jam); err != nil {
		t.Fatal(err)
	}
	items := make([]directory.ImportItem, len(seedInitiatives))
	for i, in := range seedInitiatives {
		in.OrganisationID = 0
		if i == 0 {
			in.OrganisationID = org.ID
		}
		items[i] = directory.ImportItem{Row: i + 1, SourceKey: "e2e-" + in.Name, Initiative: in}
		if i < 2 {
			items[i].MapJamID = s.jam.ID
		}
	}
	if _, err := s.directory.Import(ctx, system, s.ter, items, false); err != nil {
		t.Fatal(err)
	}
	res, err := s.directory.Search(ctx, s.ter, directory.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Items {
		s.seeded = append(s.seeded, h.Initiative)
	}
	if len(s.seeded) == 0 {
		t.Fatal("seed: no published initiative found")
	}
}

// byName returns a seeded initiative.
func (s *server) byName(t *testing.T, name string) *directory.Initiative {
	t.Helper()
	for _, in := range s.seeded {
		if in.Name == name {
			return in
		}
	}
	t.Fatalf("no seeded initiative %q", name)
	return nil
}

// fillModerationQueue has a member contribute an entry, propose a change
// to a published one and report another, so the moderation page shows
// each kind of item with its forms.
func (s *server) fillModerationQueue(ctx context.Context, t *testing.T) {
	t.Helper()
	system := access.SystemActor()
	const email = "membre@e2e.example.org"
	u, err := s.accounts.CreateUser(ctx, system, email, password, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.accounts.Grant(ctx, system, s.ter.ID, email, access.Member); err != nil {
		t.Fatal(err)
	}
	member, err := s.accounts.ActorFor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	pending := directory.Initiative{
		Name: "Ressourcerie de la Villeneuve", Summary: "Objets donnés, réparés et revendus à petit prix.",
		Categories: []string{"waste_repair"}, Kind: directory.KindAssociation,
		Address: "Galerie de l'Arlequin, 38100 Grenoble", Position: geo.Point{Lat: 45.1650, Lon: 5.7350},
	}
	if err := s.directory.Contribute(ctx, member, s.ter, &pending); err != nil {
		t.Fatal(err)
	}
	changed := *s.byName(t, "Repair Café Saint-Bruno")
	changed.Summary = "On répare ensemble petits appareils, vélos et vêtements, un samedi par mois."
	if _, err := s.directory.ProposeChange(ctx, member, s.ter, changed.ID, &changed, "Le rythme a changé."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.directory.Report(ctx, member, s.ter, s.byName(t, "Autopartage Citiz Championnet").ID, "La station a déménagé rue Lesdiguières."); err != nil {
		t.Fatal(err)
	}
}

// seedInitiatives are spread over Grenoble, far enough apart to show as
// single markers at the city's zoom.
var seedInitiatives = []directory.Initiative{
	{
		Name: "Outilthèque de Berriat", Summary: "Empruntez perceuses, scies et échelles plutôt que de les acheter.",
		Description: "Une **bibliothèque d'outils** tenue par des bénévoles.\n\nAdhésion à prix libre.",
		Categories:  []string{"goods_tools"}, Tags: []string{"outils", "prêt"}, Kind: directory.KindAssociation,
		Address: "12 rue Nicolas Chorier, 38000 Grenoble", Position: geo.Point{Lat: 45.1885, Lon: 5.7105},
		OpeningHours: []directory.OpeningHours{{Day: 3, Opens: "17:00", Close: "19:00"}, {Day: 6, Opens: "10:00", Close: "12:30"}},
		Website:      "https://outiltheque.example.org", Email: "contact@outiltheque.example.org", Phone: "04 76 00 00 01",
	},
	{
		Name: "Repair Café Saint-Bruno", Summary: "On répare ensemble petits appareils, vélos et vêtements.",
		Categories: []string{"waste_repair"}, Tags: []string{"réparation"}, Kind: directory.KindCollective,
		Address: "Place Saint-Bruno, 38000 Grenoble", Position: geo.Point{Lat: 45.1905, Lon: 5.7120},
	},
	{
		Name: "AMAP des Eaux-Claires", Summary: "Paniers de légumes d'un maraîcher du Grésivaudan, chaque jeudi.",
		Categories: []string{"food"}, Tags: []string{"légumes", "circuit court"}, Kind: directory.KindAssociation,
		Address: "Rue des Eaux-Claires, 38100 Grenoble", Position: geo.Point{Lat: 45.1790, Lon: 5.7060},
	},
	{
		Name: "Jardin partagé de l'Île Verte", Summary: "Des parcelles cultivées en commun au bord de l'Isère.",
		Categories: []string{"commons", "food"}, Kind: directory.KindCommons,
		Address: "Quai de la Graille, 38000 Grenoble", Position: geo.Point{Lat: 45.1975, Lon: 5.7380},
		Commons: directory.Commons{Resource: "Un terrain municipal de 800 m²", Community: "Une quarantaine d'habitants", Governance: "Assemblée mensuelle, décisions au consentement"},
	},
	{
		Name: "Autopartage Citiz Championnet", Summary: "Voitures en libre-service à réserver à l'heure.",
		Categories: []string{"mobility"}, Kind: directory.KindCompany,
		Address: "Place Championnet, 38000 Grenoble", Position: geo.Point{Lat: 45.1860, Lon: 5.7230},
	},
	{
		Name: "Boîte à livres du Jardin de Ville", Summary: "Déposez et prenez des livres librement.",
		Categories: []string{"knowledge_culture"}, Kind: directory.KindPublicService,
		Address: "Jardin de Ville, 38000 Grenoble", Position: geo.Point{Lat: 45.1925, Lon: 5.7290},
	},
}
