package restore

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// row is one item of a test tree: guid, parent, kind, title, URL.
type row struct {
	guid, parent string
	kind         tree.Kind
	title, url   string
}

func build(t testing.TB, rows []row, tombstones ...string) *tree.Tree {
	t.Helper()
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder, Info: &tree.Info{}})
	all := append([]row{
		{tree.MenuGUID, tree.RootGUID, tree.KindFolder, "", ""},
		{tree.ToolbarGUID, tree.RootGUID, tree.KindFolder, "", ""},
		{tree.UnfiledGUID, tree.RootGUID, tree.KindFolder, "", ""},
		{tree.MobileGUID, tree.RootGUID, tree.KindFolder, "", ""},
		{tree.TagsGUID, tree.RootGUID, tree.KindFolder, "", ""},
	}, rows...)
	for _, r := range all {
		if err := b.Item(tree.Item{GUID: r.guid, Kind: r.kind, Info: &tree.Info{Title: r.title, URL: r.url, SyncStatus: tree.SyncStatusNormal, DateAdded: 7}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range all {
		if err := b.Structure(r.guid, r.parent); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range tombstones {
		b.Tombstone(g)
	}
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

const (
	F = tree.KindFolder
	B = tree.KindBookmark
	S = tree.KindSeparator
)

// backup is the source of these tests: what the bookmarks were.
var backup = []row{
	{"fldWork_____", tree.MenuGUID, F, "Work", ""},
	{"bmkA________", "fldWork_____", B, "A", "https://a.example/"},
	{"bmkB________", "fldWork_____", B, "B", "https://b.example/"},
	{"sep1________", "fldWork_____", S, "", ""},
	{"bmkC________", "fldWork_____", B, "C", "https://c.example/"},
	{"fldOld______", "fldWork_____", F, "Old", ""},
	{"fldDeep_____", "fldOld______", F, "Deep", ""},
	{"bmkDeep_____", "fldDeep_____", B, "Deep one", "https://deep.example/"},
	{"bmkTop______", tree.ToolbarGUID, B, "Top", "https://top.example/"},
	{"fldLoose____", tree.RootGUID, F, "Loose", ""},
	{"bmkLoose____", "fldLoose____", B, "Loose one", "https://loose.example/"},
}

// places is the local tree now: bmkB and fldOld deleted, Work otherwise
// there; bmkTop's GUID taken by a folder.
var places = []row{
	{"fldWork_____", tree.MenuGUID, F, "Work", ""},
	{"bmkA________", "fldWork_____", B, "A", "https://a.example/"},
	{"sep1________", "fldWork_____", S, "", ""},
	{"bmkC________", "fldWork_____", B, "C", "https://c.example/"},
	{"bmkTop______", tree.MobileGUID, F, "A folder now", ""},
	{"fldTarget___", tree.UnfiledGUID, F, "Target", ""},
	{"bmkLeaf_____", tree.UnfiledGUID, B, "Leaf", "https://leaf.example/"},
}

type placed struct{ guid, parent string }

func TestMake(t *testing.T) {
	topGUID, _ := merge.StableGUID("bmkTop______")
	tests := []struct {
		name   string
		guids  []string
		to     string
		want   []placed // inserts, in order
		index0 int      // the first insert's index
		notes  []string // substrings, one per note
		err    string
	}{
		{name: "a bookmark back into its old folder, after its old sibling",
			guids: []string{"bmkB________"}, want: []placed{{"bmkB________", "fldWork_____"}}, index0: 1},
		{name: "a folder with its subtree",
			guids: []string{"fldOld______"}, want: []placed{{"fldOld______", "fldWork_____"}, {"fldDeep_____", "fldOld______"}, {"bmkDeep_____", "fldDeep_____"}}, index0: 3},
		{name: "a live folder: only what is missing of it",
			guids: []string{"fldWork_____"}, want: []placed{{"bmkB________", "fldWork_____"}, {"fldOld______", "fldWork_____"}, {"fldDeep_____", "fldOld______"}, {"bmkDeep_____", "fldDeep_____"}}, index0: 1},
		{name: "an item inside one asked for comes once",
			guids: []string{"bmkDeep_____", "fldOld______"}, want: []placed{{"fldOld______", "fldWork_____"}, {"fldDeep_____", "fldOld______"}, {"bmkDeep_____", "fldDeep_____"}}, index0: 3},
		{name: "old folder gone: the nearest one above it",
			guids: []string{"bmkDeep_____"}, want: []placed{{"bmkDeep_____", "fldWork_____"}}, index0: 3,
			notes: []string{`goes to Bookmarks Menu/Work: its folder Bookmarks Menu/Work/Old/Deep is gone`}},
		{name: "GUID used by another item: a new one",
			guids: []string{"bmkTop______"}, want: []placed{{topGUID, tree.ToolbarGUID}}, index0: 0,
			notes: []string{"comes back as " + topGUID + ": Places uses its GUID for another item"}},
		{name: "already live: not duplicated",
			guids: []string{"bmkA________"}, notes: []string{`bookmark "A" is already in Places at Bookmarks Menu/Work: not restored`}},
		{name: "no folder left: --to",
			guids: []string{"fldLoose____"}, to: "fldTarget___", want: []placed{{"fldLoose____", "fldTarget___"}, {"bmkLoose____", "fldLoose____"}}, index0: 0,
			notes: []string{"--to"}},
		{name: "no folder left and no --to", guids: []string{"bmkLoose____"}, err: "is not in Places: name a folder to restore into with --to FOLDER_GUID"},
		{name: "a GUID the source does not have", guids: []string{"bmkNone_____"}, err: "bmkNone_____ is not in backup:2026-11-23"},
		{name: "a GUID the source deleted", guids: []string{"bmkGone_____"}, err: "bmkGone_____ is deleted in backup:2026-11-23"},
		{name: "--to not a folder", guids: []string{"bmkB________"}, to: "bmkLeaf_____", err: "--to bmkLeaf_____: bmkLeaf_____ is a bookmark, not a folder"},
		{name: "--to not in Places", guids: []string{"bmkB________"}, to: "fldNone_____", err: "--to fldNone_____: not in Places"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &source.Result{Tree: build(t, backup, "bmkGone_____")}
			local := build(t, places, "bmkB________", "fldOld______")
			p, err := Make(src, local, Options{GUIDs: tc.guids, To: tc.to, From: "backup:2026-11-23"})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if tc.err == ErrNeedTo.Error() && !errors.Is(err, ErrNeedTo) {
					t.Errorf("not ErrNeedTo")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []placed
			for _, c := range p.Set.Changes {
				if c.Op != edit.Insert {
					t.Errorf("change %v is not an insert", c)
				}
				got = append(got, placed{c.GUID, c.Parent})
				if c.Why != "restored from backup:2026-11-23" {
					t.Errorf("why = %q", c.Why)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("inserts %v, want %v", got, tc.want)
			}
			if len(got) > 0 && p.Set.Changes[0].Index != tc.index0 {
				t.Errorf("first index %d, want %d", p.Set.Changes[0].Index, tc.index0)
			}
			if len(p.Notes) != len(tc.notes) {
				t.Errorf("notes %q, want %q", p.Notes, tc.notes)
			}
			for i, n := range tc.notes {
				if i < len(p.Notes) && !strings.Contains(p.Notes[i], n) {
					t.Errorf("note %q, want it to say %q", p.Notes[i], n)
				}
			}
			// The set applies to the local tree, and brings back the
			// tombstoned GUIDs.
			res, err := edit.Preview(local, p.Set)
			if err != nil {
				t.Fatalf("preview: %v", err)
			}
			for _, c := range p.Set.Changes {
				n := res.Tree.Lookup(c.GUID)
				if n == nil || res.Tree.ParentOf(n).GUID != c.Parent {
					t.Errorf("%s not under %s after the preview", c.GUID, c.Parent)
				}
			}
			if len(got) == 0 && res.Tree.Len() != local.Len() {
				t.Errorf("nothing asked for, but the tree changed")
			}
		})
	}
}

// TestMakeNothingElse: whatever is asked, the set inserts only items of
// the subtrees asked for.
func TestMakeNothingElse(t *testing.T) {
	src := &source.Result{Tree: build(t, backup)}
	local := build(t, nil)
	for _, asked := range [][]string{{"fldWork_____"}, {"bmkC________", "bmkTop______"}, {"fldDeep_____"}} {
		p, err := Make(src, local, Options{GUIDs: asked})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Set.Changes {
			in := false
			for n := src.Tree.Lookup(c.GUID); n != nil; n = src.Tree.ParentOf(n) {
				in = in || slices.Contains(asked, n.GUID)
			}
			if !in {
				t.Errorf("asked %v, got %s", asked, c.GUID)
			}
		}
		if _, err := edit.Preview(local, p.Set); err != nil {
			t.Errorf("asked %v: %v", asked, err)
		}
	}
}
