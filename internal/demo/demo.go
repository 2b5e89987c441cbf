// Package demo produces the demo territory that sharingcity seeds on first
// start: Grenoble and its neighbouring towns, with invented organisations
// and a few hundred realistic initiatives placed in its real neighbourhoods
// on real street names. Names of organisations, people-free texts, web sites
// (example.org), e-mails and phone numbers (the range reserved for fiction)
// are all made up, so nothing points at a real body.
//
// Everything is generated from tables (neighbourhoods, streets, recipes of
// names and texts per kind of initiative) by a seeded generator, so a seed
// always gives the same data.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Slug is the demo territory's slug.
const Slug = "demo"

// BBox is the demo territory's boundary: the city of Grenoble with the
// edges of Fontaine and La Tronche.
func BBox() geo.BBox { return geo.BBox{MinLon: 5.67, MinLat: 45.15, MaxLon: 5.76, MaxLat: 45.22} }

// Territory returns the demo territory, ready for territory.Service.Create.
func Territory() territory.Territory {
	t := territory.Territory{
		Slug:         Slug,
		Name:         "Grenoble (démo)",
		BBox:         BBox(),
		Lang:         "fr",
		TimeZone:     "Europe/Paris",
		Modules:      []string{"directory"},
		ContactEmail: "contact@demo.example.org",
	}
	t.Defaults() // tiles and licence
	return t
}

// OrgKind is the form of an organisation, as accounts define it.
type OrgKind string

const (
	OrgAssociation   OrgKind = "association"
	OrgMerchant      OrgKind = "merchant"
	OrgPublicService OrgKind = "public_service"
	OrgCompany       OrgKind = "company"
	OrgCollective    OrgKind = "collective"
)

// Organisation is an invented local organisation of the demo.
type Organisation struct {
	Name        string
	Kind        OrgKind
	Description string
	Website     string
}

// Organisations returns the demo's organisations; Initiative.Organisation
// indexes this slice.
func Organisations() []Organisation {
	out := make([]Organisation, len(organisationTable))
	copy(out, organisationTable)
	for i := range out {
		out[i].Website = "https://" + slugify(out[i].Name) + ".example.org"
	}
	return out
}

// Initiative is a directory entry of the demo and who runs it.
type Initiative struct {
	directory.Initiative
	// Organisation is the index in Organisations() of the organisation that
	// runs the initiative, or -1.
	Organisation int
	// MappedAtJam marks the entries contributed during MapJam(), so the
	// seeder can attach them to it and its page shows what was mapped.
	MappedAtJam bool
}

// MapJamEvent is a past mapping session of the demo.
type MapJamEvent struct {
	Title       string
	Description string
	Place       string
	Position    geo.Point
	StartsAt    time.Time // UTC
	EndsAt      time.Time // UTC
}

// jamNeighbourhoods are where the MapJam's participants went mapping.
var jamNeighbourhoods = []string{"Berriat", "Saint-Bruno", "Jean Macé"}

// MapJam returns the demo's past mapping event.
func MapJam() MapJamEvent {
	return MapJamEvent{
		Title: "MapJam d'automne : cartographions le partage à Berriat et Saint-Bruno",
		Description: "Un après-midi pour repérer ensemble, rue par rue, les initiatives de partage des quartiers " +
			"Berriat, Saint-Bruno et Jean Macé : boîtes à livres, composteurs, ateliers, AMAP… " +
			"Départ en petits groupes, retour au tiers-lieu pour tout mettre sur la carte autour d'un goûter.",
		Place:    "Tiers-lieu La Fourmilière, 40 cours Berriat, 38000 Grenoble",
		Position: geo.Point{Lat: 45.1874, Lon: 5.7098},
		// Saturday 18 October 2025, 14:00 to 18:00 in Paris (CEST, UTC+2).
		StartsAt: time.Date(2025, 10, 18, 12, 0, 0, 0, time.UTC),
		EndsAt:   time.Date(2025, 10, 18, 16, 0, 0, 0, time.UTC),
	}
}

// Initiatives returns between 320 and 380 initiatives, the same ones for
// the same seed. Status is left empty: the seeder publishes them.
func Initiatives(seed int64) []Initiative {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed_c17e))
	g := generator{r: r, recipes: allRecipes(), orgs: organisationTable, names: map[string]bool{}, sites: map[string]bool{}}
	n := 320 + r.IntN(61)
	out := make([]Initiative, 0, n)
	jam := 0
	for len(out) < n {
		in := g.initiative()
		// About half the entries of the jam's neighbourhoods, up to 30, were
		// mapped that afternoon.
		if jam < 30 && slices.Contains(jamNeighbourhoods, g.lastPlace) && r.IntN(2) == 0 {
			in.MappedAtJam = true
			jam++
		}
		out = append(out, in)
	}
	return out
}

type generator struct {
	r         *rand.Rand
	recipes   []recipe
	orgs      []Organisation
	names     map[string]bool // nameKey of the names given so far, to keep them unique
	sites     map[string]bool // web-site slugs given so far
	lastPlace string          // neighbourhood of the last entry
}

func (g *generator) initiative() Initiative {
	r := g.r
	rc := g.pickRecipe()
	nb := pickNeighbourhood(r)
	g.lastPlace = nb.name
	street := nb.streets[r.IntN(len(nb.streets))]

	kind := rc.kinds[r.IntN(len(rc.kinds))]
	org := g.pickOrganisation(rc, kind)
	v := vars{
		"{q}": nb.name, "{deq}": nb.de, "{aq}": nb.a, "{rue}": street, "{derue}": deStreet(street),
		"{city}": nb.city, "{year}": fmt.Sprint(2008 + r.IntN(17)), "{members}": fmt.Sprint(15 + 5*r.IntN(40)),
		"{fancy}": pick(r, rc.fancy), "{n}": fmt.Sprint(3 + r.IntN(10)),
	}
	if org >= 0 {
		v["{org}"] = g.orgs[org].Name
	}

	name := g.uniqueName(rc, v, nb, street)
	hours := openingHours(r, pick(r, rc.hours))
	in := directory.Initiative{
		Name:         name,
		Summary:      v.fill(pick(r, rc.summaries)),
		Description:  g.description(rc, v, hours, org),
		Categories:   categories(r, rc),
		Tags:         tags(r, rc, nb),
		Kind:         kind,
		Address:      address(r, street, nb),
		Position:     position(r, nb),
		OpeningHours: hours,
	}
	if kind == directory.KindCommons {
		in.Commons = directory.Commons{
			Resource:   v.fill(pick(r, rc.commons.resource)),
			Community:  v.fill(pick(r, rc.commons.community)),
			Governance: v.fill(pick(r, rc.commons.governance)),
		}
	}
	g.contacts(&in, org, rc)
	return Initiative{Initiative: in, Organisation: org}
}

// pickOrganisation attaches, a bit more than half the time, one of the
// organisations that usually runs this kind of initiative, provided its
// legal form fits the initiative's kind.
func (g *generator) pickOrganisation(rc *recipe, kind directory.Kind) int {
	var fit []int
	for _, o := range rc.orgs {
		if kindFits(g.orgs[o].Kind, kind) {
			fit = append(fit, o)
		}
	}
	if len(fit) == 0 || g.r.Float64() > 0.6 {
		return -1
	}
	return fit[g.r.IntN(len(fit))]
}

func kindFits(o OrgKind, k directory.Kind) bool {
	switch o {
	case OrgAssociation:
		return k == directory.KindAssociation || k == directory.KindCommons
	case OrgCollective:
		return k == directory.KindCollective || k == directory.KindCommons
	case OrgPublicService:
		return k == directory.KindPublicService || k == directory.KindCommons
	case OrgMerchant, OrgCompany:
		return k == directory.KindCompany
	}
	return false
}

// uniqueName tries the recipe's name patterns until one is free, then falls
// back on the street, then on a number, so no two entries share a name.
func (g *generator) uniqueName(rc *recipe, v vars, nb *neighbourhood, street string) string {
	for range 25 {
		if n := v.fill(pick(g.r, rc.names)); !g.names[nameKey(n)] {
			g.names[nameKey(n)] = true
			return n
		}
		v["{fancy}"] = pick(g.r, rc.fancy)
	}
	base := v.fill(rc.names[0]) + " – " + street
	n := base
	for i := 2; g.names[nameKey(n)]; i++ {
		n = fmt.Sprintf("%s (%d)", base, i)
	}
	g.names[nameKey(n)] = true
	return n
}

// nameKey ignores articles and accents, so "Repair Café Mistral" and
// "Repair Café de Mistral" count as the same name.
func nameKey(name string) string {
	var words []string
	for _, w := range strings.Split(fold(name), "-") {
		switch w {
		case "de", "du", "des", "la", "le", "les", "l", "d":
		default:
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}

// contacts fills the web site, e-mail and phone, each only for some
// entries, as in real directories. Sites live under example.org.
func (g *generator) contacts(in *directory.Initiative, org int, rc *recipe) {
	r := g.r
	slug := slugify(in.Name)
	for i := 2; g.sites[slug]; i++ {
		slug = fmt.Sprintf("%s-%d", slugify(in.Name), i)
	}
	g.sites[slug] = true
	own := slug + ".example.org"
	domain := own
	if org >= 0 && r.IntN(2) == 0 {
		domain = slugify(g.orgs[org].Name) + ".example.org"
	}
	if r.Float64() < rc.contactRate {
		if domain == own {
			in.Website = "https://" + own
		} else {
			in.Website = "https://" + domain + "/" + slug
		}
	}
	if r.Float64() < rc.contactRate {
		in.Email = "contact@" + domain
		if domain != own {
			in.Email = slug + "@" + domain
		}
	}
	if r.Float64() < rc.contactRate*0.6 {
		// 04 65 71 xx xx is the Rhône-Alpes block ARCEP reserves for
		// fiction: dialling it never reaches anybody.
		in.Phone = fmt.Sprintf("04 65 71 %02d %02d", r.IntN(100), r.IntN(100))
	}
}

func (g *generator) pickRecipe() *recipe {
	all, r := g.recipes, g.r
	total := 0
	for i := range all {
		total += all[i].weight
	}
	x := r.IntN(total)
	for i := range all {
		if x < all[i].weight {
			return &all[i]
		}
		x -= all[i].weight
	}
	return &all[len(all)-1]
}

func pickNeighbourhood(r *rand.Rand) *neighbourhood {
	total := 0
	for i := range neighbourhoods {
		total += neighbourhoods[i].weight
	}
	x := r.IntN(total)
	for i := range neighbourhoods {
		if x < neighbourhoods[i].weight {
			return &neighbourhoods[i]
		}
		x -= neighbourhoods[i].weight
	}
	return &neighbourhoods[0]
}

// position scatters entries around the neighbourhood's centre with a normal
// law, so they thin out towards its edges; draws beyond 2.5 standard
// deviations or outside the territory are drawn again.
func position(r *rand.Rand, nb *neighbourhood) geo.Point {
	const sigmaLat, sigmaLon = 0.0016, 0.0022 // about 180 m either way
	for {
		dy, dx := r.NormFloat64(), r.NormFloat64()
		if dx*dx+dy*dy > 2.5*2.5 {
			continue
		}
		p := geo.Point{Lat: nb.centre.Lat + dy*sigmaLat*nb.spread, Lon: nb.centre.Lon + dx*sigmaLon*nb.spread}
		p.Lat, p.Lon = round6(p.Lat), round6(p.Lon)
		if BBox().Contains(p) {
			return p
		}
	}
}

func address(r *rand.Rand, street string, nb *neighbourhood) string {
	num := fmt.Sprint(1 + r.IntN(80))
	for _, small := range []string{"place ", "parvis ", "montée ", "quai "} {
		if strings.HasPrefix(street, small) {
			num = fmt.Sprint(1 + r.IntN(15)) // squares and quays have few numbers
		}
	}
	if r.IntN(12) == 0 {
		num += " bis"
	}
	return fmt.Sprintf("%s %s, %s %s", num, street, nb.postcode, nb.city)
}

func categories(r *rand.Rand, rc *recipe) []string {
	out := append([]string(nil), rc.cats...)
	for _, c := range rc.extraCats {
		if len(out) < 3 && r.Float64() < 0.4 {
			out = append(out, c)
		}
	}
	return out
}

func tags(r *rand.Rand, rc *recipe, nb *neighbourhood) []string {
	n := 2 + r.IntN(3)
	perm := r.Perm(len(rc.tags))
	out := make([]string, 0, n+1)
	for _, i := range perm[:min(n, len(perm))] {
		out = append(out, rc.tags[i])
	}
	if r.IntN(3) == 0 {
		out = append(out, slugify(nb.name))
	}
	return out
}

func pick(r *rand.Rand, list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[r.IntN(len(list))]
}
