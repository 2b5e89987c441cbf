package demo

import "github.com/sharingcity/sharingcity/internal/geo"

// neighbourhood is a real area of Grenoble (or a town next to it) with the
// approximate centre of its built-up part and a few of its real streets.
// Entries are scattered around the centre so the map shows the clusters a
// real town has, not a uniform sprinkle.
type neighbourhood struct {
	name     string // "Berriat"
	de       string // "de Berriat", for "Repair Café de Berriat"
	a        string // "à Berriat", for "installé à Berriat"
	city     string // commune of the postal address
	postcode string // postal code of the address
	centre   geo.Point
	spread   float64 // multiplies the default scatter (about 180 m)
	weight   int     // share of the entries placed here
	streets  []string
}

// neighbourhoods is read-only reference data.
var neighbourhoods = []neighbourhood{
	{
		name: "Centre-ville", de: "du centre-ville", a: "au centre-ville",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1900, Lon: 5.7270}, spread: 1, weight: 14,
		streets: []string{"rue Félix Poulat", "rue de la République", "Grande Rue", "rue Lafayette", "place Grenette",
			"rue Raoul Blanchard", "rue Montorge", "place Victor Hugo", "rue Jean-Jacques Rousseau", "rue Saint-Jacques", "place aux Herbes"},
	},
	{
		name: "Notre-Dame", de: "de Notre-Dame", a: "à Notre-Dame",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1922, Lon: 5.7315}, spread: 0.8, weight: 8,
		streets: []string{"place Notre-Dame", "rue Très-Cloîtres", "rue Chenoise", "rue Servan", "rue Bayard",
			"rue Voltaire", "rue du Vieux Temple", "rue Brocherie"},
	},
	{
		name: "Saint-Laurent", de: "de Saint-Laurent", a: "à Saint-Laurent",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1960, Lon: 5.7300}, spread: 0.5, weight: 4,
		streets: []string{"rue Saint-Laurent", "quai Perrière", "montée Chalemont", "quai Xavier Jouvin"},
	},
	{
		name: "Île Verte", de: "de l'Île Verte", a: "à l'Île Verte",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1935, Lon: 5.7425}, spread: 0.9, weight: 6,
		streets: []string{"boulevard Maréchal Leclerc", "avenue Maréchal Randon", "rue Bizanet", "rue Joseph Chanrion"},
	},
	{
		name: "Mutualité", de: "de la Mutualité", a: "à la Mutualité",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1872, Lon: 5.7325}, spread: 0.8, weight: 6,
		streets: []string{"place de Verdun", "rue Hébert", "boulevard Agutte Sembat", "rue Mallifaud", "rue Hoche", "boulevard Clemenceau"},
	},
	{
		name: "Championnet", de: "de Championnet", a: "à Championnet",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1850, Lon: 5.7225}, spread: 0.9, weight: 8,
		streets: []string{"rue Lesdiguières", "rue Thiers", "rue Moyrand", "rue Clot-Bey", "boulevard Gambetta",
			"rue Condorcet", "rue Docteur Mazet"},
	},
	{
		name: "Saint-Bruno", de: "de Saint-Bruno", a: "à Saint-Bruno",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1885, Lon: 5.7120}, spread: 0.8, weight: 7,
		streets: []string{"place Saint-Bruno", "rue Anthoard", "rue Abbé Grégoire", "rue Nicolas Chorier", "cours Berriat"},
	},
	{
		name: "Berriat", de: "de Berriat", a: "à Berriat",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1872, Lon: 5.7060}, spread: 1, weight: 9,
		streets: []string{"cours Berriat", "rue Nicolas Chorier", "rue d'Alembert", "rue Abbé Grégoire", "rue Charrel", "rue Ampère"},
	},
	{
		name: "Europole", de: "d'Europole", a: "à Europole",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1915, Lon: 5.7150}, spread: 0.8, weight: 5,
		streets: []string{"place de la Gare", "rue Émile Gueymard", "avenue Félix Viallet", "place Robert Schuman",
			"rue Pierre Sémard", "avenue Alsace-Lorraine"},
	},
	{
		name: "Jean Macé", de: "de Jean Macé", a: "à Jean Macé",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.1955, Lon: 5.7080}, spread: 0.8, weight: 5,
		streets: []string{"rue Ampère", "rue des Bergers", "rue Jean Macé", "cours Berriat"},
	},
	{
		name: "Presqu'île", de: "de la Presqu'île", a: "sur la Presqu'île",
		city: "Grenoble", postcode: "38000", centre: geo.Point{Lat: 45.2025, Lon: 5.7070}, spread: 1, weight: 3,
		streets: []string{"avenue des Martyrs", "rue Félix Esclangon", "parvis Louis Néel"},
	},
	{
		name: "Eaux-Claires", de: "des Eaux-Claires", a: "aux Eaux-Claires",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1795, Lon: 5.7120}, spread: 1, weight: 6,
		streets: []string{"rue des Eaux-Claires", "boulevard Joseph Vallier", "cours Jean Jaurès", "boulevard Maréchal Foch"},
	},
	{
		name: "Mistral", de: "de Mistral", a: "à Mistral",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1772, Lon: 5.7045}, spread: 0.8, weight: 4,
		streets: []string{"avenue Rhin et Danube", "rue Anatole France", "boulevard Joseph Vallier"},
	},
	{
		name: "Alliés-Alpins", de: "des Alliés-Alpins", a: "aux Alliés-Alpins",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1735, Lon: 5.7195}, spread: 0.9, weight: 4,
		streets: []string{"rue des Alliés", "rue des Alpins", "cours Jean Jaurès", "boulevard Joseph Vallier"},
	},
	{
		name: "Capuche", de: "de la Capuche", a: "à la Capuche",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1775, Lon: 5.7280}, spread: 0.9, weight: 5,
		streets: []string{"boulevard Maréchal Joffre", "rue de Stalingrad", "cours de la Libération", "rue Ponsard"},
	},
	{
		name: "Bajatière", de: "de la Bajatière", a: "à la Bajatière",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1770, Lon: 5.7375}, spread: 0.9, weight: 5,
		streets: []string{"avenue Jean Perrot", "rue de Stalingrad", "boulevard Maréchal Joffre", "rue Albert Reynier"},
	},
	{
		name: "Abbaye", de: "de l'Abbaye", a: "à l'Abbaye",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1790, Lon: 5.7465}, spread: 0.8, weight: 4,
		streets: []string{"rue Léon Jouhaux", "place de l'Abbaye", "rue de l'Abbaye"},
	},
	{
		name: "Malherbe", de: "de Malherbe", a: "à Malherbe",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1715, Lon: 5.7405}, spread: 0.8, weight: 4,
		streets: []string{"avenue Malherbe", "rue Albert Reynier", "avenue Jean Perrot"},
	},
	{
		name: "Teisseire", de: "de Teisseire", a: "à Teisseire",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1695, Lon: 5.7480}, spread: 0.7, weight: 3,
		streets: []string{"avenue Marie Reynoard", "rue Albert Reynier", "avenue Jean Perrot"},
	},
	{
		name: "Vigny-Musset", de: "de Vigny-Musset", a: "à Vigny-Musset",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1655, Lon: 5.7200}, spread: 1, weight: 4,
		streets: []string{"cours de la Libération et du Général de Gaulle", "rue Alfred de Musset", "rue Alfred de Vigny"},
	},
	{
		name: "Villeneuve", de: "de la Villeneuve", a: "à la Villeneuve",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1610, Lon: 5.7320}, spread: 1, weight: 6,
		streets: []string{"galerie de l'Arlequin", "avenue La Bruyère", "place des Géants", "avenue Marie Reynoard"},
	},
	{
		name: "Village Olympique", de: "du Village Olympique", a: "au Village Olympique",
		city: "Grenoble", postcode: "38100", centre: geo.Point{Lat: 45.1635, Lon: 5.7420}, spread: 0.7, weight: 3,
		streets: []string{"avenue Edmond Esmonin", "avenue de l'Europe", "avenue Marie Reynoard"},
	},
	{
		name: "La Tronche", de: "de La Tronche", a: "à La Tronche",
		city: "La Tronche", postcode: "38700", centre: geo.Point{Lat: 45.2045, Lon: 5.7385}, spread: 0.9, weight: 3,
		streets: []string{"Grande Rue", "avenue des Maquis du Grésivaudan", "boulevard de la Chantourne"},
	},
	{
		name: "Fontaine", de: "de Fontaine", a: "à Fontaine",
		city: "Fontaine", postcode: "38600", centre: geo.Point{Lat: 45.1930, Lon: 5.6870}, spread: 1.3, weight: 5,
		streets: []string{"avenue Aristide Briand", "boulevard Paul Langevin", "avenue Ambroise Croizat", "place Louis Maisonnat"},
	},
}

// deStreet puts the right French article before a street for "de la rue
// Chenoise", "du cours Berriat", "de l'avenue Malherbe".
func deStreet(street string) string {
	for _, p := range []struct{ prefix, de string }{
		{"boulevard ", "du "}, {"cours ", "du "}, {"quai ", "du "}, {"parvis ", "du "},
		{"avenue ", "de l'"},
	} {
		if len(street) > len(p.prefix) && street[:len(p.prefix)] == p.prefix {
			return p.de + street
		}
	}
	return "de la " + street // rue, place, galerie, montée, Grande Rue
}
