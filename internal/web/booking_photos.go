package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Photos of resources: the organisation's administrators add them with a
// new resource (inventory form), its staff replace them on the resource's
// page. Files go through internal/media (checked by content, resized,
// stripped of metadata) like listing photos; the resource keeps the keys.

// maxResourceBody bounds a form carrying photos.
const maxResourceBody = booking.MaxPhotos*maxPhotoBytes + 1<<20

// multipartPost is pagePost for a form that may carry files: pagePost's
// checks (territory, signed-in user, rate limit, path id), then the body
// read as multipart within maxResourceBody. The caller removes the form's
// temporary files (r.MultipartForm.RemoveAll).
func (s *Server) multipartPost(w http.ResponseWriter, r *http.Request) (*Page, int64, bool) {
	// pagePost's ParseForm leaves a multipart body unread; it is read here
	// under the larger limit.
	body := r.Body
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return nil, 0, false
	}
	r.Body = body
	if err := parseResourceForm(w, r); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.renderError(w, r, err)
		return nil, 0, false
	}
	return p, id, true
}

// parseResourceForm reads a multipart body within maxResourceBody; a body
// that is not multipart answers http.ErrNotMultipart.
func parseResourceForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxResourceBody)
	err := r.ParseMultipartForm(multipartMemory)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil || errors.Is(err, http.ErrNotMultipart):
		return err
	case errors.As(err, &tooBig):
		return errs.E(errs.Invalid, "err.body_too_large")
	}
	return errs.Wrap(errs.Invalid, "err.invalid_input", err)
}

// apiAddResourcePhotos adds the photos of a multipart body (field
// "photos") after the resource's own, for the organisation's staff.
func (s *Server) apiAddResourcePhotos(w http.ResponseWriter, r *http.Request) {
	s.bookingByID(w, r, http.StatusCreated, true, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		cur, err := s.Booking.Resource(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		// SetPhotos decides; asking first spares resizing a stranger's files.
		if !s.Booking.IsStaff(r.Context(), a, ter, cur.OrganisationID) {
			return nil, errs.E(errs.Forbidden, "err.booking.staff_only")
		}
		if err := parseResourceForm(w, r); err != nil {
			if errors.Is(err, http.ErrNotMultipart) {
				err = errs.Wrap(errs.Invalid, "err.invalid_input", err)
			}
			return nil, err
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		added, bad := s.ingestPhotos(r)
		if len(bad) > 0 {
			return nil, errs.Fields(bad)
		}
		if len(added) == 0 {
			return nil, errs.Fields([]errs.FieldError{{Field: "photos", Key: "err.photo_empty"}})
		}
		gone, err := s.Booking.SetPhotos(r.Context(), a, ter, id, append(cur.Photos, added...))
		if err != nil {
			s.dropPhotos(r.Context(), added)
			return nil, err
		}
		s.dropPhotos(r.Context(), gone)
		return s.resourceAfter(r, a, ter, id)
	})
}

// apiDeleteResourcePhoto removes the photo whose key (the last part of its
// url) the path names, for the organisation's staff.
func (s *Server) apiDeleteResourcePhoto(w http.ResponseWriter, r *http.Request) {
	s.bookingByID(w, r, http.StatusOK, true, nil, func(ter *territory.Territory, a access.Actor, id int64) (any, error) {
		cur, err := s.Booking.Resource(r.Context(), a, ter, id)
		if err != nil {
			return nil, err
		}
		key := r.PathValue("photo")
		keep := make([]media.Photo, 0, len(cur.Photos))
		for _, ph := range cur.Photos {
			if ph.Key != key {
				keep = append(keep, ph)
			}
		}
		if len(keep) == len(cur.Photos) {
			return nil, errs.ErrNotFound
		}
		gone, err := s.Booking.SetPhotos(r.Context(), a, ter, id, keep)
		if err != nil {
			return nil, err
		}
		if s.Media != nil {
			s.dropPhotos(r.Context(), gone)
		}
		return nil, nil
	})
}

// resourceAfter is the resource as the API shows it after a change.
func (s *Server) resourceAfter(r *http.Request, a access.Actor, ter *territory.Territory, id int64) (any, error) {
	res, err := s.Booking.Resource(r.Context(), a, ter, id)
	if err != nil {
		return nil, err
	}
	return resourceOut(res), nil
}

// resourcePhotosPage keeps the photos not ticked "remove", in order, then
// adds the uploaded ones. Files the resource no longer shows are deleted
// after it stops pointing to them; new files are deleted on failure.
func (s *Server) resourcePhotosPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.multipartPost(w, r)
	if !ok {
		return
	}
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	cur, err := s.Booking.Resource(r.Context(), p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	removed := map[string]bool{}
	for _, k := range r.PostForm["remove"] {
		removed[k] = true
	}
	var photos []media.Photo
	for _, ph := range cur.Photos {
		if !removed[ph.Key] {
			photos = append(photos, ph)
		}
	}
	added, bad := s.ingestPhotos(r)
	if len(bad) > 0 {
		err = errs.Fields(bad)
	} else {
		var gone []media.Photo
		if gone, err = s.Booking.SetPhotos(r.Context(), p.Actor, p.Territory, id, append(photos, added...)); err == nil {
			s.dropPhotos(r.Context(), gone)
		}
	}
	if err != nil && s.Media != nil {
		s.dropPhotos(r.Context(), added)
	}
	s.done(w, r, fieldAsError(err), p.L.T("book.photos_saved"), "/t/"+p.Territory.Slug+"/resources/"+strconv.FormatInt(id, 10)+"#photos")
}

// fieldAsError turns a form's first field error into the error of a page
// that has no form to show it beside.
func fieldAsError(err error) error {
	if e, ok := errs.As(err); ok && e.Kind == errs.Invalid && len(e.Fields) > 0 {
		return &errs.Error{Kind: errs.Invalid, Key: e.Fields[0].Key, Args: e.Fields[0].Args}
	}
	return err
}

// resourceJSON is a resource as the API shows it, its photos as addresses.
type resourceJSON struct {
	*booking.Resource
	Photos []photoJSON `json:"photos"`
}

func resourceOut(r *booking.Resource) resourceJSON {
	return resourceJSON{Resource: r, Photos: photosJSON(r.Photos)}
}

func resourcesOut(list []*booking.Resource) []resourceJSON {
	out := make([]resourceJSON, len(list))
	for i, r := range list {
		out[i] = resourceOut(r)
	}
	return out
}
