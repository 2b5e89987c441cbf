package demo_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/demo"
	"github.com/sharingcity/sharingcity/internal/directory"
)

func TestTerritoryValid(t *testing.T) {
	ter := demo.Territory()
	if err := ter.Validate(); err != nil {
		t.Fatalf("demo territory invalid: %v", err)
	}
	if ter.Slug != "demo" || ter.Lang != "fr" || ter.TimeZone != "Europe/Paris" || !ter.HasModule("directory") {
		t.Fatalf("unexpected territory: %+v", ter)
	}
}

func TestOrganisations(t *testing.T) {
	orgs := demo.Organisations()
	if len(orgs) < 12 || len(orgs) > 20 {
		t.Fatalf("%d organisations", len(orgs))
	}
	seen := map[string]bool{}
	for _, o := range orgs {
		if o.Name == "" || o.Description == "" || seen[o.Name] {
			t.Errorf("empty or duplicate organisation %+v", o)
		}
		seen[o.Name] = true
		switch o.Kind {
		case demo.OrgAssociation, demo.OrgMerchant, demo.OrgPublicService, demo.OrgCompany, demo.OrgCollective:
		default:
			t.Errorf("%s: kind %q", o.Name, o.Kind)
		}
		if !strings.HasPrefix(o.Website, "https://") || !strings.HasSuffix(o.Website, ".example.org") {
			t.Errorf("%s: website %q is not under example.org", o.Name, o.Website)
		}
	}
}

func TestInitiatives(t *testing.T) {
	for _, seed := range []int64{1, 42, 2026, -7} {
		t.Run("seed", func(t *testing.T) {
			list := demo.Initiatives(seed)
			if len(list) < 300 || len(list) > 400 {
				t.Fatalf("%d initiatives, want 300 to 400", len(list))
			}
			orgs := demo.Organisations()
			bbox := demo.BBox()
			names, nameAddr := map[string]bool{}, map[string]bool{}
			perCategory, jam := map[string]int{}, 0
			for i, e := range list {
				in := e.Initiative // Validate trims; check a copy so the data is checked as given
				if err := in.Validate(); err != nil {
					t.Fatalf("#%d %q invalid: %v", i, e.Name, err)
				}
				if !reflect.DeepEqual(in.Categories, e.Categories) || in.Name != e.Name || in.Summary != e.Summary {
					t.Errorf("#%d %q changed by Validate: data is not clean", i, e.Name)
				}
				if !bbox.Contains(e.Position) {
					t.Errorf("#%d %q at %v, outside %v", i, e.Name, e.Position, bbox)
				}
				if len(e.Categories) < 1 || len(e.Categories) > 3 {
					t.Errorf("#%d %q has %d categories", i, e.Name, len(e.Categories))
				}
				for _, c := range e.Categories {
					perCategory[c]++
				}
				if e.Kind == directory.KindCommons && (e.Commons.Resource == "" || e.Commons.Community == "" || e.Commons.Governance == "") {
					t.Errorf("#%d %q is a commons without resource, community and governance", i, e.Name)
				}
				if e.Kind != directory.KindCommons && e.Commons != (directory.Commons{}) {
					t.Errorf("#%d %q is not a commons but has commons fields", i, e.Name)
				}
				if e.Organisation < -1 || e.Organisation >= len(orgs) {
					t.Errorf("#%d %q: organisation index %d", i, e.Name, e.Organisation)
				}
				if e.Status != "" || e.ID != 0 {
					t.Errorf("#%d %q: system fields set", i, e.Name)
				}
				if e.Website != "" && !strings.Contains(e.Website, ".example.org") {
					t.Errorf("#%d %q: website %q", i, e.Name, e.Website)
				}
				if e.Email != "" && !strings.HasSuffix(e.Email, ".example.org") {
					t.Errorf("#%d %q: e-mail %q", i, e.Name, e.Email)
				}
				if e.Phone != "" && !strings.HasPrefix(e.Phone, "04 65 71 ") {
					t.Errorf("#%d %q: phone %q outside the fictional range", i, e.Name, e.Phone)
				}
				if strings.ContainsAny(e.Name+e.Summary+e.Description+e.Commons.Resource, "{}") {
					t.Errorf("#%d %q: unfilled placeholder", i, e.Name)
				}
				key := e.Name + "|" + e.Address
				if nameAddr[key] {
					t.Errorf("#%d: duplicate name and address %q", i, key)
				}
				nameAddr[key] = true
				names[e.Name] = true
				if e.MappedAtJam {
					jam++
				}
			}
			if len(names) < len(list)*95/100 {
				t.Errorf("only %d distinct names for %d initiatives", len(names), len(list))
			}
			for _, c := range directory.Categories {
				if perCategory[c] == 0 {
					t.Errorf("no initiative in category %s", c)
				}
			}
			if jam < 10 || jam > 30 {
				t.Errorf("%d initiatives mapped at the MapJam", jam)
			}
		})
	}
}

func TestInitiativesDeterministic(t *testing.T) {
	a, b := demo.Initiatives(7), demo.Initiatives(7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different data")
	}
	c := demo.Initiatives(8)
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same data")
	}
}

// Positions must cluster around neighbourhoods, not fill the box evenly:
// on a 10×10 grid over the box, the busiest tenth of the cells should hold
// far more than a tenth of the entries.
func TestInitiativesClustered(t *testing.T) {
	list := demo.Initiatives(3)
	b := demo.BBox()
	var cells [100]int
	for _, e := range list {
		x := int((e.Position.Lon - b.MinLon) / (b.MaxLon - b.MinLon) * 10)
		y := int((e.Position.Lat - b.MinLat) / (b.MaxLat - b.MinLat) * 10)
		cells[min(y, 9)*10+min(x, 9)]++
	}
	counts := cells[:]
	slices.Sort(counts)
	top := 0
	for _, c := range counts[90:] {
		top += c
	}
	if top < len(list)*35/100 {
		t.Fatalf("the busiest 10%% of cells hold only %d of %d entries", top, len(list))
	}
}

func TestMapJam(t *testing.T) {
	j := demo.MapJam()
	if j.Title == "" || j.Place == "" || !demo.BBox().Contains(j.Position) {
		t.Fatalf("incomplete MapJam: %+v", j)
	}
	if !j.EndsAt.After(j.StartsAt) || j.StartsAt.Year() < 2020 {
		t.Fatalf("MapJam dates: %v – %v", j.StartsAt, j.EndsAt)
	}
}
