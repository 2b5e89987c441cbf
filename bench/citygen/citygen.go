// Package citygen generates a deterministic, plausible directory of a big
// city's sharing initiatives, for benchmarks and load tests: the same seed
// always gives the same rows, so figures measured on two machines or two
// databases compare the same data.
package citygen

import (
	"fmt"
	"math/rand/v2"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Box is the city (Lyon and its inner suburbs, about 23 km x 22 km).
var Box = geo.BBox{MinLon: 4.70, MinLat: 45.65, MaxLon: 5.00, MaxLat: 45.85}

// Viewport is a phone's view of a quiet district (1.2 km x 1 km, 56
// initiatives) whose box snapped to zoom-15 tiles holds 255 of a
// 100,000-row city: the size of answer the map endpoint must serve fast.
var Viewport = geo.BBox{MinLon: 4.9300, MinLat: 45.7150, MaxLon: 4.9460, MaxLat: 45.7238}

// CommonWord is in half of the summaries: the worst case for text search.
const CommonWord = "partage"

// Row is one initiative as an import file carries it.
type Row struct {
	ID         string // a stable source key, so a second import updates
	Name       string
	Summary    string
	Categories []string // slugs of the default taxonomy
	Kind       string
	Lat, Lon   float64
}

var (
	places = []string{"Atelier", "Jardin", "Café", "Repair café", "Ressourcerie", "AMAP", "Boîte à livres",
		"Grainothèque", "Fablab", "Tiers-lieu", "Épicerie solidaire", "Vélo-école", "Donnerie", "Coworking",
		"Recyclerie", "Outilthèque", "Ludothèque", "Cuisine partagée", "Compost collectif", "Accorderie"}
	adjectives = []string{"partagé", "solidaire", "du quartier", "citoyen", "collaboratif", "des voisins",
		"associatif", "municipal", "coopératif", "ouvert", "des habitants", "intergénérationnel"}
	districts = []string{"Croix-Rousse", "Part-Dieu", "Guillotière", "Confluence", "Vaise", "Monplaisir",
		"Gerland", "Brotteaux", "Villeurbanne", "Bron", "Vénissieux", "Saint-Jean", "Fourvière", "Perrache",
		"Montchat", "Sans-Souci", "Jean-Macé", "Gratte-Ciel", "Caluire", "Oullins"}
	topics = []string{"réparation", "vélo", "outils", "semences", "livres", "jeux", "compost", "énergie",
		"alimentation", "couture", "informatique", "musique", "cuisine", "troc", "prêt", "jardinage",
		"covoiturage", "logement", "recyclage", "savoirs"}
	categories = []string{"mobility", "food", "housing", "goods_tools", "skills_services", "spaces",
		"money_finance", "knowledge_culture", "energy", "waste_repair", "commons"}
	kinds = []string{"association", "company", "public_service", "collective", "commons"}
)

// centres are the busy neighbourhoods: three in four initiatives gather
// around one of them, the rest spread over the whole city.
var centres = func() []geo.Point {
	var out []geo.Point
	for c := range 12 {
		out = append(out, geo.Point{Lat: 45.70 + float64(c%4)*0.035, Lon: 4.78 + float64(c/4)*0.06})
	}
	return out
}()

// Rows calls fn for each of n initiatives, in order; it stops at fn's first error.
func Rows(n int, fn func(Row) error) error {
	r := rand.New(rand.NewPCG(2026, 100))
	for i := range n {
		var lat, lon float64
		if r.IntN(4) == 0 {
			lat = Box.MinLat + r.Float64()*(Box.MaxLat-Box.MinLat)
			lon = Box.MinLon + r.Float64()*(Box.MaxLon-Box.MinLon)
		} else {
			c := centres[r.IntN(len(centres))]
			lat = min(max(c.Lat+r.NormFloat64()*0.01, Box.MinLat), Box.MaxLat)
			lon = min(max(c.Lon+r.NormFloat64()*0.012, Box.MinLon), Box.MaxLon)
		}
		t1, t2 := topics[r.IntN(len(topics))], topics[r.IntN(len(topics)-1)]
		if t2 == t1 {
			t2 = topics[len(topics)-1]
		}
		summary := "Un lieu pour " + t1 + " et " + t2
		if r.IntN(2) == 0 {
			summary += ", en " + CommonWord + " entre habitants"
		}
		cats := []string{categories[r.IntN(len(categories))]}
		if r.IntN(3) == 0 {
			if c := categories[r.IntN(len(categories))]; c != cats[0] {
				cats = append(cats, c)
			}
		}
		row := Row{
			ID:         fmt.Sprintf("bench-%06d", i+1),
			Name:       fmt.Sprintf("%s %s %s %d", places[r.IntN(len(places))], adjectives[r.IntN(len(adjectives))], districts[r.IntN(len(districts))], i+1),
			Summary:    summary,
			Categories: cats,
			Kind:       kinds[r.IntN(len(kinds))],
			// Six decimals, as open-data files give them.
			Lat: float64(int64(lat*1e6+0.5)) / 1e6,
			Lon: float64(int64(lon*1e6+0.5)) / 1e6,
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}
