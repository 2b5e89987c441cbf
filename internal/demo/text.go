package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
)

// vars are the placeholders of the text tables: {q} the neighbourhood,
// {deq} "de Berriat", {aq} "à Berriat", {rue} "cours Berriat", {derue}
// "du cours Berriat", {city}, {year}, {members}, {fancy} a name from the
// recipe, {n} a small number, {org} the organisation's name when there is
// one.
type vars map[string]string

func (v vars) fill(s string) string {
	for strings.Contains(s, "{") {
		i := strings.Index(s, "{")
		j := strings.Index(s[i:], "}")
		if j < 0 {
			break
		}
		key := s[i : i+j+1]
		s = s[:i] + v[key] + s[i+j+1:]
	}
	return upperFirst(strings.Join(strings.Fields(s), " "))
}

func upperFirst(s string) string {
	for i, c := range s {
		return strings.ToUpper(string(c)) + s[i+len(string(c)):]
	}
	return s
}

// description assembles a Markdown text: the recipe's introduction, often a
// line of history, a list of what is offered, the opening hours, a call to
// join and who runs it. The mix varies so entries do not read like clones.
func (g *generator) description(rc *recipe, v vars, hours []directory.OpeningHours, org int) string {
	r := g.r
	var b strings.Builder
	b.WriteString(v.fill(pick(r, rc.intros)))
	if h := history[rc.tone]; len(h) > 0 && r.IntN(3) > 0 {
		b.WriteString(" ")
		b.WriteString(v.fill(pick(r, h)))
	}
	if len(rc.items) > 0 && r.IntN(4) > 0 {
		fmt.Fprintf(&b, "\n\n**%s**\n\n", rc.itemsTitle)
		perm := r.Perm(len(rc.items))
		for _, i := range perm[:min(2+r.IntN(3), len(perm))] {
			fmt.Fprintf(&b, "- %s\n", v.fill(rc.items[i]))
		}
	}
	if len(hours) > 0 {
		b.WriteString("\n\n## Horaires\n\n")
		for _, line := range humanHours(hours) {
			fmt.Fprintf(&b, "- %s\n", line)
		}
	}
	if j := practical[rc.tone]; len(j) > 0 && r.IntN(3) > 0 {
		b.WriteString("\n\n")
		b.WriteString(v.fill(pick(r, j)))
	}
	if org >= 0 {
		fmt.Fprintf(&b, "\n\nInitiative portée par *%s*.", g.orgs[org].Name)
	}
	return strings.TrimSpace(strings.ReplaceAll(b.String(), "\n\n\n", "\n\n"))
}

// history and practical hold, per tone, a sentence of history appended to
// the introduction and a closing paragraph.
var history = map[tone][]string{
	toneCommunity: {
		"L'initiative a été lancée en {year} par une poignée d'habitants {deq} ; elle compte aujourd'hui {members} membres.",
		"Depuis {year}, elle s'est fait une place dans la vie du quartier.",
		"L'aventure a commencé en {year}, autour d'une table de cuisine {derue}.",
		"Née d'une discussion de voisins en {year}, l'initiative tourne grâce à une équipe de {n} bénévoles.",
		"Une vingtaine de foyers ont porté le projet en {year} ; ils sont désormais {members}.",
		"Le projet est soutenu depuis {year} par le conseil citoyen du secteur.",
	},
	toneBusiness: {
		"La boutique a ouvert ses portes en {year}.",
		"Installée {derue} depuis {year}, la maison emploie {n} personnes.",
		"Une affaire familiale reprise en {year} par deux anciens salariés.",
	},
	toneInfra: {
		"En service depuis {year}.",
	},
}

var practical = map[tone][]string{
	toneBusiness: {
		"Paiement en Grésils, la monnaie locale, accepté.",
		"Livraison à vélo possible dans toute la cuvette grenobloise.",
		"Accessible aux personnes à mobilité réduite. Arceaux vélo devant la vitrine.",
	},
	toneInfra: {
		"Accessible à toute heure, tous les jours.",
		"Un problème sur place ? Signalez-le depuis cette fiche.",
		"Arrêt de tram et station de vélos à quelques minutes à pied.",
	},
	toneCommunity: {
		"Envie de donner un coup de main ? Passez nous voir, les nouvelles têtes sont toujours bienvenues.",
		"L'adhésion est à prix libre ; personne n'est refusé faute de moyens.",
		"Accessible aux personnes à mobilité réduite. Arceaux vélo devant l'entrée.",
		"Pour nous rejoindre, écrivez-nous ou venez simplement à la prochaine permanence.",
		"Les enfants sont les bienvenus, accompagnés d'un adulte.",
		"Nous cherchons des bénévoles pour tenir les permanences du week-end.",
		"Une réunion d'accueil des nouveaux membres a lieu chaque premier lundi du mois.",
		"Tram et bus à proximité ; pensez au vélo, c'est plat !",
	},
}

var dayNames = [...]string{"", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}

// openingHours builds the weekly slots of a profile. Profiles follow the
// habits of each kind of place: a shop opens Tuesday to Saturday, a
// workshop a couple of evenings, a distribution one evening a week.
func openingHours(r *rand.Rand, profile string) []directory.OpeningHours {
	slot := func(day int, opens, closes string) directory.OpeningHours {
		return directory.OpeningHours{Day: day, Opens: opens, Close: closes}
	}
	var out []directory.OpeningHours
	switch profile {
	case "shop":
		am := [][2]string{{"09:30", "12:30"}, {"10:00", "13:00"}, {"09:00", "12:30"}}[r.IntN(3)]
		pm := [][2]string{{"14:30", "19:00"}, {"15:00", "19:00"}, {"14:00", "19:30"}}[r.IntN(3)]
		continuous := r.IntN(3) == 0
		for d := 2; d <= 6; d++ {
			if continuous {
				out = append(out, slot(d, am[0], pm[1]))
				continue
			}
			out = append(out, slot(d, am[0], am[1]), slot(d, pm[0], pm[1]))
		}
		if r.IntN(4) == 0 {
			out = append(out, slot(7, "09:30", "12:30")) // the Sunday market morning
		}
	case "workshop":
		evenings := [][3]string{{"2", "18:00", "21:00"}, {"3", "17:30", "20:00"}, {"4", "18:30", "21:30"}, {"5", "17:00", "20:00"}}
		e := evenings[r.IntN(len(evenings))]
		out = append(out, slot(int(e[0][0]-'0'), e[1], e[2]))
		if r.IntN(3) > 0 {
			sat := [][2]string{{"10:00", "12:30"}, {"14:00", "18:00"}, {"09:30", "13:00"}}[r.IntN(3)]
			out = append(out, slot(6, sat[0], sat[1]))
		}
	case "distribution":
		day := 2 + r.IntN(4)
		start := []string{"17:30", "18:00", "18:30"}[r.IntN(3)]
		end := map[string]string{"17:30": "19:00", "18:00": "19:30", "18:30": "20:00"}[start]
		out = append(out, slot(day, start, end))
	case "permanence":
		opts := [][3]string{{"6", "10:00", "12:00"}, {"3", "17:00", "19:00"}, {"7", "10:30", "12:00"}, {"6", "09:00", "11:00"}}
		o := opts[r.IntN(len(opts))]
		out = append(out, slot(int(o[0][0]-'0'), o[1], o[2]))
	case "office":
		for d := 1; d <= 5; d++ {
			out = append(out, slot(d, "09:00", "12:00"))
			if d != 3 {
				out = append(out, slot(d, "13:30", "17:00"))
			}
		}
	case "daily":
		opens, closes := []string{"07:00", "08:00", "09:00"}[r.IntN(3)], []string{"19:00", "20:00", "21:00"}[r.IntN(3)]
		for d := 1; d <= 7; d++ {
			out = append(out, slot(d, opens, closes))
		}
	case "venue":
		for d := 2; d <= 6; d++ {
			out = append(out, slot(d, "10:00", []string{"18:00", "22:00"}[min(1, max(0, d-4))]))
		}
	}
	return out
}

// humanHours groups consecutive days with the same slots: "du mardi au
// samedi : 9 h 30 – 12 h 30, 14 h 30 – 19 h".
func humanHours(hours []directory.OpeningHours) []string {
	var perDay [8]string
	for _, h := range hours {
		s := clock(h.Opens) + " – " + clock(h.Close)
		if perDay[h.Day] != "" {
			perDay[h.Day] += ", "
		}
		perDay[h.Day] += s
	}
	var out []string
	for d := 1; d <= 7; {
		if perDay[d] == "" {
			d++
			continue
		}
		end := d
		for end < 7 && perDay[end+1] == perDay[d] {
			end++
		}
		switch {
		case end == d:
			out = append(out, upperFirst(dayNames[d])+" : "+perDay[d])
		case end == d+1:
			out = append(out, upperFirst(dayNames[d])+" et "+dayNames[end]+" : "+perDay[d])
		default:
			out = append(out, "Du "+dayNames[d]+" au "+dayNames[end]+" : "+perDay[d])
		}
		d = end + 1
	}
	return out
}

// clock writes "09:30" the French way, "9 h 30", and "19:00" as "19 h".
func clock(s string) string {
	h, m := strings.TrimPrefix(s[:2], "0"), s[3:]
	if m == "00" {
		return h + " h"
	}
	return h + " h " + m
}

// slugify turns a French name into a DNS label: lower case, no accents,
// hyphens, at most 40 characters.
func slugify(s string) string {
	out := fold(s)
	if len(out) > 40 {
		out = out[:40]
		if i := strings.LastIndexByte(out, '-'); i > 20 {
			out = out[:i]
		}
		out = strings.Trim(out, "-")
	}
	return out
}

// fold writes s in lower case without accents, words joined by hyphens.
func fold(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if rep, ok := unaccent[c]; ok {
			b.WriteString(rep)
			dash = false
			continue
		}
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

var unaccent = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'î': "i", 'ï': "i",
	'ô': "o", 'ö': "o", 'ù': "u", 'û': "u", 'ü': "u", 'ç': "c", 'œ': "oe", 'æ': "ae", 'ÿ': "y",
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }
