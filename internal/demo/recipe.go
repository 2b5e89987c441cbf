package demo

import "github.com/sharingcity/sharingcity/internal/directory"

// recipe describes one kind of initiative (repair café, AMAP, boîte à
// livres…) as tables the generator draws from. Texts use the placeholders
// of vars.
type recipe struct {
	key        string
	weight     int      // relative number of entries of this kind
	names      []string // name patterns
	fancy      []string // proper names the patterns may use as {fancy}
	summaries  []string
	intros     []string // first paragraph of the description
	itemsTitle string   // heading of the list of items, e.g. "Au programme :"
	items      []string
	cats       []string // categories every entry has
	extraCats  []string // categories each entry may add, up to three in all
	kinds      []directory.Kind
	orgs       []int    // organisations that may run it
	hours      []string // opening-hours profiles, "" for none
	tags       []string
	// tone picks the generic sentences that fit: toneCommunity (history of
	// a group of residents, a call for volunteers), toneBusiness (a shop),
	// toneInfra (street furniture, a car-sharing station: nobody to join),
	// toneNone.
	tone tone
	// contactRate is the share of entries with a web site or e-mail: a
	// shop nearly always has one, a book box seldom does.
	contactRate float64
	commons     commonsText // required when kinds contains KindCommons
}

type tone int

const (
	toneCommunity tone = iota
	toneBusiness
	toneInfra
	toneNone // the recipe's own texts say it all
)

// commonsText holds the texts of a commons' resource, community and rules.
type commonsText struct {
	resource, community, governance []string
}

// allRecipes gathers the tables of every catalogue file.
func allRecipes() []recipe {
	var all []recipe
	for _, part := range [][]recipe{foodRecipes(), repairRecipes(), mobilityRecipes(), communityRecipes()} {
		all = append(all, part...)
	}
	return all
}

// Shorthands that keep the tables readable.
const (
	assoc   = directory.KindAssociation
	company = directory.KindCompany
	public  = directory.KindPublicService
	collec  = directory.KindCollective
	commons = directory.KindCommons
)

func kinds(k ...directory.Kind) []directory.Kind { return k }
func list(s ...string) []string                  { return s }
func ints(i ...int) []int                        { return i }
