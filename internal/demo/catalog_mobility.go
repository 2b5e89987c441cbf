package demo

// mobilityRecipes: sharing cars, rides and the know-how of cycling.
func mobilityRecipes() []recipe {
	return []recipe{
		{
			key: "autopartage", tone: toneInfra, weight: 26,
			names: list("Station d'autopartage {q} – {rue}", "Autopartage {rue}", "Station autopartage {derue}"),
			summaries: list(
				"{n} voitures en libre-service à réserver à l'heure, accessibles 24 h/24 avec une carte d'abonné.",
				"Une station d'autopartage {aq} : citadine, break et utilitaire réservables en ligne.",
				"Voitures partagées de la coopérative, stationnées {rue}, à prendre et à ramener au même endroit.",
			),
			intros: list(
				"Une voiture individuelle reste garée 95 % du temps. En autopartage, une même voiture sert une dizaine de foyers : on réserve en ligne, on ouvre avec sa carte et on paie à l'heure et au kilomètre.",
				"La station compte plusieurs places réservées sur la voirie. Le carburant, l'assurance et l'entretien sont compris dans le tarif.",
				"Idéal pour une sortie en montagne le week-end ou un déménagement : la station propose une citadine et, selon les jours, un utilitaire.",
			),
			itemsTitle: "À la station :",
			items: list("Citadine 5 places", "Break familial avec barres de toit", "Petit utilitaire de 3 m³",
				"Voiture électrique avec borne de recharge", "Siège enfant sur demande"),
			cats: list("mobility"), extraCats: list(),
			kinds: kinds(company), orgs: ints(orgRouleEnsemble),
			hours: list(""), contactRate: 0.6,
			tags: list("autopartage", "voiture partagée", "mobilité", "libre-service", "coopérative"),
		},
		{
			key: "covoiturage", tone: toneInfra, weight: 8,
			names: list("Point de covoiturage {derue}", "Aire de covoiturage {deq}", "Arrêt covoiturage {q}"),
			summaries: list(
				"Point de rencontre balisé pour partager ses trajets domicile-travail vers le Grésivaudan et le Voironnais.",
				"Un arrêt de covoiturage spontané : on attend sous le panneau, un conducteur s'arrête.",
				"Aire de covoiturage avec places réservées et abri, à deux pas du tram.",
			),
			intros: list(
				"Ce point de covoiturage signalé par un panneau permet aux conducteurs et passagers de se retrouver facilement. Les trajets peuvent être proposés à l'avance sur la plateforme ou pris au vol.",
				"Chaque jour, des milliers d'automobilistes entrent seuls dans la cuvette grenobloise. Ce point de rendez-vous aide à remplir les sièges vides.",
			),
			itemsTitle: "Destinations fréquentes :",
			items:      list("Crolles et la vallée du Grésivaudan", "Voiron", "Vizille et la Matheysine", "Chambéry", "Lyon (le vendredi soir)", "Les stations de Chamrousse et du Vercors"),
			cats:       list("mobility"), extraCats: list(),
			kinds: kinds(public, public, assoc), orgs: ints(orgVieQuartiers),
			hours: list(""), contactRate: 0.3,
			tags: list("covoiturage", "trajets", "domicile-travail", "mobilité"),
		},
		{
			key: "velo-ecole", weight: 6,
			names: list("Vélo-école {deq}", "{fancy}"),
			fancy: list("En selle !", "Roue libre", "Les Vélos apprivoisés", "Pédale douce"),
			summaries: list(
				"Apprendre à faire du vélo à tout âge, puis à circuler en ville en sécurité.",
				"Cours collectifs pour adultes débutants, prêt de vélo inclus.",
			),
			intros: list(
				"La vélo-école accompagne les adultes qui n'ont jamais appris, ou plus osé, à faire du vélo. On commence dans une cour fermée, on finit par traverser la ville.",
				"Des moniteurs bénévoles formés encadrent des groupes de six personnes au plus. Les vélos et les casques sont prêtés.",
			),
			itemsTitle: "Les parcours :",
			items: list("Premiers coups de pédale", "Remise en selle", "Circuler en ville et sur les pistes cyclables",
				"Sortie découverte des berges de l'Isère", "Vélo et enfants : transporter ses petits"),
			cats: list("mobility", "skills_services"), extraCats: list(),
			kinds: kinds(assoc), orgs: ints(orgClavette),
			hours: list("workshop", "permanence"), contactRate: 0.8,
			tags: list("vélo", "apprentissage", "vélo-école", "mobilité active", "sécurité routière"),
		},
		{
			key: "atelier-velo", weight: 12,
			names: list("Atelier vélo {deq}", "{fancy}", "{fancy} {deq}", "Atelier vélo participatif {fancy}"),
			fancy: list("Le Dérailleur", "La Chambre à air", "Rayons de soleil", "Le Guidon futé", "La Rustine",
				"Cambouis & Compagnie", "Le Vélo qui rit", "Pignon sur rue"),
			summaries: list(
				"Venez réparer votre vélo vous-même, avec les outils de l'atelier et les conseils des bénévoles.",
				"Atelier d'autoréparation de vélos et vente de vélos d'occasion remis en état.",
				"Pièces de récupération, outils et mécanos bénévoles pour entretenir votre vélo {aq}.",
			),
			intros: list(
				"L'atelier vélo participatif met à disposition un espace, des outils et des pièces d'occasion. Les bénévoles montrent comment faire, vous réparez : c'est le principe de l'autoréparation.",
				"Crevaison, freins fatigués, vitesses qui sautent : tout s'apprend. L'atelier remet aussi en état des vélos abandonnés pour les revendre à petit prix.",
			),
			itemsTitle: "À l'atelier :",
			items: list("Pieds d'atelier et outillage complet", "Pièces d'occasion à prix libre", "Vélos reconditionnés à vendre",
				"Marquage antivol des vélos", "Ateliers « crevaison » pour débutants", "Soirées non mixtes une fois par mois"),
			cats: list("mobility", "waste_repair"), extraCats: list("skills_services"),
			kinds: kinds(assoc, assoc, collec), orgs: ints(orgClavette),
			hours: list("workshop"), contactRate: 0.85,
			tags: list("vélo", "autoréparation", "mécanique", "réemploi", "atelier", "mobilité active"),
		},
	}
}
