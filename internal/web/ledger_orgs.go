package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/ledger"
)

// Organisation accounts: an organisation's members see its balances and
// statements (the statement pages serve any account its reader may see);
// its administrators pay from it through the transfer form's "from".

func (s *Server) ledgerOrgRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/ledger/organisations/{id}", s.ledgerOrgHome)
}

// payingOrgs lists the organisations of the territory the actor
// administers, which they may pay from.
func (s *Server) payingOrgs(ctx context.Context, p *Page) []account.OrgMembership {
	all, err := s.Accounts.UserOrganisations(ctx, p.Actor.UserID)
	if err != nil {
		return nil
	}
	var out []account.OrgMembership
	for _, o := range all {
		if o.TerritoryID == p.Territory.ID && o.Role == account.OrgAdmin {
			out = append(out, o)
		}
	}
	return out
}

func orgRef(id int64) string { return "organisation:" + strconv.FormatInt(id, 10) }

func (s *Server) ledgerOrgHome(w http.ResponseWriter, r *http.Request) {
	p, ok := s.memberPage(w, r, "ledger.org_title")
	if !ok {
		return
	}
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	accs, err := s.Ledger.OrganisationAccounts(r.Context(), p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	org, err := s.Accounts.Organisation(r.Context(), p.Territory.ID, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Title = p.L.T("ledger.org_accounts", map[string]any{"Name": org.Name})
	p.Data = map[string]any{"Accounts": rowsOf(accs, p.Lang), "Org": org, "From": orgRef(org.ID)}
	s.render(w, r, http.StatusOK, "ledger_home", p)
}

// fromOption is one account the transfer form may pay from.
type fromOption struct {
	Ref  string
	Name string
}

// transferSources are the actor's own account and the organisations they
// administer; accounts are the balances of the chosen one.
func (s *Server) transferSources(ctx context.Context, p *Page, from string) ([]fromOption, []*ledger.Account, error) {
	opts := []fromOption{{Ref: "", Name: p.L.T("ledger.from_me")}}
	for _, o := range s.payingOrgs(ctx, p) {
		opts = append(opts, fromOption{Ref: orgRef(o.ID), Name: o.Name})
	}
	if from == "" {
		accs, err := s.Ledger.MyAccounts(ctx, p.Actor, p.Territory)
		return opts, accs, err
	}
	for _, o := range opts[1:] {
		if o.Ref == from {
			id, _ := strconv.ParseInt(from[len("organisation:"):], 10, 64)
			accs, err := s.Ledger.OrganisationAccounts(ctx, p.Actor, p.Territory, id)
			return opts, accs, err
		}
	}
	// Not one of theirs (or a territory administrator's pick): the service
	// decides at payment; show no balances.
	return append(opts, fromOption{Ref: from, Name: from}), nil, nil
}
