package tree

import (
	"fmt"
	"slices"
	"testing"
)

// TestPrefetchChangesNothing builds one tree twice from parent records
// that do not follow the items, so the builder's guesses fail and
// Prefetch reads ahead, and once without hints: the trees are the same.
func TestPrefetchChangesNothing(t *testing.T) {
	build := func(hint bool) *Tree {
		b := NewBuilder(Item{GUID: RootGUID, Kind: KindFolder})
		var recs [][2]string // child, parent
		for f := range 20 {
			folder := fmt.Sprintf("folder%06d", f)
			if err := b.Item(Item{GUID: folder, Kind: KindFolder}); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, [2]string{folder, MenuGUID})
		}
		if err := b.Item(Item{GUID: MenuGUID, Kind: KindFolder}); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, [2]string{MenuGUID, RootGUID})
		for i := range 2000 {
			g := fmt.Sprintf("bmk%09d", (i*7919)%2000)
			if err := b.Item(Item{GUID: g, Kind: KindBookmark}); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, [2]string{g, fmt.Sprintf("folder%06d", i%20)})
		}
		recs = append(recs, [2]string{"missing_item", "folder000003"})
		var ahead [PrefetchBatch]string
		for k := len(recs) - 1; k >= 0; k-- { // last item first: every guess fails
			if hint && (len(recs)-1-k)%len(ahead) == 0 {
				n := 0
				for j := k; j >= 0 && n < len(ahead); j-- {
					ahead[n], n = recs[j][0], n+1
				}
				b.Prefetch(ahead[:n])
			}
			if err := b.ChildOf(recs[k][0], recs[k][1]); err != nil {
				t.Fatal(err)
			}
		}
		tr, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	plain, hinted := build(false), build(true)
	if plain.Len() != hinted.Len() {
		t.Fatalf("%d nodes with hints, %d without", hinted.Len(), plain.Len())
	}
	for i := range int32(plain.Len()) {
		p, h := plain.Node(i), hinted.Node(i)
		if p.GUID != h.GUID || p.Parent != h.Parent || p.Position != h.Position || !slices.Equal(plain.Children(i), hinted.Children(i)) || p.Diverged != h.Diverged {
			t.Fatalf("node %d: %+v with hints, %+v without", i, *h, *p)
		}
	}
	if len(plain.Problems()) != len(hinted.Problems()) || len(plain.Problems()) == 0 {
		t.Fatalf("problems: %v with hints, %v without", hinted.Problems(), plain.Problems())
	}
}
