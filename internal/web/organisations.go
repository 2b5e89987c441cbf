package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/microcosm-cc/bluemonday"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

func (s *Server) organisationRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/organisations", s.organisationsPage)
	page("POST /t/{slug}/organisations", s.createOrganisation)
	page("GET /t/{slug}/organisations/{id}", s.organisationPage)
	page("POST /t/{slug}/organisations/{id}/members", s.addOrgMember)
	page("GET /t/{slug}/admin", s.adminPage)
	page("POST /t/{slug}/admin/grant", s.grantRole)
	page("POST /t/{slug}/admin/settings", s.territorySettings)
	page("GET /admin/outbox", s.outboxPage)
}

var orgKinds = []string{"association", "merchant", "public_service", "company", "collective"}

type organisationsView struct {
	Organisations []account.Organisation
	Kinds         []string
}

func (s *Server) organisationsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "org.list_title")
	if !ok {
		return
	}
	s.renderOrganisations(w, r, p, http.StatusOK)
}

func (s *Server) renderOrganisations(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	list, err := s.Accounts.Organisations(r.Context(), p.Territory.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = organisationsView{Organisations: list, Kinds: orgKinds}
	s.render(w, r, status, "organisations", p)
}

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "org.list_title")
	if !ok {
		return
	}
	_ = r.ParseForm()
	p.Form = r.PostForm
	a := actorFrom(r.Context())
	if !s.limits.Post("org:" + strconv.FormatInt(a.UserID, 10)) {
		s.renderError(w, r, errs.E(errs.TooManyRequests, "err.too_many_requests"))
		return
	}
	org, err := s.Accounts.CreateOrganisation(r.Context(), a, p.Territory.ID, account.Organisation{
		Name: p.Form.Get("name"), Kind: p.Form.Get("kind"),
		Description: p.Form.Get("description"), Website: p.Form.Get("website"),
	})
	if err != nil {
		if errs.Is(err, errs.Unauthenticated) {
			s.renderError(w, r, err)
			return
		}
		p.setErr(err)
		s.renderOrganisations(w, r, p, statusOf(errs.KindOf(err)))
		return
	}
	s.flash(r, p.L.T("org.created", "Name", org.Name))
	http.Redirect(w, r, "/t/"+p.Territory.Slug+"/organisations/"+strconv.FormatInt(org.ID, 10), http.StatusSeeOther)
}

type organisationView struct {
	Organisation *account.Organisation
	MyRole       string
}

func (s *Server) organisationPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "org.title")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, errs.ErrNotFound)
		return
	}
	org, err := s.Accounts.Organisation(r.Context(), p.Territory.ID, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := organisationView{Organisation: org}
	if a := actorFrom(r.Context()); a.UserID != 0 {
		v.MyRole, _ = s.Accounts.OrgRole(r.Context(), org.ID, a.UserID)
	}
	p.Title = org.Name
	p.Data = v
	s.render(w, r, http.StatusOK, "organisation", p)
}

func (s *Server) addOrgMember(w http.ResponseWriter, r *http.Request) {
	t, ok := s.territory(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, errs.ErrNotFound)
		return
	}
	if err := s.Accounts.AddOrgMember(r.Context(), actorFrom(r.Context()), t.ID, id, r.PostFormValue("email"), r.PostFormValue("role")); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.flash(r, s.localizer(r).T("org.member_added"))
	http.Redirect(w, r, "/t/"+t.Slug+"/organisations/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

type adminView struct {
	Members []account.MemberRow
	Roles   []access.Role
}

// attributionPolicy keeps only links in a map attribution, which Leaflet
// inserts as HTML.
var attributionPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("https")
	p.RequireNoFollowOnLinks(true)
	return p
}()

func (s *Server) territorySettings(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "admin.title")
	if !ok {
		return
	}
	_ = r.ParseForm()
	f := r.PostForm
	t := *p.Territory
	t.Name, t.Lang, t.TimeZone = f.Get("name"), f.Get("lang"), f.Get("time_zone")
	t.TileURL, t.TileAttribution = f.Get("tile_url"), attributionPolicy.Sanitize(f.Get("tile_attribution"))
	t.Licence, t.ContactEmail = f.Get("licence"), f.Get("contact_email")
	t.RouterKind, t.RouterURL = f.Get("router"), f.Get("router_url")
	box, err := geo.ParseBBox(f.Get("bbox"))
	if err == nil {
		t.BBox = box
		err = s.Territories.Update(r.Context(), p.Actor, &t)
	}
	if err != nil {
		if k := errs.KindOf(err); k == errs.Forbidden || k == errs.Unauthenticated {
			s.renderError(w, r, err)
			return
		}
		p.Form = f
		p.setErr(err)
		s.renderAdmin(w, r, p, statusOf(errs.KindOf(err)))
		return
	}
	s.flash(r, p.L.T("admin.settings_saved"))
	http.Redirect(w, r, "/t/"+t.Slug+"/admin", http.StatusSeeOther)
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "admin.title")
	if !ok {
		return
	}
	t := p.Territory
	p.Form = url.Values{"name": {t.Name}, "lang": {t.Lang}, "time_zone": {t.TimeZone}, "tile_url": {t.TileURL},
		"tile_attribution": {t.TileAttribution}, "licence": {t.Licence}, "contact_email": {t.ContactEmail}, "bbox": {t.BBox.String()},
		"router": {t.RouterKind}, "router_url": {t.RouterURL}}
	s.renderAdmin(w, r, p, http.StatusOK)
}

func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	members, err := s.Accounts.Members(r.Context(), p.Actor, p.Territory.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = adminView{Members: members, Roles: access.Roles}
	s.render(w, r, status, "admin", p)
}

func (s *Server) grantRole(w http.ResponseWriter, r *http.Request) {
	t, ok := s.territory(w, r)
	if !ok {
		return
	}
	err := s.Accounts.Grant(r.Context(), actorFrom(r.Context()), t.ID, r.PostFormValue("email"), access.Role(r.PostFormValue("role")))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.flash(r, s.localizer(r).T("admin.granted"))
	http.Redirect(w, r, "/t/"+t.Slug+"/admin", http.StatusSeeOther)
}

// outboxPage shows the mail the platform sent or kept, to platform
// administrators only: it holds other people's links and addresses.
func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	if !a.PlatformAdmin {
		s.renderError(w, r, errs.E(errs.Forbidden, "err.platform_admin_required"))
		return
	}
	list, err := s.Outbox.List(r.Context(), r.URL.Query().Get("to"), 100)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage(r, s.localizer(r).T("admin.outbox"))
	p.Form = r.URL.Query()
	p.Data = list
	s.render(w, r, http.StatusOK, "outbox", p)
}
