package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/geocode"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Pages of the offers module: search, one listing, the listing form with
// photos, "my listings" with the exchanges. Every form posts and redirects,
// so all of it works without JavaScript.

func (s *Server) offerRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/listings", s.listingsPage)
	page("GET /t/{slug}/listings/new", s.listingForm)
	page("POST /t/{slug}/listings/new", s.createListing)
	page("GET /t/{slug}/listings/{id}", s.listingPage)
	page("POST /t/{slug}/listings/{id}/message", s.messageAbout("listing"))
	page("POST /t/{slug}/listings/{id}/exchange", s.proposePage)
	page("POST /t/{slug}/listings/{id}/status", s.listingStatus)
	page("GET /t/{slug}/my/listings", s.myListingsPage)
	page("POST /t/{slug}/exchanges/{id}/step", s.exchangeStepPage)
	s.offerEditRoutes(page)
	s.messageRoutes(page)
	s.offerModerationRoutes(page)
}

// Photo uploads: up to MaxPhotos files of 10 MiB, and 1 MiB for the fields.
const (
	maxPhotoBytes   = 10 << 20
	maxListingBody  = offers.MaxPhotos*maxPhotoBytes + 1<<20
	multipartMemory = 1 << 20
)

type listingsView struct {
	Items      []listingCard
	Modes      []offers.Mode
	Categories []string
	More       bool
	NextURL    string
	PrevURL    string
	Member     bool
	Map        mapAttrs // the search map, drawn by js/listings.js
	Sorts      []offers.Sort
	// Search by address: the place found, or the places to choose from.
	Place   string
	Choices []placeLink
}

// placeLink is one of the places an address may mean, as a link that
// searches around it.
type placeLink struct {
	Label string
	URL   string
}

type listingCard struct {
	L        *offers.Listing
	Distance string
	Price    string
	Thumb    string
}

func priceText(l *offers.Listing) string {
	if l.PriceCents <= 0 {
		return ""
	}
	return strconv.FormatFloat(float64(l.PriceCents)/100, 'f', 2, 64) + " €"
}

func cardOf(h offers.Hit, near bool, lang string) listingCard {
	c := listingCard{L: h.Listing, Price: priceText(h.Listing)}
	if near {
		c.Distance = pageDistance(h.DistanceM, lang)
	}
	if len(h.Listing.Photos) > 0 {
		c.Thumb = "/media/" + h.Listing.Photos[0].ThumbKey
	}
	return c
}

func (s *Server) listingsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offw.listings_title")
	if !ok {
		return
	}
	p.Form = r.URL.Query()
	v := listingsView{Modes: offers.Modes, Categories: directory.Categories, Member: p.Can("member"), Map: mapAttrsOf(p.Territory),
		Sorts: []offers.Sort{offers.SortDistance, offers.SortRecent}}
	p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css", "css/map.css")
	p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "js/mapkit.js", "js/listings.js")
	q, err := parseListingQuery(p.Form)
	// The page also takes lat and lon fields, typed or filled by the browser.
	address := strings.TrimSpace(p.Form.Get("address"))
	if lat, lon := p.Form.Get("lat"), p.Form.Get("lon"); err == nil && address == "" && lat != "" && lon != "" {
		la, e1 := pageDecimal(lat)
		lo, e2 := pageDecimal(lon)
		if e1 != nil || e2 != nil {
			err = errs.Fields([]errs.FieldError{{Field: "near", Key: "err.point_format"}})
		} else {
			q.Near = &geo.Point{Lat: la, Lon: lo}
			v.Place = p.Form.Get("place")
		}
	}
	if err == nil && address != "" {
		// An address typed wins over the point: the map clears it when clicked.
		var pc placeChoice
		if pc, err = s.lookUpAddress(r.Context(), p.Territory, address, nil); err == nil {
			if pc.Place != nil {
				q.Near, v.Place = &pc.Place.Position, pc.Place.Label
			} else {
				v.Choices = placeLinks(p.Territory, p.Form, pc.Choices)
			}
		}
	}
	if q.Near != nil {
		if km := p.Form.Get("radius_km"); km != "" {
			if f, e := pageDecimal(km); e == nil {
				q.RadiusM = f * 1000
			}
		}
	}
	if err == nil && v.Choices == nil {
		var res offers.Result
		res, err = s.Offers.Search(r.Context(), p.Actor, p.Territory, q)
		for _, h := range res.Items {
			v.Items = append(v.Items, cardOf(h, q.Near != nil, p.Lang))
		}
		page := func(offset int) string {
			u := url.Values{}
			for k, vs := range p.Form {
				u[k] = vs
			}
			u.Set("offset", strconv.Itoa(offset))
			return "/t/" + p.Territory.Slug + "/listings?" + u.Encode() + "#results"
		}
		if res.More {
			v.NextURL = page(q.Offset + len(res.Items))
		}
		if q.Offset > 0 {
			limit := q.Limit
			if limit == 0 {
				limit = offers.DefaultLimit
			}
			v.PrevURL = page(max(0, q.Offset-limit))
		}
	}
	status := http.StatusOK
	if err != nil {
		p.setErr(err)
		status = statusOf(errs.KindOf(err))
	}
	p.Data = v
	s.render(w, r, status, "listings", p)
}

// placeLinks turns the places an address may mean into searches around
// each, keeping the other filters.
func placeLinks(t *territory.Territory, form url.Values, cs []geocode.Candidate) []placeLink {
	out := make([]placeLink, 0, len(cs))
	for _, c := range cs {
		q := url.Values{}
		for k, vs := range form {
			if k != "address" && k != "offset" {
				q[k] = vs
			}
		}
		q.Set("lat", strconv.FormatFloat(c.Position.Lat, 'f', 6, 64))
		q.Set("lon", strconv.FormatFloat(c.Position.Lon, 'f', 6, 64))
		q.Set("place", c.Label)
		out = append(out, placeLink{Label: c.Label, URL: "/t/" + t.Slug + "/listings?" + q.Encode() + "#results"})
	}
	return out
}

type listingView struct {
	L         *offers.Listing
	Owner     bool
	Member    bool
	Price     string
	Exchanges []*offers.Exchange
}

func (s *Server) listingPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.territoryPageID(w, r, "offw.listing_title")
	if !ok {
		return
	}
	l, err := s.Offers.Get(r.Context(), p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Title = l.Title
	v := listingView{L: l, Owner: p.Actor.UserID != 0 && p.Actor.UserID == l.OwnerID, Member: p.Can("member"), Price: priceText(l)}
	if v.Owner {
		if v.Exchanges, err = s.Offers.ListingExchanges(r.Context(), p.Actor, p.Territory, id); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "listing", p)
}

type listingFormView struct {
	Modes      []offers.Mode
	Kinds      []offers.Kind
	Conditions []offers.Condition
	Categories []string
	MaxPhotos  int
	Uploads    bool
	// Set when editing: where the form posts, the listing's photos.
	Action string
	Photos []media.Photo
	Edit   bool
}

func (s *Server) renderListingForm(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	p.Data = s.listingEditView(r.Context(), p, listingFormView{Modes: offers.Modes, Kinds: offers.Kinds, Conditions: offers.Conditions,
		Categories: directory.Categories, MaxPhotos: offers.MaxPhotos, Uploads: s.Media != nil,
		Action: "/t/" + p.Territory.Slug + "/listings/new"})
	s.render(w, r, status, "listing_form", p)
}

func (s *Server) listingForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offw.form_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Form = url.Values{"kind": {"offer"}, "mode": {"give"}}
	s.renderListingForm(w, r, p, http.StatusOK)
}

// listingFromForm reads the posted fields; numbers that cannot be read are
// field errors, the service checks the rest.
func listingFromForm(f url.Values) (*offers.Listing, []errs.FieldError) {
	var bad []errs.FieldError
	l := &offers.Listing{
		Kind: offers.Kind(f.Get("kind")), Mode: offers.Mode(f.Get("mode")), Title: f.Get("title"),
		Description: f.Get("description"), Category: f.Get("category"), Condition: offers.Condition(f.Get("condition")),
		WantedInReturn: f.Get("wanted"), Availability: f.Get("availability"),
	}
	if p := strings.TrimSpace(f.Get("price")); p != "" {
		eur, err := pageDecimal(p)
		if err != nil || math.Abs(eur) > 1e9 {
			bad = append(bad, errs.FieldError{Field: "price_cents", Key: "offw.price_number"})
		} else {
			l.PriceCents = int64(math.Round(eur * 100))
		}
	}
	if q := strings.TrimSpace(f.Get("quantity")); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil {
			bad = append(bad, errs.FieldError{Field: "quantity", Key: "err.quantity_range", Args: map[string]any{"Max": offers.MaxQuantity}})
		}
		l.Quantity = n
	}
	if lat, lon := strings.TrimSpace(f.Get("lat")), strings.TrimSpace(f.Get("lon")); lat != "" || lon != "" {
		la, e1 := pageDecimal(lat)
		lo, e2 := pageDecimal(lon)
		if e1 != nil || e2 != nil {
			bad = append(bad, errs.FieldError{Field: "position", Key: "err.position_number"})
		} else {
			l.ExactPosition = &geo.Point{Lat: la, Lon: lo}
		}
	}
	if d := strings.TrimSpace(f.Get("expires")); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			bad = append(bad, errs.FieldError{Field: "expires_at", Key: "err.datetime_format"})
		} else {
			l.ExpiresAt = t.Add(24*time.Hour - time.Second) // the end of the chosen day
		}
	}
	return l, bad
}

// createListing takes the form and its photos. Photos are taken in first,
// so their type and size are checked by content; whatever fails, the files
// already stored are deleted and the form comes back as typed.
func (s *Server) createListing(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offw.form_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.limits.Post("offw:" + strconv.FormatInt(p.Actor.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxListingBody)
	if err := r.ParseMultipartForm(multipartMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderError(w, r, errs.E(errs.Invalid, "err.body_too_large"))
			return
		}
		s.renderError(w, r, errs.Wrap(errs.Invalid, "offw.form_invalid", err))
		return
	}
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	p.Form = r.PostForm
	l, bad := listingFromForm(p.Form)
	photos, perr := s.ingestPhotos(r)
	if perr != nil {
		bad = append(bad, perr...)
	}
	code, amount, priceBad, err := s.ledgerPriceFromForm(r, p)
	bad = append(bad, priceBad...)
	if err == nil && len(bad) > 0 {
		err = mergeFieldErrors(bad, l.Validate())
	} else if err == nil {
		l.Photos = photos
		err = s.Offers.Create(r.Context(), p.Actor, p.Territory, l)
	}
	if err != nil {
		s.dropPhotos(r.Context(), photos)
		if k := errs.KindOf(err); k != errs.Invalid {
			s.renderError(w, r, err)
			return
		}
		p.setErr(err)
		s.renderListingForm(w, r, p, http.StatusBadRequest)
		return
	}
	if !s.priceNewListing(w, r, p, l, code, amount) {
		return
	}
	s.flash(r, p.L.T("offw.created"))
	http.Redirect(w, r, listingURL(p.Territory, l.ID), http.StatusSeeOther)
}

// ingestPhotos takes in the uploaded files, or returns why not (after
// deleting the ones already stored).
func (s *Server) ingestPhotos(r *http.Request) ([]media.Photo, []errs.FieldError) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var files = r.MultipartForm.File["photos"]
	var used []int
	for i, fh := range files {
		if fh.Filename != "" || fh.Size > 0 {
			used = append(used, i)
		}
	}
	if len(used) == 0 {
		return nil, nil
	}
	if s.Media == nil {
		return nil, []errs.FieldError{{Field: "photos", Key: "offw.photos_disabled"}}
	}
	if len(used) > offers.MaxPhotos {
		return nil, []errs.FieldError{{Field: "photos", Key: "err.photos_too_many", Args: map[string]any{"Max": offers.MaxPhotos}}}
	}
	var out []media.Photo
	for _, i := range used {
		f, err := files[i].Open()
		if err == nil {
			var ph media.Photo
			ph, err = s.Media.Ingest(r.Context(), f)
			_ = f.Close()
			if err == nil {
				out = append(out, ph)
				continue
			}
		}
		s.dropPhotos(r.Context(), out)
		fe := errs.FieldError{Field: "photos", Key: "err.photo_type"}
		if e, ok := errs.As(err); ok && errs.KindOf(err) == errs.Invalid {
			fe.Key, fe.Args = e.Key, e.Args
		} else {
			s.Log.Error("offers: photo ingest", "err", err)
			fe.Key = "err.internal"
		}
		return nil, []errs.FieldError{fe}
	}
	return out, nil
}

func (s *Server) dropPhotos(ctx context.Context, photos []media.Photo) {
	for _, ph := range photos {
		if err := s.Media.Delete(context.WithoutCancel(ctx), ph); err != nil {
			s.Log.Error("offers: delete photo", "key", ph.Key, "err", err)
		}
	}
}

// pagePost starts a posted action on a territory's object: the territory,
// a signed-in user under the rate limit, the parsed form and the id.
func (s *Server) pagePost(w http.ResponseWriter, r *http.Request) (*Page, int64, bool) {
	p, ok := s.territoryPage(w, r, "offw.listing_title")
	if !ok {
		return nil, 0, false
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return nil, 0, false
	}
	if !s.limits.Post("offw:" + strconv.FormatInt(p.Actor.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return nil, 0, false
	}
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return nil, 0, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	_ = r.ParseForm()
	return p, id, true
}

// done flashes msg and goes back to next, or answers err.
func (s *Server) done(w http.ResponseWriter, r *http.Request, err error, msg, next string) {
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.flash(r, msg)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// messageAbout is the form that writes to the member behind a subject of
// the messages module (a listing's owner, a trip's driver) and opens the
// conversation.
func (s *Server) messageAbout(subject string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, id, ok := s.pagePost(w, r)
		if !ok {
			return
		}
		m, err := s.Messages.SendAbout(r.Context(), p.Actor, p.Territory, subject, id, r.PostForm.Get("body"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.done(w, r, nil, p.L.T("offw.message_sent"), conversationURL(p.Territory, m.ConversationID))
	}
}

func (s *Server) proposePage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	_, err := s.Offers.Propose(r.Context(), p.Actor, p.Territory, id, r.PostForm.Get("message"))
	s.done(w, r, err, p.L.T("offw.proposed"), listingURL(p.Territory, id))
}

func (s *Server) listingStatus(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	do := map[string]func(context.Context, *territory.Territory, int64) (*offers.Listing, error){
		"renew": func(ctx context.Context, t *territory.Territory, id int64) (*offers.Listing, error) {
			return s.Offers.Renew(ctx, p.Actor, t, id)
		},
		"pause": func(ctx context.Context, t *territory.Territory, id int64) (*offers.Listing, error) {
			return s.Offers.Pause(ctx, p.Actor, t, id)
		},
		"resume": func(ctx context.Context, t *territory.Territory, id int64) (*offers.Listing, error) {
			return s.Offers.Resume(ctx, p.Actor, t, id)
		},
		"close": func(ctx context.Context, t *territory.Territory, id int64) (*offers.Listing, error) {
			return s.Offers.Close(ctx, p.Actor, t, id)
		},
	}
	action := r.PostForm.Get("action")
	fn, ok := do[action]
	if !ok {
		s.renderError(w, r, errs.E(errs.Invalid, "offw.form_invalid"))
		return
	}
	_, err := fn(r.Context(), p.Territory, id)
	s.done(w, r, err, p.L.T("offw.status_done"), "/t/"+p.Territory.Slug+"/my/listings")
}

type myListingsView struct {
	Listings  []*offers.Listing
	Exchanges []*offers.Exchange
	UserID    int64
}

func (s *Server) myListingsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offw.my_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	list, err := s.Offers.MyListings(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	exs, err := s.Offers.MyExchanges(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = myListingsView{Listings: list, Exchanges: exs, UserID: p.Actor.UserID}
	s.render(w, r, http.StatusOK, "my_listings", p)
}

func (s *Server) exchangeStepPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	ctx, a, t, reason := r.Context(), p.Actor, p.Territory, r.PostForm.Get("reason")
	var err error
	switch r.PostForm.Get("action") {
	case "accept":
		_, err = s.Offers.Accept(ctx, a, t, id)
	case "decline":
		_, err = s.Offers.Decline(ctx, a, t, id, reason)
	case "done":
		_, err = s.Offers.MarkDone(ctx, a, t, id)
	case "cancel":
		_, err = s.Offers.Cancel(ctx, a, t, id, reason)
	case "review":
		rating, _ := strconv.Atoi(r.PostForm.Get("rating"))
		_, err = s.Offers.Review(ctx, a, t, id, rating, r.PostForm.Get("comment"))
	default:
		err = errs.E(errs.Invalid, "offw.form_invalid")
	}
	s.done(w, r, err, p.L.T("offw.exchange_done"), "/t/"+t.Slug+"/my/listings")
}
