package directory

import (
	"context"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestResultKey(t *testing.T) {
	dk := dataKey{version: 3, local: 1}
	same := []Query{
		{Text: "Réparation  vélo", Categories: []string{"food", "mobility"}, Sort: SortRelevance, Limit: 20},
		{Text: "reparation velo", Categories: []string{"mobility", "food", "food"}, Sort: SortRelevance, Limit: 20},
	}
	if a, b := resultKey(1, dk, &same[0]), resultKey(1, dk, &same[1]); a != b || a == "" {
		t.Fatalf("same search, keys %q and %q", a, b)
	}
	base := same[0]
	for name, q := range map[string]Query{
		"page":         {Text: base.Text, Categories: base.Categories, Sort: base.Sort, Limit: 20, Offset: 20},
		"kind":         {Text: base.Text, Categories: base.Categories, Sort: base.Sort, Limit: 20, Kinds: []Kind{KindCommons}},
		"organisation": {Text: base.Text, Categories: base.Categories, Sort: base.Sort, Limit: 20, OrganisationID: 4},
		"order":        {Text: base.Text, Categories: base.Categories, Sort: SortName, Limit: 20},
	} {
		if resultKey(1, dk, &q) == resultKey(1, dk, &base) {
			t.Errorf("%s: same key as the base search", name)
		}
	}
	if resultKey(1, dataKey{version: 4, local: 1}, &base) == resultKey(1, dk, &base) ||
		resultKey(1, dataKey{version: 3, local: 2}, &base) == resultKey(1, dk, &base) ||
		resultKey(2, dk, &base) == resultKey(1, dk, &base) {
		t.Error("another version or territory, same key")
	}
	c := newResultCache(2)
	one := []Hit{{}}
	c.put("a", Result{Total: 1, Items: one})
	c.put("b", Result{Total: 2, Items: one})
	c.get("a")
	c.put("c", Result{Total: 3, Items: one})
	if _, ok := c.get("b"); ok {
		t.Error("the least recently used entry stayed")
	}
	if r, ok := c.get("a"); !ok || r.Total != 1 {
		t.Error("a recently used entry went")
	}
}

// TestSearchCacheSeesChanges: a repeated search is answered from the cache
// until the territory's data changes, even for a caller whose territory
// was read before the change.
func TestSearchCacheSeesChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.published(t, sample("Atelier vélo", 45.75, 4.83))
		first, err := e.svc.Search(ctx, e.ter, Query{Text: "velo"})
		if err != nil || first.Total != 1 {
			t.Fatalf("%+v %v", first, err)
		}
		again, _ := e.svc.Search(ctx, e.ter, Query{Text: "vélo"})
		if again.Total != 1 || again.Items[0].Initiative != first.Items[0].Initiative {
			t.Fatal("the repeated search was not answered from the cache")
		}
		e.published(t, sample("Vélo-école", 45.76, 4.84))
		after, err := e.svc.Search(ctx, e.ter, Query{Text: "velo"})
		if err != nil || after.Total != 2 {
			t.Fatalf("after a publish: %d results, %v", after.Total, err)
		}
	})
}
