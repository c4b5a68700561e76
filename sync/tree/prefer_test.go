package tree_test

import (
	"testing"

	"github.com/bmtui/bmtui/sync/tree"
)

// claimedTwice builds a tree where bookmarkAAAA is listed by folderOld
// (older) and folderNew (newer), and its parentid names folderPid.
func claimedTwice(t *testing.T, prefer string) *tree.Tree {
	t.Helper()
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.Item(tree.Item{GUID: tree.MenuGUID, Kind: tree.KindFolder}))
	must(b.Item(tree.Item{GUID: tree.UnfiledGUID, Kind: tree.KindFolder}))
	must(b.Item(tree.Item{GUID: "folderOld___", Kind: tree.KindFolder, Age: 50}))
	must(b.Item(tree.Item{GUID: "folderNew___", Kind: tree.KindFolder, Age: 10}))
	must(b.Item(tree.Item{GUID: "folderPid___", Kind: tree.KindFolder, Age: 1}))
	must(b.Item(tree.Item{GUID: "bookmarkAAAA", Kind: tree.KindBookmark}))
	must(b.Structure(tree.MenuGUID, tree.RootGUID))
	must(b.Structure(tree.UnfiledGUID, tree.RootGUID))
	for _, f := range []string{"folderOld___", "folderNew___", "folderPid___"} {
		must(b.Structure(f, tree.MenuGUID))
	}
	must(b.ChildOf("bookmarkAAAA", "folderOld___"))
	must(b.ChildOf("bookmarkAAAA", "folderNew___"))
	must(b.ParentID("bookmarkAAAA", "folderPid___"))
	if prefer != "" {
		b.PreferParent("bookmarkAAAA", prefer)
	}
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestPreferParent(t *testing.T) {
	tests := []struct {
		prefer, want string
	}{
		{"", "folderNew___"},             // default: newer listing folder
		{"folderOld___", "folderOld___"}, // the user keeps the older listing
		{"folderPid___", "folderPid___"}, // the user follows the parentid
		{"folderXYZ___", "folderNew___"}, // not a candidate: ignored
	}
	for _, tt := range tests {
		t.Run(tt.prefer, func(t *testing.T) {
			tr := claimedTwice(t, tt.prefer)
			n := tr.Lookup("bookmarkAAAA")
			if got := tr.ParentOf(n).GUID; got != tt.want {
				t.Fatalf("parent %s, want %s", got, tt.want)
			}
			checkIsTree(t, tr)
			// Every other candidate folder is marked as needing repair.
			for _, f := range []string{"folderOld___", "folderNew___"} {
				if f != tt.want && !tr.Lookup(f).Diverged {
					t.Errorf("%s lists the item but is not diverged", f)
				}
			}
		})
	}
}

func TestIndexOf(t *testing.T) {
	tr := claimedTwice(t, "")
	for i := int32(0); i < int32(tr.Len()); i++ {
		if got := tr.IndexOf(tr.Node(i)); got != i {
			t.Fatalf("IndexOf(Node(%d)) = %d", i, got)
		}
	}
	other := claimedTwice(t, "")
	if got := tr.IndexOf(other.Node(1)); got != -1 {
		t.Fatalf("a node of another tree gave %d", got)
	}
	if got := tr.IndexOf(&tree.Node{}); got != -1 {
		t.Fatalf("a stray node gave %d", got)
	}
	if got := tr.IndexOf(nil); got != -1 {
		t.Fatalf("nil gave %d", got)
	}
}
