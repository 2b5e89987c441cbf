package demo

// Indices into organisationTable, so the initiative tables can name who
// usually runs them. Every name is invented; none is a real body.
const (
	orgBricolos = iota
	orgClavette
	orgTerreEnVille
	orgPaniers
	orgEnergie
	orgVieQuartiers
	orgRemise
	orgVracBocal
	orgRouleEnsemble
	orgGresil
	orgFabrique
	orgFourmiliere
	orgSEL
	orgHabitat
	orgFrigos
	orgGraines
)

// organisationTable is read-only; Organisations returns a copy.
var organisationTable = []Organisation{
	orgBricolos: {
		Name: "Les Bricolos du Drac", Kind: OrgAssociation,
		Description: "Association d'habitants qui anime des repair cafés et des outilthèques dans les quartiers ouest de Grenoble depuis 2014.",
	},
	orgClavette: {
		Name: "La Clavette grenobloise", Kind: OrgAssociation,
		Description: "Ateliers vélo participatifs et vélo-écoles : on apprend à réparer et à rouler en ville, quel que soit son âge.",
	},
	orgTerreEnVille: {
		Name: "Collectif Terre en Ville", Kind: OrgCollective,
		Description: "Collectif informel de jardinières et jardiniers qui fait pousser des potagers et des composteurs au pied des immeubles.",
	},
	orgPaniers: {
		Name: "Réseau des Paniers de Belledonne", Kind: OrgAssociation,
		Description: "Réseau qui relie les AMAP de l'agglomération aux maraîchers et éleveurs de Belledonne, du Vercors et du Trièves.",
	},
	orgEnergie: {
		Name: "Énerg'Isère Citoyenne", Kind: OrgCompany,
		Description: "Société coopérative d'intérêt collectif (SCIC) qui finance et exploite des toitures solaires avec l'épargne des habitants.",
	},
	orgVieQuartiers: {
		Name: "Pôle Vie des quartiers (service municipal fictif)", Kind: OrgPublicService,
		Description: "Service municipal imaginaire de la démo : il accompagne les projets d'habitants, prête des locaux et installe le mobilier partagé.",
	},
	orgRemise: {
		Name: "La Remise alpine", Kind: OrgAssociation,
		Description: "Chantier d'insertion qui collecte, trie, répare et revend à petit prix les objets dont les habitants n'ont plus l'usage.",
	},
	orgVracBocal: {
		Name: "Vrac & Bocal SARL", Kind: OrgMerchant,
		Description: "Petite entreprise locale qui tient plusieurs épiceries sans emballage et livre à vélo dans la cuvette grenobloise.",
	},
	orgRouleEnsemble: {
		Name: "Roule Ensemble Coop", Kind: OrgCompany,
		Description: "Coopérative d'autopartage : des voitures en libre-service réparties en stations, réservables à l'heure par ses membres.",
	},
	orgGresil: {
		Name: "Association du Grésil", Kind: OrgAssociation,
		Description: "Elle fait vivre le Grésil, la monnaie locale complémentaire imaginaire de la démo, et son réseau de comptoirs de change.",
	},
	orgFabrique: {
		Name: "La Fabrique numérique du Drac", Kind: OrgAssociation,
		Description: "Association de makers qui ouvre ses fablabs aux habitants : impression 3D, découpe laser, électronique et couture numérique.",
	},
	orgFourmiliere: {
		Name: "Collectif La Fourmilière", Kind: OrgCollective,
		Description: "Collectif qui anime un réseau de tiers-lieux et de cafés associatifs ouverts à toutes les initiatives de quartier.",
	},
	orgSEL: {
		Name: "SEL Isère-Drac", Kind: OrgAssociation,
		Description: "Système d'échange local : ses membres échangent services et savoir-faire, comptés en unités de temps plutôt qu'en euros.",
	},
	orgHabitat: {
		Name: "Habiter Autrement en Dauphiné", Kind: OrgAssociation,
		Description: "Association qui accompagne les groupes d'habitants montant un projet d'habitat participatif, du terrain à l'emménagement.",
	},
	orgFrigos: {
		Name: "Frigos solidaires de la Cuvette", Kind: OrgCollective,
		Description: "Collectif de bénévoles qui installe et entretient des réfrigérateurs en libre accès contre le gaspillage alimentaire.",
	},
	orgGraines: {
		Name: "Graines de Bastille", Kind: OrgCollective,
		Description: "Collectif qui fait circuler graines, livres et savoirs : grainothèques, boîtes à livres et trocs de plants.",
	},
}
