package tree_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bmtui/bmtui/sync/tree"
)

// pairTree builds a flat tree of the given GUIDs under unfiled_____,
// without a size hint, so that its GUID table grows as items come.
func pairTree(tb testing.TB, guids []string) *tree.Tree {
	tb.Helper()
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
	if err := b.Item(tree.Item{GUID: tree.UnfiledGUID, Kind: tree.KindFolder}); err != nil {
		tb.Fatal(err)
	}
	for _, g := range guids {
		if err := b.Item(tree.Item{GUID: g, Kind: tree.KindBookmark}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := b.Structure(tree.UnfiledGUID, tree.RootGUID); err != nil {
		tb.Fatal(err)
	}
	for _, g := range guids {
		if err := b.Structure(g, tree.UnfiledGUID); err != nil {
			tb.Fatal(err)
		}
	}
	t, err := b.Build()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// TestPair checks Pair against looking every GUID up, for trees of
// different sizes (so their tables differ in size) that share some
// GUIDs, odd-sized ones among them, and not others.
func TestPair(t *testing.T) {
	var a, b []string
	for i := range 30000 {
		g := fmt.Sprintf("g%011d", i*7919)
		if i%3 != 0 {
			a = append(a, g)
		}
		if i%5 != 0 {
			b = append(b, g)
		}
	}
	a = append(a, "short", "thirteen_byte", "onlyA", "AAAAAAAAAAAA")
	b = append(b, "thirteen_byte", "short", "onlyB", "BBBBBBBBBBBB")
	ta, tb := pairTree(t, a), pairTree(t, b)
	got, gotBack := make([]int32, ta.Len()), make([]int32, tb.Len())
	for i := range got {
		got[i] = -7
	}
	for j := range gotBack {
		gotBack[j] = -7
	}
	ta.Pair(tb, got, gotBack)
	want, wantBack := slices.Repeat([]int32{-7}, ta.Len()), slices.Repeat([]int32{-7}, tb.Len())
	paired := 0
	for i := int32(0); i < int32(ta.Len()); i++ {
		if j, ok := tb.Index(ta.Node(i).GUID); ok {
			want[i], wantBack[j] = j, i
			paired++
		}
	}
	if paired < 16000 {
		t.Fatalf("only %d GUIDs shared: the test pairs too little", paired)
	}
	if !slices.Equal(got, want) || !slices.Equal(gotBack, wantBack) {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("item %d (%s): paired with %d, want %d", i, ta.Node(int32(i)).GUID, got[i], want[i])
			}
		}
		t.Fatal("the reverse pairing differs")
	}
}

// BenchmarkPair pairs two trees of a million items each (half shared),
// against looking each GUID up: the table walk is what the merge uses.
func BenchmarkPair(b *testing.B) {
	const n = 1000000
	var x, y []string
	for i := range n {
		x = append(x, fmt.Sprintf("x%011d", i))
		if i%2 == 0 {
			y = append(y, fmt.Sprintf("x%011d", i))
		} else {
			y = append(y, fmt.Sprintf("y%011d", i))
		}
	}
	tx, ty := pairTree(b, x), pairTree(b, y)
	xToY, yToX := make([]int32, tx.Len()), make([]int32, ty.Len())
	b.Run("pair", func(b *testing.B) {
		for b.Loop() {
			tx.Pair(ty, xToY, yToX)
		}
	})
	b.Run("lookup", func(b *testing.B) {
		for b.Loop() {
			for i := int32(0); i < int32(tx.Len()); i++ {
				if j, ok := ty.Index(tx.Node(i).GUID); ok {
					xToY[i], yToX[j] = j, i
				}
			}
		}
	})
}
