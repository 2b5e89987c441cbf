package offers

// Small integer codes of kinds, modes and categories: the filter
// dimensions of SQLite's R*Tree and the columns of PostgreSQL's GiST index.
// They are stored, so they never change: add new values at the end.

var kindCodes = map[Kind]int{KindOffer: 1, KindRequest: 2}

var modeCodes = map[Mode]int{ModeGive: 1, ModeLend: 2, ModeRent: 3, ModeSwap: 4, ModeService: 5}

// categoryCodes covers directory.Categories (a test checks it). SQLite
// packs territory * 16 + code in one dimension, so codes stay below 16.
var categoryCodes = map[string]int{
	"mobility": 1, "food": 2, "housing": 3, "goods_tools": 4, "skills_services": 5, "spaces": 6,
	"money_finance": 7, "knowledge_culture": 8, "energy": 9, "waste_repair": 10, "commons": 11,
}
