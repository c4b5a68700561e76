package tree_test

import (
	"fmt"
	"testing"

	"github.com/bmtui/bmtui/sync/tree"
)

// FuzzBuild feeds arbitrary records to the builder. Whatever the input, the
// builder must not panic, and the tree it returns (also alongside a cycle
// error) must be a tree: every item reachable once from the root through a
// folder, built-in roots directly under the root.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("\x05\x02\x11\x21\x31\x41\x12\x22\x13\x03\x23\x33"))
	f.Add([]byte{1, 1, 1, 1, 0x80, 0x81, 0x82, 0x83, 0xc0, 0xc1, 0xf0, 0xf1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 {
			return
		}
		guids := []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID, tree.TagsGUID}
		nItems := int(data[0]%24) + 1
		for i := 0; i < nItems; i++ {
			guids = append(guids, fmt.Sprintf("item%08d", i))
		}
		guids = append(guids, "missingGUID1", tree.RootGUID)
		kinds := []tree.Kind{tree.KindFolder, tree.KindFolder, tree.KindBookmark, tree.KindQuery, tree.KindSeparator, tree.KindLivemark}
		b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
		data = data[1:]
		pick := func(v byte) string { return guids[int(v)%len(guids)] }
		for i, g := range guids[:len(guids)-2] {
			k := tree.KindFolder
			if i >= 5 && i < len(data) {
				k = kinds[int(data[i])%len(kinds)]
			}
			var age int64
			if i < len(data) {
				age = int64(data[i] >> 4)
			}
			_ = b.Item(tree.Item{GUID: g, Kind: k, Age: age, Validity: tree.Validity(age % 3)})
		}
		for i := 0; i+2 < len(data); i += 3 {
			child, parent := pick(data[i+1]), pick(data[i+2])
			switch data[i] % 5 {
			case 0:
				_ = b.ChildOf(child, parent)
			case 1:
				_ = b.ParentID(child, parent)
			case 2:
				_ = b.Structure(child, parent)
			case 3:
				b.Tombstone(child)
			case 4:
				b.PreferParent(child, parent)
			}
		}
		tr, err := b.Build()
		if err != nil && !tree.IsErrorKind(err, tree.ErrCycle) {
			t.Fatalf("unexpected build error: %v", err)
		}
		checkIsTree(t, tr)
		for _, g := range tr.Tombstones() {
			if tr.Lookup(g) != nil {
				t.Fatalf("%s is both an item and a tombstone", g)
			}
		}
	})
}
