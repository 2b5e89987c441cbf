package web

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
)

type initiativeView struct {
	In           *directory.Initiative
	Description  template.HTML
	Commons      commonsHTML
	Hours        []hoursRow
	Organisation *account.Organisation
	Map          mapAttrs
	Lat, Lon     string
	Moderator    bool
	Member       bool
	URL          string
}

type commonsHTML struct {
	Resource, Community, Governance template.HTML
	Any                             bool
}

func pageInitiativeURL(slug string, id int64) string {
	return "/t/" + slug + "/initiatives/" + strconv.FormatInt(id, 10)
}

func (s *Server) initiativePage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.initiative_title")
	if !ok {
		return
	}
	s.renderInitiative(w, r, p, http.StatusOK)
}

// renderInitiative shows one initiative; a refused report or rejection
// comes back here with its error on the page.
func (s *Server) renderInitiative(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	ctx := r.Context()
	in, err := s.Directory.Get(ctx, p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	md := s.md()
	v := initiativeView{
		In:          in,
		Description: md.HTML(in.Description),
		Hours:       hoursTable(in.OpeningHours),
		Map:         mapAttrsOf(p.Territory),
		Lat:         pageCoords(in.Position.Lat),
		Lon:         pageCoords(in.Position.Lon),
		Moderator:   p.Can(string(access.Moderator)),
		Member:      p.Can(string(access.Member)),
		URL:         pageInitiativeURL(p.Territory.Slug, in.ID),
	}
	c := in.Commons
	v.Commons = commonsHTML{Resource: md.HTML(c.Resource), Community: md.HTML(c.Community), Governance: md.HTML(c.Governance),
		Any: c.Resource != "" || c.Community != "" || c.Governance != ""}
	if in.OrganisationID != 0 {
		// An organisation deleted since is simply not shown.
		v.Organisation, _ = s.Accounts.Organisation(ctx, p.Territory.ID, in.OrganisationID)
	}
	p.Title = in.Name
	p.Data = v
	p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css")
	p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "js/mapkit.js", "js/minimap.js")
	s.renderDir(w, r, status, "initiative", p)
}

type initiativeFormView struct {
	Edit          bool
	NeedJoin      bool
	Action        string
	Cancel        string
	Categories    []string
	Kinds         []directory.Kind
	Organisations []account.Organisation
	Hours         []hoursRow
	Map           mapAttrs
	Initiative    *directory.Initiative // when editing
}

func (s *Server) formView(r *http.Request, p *Page) (*initiativeFormView, error) {
	orgs, err := s.Accounts.Organisations(r.Context(), p.Territory.ID)
	if err != nil {
		return nil, err
	}
	p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css")
	p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "js/mapkit.js", "js/pick.js")
	return &initiativeFormView{
		Categories:    directory.Categories,
		Kinds:         directory.Kinds,
		Organisations: orgs,
		Hours:         hoursFormRows(),
		Map:           mapAttrsOf(p.Territory),
		NeedJoin:      !p.Can(string(access.Member)),
		Action:        "/t/" + p.Territory.Slug + "/initiatives/new",
		Cancel:        "/t/" + p.Territory.Slug + "/initiatives",
	}, nil
}

func (s *Server) contributeForm(w http.ResponseWriter, r *http.Request) {
	if err := actorFrom(r.Context()).RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	p, ok := s.territoryPage(w, r, "dir.contribute_title")
	if !ok {
		return
	}
	v, err := s.formView(r, p)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if p.Form.Get("kind") == "" {
		p.Form.Set("kind", string(directory.KindAssociation))
	}
	p.Data = v
	s.renderDir(w, r, http.StatusOK, "initiative_form", p)
}

func (s *Server) contribute(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.contribute_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.limits.Post("dir:" + strconv.FormatInt(p.Actor.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return
	}
	_ = r.ParseForm()
	p.Form = r.PostForm
	in, bad := initiativeFromForm(p.Form)
	var err error
	if len(bad) > 0 {
		err = mergeFieldErrors(bad, in.Validate())
	} else {
		err = s.Directory.Contribute(r.Context(), p.Actor, p.Territory, in)
	}
	if err != nil {
		s.formError(w, r, p, err, false)
		return
	}
	if in.Status == directory.StatusPublished {
		s.flash(r, p.L.T("dir.contributed_published"))
	} else {
		s.flash(r, p.L.T("dir.contributed_pending"))
	}
	http.Redirect(w, r, pageInitiativeURL(p.Territory.Slug, in.ID), http.StatusSeeOther)
}

// formError shows the initiative form again with what was typed and why it
// was refused.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, p *Page, err error, edit bool) {
	if k := errs.KindOf(err); k == errs.Unauthenticated || k == errs.NotFound || k == errs.Internal {
		s.renderError(w, r, err)
		return
	}
	v, verr := s.formView(r, p)
	if verr != nil {
		s.renderError(w, r, verr)
		return
	}
	if edit {
		s.asEdit(v, p, r)
	}
	p.setErr(err)
	p.Data = v
	s.renderDir(w, r, statusOf(errs.KindOf(err)), "initiative_form", p)
}

func (s *Server) asEdit(v *initiativeFormView, p *Page, r *http.Request) {
	u := pageInitiativeURL(p.Territory.Slug, pageID(r))
	v.Edit, v.Action, v.Cancel = true, u+"/edit", u
}

func pageID(r *http.Request) int64 {
	id, _ := pagePathID(r, "id")
	return id
}

func (s *Server) editForm(w http.ResponseWriter, r *http.Request) {
	if err := actorFrom(r.Context()).RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	p, id, ok := s.territoryPageID(w, r, "dir.edit_title")
	if !ok {
		return
	}
	in, err := s.Directory.Get(r.Context(), p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v, err := s.formView(r, p)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.asEdit(v, p, r)
	v.Initiative = in
	p.Title = p.L.T("dir.edit_title_of", "Name", in.Name)
	p.Form = initiativeFormValues(in)
	p.Data = v
	s.renderDir(w, r, http.StatusOK, "initiative_form", p)
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.territoryPageID(w, r, "dir.edit_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.limits.Post("dir:" + strconv.FormatInt(p.Actor.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return
	}
	_ = r.ParseForm()
	p.Form = r.PostForm
	changed, bad := initiativeFromForm(p.Form)
	var rev *directory.Revision
	var err error
	if len(bad) > 0 {
		err = mergeFieldErrors(bad, changed.Validate())
	} else {
		rev, err = s.Directory.ProposeChange(r.Context(), p.Actor, p.Territory, id, changed, p.Form.Get("comment"))
	}
	if err != nil {
		s.formError(w, r, p, err, true)
		return
	}
	if rev.Status == directory.RevisionApplied {
		s.flash(r, p.L.T("dir.change_applied"))
	} else {
		s.flash(r, p.L.T("dir.change_pending"))
	}
	http.Redirect(w, r, pageInitiativeURL(p.Territory.Slug, id), http.StatusSeeOther)
}

// pageInitiativeAction runs a moderation or report action posted from the
// initiative page. Invalid input (a missing reason) comes back on the page.
func (s *Server) pageInitiativeAction(w http.ResponseWriter, r *http.Request, done string, act func(p *Page, id int64) error) {
	p, id, ok := s.territoryPageID(w, r, "dir.initiative_title")
	if !ok {
		return
	}
	_ = r.ParseForm()
	p.Form = r.PostForm
	if err := act(p, id); err != nil {
		if errs.KindOf(err) == errs.Invalid {
			p.setErr(err)
			s.renderInitiative(w, r, p, http.StatusBadRequest)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.flash(r, p.L.T(done))
	next := safeNext(p.Form.Get("next"))
	if next == "/" {
		next = pageInitiativeURL(p.Territory.Slug, id)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) publishInitiative(w http.ResponseWriter, r *http.Request) {
	s.pageInitiativeAction(w, r, "dir.published", func(p *Page, id int64) error {
		return s.Directory.Publish(r.Context(), p.Actor, p.Territory, id)
	})
}

func (s *Server) rejectInitiative(w http.ResponseWriter, r *http.Request) {
	s.pageInitiativeAction(w, r, "dir.rejected", func(p *Page, id int64) error {
		return s.Directory.Reject(r.Context(), p.Actor, p.Territory, id, p.Form.Get("reason"))
	})
}

func (s *Server) archiveInitiative(w http.ResponseWriter, r *http.Request) {
	s.pageInitiativeAction(w, r, "dir.archived", func(p *Page, id int64) error {
		return s.Directory.Archive(r.Context(), p.Actor, p.Territory, id)
	})
}

func (s *Server) reportInitiative(w http.ResponseWriter, r *http.Request) {
	s.pageInitiativeAction(w, r, "dir.reported", func(p *Page, id int64) error {
		if !s.limits.Post("report:" + strconv.FormatInt(p.Actor.UserID, 10)) {
			return errs.E(errs.TooManyRequests, "err.too_many_requests")
		}
		_, err := s.Directory.Report(r.Context(), p.Actor, p.Territory, id, p.Form.Get("reason"))
		return err
	})
}
