package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/offers"
)

// The owner's edit form of a listing: the same form as for a new one,
// filled with the listing, plus its photos, each with a "remove" box.

func (s *Server) offerEditRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/listings/{id}/edit", s.editListingForm)
	page("POST /t/{slug}/listings/{id}/edit", s.editListing)
}

// formOfListing gives the form fields that show listing l as it is.
func formOfListing(l *offers.Listing) url.Values {
	f := url.Values{"kind": {string(l.Kind)}, "mode": {string(l.Mode)}, "title": {l.Title},
		"description": {l.Description}, "category": {l.Category}, "condition": {string(l.Condition)},
		"wanted": {l.WantedInReturn}, "availability": {l.Availability}, "quantity": {strconv.Itoa(l.Quantity)},
		"expires": {l.ExpiresAt.Format("2006-01-02")}}
	if l.PriceCents > 0 {
		f.Set("price", strconv.FormatFloat(float64(l.PriceCents)/100, 'f', 2, 64))
	}
	if l.ExactPosition != nil {
		f.Set("lat", strconv.FormatFloat(l.ExactPosition.Lat, 'f', -1, 64))
		f.Set("lon", strconv.FormatFloat(l.ExactPosition.Lon, 'f', -1, 64))
	}
	return f
}

// ownListing loads listing {id} for its owner; anyone else gets the
// service's NotFound, or Forbidden when they may see it.
func (s *Server) ownListing(w http.ResponseWriter, r *http.Request, p *Page) (*offers.Listing, bool) {
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	id, err := pagePathID(r, "id")
	if err == nil {
		var l *offers.Listing
		if l, err = s.Offers.Get(r.Context(), p.Actor, p.Territory, id); err == nil {
			if l.OwnerID == p.Actor.UserID {
				return l, true
			}
			err = errs.E(errs.Forbidden, "err.listing_owner_only")
		}
	}
	s.renderError(w, r, err)
	return nil, false
}

func (s *Server) renderEditForm(w http.ResponseWriter, r *http.Request, p *Page, l *offers.Listing, status int) {
	p.Data = s.listingEditView(r.Context(), p, listingFormView{Modes: offers.Modes, Kinds: offers.Kinds, Conditions: offers.Conditions,
		Categories: directory.Categories, MaxPhotos: offers.MaxPhotos, Uploads: s.Media != nil,
		Action: listingURL(p.Territory, l.ID) + "/edit", Photos: l.Photos, Edit: true})
	s.render(w, r, status, "listing_form", p)
}

func (s *Server) editListingForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offw.edit_title")
	if !ok {
		return
	}
	l, ok := s.ownListing(w, r, p)
	if !ok {
		return
	}
	p.Form = formOfListing(l)
	s.fillLedgerPrice(r.Context(), p, l.ID)
	s.renderEditForm(w, r, p, l, http.StatusOK)
}

// editListing saves the fields, then the photos: the kept ones in their
// order followed by the new files. Files no longer used are deleted once
// the listing no longer points to them; new files are deleted on failure.
func (s *Server) editListing(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offw.edit_title")
	if !ok {
		return
	}
	cur, ok := s.ownListing(w, r, p)
	if !ok {
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
	removed := map[string]bool{}
	for _, k := range p.Form["remove"] {
		removed[k] = true
	}
	var kept []media.Photo
	for _, ph := range cur.Photos {
		if !removed[ph.Key] {
			kept = append(kept, ph)
		}
	}
	l, bad := listingFromForm(p.Form)
	l.ID = cur.ID
	added, perr := s.ingestPhotos(r)
	bad = append(bad, perr...)
	if len(kept)+len(added) > offers.MaxPhotos {
		bad = append(bad, errs.FieldError{Field: "photos", Key: "err.photos_too_many", Args: map[string]any{"Max": offers.MaxPhotos}})
	}
	code, amount, priceBad, err := s.ledgerPriceFromForm(r, p)
	bad = append(bad, priceBad...)
	if err == nil && len(bad) > 0 {
		err = mergeFieldErrors(bad, l.Validate())
	} else if err == nil {
		if err = s.Offers.Update(r.Context(), p.Actor, p.Territory, l); err == nil {
			err = s.saveLedgerPrice(r.Context(), p, l.ID, code, amount)
		}
	}
	if err == nil {
		var gone []media.Photo
		gone, err = s.Offers.SetPhotos(r.Context(), p.Actor, p.Territory, l.ID, append(kept, added...))
		if err == nil && s.Media != nil {
			s.dropPhotos(r.Context(), gone)
		}
	}
	if err != nil {
		if s.Media != nil {
			s.dropPhotos(r.Context(), added)
		}
		if errs.KindOf(err) != errs.Invalid {
			s.renderError(w, r, err)
			return
		}
		p.setErr(err)
		s.renderEditForm(w, r, p, cur, http.StatusBadRequest)
		return
	}
	s.flash(r, p.L.T("offw.updated"))
	http.Redirect(w, r, listingURL(p.Territory, l.ID), http.StatusSeeOther)
}
