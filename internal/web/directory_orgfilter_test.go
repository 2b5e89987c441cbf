package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// TestOrganisationFilter: the list page and the search API narrow to the
// initiatives an organisation runs; a bad id is a 400, an unknown one on
// the page a 404.
func TestOrganisationFilter(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	_, _ = e.member("orga@example.org", access.Member)
	u, err := e.accounts.UserByEmail(ctx, "orga@example.org")
	if err != nil {
		t.Fatal(err)
	}
	org, err := e.accounts.CreateOrganisation(ctx, access.Actor{UserID: u.ID, Roles: map[int64]access.Role{e.ter.ID: access.Member}},
		e.ter.ID, account.Organisation{Name: "Les Amis du Vélo", Kind: "association"})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Atelier vélo Berriat", "Atelier vélo Mistral", "Atelier couture"} {
		in := &directory.Initiative{Name: name, Summary: "Un atelier", Categories: []string{"mobility"},
			Kind: directory.KindAssociation, Position: geo.Point{Lat: 45.18, Lon: 5.70 + float64(i)*0.01}}
		if i < 2 {
			in.OrganisationID = org.ID
		}
		if err := e.directory.Contribute(ctx, access.SystemActor(), e.ter, in); err != nil {
			t.Fatal(err)
		}
	}
	id := strconv.FormatInt(org.ID, 10)

	resp := e.get(nil, "/api/v1/territories/test/search?q=atelier&organisation="+id)
	var res struct {
		Total int `json:"total"`
		Items []struct {
			Initiative struct {
				Name           string `json:"name"`
				OrganisationID int64  `json:"organisation_id"`
			} `json:"initiative"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(expect(t, resp, http.StatusOK)), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || len(res.Items) != 2 {
		t.Fatalf("API: %+v", res)
	}
	for _, it := range res.Items {
		if it.Initiative.OrganisationID != org.ID {
			t.Fatalf("API: %+v", it)
		}
	}
	expect(t, e.get(nil, "/api/v1/territories/test/search?organisation=abc"), http.StatusBadRequest, "organisation")

	body := expect(t, e.get(nil, "/t/test/initiatives?organisation="+id), http.StatusOK,
		"Initiatives portées par Les Amis du Vélo", "2 résultats", "Atelier vélo Berriat", `name="organisation" value="`+id+`"`)
	if strings.Contains(body, "Atelier couture") {
		t.Fatal("list: an initiative of no organisation in the filtered list")
	}
	expect(t, e.get(nil, "/t/test/initiatives?organisation="+id+"&lang=en"), http.StatusOK, "Initiatives run by Les Amis du Vélo")
	expect(t, e.get(nil, "/t/test/initiatives?organisation=x"), http.StatusBadRequest)
	expect(t, e.get(nil, "/t/test/initiatives?organisation=999999"), http.StatusNotFound)
	expect(t, e.get(nil, "/t/test/organisations/"+id), http.StatusOK, "/t/test/initiatives?organisation="+id)
}
