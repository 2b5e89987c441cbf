package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/rdex"
)

// The territory administrators' page of partner platforms (outgoing RDEX,
// rdex_partners.go): list them with what this instance last saw of each,
// add one, turn asking it on or off, remove one after a confirmation page
// (no JavaScript needed). Every rule and the administrator check are the
// partner service's; the handlers only parse and render. The keys never
// appear on a page: the private key is a password field, never filled
// back.

func (s *Server) rdexPartnerAdminRoutes(page func(string, http.HandlerFunc)) {
	if s.RDEXPartners == nil {
		return
	}
	page("GET /t/{slug}/admin/rdex-partners", s.rdexPartnersPage)
	page("POST /t/{slug}/admin/rdex-partners", s.rdexPartnerAdd)
	page("POST /t/{slug}/admin/rdex-partners/enable", s.rdexPartnerSetEnabled(true))
	page("POST /t/{slug}/admin/rdex-partners/disable", s.rdexPartnerSetEnabled(false))
	page("GET /t/{slug}/admin/rdex-partners/remove", s.rdexPartnerRemovePage)
	page("POST /t/{slug}/admin/rdex-partners/remove", s.rdexPartnerRemove)
}

// partnerAdminRow is a partner with this instance's view of its health.
type partnerAdminRow struct {
	*rdex.Partner
	Health  rdex.PartnerHealth
	Skipped bool // still skipped after its last failure
}

type partnerAdminView struct {
	Partners []partnerAdminRow
	Health   bool // this instance asks partners, so it can tell their state
	Remove   *rdex.Partner
}

func (s *Server) partnersPath(slug string) string { return "/t/" + slug + "/admin/rdex-partners" }

func (s *Server) rdexPartnersPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "rdexadm.title")
	if !ok {
		return
	}
	p.Form = url.Values{"enabled": {"1"}}
	s.renderPartners(w, r, p, http.StatusOK)
}

func (s *Server) renderPartners(w http.ResponseWriter, r *http.Request, p *Page, status int) {
	list, err := s.RDEXPartners.List(r.Context(), p.Actor, p.Territory.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := partnerAdminView{Health: s.Partners != nil, Partners: make([]partnerAdminRow, 0, len(list))}
	now := s.Now()
	for _, pt := range list {
		row := partnerAdminRow{Partner: pt}
		if s.Partners != nil {
			row.Health = s.Partners.Health(pt.ID)
			row.Skipped = now.Before(row.Health.SkipUntil)
			row.Health.FailedAt = row.Health.FailedAt.In(p.Territory.Location())
			row.Health.SkipUntil = row.Health.SkipUntil.In(p.Territory.Location())
		}
		v.Partners = append(v.Partners, row)
	}
	p.Data = v
	s.render(w, r, status, "rdex_partners", p)
}

func (s *Server) rdexPartnerAdd(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "rdexadm.title")
	if !ok {
		return
	}
	_ = r.ParseForm()
	f := r.PostForm
	pt := &rdex.Partner{Name: f.Get("name"), URL: f.Get("url"), PublicKey: f.Get("public_key"), PrivateKey: f.Get("private_key"),
		Enabled: f.Get("enabled") != ""}
	if err := s.RDEXPartners.Add(r.Context(), p.Actor, p.Territory.ID, pt); err != nil {
		if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
			s.renderError(w, r, err)
			return
		}
		p.Form = url.Values{"name": {f.Get("name")}, "url": {f.Get("url")}, "public_key": {f.Get("public_key")}, "enabled": {f.Get("enabled")}}
		p.setErr(err)
		s.renderPartners(w, r, p, statusOf(errs.KindOf(err)))
		return
	}
	s.flash(r, p.L.T("rdexadm.added", "Name", pt.Name))
	http.Redirect(w, r, s.partnersPath(p.Territory.Slug), http.StatusSeeOther)
}

func (s *Server) rdexPartnerSetEnabled(enabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := s.territory(w, r)
		if !ok {
			return
		}
		name := r.PostFormValue("name")
		err := s.RDEXPartners.SetEnabled(r.Context(), actorFrom(r.Context()), t.ID, name, enabled)
		msg := map[bool]string{true: "rdexadm.enabled_done", false: "rdexadm.disabled_done"}[enabled]
		s.done(w, r, err, s.localizer(r).T(msg, "Name", name), s.partnersPath(t.Slug))
	}
}

// rdexPartnerRemovePage asks to confirm a removal (?id=): a page of its
// own, so that removing works, and is confirmed, without JavaScript.
func (s *Server) rdexPartnerRemovePage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "rdexadm.remove_title")
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64) // no partner has id 0: NotFound, once the actor may know
	pt, err := s.RDEXPartners.Get(r.Context(), p.Actor, p.Territory.ID, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = partnerAdminView{Remove: pt}
	s.render(w, r, http.StatusOK, "rdex_partner_remove", p)
}

func (s *Server) rdexPartnerRemove(w http.ResponseWriter, r *http.Request) {
	t, ok := s.territory(w, r)
	if !ok {
		return
	}
	name := r.PostFormValue("name")
	err := s.RDEXPartners.Remove(r.Context(), actorFrom(r.Context()), t.ID, name)
	s.done(w, r, err, s.localizer(r).T("rdexadm.removed", "Name", name), s.partnersPath(t.Slug))
}
