package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/booking"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/media"
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
	r.Body = http.MaxBytesReader(w, body, maxResourceBody)
	if err := r.ParseMultipartForm(multipartMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderError(w, r, errs.E(errs.Invalid, "err.body_too_large"))
		} else {
			s.renderError(w, r, errs.Wrap(errs.Invalid, "err.invalid_input", err))
		}
		return nil, 0, false
	}
	return p, id, true
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
