package edit

import (
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/sync/tree"
)

// it is a test item: kind, title, URL, synced or not.
type it struct {
	guid, parent string
	kind         tree.Kind
	title, url   string
	keyword      string
	tags         []string
	synced       bool
}

// sample is the local tree of these tests:
//
//	menu: fldWork____ [bmkA (synced, tag "t"), sep1, bmkB (new)], bmkC (synced, keyword "c")
//	toolbar: bmkA2 (same URL as bmkA)
//	unfiled: empty fldEmpty___
func sample(t testing.TB) *tree.Tree {
	items := []it{
		{tree.MenuGUID, tree.RootGUID, tree.KindFolder, "menu", "", "", nil, true},
		{tree.ToolbarGUID, tree.RootGUID, tree.KindFolder, "toolbar", "", "", nil, true},
		{tree.UnfiledGUID, tree.RootGUID, tree.KindFolder, "unfiled", "", "", nil, true},
		{tree.MobileGUID, tree.RootGUID, tree.KindFolder, "mobile", "", "", nil, true},
		{tree.TagsGUID, tree.RootGUID, tree.KindFolder, "tags", "", "", nil, true},
		{"fldWork_____", tree.MenuGUID, tree.KindFolder, "Work", "", "", nil, true},
		{"bmkA________", "fldWork_____", tree.KindBookmark, "A", "https://a.example/", "", []string{"t"}, true},
		{"sep1________", "fldWork_____", tree.KindSeparator, "", "", "", nil, true},
		{"bmkB________", "fldWork_____", tree.KindBookmark, "B", "https://b.example/", "", nil, false},
		{"bmkC________", tree.MenuGUID, tree.KindBookmark, "C", "https://c.example/", "c", nil, true},
		{"bmkA2_______", tree.ToolbarGUID, tree.KindBookmark, "A again", "https://a.example/", "", []string{"t"}, true},
		{"fldEmpty____", tree.UnfiledGUID, tree.KindFolder, "Empty", "", "", nil, true},
		{"tagT________", tree.TagsGUID, tree.KindFolder, "t", "", "", nil, false},
		{"tagTentry___", "tagT________", tree.KindBookmark, "", "https://a.example/", "", nil, false},
	}
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder, Info: &tree.Info{SyncStatus: tree.SyncStatusNormal}})
	for _, x := range items {
		st := tree.SyncStatusNew
		if x.synced {
			st = tree.SyncStatusNormal
		}
		if err := b.Item(tree.Item{GUID: x.guid, Kind: x.kind, Info: &tree.Info{Title: x.title, URL: x.url, Keyword: x.keyword, Tags: x.tags, SyncStatus: st}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range items {
		if err := b.Structure(x.guid, x.parent); err != nil {
			t.Fatal(err)
		}
	}
	b.Tombstone("bmkGone_____")
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// outline is a tree as "parent: child child ..." lines for the folders
// that have children, tags aside.
func outline(t *tree.Tree) string {
	var lines []string
	t.Walk(func(i int32, n *tree.Node) bool {
		if n.GUID == tree.TagsGUID || n.GUID == tree.RootGUID || len(t.Children(i)) == 0 || strings.HasPrefix(n.GUID, "tag") {
			return true
		}
		var kids []string
		for _, c := range t.Children(i) {
			kids = append(kids, strings.TrimRight(t.Node(c).GUID, "_"))
		}
		lines = append(lines, strings.TrimRight(n.GUID, "_")+": "+strings.Join(kids, " "))
		return true
	})
	return strings.Join(lines, "\n")
}

func bookmark(title, url string, tags ...string) *tree.Item {
	return &tree.Item{Kind: tree.KindBookmark, Info: &tree.Info{Title: title, URL: url, Tags: tags, DateAdded: 5}}
}

func TestPreview(t *testing.T) {
	const before = "menu: fldWork bmkC\nfldWork: bmkA sep1 bmkB\ntoolbar: bmkA2\nunfiled: fldEmpty"
	tests := []struct {
		name       string
		changes    []Change
		outline    string
		items      []string
		parents    []string
		tombstones []string
		revived    []string
		bumps      map[string]int
		text       []string
	}{
		{
			name:    "insert a bookmark back under its GUID",
			changes: []Change{{Op: Insert, GUID: "bmkGone_____", Parent: "fldEmpty____", Index: -1, Item: bookmark("Gone", "https://gone.example/"), Why: "restored"}},
			outline: strings.Replace(before, "unfiled: fldEmpty", "unfiled: fldEmpty\nfldEmpty: bmkGone", 1),
			items:   []string{"bmkGone_____"}, parents: []string{"fldEmpty____"}, revived: []string{"bmkGone_____"},
			bumps: map[string]int{"bmkGone_____": 1, "fldEmpty____": 1},
			text:  []string{`insert bookmark "Gone" into Other Bookmarks/Empty at 0 (restored)`},
		},
		{
			name: "insert a folder, then its child, before a separator",
			changes: []Change{
				{Op: Insert, GUID: "fldNew______", Parent: "fldWork_____", Index: 1, Item: &tree.Item{Kind: tree.KindFolder, Info: &tree.Info{Title: "New"}}},
				{Op: Insert, GUID: "bmkNew______", Parent: "fldNew______", Index: 0, Item: bookmark("N", "https://n.example/")},
			},
			outline: "menu: fldWork bmkC\nfldWork: bmkA fldNew sep1 bmkB\nfldNew: bmkNew\ntoolbar: bmkA2\nunfiled: fldEmpty",
			items:   []string{"fldNew______", "sep1________", "bmkNew______"}, parents: []string{"fldWork_____"},
			bumps: map[string]int{"fldNew______": 2, "fldWork_____": 1, "sep1________": 1, "bmkNew______": 1},
			text:  []string{`insert folder "New" into Bookmarks Menu/Work at 1`, `insert bookmark "N" into Bookmarks Menu/Work/New at 0`},
		},
		{
			name:    "a restored bookmark adds its tags to its URL's",
			changes: []Change{{Op: Insert, GUID: "bmkA3_______", Parent: tree.MobileGUID, Index: 0, Item: bookmark("A3", "https://a.example/", "u")}},
			outline: before + "\nmobile: bmkA3",
			items:   []string{"bmkA3_______", "bmkA________", "bmkA2_______"}, parents: []string{tree.MobileGUID},
			bumps: map[string]int{"bmkA3_______": 1, tree.MobileGUID: 1, "bmkA________": 1, "bmkA2_______": 1},
		},
		{
			name:    "a restored keyword another URL holds is not taken",
			changes: []Change{{Op: Insert, GUID: "bmkD________", Parent: tree.MobileGUID, Index: -1, Item: &tree.Item{Kind: tree.KindBookmark, Info: &tree.Info{Title: "D", URL: "https://d.example/", Keyword: "c"}}}},
			outline: before + "\nmobile: bmkD",
			items:   []string{"bmkD________"}, parents: []string{tree.MobileGUID},
			bumps: map[string]int{"bmkD________": 1, tree.MobileGUID: 1},
			text:  []string{`insert bookmark "D" into Mobile Bookmarks at 0; keyword "c" not restored: https://c.example/ uses it`},
		},
		{
			name:    "move into another folder",
			changes: []Change{{Op: Move, GUID: "bmkC________", Parent: "fldWork_____", Index: 0}},
			outline: "menu: fldWork\nfldWork: bmkC bmkA sep1 bmkB\ntoolbar: bmkA2\nunfiled: fldEmpty",
			items:   []string{"bmkC________", "sep1________"}, parents: []string{tree.MenuGUID, "fldWork_____"},
			bumps: map[string]int{"bmkC________": 1, tree.MenuGUID: 1, "fldWork_____": 1, "sep1________": 1},
			text:  []string{`move bookmark "C" from Bookmarks Menu to Bookmarks Menu/Work at 0`},
		},
		{
			name:    "move within a folder",
			changes: []Change{{Op: Move, GUID: "bmkA________", Parent: "fldWork_____", Index: -1}},
			outline: "menu: fldWork bmkC\nfldWork: sep1 bmkB bmkA\ntoolbar: bmkA2\nunfiled: fldEmpty",
			items:   []string{"bmkA________", "sep1________"}, parents: []string{"fldWork_____"},
			bumps: map[string]int{"bmkA________": 1, "fldWork_____": 1, "sep1________": 1},
		},
		{
			name:       "delete a folder: synced items leave tombstones, new ones none",
			changes:    []Change{{Op: Delete, GUID: "fldWork_____"}},
			outline:    "menu: bmkC\ntoolbar: bmkA2\nunfiled: fldEmpty",
			parents:    []string{tree.MenuGUID},
			tombstones: []string{"bmkA________", "sep1________", "fldWork_____"},
			bumps:      map[string]int{tree.MenuGUID: 1},
			text:       []string{`delete folder "Work" from Bookmarks Menu with the 3 items in it`},
		},
		{
			name: "a child moved out first survives its folder's deletion",
			changes: []Change{
				{Op: Move, GUID: "bmkB________", Parent: tree.ToolbarGUID, Index: 0},
				{Op: Delete, GUID: "fldWork_____"},
			},
			outline:    "menu: bmkC\ntoolbar: bmkB bmkA2\nunfiled: fldEmpty",
			items:      []string{"bmkB________"},
			parents:    []string{tree.ToolbarGUID, tree.MenuGUID},
			tombstones: []string{"bmkA________", "sep1________", "fldWork_____"},
			bumps:      map[string]int{"bmkB________": 1, tree.ToolbarGUID: 1, tree.MenuGUID: 1},
		},
		{
			name:    "update a title",
			changes: []Change{{Op: Update, GUID: "bmkC________", Item: &tree.Item{Info: &tree.Info{Title: "See", URL: "https://c.example/", Keyword: "c"}}}},
			outline: before,
			items:   []string{"bmkC________"},
			bumps:   map[string]int{"bmkC________": 1},
			text:    []string{`update bookmark "See"`},
		},
		{
			name:    "deleted then restored under the same GUID: no tombstone",
			changes: []Change{{Op: Delete, GUID: "bmkC________"}, {Op: Insert, GUID: "bmkC________", Parent: tree.MenuGUID, Index: 0, Item: bookmark("C", "https://c.example/")}},
			outline: "menu: bmkC fldWork\nfldWork: bmkA sep1 bmkB\ntoolbar: bmkA2\nunfiled: fldEmpty",
			items:   []string{"bmkC________"}, parents: []string{tree.MenuGUID},
			bumps: map[string]int{"bmkC________": 1, tree.MenuGUID: 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			local := sample(t)
			res, err := Preview(local, Set{Label: "test", Changes: tc.changes})
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(res.Tree); got != tc.outline {
				t.Errorf("tree:\n%s\nwant:\n%s", got, tc.outline)
			}
			if got := outline(local); got != before {
				t.Errorf("the local tree changed:\n%s", got)
			}
			u := res.Upload
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"items", u.Items, tc.items}, {"parents", u.Parents, tc.parents}, {"tombstones", u.Tombstones, tc.tombstones}, {"revived", u.Revived, tc.revived}} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("upload %s = %q, want %q", c.what, c.got, c.want)
				}
			}
			if len(res.Bumps) != len(tc.bumps) {
				t.Errorf("bumps = %v, want %v", res.Bumps, tc.bumps)
			}
			for g, n := range tc.bumps {
				if res.Bumps[g] != n {
					t.Errorf("bumps[%s] = %d, want %d (all: %v)", g, res.Bumps[g], n, res.Bumps)
				}
			}
			for i, want := range tc.text {
				if res.Steps[i].Text != want {
					t.Errorf("step %d: %q, want %q", i, res.Steps[i].Text, want)
				}
			}
			for _, g := range tc.tombstones {
				if !res.Tree.IsTombstone(g) || res.Tree.Lookup(g) != nil {
					t.Errorf("%s: want a tombstone and no item", g)
				}
			}
			for _, g := range tc.revived {
				if res.Tree.IsTombstone(g) {
					t.Errorf("%s: tombstone kept", g)
				}
			}
		})
	}
}

func TestPreviewInserted(t *testing.T) {
	res, err := Preview(sample(t), Set{Changes: []Change{{Op: Insert, GUID: "bmkA3_______", Parent: tree.MobileGUID, Index: 0, Item: bookmark("A3", "https://a.example/", "u", "u", " ")}}})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Tree.Lookup("bmkA3_______")
	if n.Info.SyncStatus != tree.SyncStatusNew || n.Info.SyncChangeCounter != 1 || !n.NeedsMerge || n.Content == nil || n.Content.URL != "https://a.example/" {
		t.Errorf("inserted item: %+v %+v", n.Item, n.Info)
	}
	for _, g := range []string{"bmkA3_______", "bmkA________", "bmkA2_______"} {
		if got := res.Tree.Lookup(g).Info.Tags; !slices.Equal(got, []string{"t", "u"}) {
			t.Errorf("%s tags = %q, want [t u]", g, got)
		}
	}
	if !slices.Equal(res.URLs, []string{"https://a.example/"}) {
		t.Errorf("URLs = %q", res.URLs)
	}
}

func TestPreviewUnbookmarked(t *testing.T) {
	res, err := Preview(sample(t), Set{Changes: []Change{{Op: Delete, GUID: "bmkC________"}, {Op: Delete, GUID: "bmkA________"}}})
	if err != nil {
		t.Fatal(err)
	}
	// a.example keeps bmkA2.
	if !slices.Equal(res.Unbookmarked, []string{"https://c.example/"}) {
		t.Errorf("Unbookmarked = %q", res.Unbookmarked)
	}
}

func TestPreviewRefuses(t *testing.T) {
	bm := bookmark("X", "https://x.example/")
	tests := []struct {
		name   string
		change Change
		reason string
	}{
		{"unknown GUID", Change{Op: Move, GUID: "bmkNone_____", Parent: tree.MenuGUID, Index: -1}, "no such item"},
		{"unknown GUID to delete", Change{Op: Delete, GUID: "bmkNone_____"}, "no such item"},
		{"GUID in use", Change{Op: Insert, GUID: "bmkC________", Parent: tree.MenuGUID, Index: -1, Item: bm}, "GUID already in use"},
		{"invalid GUID", Change{Op: Insert, GUID: "short", Parent: tree.MenuGUID, Index: -1, Item: bm}, "not a valid GUID"},
		{"parent not a folder", Change{Op: Insert, GUID: "bmkX________", Parent: "bmkC________", Index: -1, Item: bm}, "is not a folder"},
		{"parent unknown", Change{Op: Insert, GUID: "bmkX________", Parent: "fldNone_____", Index: -1, Item: bm}, "does not exist"},
		{"into the Places root", Change{Op: Insert, GUID: "bmkX________", Parent: tree.RootGUID, Index: -1, Item: bm}, "built-in roots"},
		{"into a tag folder", Change{Op: Insert, GUID: "bmkX________", Parent: "tagT________", Index: -1, Item: bm}, "tag folder"},
		{"cycle", Change{Op: Move, GUID: "fldWork_____", Parent: "fldWork_____", Index: -1}, "cycle"},
		{"index out of range", Change{Op: Insert, GUID: "bmkX________", Parent: tree.MenuGUID, Index: 3, Item: bm}, "out of range"},
		{"move a root", Change{Op: Move, GUID: tree.MenuGUID, Parent: tree.ToolbarGUID, Index: -1}, "root"},
		{"delete a tag entry", Change{Op: Delete, GUID: "tagTentry___"}, "tags"},
		{"bookmark without URL", Change{Op: Insert, GUID: "bmkX________", Parent: tree.MenuGUID, Index: -1, Item: &tree.Item{Kind: tree.KindBookmark}}, "URL"},
		{"insert without item", Change{Op: Insert, GUID: "bmkX________", Parent: tree.MenuGUID, Index: -1}, "no item"},
		{"update a folder's URL", Change{Op: Update, GUID: "fldWork_____", Item: bm}, "has no URL"},
		{"no op", Change{GUID: "bmkC________"}, "unknown operation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Preview(sample(t), Set{Changes: []Change{{Op: Update, GUID: "bmkC________", Item: &tree.Item{Info: &tree.Info{Title: "ok", URL: "https://c.example/"}}}, tc.change}})
			ce, ok := err.(*ChangeError)
			if !ok {
				t.Fatalf("err = %v, want a *ChangeError", err)
			}
			if ce.Index != 1 || !strings.Contains(ce.Error(), tc.reason) || !strings.Contains(ce.Error(), "change 2 (") {
				t.Errorf("err = %v (index %d), want change 2 and %q", err, ce.Index, tc.reason)
			}
		})
	}
}

// FuzzPreview applies changes decoded from bytes to the sample tree:
// Preview never panics, and a set it accepts gives a tree holding every
// item exactly once whose inserted items are there and deleted ones gone.
func FuzzPreview(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{2, 5, 0, 0, 1, 6, 3, 255, 3, 2, 0, 0})
	f.Add([]byte{1, 9, 11, 0, 0, 4, 5, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		local := sample(t)
		guids := []string{tree.RootGUID, tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID, tree.TagsGUID,
			"fldWork_____", "bmkA________", "sep1________", "bmkB________", "bmkC________", "bmkA2_______", "fldEmpty____",
			"tagT________", "tagTentry___", "bmkGone_____", "fldNew0_____", "bmkNew1_____", "bmkNew2_____"}
		var set Set
		for len(data) >= 4 {
			op, g, p, idx := Op(data[0]%5), guids[int(data[1])%len(guids)], guids[int(data[2])%len(guids)], int(int8(data[3]))%6
			data = data[4:]
			c := Change{Op: op, GUID: g, Parent: p, Index: idx}
			switch op {
			case Insert:
				c.Item = bookmark("x", "https://x.example/")
				if g[:3] == "fld" {
					c.Item = &tree.Item{Kind: tree.KindFolder, Info: &tree.Info{Title: "f"}}
				}
			case Update:
				c.Item = bookmark("y", "https://y.example/", "z")
			}
			set.Changes = append(set.Changes, c)
		}
		res, err := Preview(local, set)
		if err != nil {
			if _, ok := err.(*ChangeError); !ok {
				t.Fatalf("not a ChangeError: %v", err)
			}
			return
		}
		if len(res.Tree.Problems()) > 0 {
			t.Fatalf("the changed tree has problems: %v", res.Tree.Problems())
		}
		seen := map[string]bool{}
		res.Tree.Walk(func(_ int32, n *tree.Node) bool {
			if seen[n.GUID] {
				t.Fatalf("%s twice", n.GUID)
			}
			seen[n.GUID] = true
			if p := res.Tree.ParentOf(n); p != nil && !p.IsFolder() {
				t.Fatalf("%s under a non-folder", n.GUID)
			}
			return true
		})
		if len(seen) != res.Tree.Len() {
			t.Fatalf("%d items reachable of %d", len(seen), res.Tree.Len())
		}
		for g := range res.Bumps {
			if res.Tree.Lookup(g) == nil {
				t.Fatalf("%s bumped but gone", g)
			}
		}
		for _, g := range res.Upload.Tombstones {
			if res.Tree.Lookup(g) != nil || !res.Tree.IsTombstone(g) {
				t.Fatalf("%s: tombstone to upload, but live or no local tombstone", g)
			}
		}
	})
}
