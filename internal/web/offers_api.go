package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/geocode"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// JSON API of the offers module and of the caller's messages. Every rule is
// the services'; in particular offers.Service strips the exact position for
// anyone but the owner, and listingJSON only shows it to the owner again, so
// a bug in one place does not leak an address.

func (s *Server) offersAPITable() []apiHandler {
	const base = "/api/v1/territories/{slug}"
	return []apiHandler{
		{"GET", base + "/listings", s.apiListings},
		{"POST", base + "/listings", s.apiCreateListing},
		{"GET", base + "/listings/{id}", s.apiListing},
		{"PATCH", base + "/listings/{id}", s.apiUpdateListing},
		{"POST", base + "/listings/{id}/close", s.apiCloseListing},
		{"POST", base + "/listings/{id}/exchanges", s.apiProposeIn},
		{"POST", base + "/listings/{id}/messages", s.apiMessageAbout},
		{"POST", "/api/v1/listings/{id}/exchanges", s.apiPropose},
		{"GET", base + "/exchanges", s.apiMyExchanges},
		{"GET", base + "/exchanges/{id}", s.apiExchange},
		{"POST", base + "/exchanges/{id}/accept", s.apiExchangeAccept},
		{"POST", base + "/exchanges/{id}/decline", s.apiExchangeDecline},
		{"POST", base + "/exchanges/{id}/done", s.apiExchangeDone},
		{"POST", base + "/exchanges/{id}/cancel", s.apiExchangeCancel},
		{"POST", base + "/exchanges/{id}/reviews", s.apiExchangeReview},
		{"GET", base + "/conversations", s.apiInbox},
		{"GET", base + "/conversations/{id}", s.apiConversation},
		{"POST", base + "/conversations/{id}/messages", s.apiSendMessage},
	}
}

// listingInput is what an API client sends to create or change a listing.
type listingInput struct {
	Kind         string     `json:"kind"`
	Mode         string     `json:"mode"`
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	Category     string     `json:"category"`
	Condition    string     `json:"condition"`
	PriceCents   int64      `json:"price_cents"`
	Wanted       string     `json:"wanted"`
	Availability string     `json:"availability"`
	Quantity     int        `json:"quantity"`
	Lat          *float64   `json:"lat"`
	Lon          *float64   `json:"lon"`
	ExpiresAt    *time.Time `json:"expires_at"`
}

func (in *listingInput) listing() *offers.Listing {
	l := &offers.Listing{
		Kind: offers.Kind(in.Kind), Mode: offers.Mode(in.Mode), Title: in.Title, Description: in.Description,
		Category: in.Category, Condition: offers.Condition(in.Condition), PriceCents: in.PriceCents,
		WantedInReturn: in.Wanted, Availability: in.Availability, Quantity: in.Quantity,
	}
	if l.Kind == "" {
		l.Kind = offers.KindOffer
	}
	if in.Lat != nil && in.Lon != nil {
		l.ExactPosition = &geo.Point{Lat: *in.Lat, Lon: *in.Lon}
	}
	if in.ExpiresAt != nil {
		l.ExpiresAt = *in.ExpiresAt
	}
	return l
}

// inputOf fills an input from a listing, so that a PATCH body only
// overrides the fields it names. The position stays nil: unchanged.
func inputOf(l *offers.Listing) listingInput {
	return listingInput{
		Kind: string(l.Kind), Mode: string(l.Mode), Title: l.Title, Description: l.Description, Category: l.Category,
		Condition: string(l.Condition), PriceCents: l.PriceCents, Wanted: l.WantedInReturn,
		Availability: l.Availability, Quantity: l.Quantity,
	}
}

type photoJSON struct {
	URL         string `json:"url"`
	ThumbURL    string `json:"thumb_url"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	ThumbWidth  int    `json:"thumb_width"`
	ThumbHeight int    `json:"thumb_height"`
}

type pointJSON struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// listingJSON is what the API shows of a listing: its public position in
// lat/lon; the exact one under "exact" for its owner only.
type listingJSON struct {
	ID           int64            `json:"id"`
	Kind         offers.Kind      `json:"kind"`
	Mode         offers.Mode      `json:"mode"`
	Title        string           `json:"title"`
	Description  string           `json:"description"`
	Category     string           `json:"category"`
	Condition    offers.Condition `json:"condition,omitempty"`
	PriceCents   int64            `json:"price_cents,omitempty"`
	Currency     string           `json:"currency,omitempty"`
	Wanted       string           `json:"wanted,omitempty"`
	Availability string           `json:"availability,omitempty"`
	Quantity     int              `json:"quantity"`
	Lat          float64          `json:"lat"`
	Lon          float64          `json:"lon"`
	Exact        *pointJSON       `json:"exact,omitempty"`
	DistanceM    *float64         `json:"distance_m,omitempty"`
	Photos       []photoJSON      `json:"photos"`
	OwnerID      int64            `json:"owner_id"`
	Status       offers.Status    `json:"status"`
	HideReason   string           `json:"hide_reason,omitempty"`
	Expired      bool             `json:"expired"`
	ExpiresAt    time.Time        `json:"expires_at"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	URL          string           `json:"url"`
}

func photosJSON(list []media.Photo) []photoJSON {
	out := make([]photoJSON, 0, len(list))
	for _, p := range list {
		out = append(out, photoJSON{URL: "/media/" + p.Key, ThumbURL: "/media/" + p.ThumbKey, Width: p.Width,
			Height: p.Height, ThumbWidth: p.ThumbWidth, ThumbHeight: p.ThumbHeight})
	}
	return out
}

func toListingJSON(a access.Actor, ter *territory.Territory, l *offers.Listing) listingJSON {
	out := listingJSON{
		ID: l.ID, Kind: l.Kind, Mode: l.Mode, Title: l.Title, Description: l.Description, Category: l.Category,
		Condition: l.Condition, PriceCents: l.PriceCents, Currency: l.Currency, Wanted: l.WantedInReturn,
		Availability: l.Availability, Quantity: l.Quantity, Lat: l.Position.Lat, Lon: l.Position.Lon,
		Photos: photosJSON(l.Photos), OwnerID: l.OwnerID, Status: l.Status, HideReason: l.HideReason,
		Expired: l.Expired, ExpiresAt: l.ExpiresAt, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
		URL: listingURL(ter, l.ID),
	}
	if l.ExactPosition != nil && a.UserID != 0 && a.UserID == l.OwnerID {
		out.Exact = &pointJSON{Lat: l.ExactPosition.Lat, Lon: l.ExactPosition.Lon}
	}
	return out
}

func listingURL(ter *territory.Territory, id int64) string {
	return "/t/" + ter.Slug + "/listings/" + strconv.FormatInt(id, 10)
}

// parseListingQuery reads a search from query parameters; pages and the API share it.
func parseListingQuery(q map[string][]string) (offers.Query, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	var v errs.Validator
	out := offers.Query{Text: get("q"), Category: get("category"), Mode: offers.Mode(get("mode")),
		Kind: offers.Kind(get("kind")), Sort: offers.Sort(get("sort"))}
	if near := get("near"); near != "" {
		p, err := geo.ParsePoint(near)
		v.Check(err == nil, "near", "err.point_format")
		if err == nil {
			out.Near = &p
		}
	}
	num := func(key string, max int, msg string, set func(float64)) {
		if s := get(key); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			v.Check(err == nil && f >= 0 && f <= float64(max), key, msg, "Max", max)
			if err == nil {
				set(f)
			}
		}
	}
	num("radius", offers.MaxRadiusM, "err.radius_range", func(f float64) { out.RadiusM = f })
	num("limit", offers.MaxLimit, "err.limit_range", func(f float64) { out.Limit = int(f) })
	num("offset", offers.MaxOffset, "err.offset_range", func(f float64) { out.Offset = int(f) })
	return out, v.Err()
}

func (s *Server) apiListings(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		q, err := parseListingQuery(r.URL.Query())
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		if address := strings.TrimSpace(r.URL.Query().Get("address")); address != "" {
			if q.Near != nil {
				return nil, errs.Fields([]errs.FieldError{{Field: "address", Key: "offw.address_or_near"}})
			}
			pc, err := s.lookUpAddress(r.Context(), ter, address, nil)
			if err != nil {
				return nil, err
			}
			if pc.Place == nil {
				// Several places fit: the client picks one and asks again with near=.
				return map[string]any{"items": []listingJSON{}, "more": false, "candidates": placesJSON(pc.Choices)}, nil
			}
			q.Near = &pc.Place.Position
			out["place"] = placesJSON([]geocode.Candidate{*pc.Place})[0]
		}
		a := actorFrom(r.Context())
		res, err := s.Offers.Search(r.Context(), a, ter, q)
		if err != nil {
			return nil, err
		}
		items := make([]listingJSON, 0, len(res.Items))
		for _, h := range res.Items {
			x := toListingJSON(access.Actor{}, ter, h.Listing) // search never shows exact positions
			if q.Near != nil {
				d := h.DistanceM
				x.DistanceM = &d
			}
			items = append(items, x)
		}
		out["items"], out["more"] = items, res.More
		return out, nil
	})
}

// placeJSON is a place an address was found at.
type placeJSON struct {
	Label string  `json:"label"`
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	Score float64 `json:"score"`
}

func placesJSON(cs []geocode.Candidate) []placeJSON {
	out := make([]placeJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, placeJSON{Label: c.Label, Lat: c.Position.Lat, Lon: c.Position.Lon, Score: c.Score})
	}
	return out
}

func (s *Server) apiCreateListing(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(ctx context.Context, a access.Actor, ter *territory.Territory, in *listingInput) (any, string, error) {
		l := in.listing()
		if err := s.Offers.Create(ctx, a, ter, l); err != nil {
			return nil, "", err
		}
		return toListingJSON(a, ter, l), "/api/v1/territories/" + ter.Slug + "/listings/" + strconv.FormatInt(l.ID, 10), nil
	})
}

func (s *Server) apiListing(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		a := actorFrom(r.Context())
		l, err := s.Offers.Get(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		return toListingJSON(a, ter, l), nil
	})
}

func (s *Server) apiUpdateListing(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		a, err := s.writer(r)
		if err != nil {
			return nil, err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		cur, err := s.Offers.Get(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		if cur.OwnerID != a.UserID {
			return nil, errs.E(errs.Forbidden, "err.listing_owner_only")
		}
		in := inputOf(cur)
		if err := decodeJSON(w, r, &in); err != nil {
			return nil, err
		}
		l := in.listing()
		l.ID = id
		if err := s.Offers.Update(r.Context(), a, ter, l); err != nil {
			return nil, err
		}
		return toListingJSON(a, ter, l), nil
	})
}

func (s *Server) apiCloseListing(w http.ResponseWriter, r *http.Request) {
	s.apiWrite(w, r, http.StatusOK, nil, func(ter *territory.Territory, id int64) (any, error) {
		a := actorFrom(r.Context())
		l, err := s.Offers.Close(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		return toListingJSON(a, ter, l), nil
	})
}

// messageInput is the body of a proposal, a message or a decline.
type messageInput struct {
	Message string `json:"message"`
	Body    string `json:"body"`
	Reason  string `json:"reason"`
}

func (s *Server) apiProposeIn(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusCreated, func(ter *territory.Territory) (any, error) {
		return s.propose(w, r, ter)
	})
}

// apiPropose is the contract route without a territory: the listing's
// own territory, read by the offers service, answers.
func (s *Server) apiPropose(w http.ResponseWriter, r *http.Request) {
	ex, err := s.propose(w, r, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ex)
}

// propose takes up a listing in ter, or in the listing's own territory
// when ter is nil.
func (s *Server) propose(w http.ResponseWriter, r *http.Request, ter *territory.Territory) (any, error) {
	a, err := s.writer(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var in messageInput
	if err := decodeJSON(w, r, &in); err != nil {
		return nil, err
	}
	if ter == nil {
		tid, err := s.Offers.ListingTerritory(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if ter, err = s.Territories.ByID(r.Context(), tid); err != nil {
			return nil, err
		}
	}
	return s.Offers.Propose(r.Context(), a, ter, id, in.Message)
}

func (s *Server) apiMyExchanges(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		list, err := s.Offers.MyExchanges(r.Context(), actorFrom(r.Context()), ter)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []*offers.Exchange{}
		}
		return map[string]any{"exchanges": list}, nil
	})
}

func (s *Server) apiExchange(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return s.Offers.GetExchange(r.Context(), actorFrom(r.Context()), ter, id)
	})
}

// exchangeStep runs one move of an exchange with the posted reason, if any.
func (s *Server) exchangeStep(w http.ResponseWriter, r *http.Request,
	step func(a access.Actor, ter *territory.Territory, id int64, reason string) (*offers.Exchange, error)) {
	var in messageInput
	s.apiWrite(w, r, http.StatusOK, &in, func(ter *territory.Territory, id int64) (any, error) {
		return step(actorFrom(r.Context()), ter, id, in.Reason)
	})
}

func (s *Server) apiExchangeAccept(w http.ResponseWriter, r *http.Request) {
	s.exchangeStep(w, r, func(a access.Actor, ter *territory.Territory, id int64, _ string) (*offers.Exchange, error) {
		return s.Offers.Accept(r.Context(), a, ter, id)
	})
}

func (s *Server) apiExchangeDecline(w http.ResponseWriter, r *http.Request) {
	s.exchangeStep(w, r, func(a access.Actor, ter *territory.Territory, id int64, reason string) (*offers.Exchange, error) {
		return s.Offers.Decline(r.Context(), a, ter, id, reason)
	})
}

func (s *Server) apiExchangeDone(w http.ResponseWriter, r *http.Request) {
	s.exchangeStep(w, r, func(a access.Actor, ter *territory.Territory, id int64, _ string) (*offers.Exchange, error) {
		return s.Offers.MarkDone(r.Context(), a, ter, id)
	})
}

func (s *Server) apiExchangeCancel(w http.ResponseWriter, r *http.Request) {
	s.exchangeStep(w, r, func(a access.Actor, ter *territory.Territory, id int64, reason string) (*offers.Exchange, error) {
		return s.Offers.Cancel(r.Context(), a, ter, id, reason)
	})
}

func (s *Server) apiExchangeReview(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Rating  int    `json:"rating"`
		Comment string `json:"comment"`
	}
	s.apiWrite(w, r, http.StatusCreated, &in, func(ter *territory.Territory, id int64) (any, error) {
		return s.Offers.Review(r.Context(), actorFrom(r.Context()), ter, id, in.Rating, in.Comment)
	})
}
