package tree_test

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
	"unsafe"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestBuildMatchesDogear rebuilds every side of every dogear fixture and
// compares the tree with the one dogear built.
func TestBuildMatchesDogear(t *testing.T) {
	for _, c := range testutil.AllDogearSides(t) {
		f, side := c.Fixture, c.Side
		t.Run(f.Name+"/"+c.Name, func(t *testing.T) {
			got, err := side.Input.Build()
			if f.Type == "build_error" {
				if !tree.IsErrorKind(err, tree.ErrCycle) {
					t.Fatalf("want cycle error, got %v", err)
				}
				if e := err.(*tree.Error); e.GUID != f.Expect.Error.GUID {
					t.Fatalf("cycle named %s, want %s", e.GUID, f.Expect.Error.GUID)
				}
				checkIsTree(t, got)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			compareTree(t, got, side.Tree)
		})
	}
}

func compareTree(t *testing.T, got *tree.Tree, want *testutil.DogearTreeDump) {
	t.Helper()
	if got.Len() != want.Size {
		t.Errorf("size %d, want %d", got.Len(), want.Size)
	}
	var order []string
	got.Walk(func(_ int32, n *tree.Node) bool {
		order = append(order, n.GUID)
		return true
	})
	var wantOrder []string
	for _, wn := range want.Nodes {
		wantOrder = append(wantOrder, wn.GUID)
		n := got.Lookup(wn.GUID)
		if n == nil {
			t.Errorf("%s missing", wn.GUID)
			continue
		}
		var kids []string
		for _, c := range got.ChildrenOf(n) {
			kids = append(kids, got.Node(c).GUID)
		}
		if !reflect.DeepEqual(kids, wn.Children) && !(len(kids) == 0 && len(wn.Children) == 0) {
			t.Errorf("%s children %v, want %v", wn.GUID, kids, wn.Children)
		}
		parent := ""
		if p := got.ParentOf(n); p != nil {
			parent = p.GUID
		}
		if wn.Parent != nil && parent != *wn.Parent {
			t.Errorf("%s parent %s, want %s", wn.GUID, parent, *wn.Parent)
		}
		if wn.Position != nil && int(n.Position) != *wn.Position {
			t.Errorf("%s position %d, want %d", wn.GUID, n.Position, *wn.Position)
		}
		if int(n.Level) != wn.Level {
			t.Errorf("%s level %d, want %d", wn.GUID, n.Level, wn.Level)
		}
		if n.Diverged != wn.Diverged {
			t.Errorf("%s diverged %v, want %v", wn.GUID, n.Diverged, wn.Diverged)
		}
		if n.Syncable != wn.Syncable {
			t.Errorf("%s syncable %v, want %v", wn.GUID, n.Syncable, wn.Syncable)
		}
	}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("pre-order %v, want %v", order, wantOrder)
	}
	wantTombs := append([]string{}, want.Tombstones...)
	sort.Strings(wantTombs)
	if gotTombs := got.Tombstones(); !reflect.DeepEqual(gotTombs, wantTombs) && len(gotTombs)+len(wantTombs) > 0 {
		t.Errorf("tombstones %v, want %v", gotTombs, wantTombs)
	}
	var wantProblems []string
	for _, p := range want.Problems {
		wp, err := testutil.ProblemFromFixture(p)
		if err != nil {
			t.Fatal(err)
		}
		wantProblems = append(wantProblems, fmt.Sprintf("%+v", wp))
	}
	var gotProblems []string
	for _, p := range got.Problems() {
		gotProblems = append(gotProblems, fmt.Sprintf("%+v", p))
	}
	sort.Strings(wantProblems)
	sort.Strings(gotProblems)
	if !reflect.DeepEqual(gotProblems, wantProblems) {
		t.Errorf("problems\n got %v\nwant %v", gotProblems, wantProblems)
	}
	if gc, wc := got.ProblemCounts(), testutil.ProblemCountsFromFixture(want.ProblemCounts); gc != wc {
		t.Errorf("problem counts %+v, want %+v", gc, wc)
	}
}

// TestProblemCounts checks telemetry counting on problems.json.
func TestProblemCounts(t *testing.T) {
	f, err := testutil.LoadDogear(testutil.Shared(t, "fixtures", "dogear", "problems.json"))
	if err != nil {
		t.Fatal(err)
	}
	var problems []tree.Problem
	for _, p := range f.Expect.Problems {
		tp, err := testutil.ProblemFromFixture(p)
		if err != nil {
			t.Fatal(err)
		}
		problems = append(problems, tp)
	}
	got := tree.CountProblems(problems)
	if want := testutil.ProblemCountsFromFixture(f.Expect.ProblemCounts); got != want {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
}

// TestGUIDValidity checks guid_is_valid.json.
func TestGUIDValidity(t *testing.T) {
	f, err := testutil.LoadDogear(testutil.Shared(t, "fixtures", "dogear", "guid_is_valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Expect.Valid) == 0 || len(f.Expect.Invalid) == 0 {
		t.Fatal("fixture has no cases")
	}
	for _, g := range f.Expect.Valid {
		if !tree.IsValidGUID(g) {
			t.Errorf("%q should be valid", g)
		}
	}
	for _, g := range f.Expect.Invalid {
		if tree.IsValidGUID(g) {
			t.Errorf("%q should be invalid", g)
		}
	}
	for _, b := range f.Expect.InvalidUTF8 {
		if tree.IsValidGUID(string(b)) {
			t.Errorf("%x should be invalid", b)
		}
	}
}

// checkIsTree asserts the structural invariants every built tree keeps:
// each node reachable exactly once from the root through its parent, built-in
// roots directly under the root, no cycles.
func checkIsTree(t *testing.T, tr *tree.Tree) {
	t.Helper()
	seen := 0
	tr.Walk(func(i int32, n *tree.Node) bool {
		seen++
		if i != 0 {
			p := tr.ParentOf(n)
			if p == nil || !p.IsFolder() {
				t.Fatalf("%s has no folder parent", n.GUID)
			}
			found := false
			for _, c := range tr.ChildrenOf(p) {
				if c == i {
					found = true
				}
			}
			if !found {
				t.Fatalf("%s not among its parent's children", n.GUID)
			}
			if tree.IsBuiltInRoot(n.GUID) && n.Parent != 0 {
				t.Fatalf("built-in root %s not under the root", n.GUID)
			}
		}
		return true
	})
	if seen != tr.Len() {
		t.Fatalf("walk reached %d of %d nodes", seen, tr.Len())
	}
	for i := range int32(tr.Len()) {
		if n := tr.Node(i); !n.IsFolder() && len(tr.Children(i)) > 0 {
			t.Fatalf("%s is a %s with children %v", n.GUID, n.Kind, tr.Children(i))
		}
	}
	checkDerived(t, tr)
}

// checkDerived compares each node's Position, Level and Syncable with
// what a walk from the root gives them: the position of its first listing
// in its parent's children, one level below its parent, and syncable as
// Firefox decides (built-in roots are, livemarks and repaired queries are
// not, the rest as their parent). Build works them out without a walk.
func checkDerived(t *testing.T, tr *tree.Tree) {
	t.Helper()
	type derived struct {
		position, level int32
		syncable        bool
	}
	want := make([]derived, tr.Len())
	want[0] = derived{-1, 0, false}
	tr.Walk(func(i int32, n *tree.Node) bool {
		for pos, c := range tr.Children(i) {
			if want[c] != (derived{}) {
				continue // listed twice: the first listing counts
			}
			child := tr.Node(c)
			d := derived{position: int32(pos), level: want[i].level + 1, syncable: want[i].syncable}
			switch {
			case tree.IsBuiltInRoot(child.GUID):
				d.syncable = true
			case child.Kind == tree.KindLivemark, child.Kind == tree.KindQuery && child.Diverged:
				d.syncable = false
			}
			want[c] = d
		}
		return true
	})
	for i := range want {
		n := tr.Node(int32(i))
		if got := (derived{n.Position, n.Level, n.Syncable}); got != want[i] {
			t.Fatalf("%s: position, level, syncable %+v; a walk gives %+v", n.GUID, got, want[i])
		}
	}
}

// TestCandidateParentsInRecordOrder checks that an item's candidate
// parents come back in the order recorded, each with how it was named,
// whether it has one, two (kept in the node until Build) or more, and
// that the built nodes' Parent, Position and Level are Build's alone.
func TestCandidateParentsInRecordOrder(t *testing.T) {
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.Item(tree.Item{GUID: tree.MenuGUID, Kind: tree.KindFolder}))
	for _, g := range []string{"folderA_____", "folderB_____", "folderC_____"} {
		must(b.Item(tree.Item{GUID: g, Kind: tree.KindFolder}))
	}
	for _, g := range []string{"two_________", "three_______", "one_________"} {
		must(b.Item(tree.Item{GUID: g, Kind: tree.KindBookmark}))
	}
	must(b.Structure(tree.MenuGUID, tree.RootGUID))
	for _, g := range []string{"folderA_____", "folderB_____", "folderC_____"} {
		must(b.Structure(g, tree.MenuGUID))
	}
	must(b.ParentID("two_________", "folderB_____"))
	must(b.ChildOf("two_________", "folderA_____"))
	must(b.ChildOf("three_______", "folderC_____"))
	must(b.ParentID("three_______", "nowhere_____"))
	must(b.ChildOf("three_______", "folderA_____"))
	must(b.ChildOf("one_________", "folderB_____"))
	tr, err := b.Build()
	must(err)
	want := map[string][]tree.ParentRef{
		"two_________": {{By: tree.ByParentID, GUID: "folderB_____", Status: tree.StatusFolder}, {By: tree.ByChildren, GUID: "folderA_____"}},
		"three_______": {{By: tree.ByChildren, GUID: "folderC_____"}, {By: tree.ByParentID, GUID: "nowhere_____", Status: tree.StatusMissing}, {By: tree.ByChildren, GUID: "folderA_____"}},
		"one_________": {{By: tree.ByChildren, GUID: "folderB_____"}},
	}
	got := map[string][]tree.ParentRef{}
	for _, p := range tr.Problems() {
		if p.Kind == tree.ProblemDivergedParents {
			got[p.GUID] = p.Parents
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diverged parents\n got %+v\nwant %+v", got, want)
	}
	for g, w := range map[string]struct {
		parent          string
		position, level int32
	}{
		"folderA_____": {tree.MenuGUID, 0, 2},
		"folderC_____": {tree.MenuGUID, 2, 2},
		"two_________": {"folderA_____", 0, 3},
		"three_______": {"folderC_____", 0, 3},
		"one_________": {"folderB_____", 0, 3},
	} {
		n := tr.Lookup(g)
		if p := tr.ParentOf(n); p == nil || p.GUID != w.parent || n.Position != w.position || n.Level != w.level {
			t.Errorf("%s: parent %v, position %d, level %d; want %s, %d, %d", g, p, n.Position, n.Level, w.parent, w.position, w.level)
		}
	}
	checkIsTree(t, tr)
}

// TestSyncable checks which items Build marks syncable: the built-in
// roots and what they hold, except livemarks and queries whose structure
// the builder repaired (Firefox syncs neither), and nothing outside them.
func TestSyncable(t *testing.T) {
	for _, c := range []struct {
		name     string
		kind     tree.Kind
		parent   string // "" for no parent record: an orphan
		deleted  bool   // a tombstone too: void, but the item diverged
		syncable bool
	}{
		{"bookmark in the menu", tree.KindBookmark, tree.MenuGUID, false, true},
		{"folder in the menu", tree.KindFolder, tree.MenuGUID, false, true},
		{"folder under the root", tree.KindFolder, tree.RootGUID, false, false},
		{"livemark in the menu", tree.KindLivemark, tree.MenuGUID, false, false},
		{"query in the menu", tree.KindQuery, tree.MenuGUID, false, true},
		{"orphaned query", tree.KindQuery, "", false, false},
		{"orphaned bookmark", tree.KindBookmark, "", false, true},
		{"deleted query, an item still", tree.KindQuery, tree.MenuGUID, true, false},
		{"deleted bookmark, an item still", tree.KindBookmark, tree.MenuGUID, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
			for _, g := range []string{tree.MenuGUID, tree.UnfiledGUID} {
				if err := b.Item(tree.Item{GUID: g, Kind: tree.KindFolder}); err != nil {
					t.Fatal(err)
				}
				if err := b.Structure(g, tree.RootGUID); err != nil {
					t.Fatal(err)
				}
			}
			const guid = "itemUnderTst"
			if err := b.Item(tree.Item{GUID: guid, Kind: c.kind}); err != nil {
				t.Fatal(err)
			}
			if c.parent != "" {
				if err := b.Structure(guid, c.parent); err != nil {
					t.Fatal(err)
				}
			}
			if c.deleted {
				b.Tombstone(guid)
			}
			tr, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			if n := tr.Lookup(guid); n.Syncable != c.syncable {
				t.Errorf("syncable %v, want %v", n.Syncable, c.syncable)
			}
			checkIsTree(t, tr)
		})
	}
}

// A node of a large tree fills one cache line, so that reading one at
// random misses once: nodes are 64 bytes, and an array of that many
// starts on a page.
func TestNodeSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("64-bit layout")
	}
	if size := unsafe.Sizeof(tree.Node{}); size != 64 {
		t.Errorf("a node is %d bytes, want 64", size)
	}
	b := tree.NewBuilderSized(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder}, 1000)
	for i := range 1000 {
		if err := b.Item(tree.Item{GUID: fmt.Sprintf("bookmark%04d", i), Kind: tree.KindBookmark}); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if addr := uintptr(unsafe.Pointer(tr.Root())); addr%64 != 0 {
		t.Errorf("the nodes start at %#x, not on a cache line", addr)
	}
}
