package merge_test

import (
	"context"
	"slices"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

func mustBuild(t *testing.T, spec testutil.TreeSpec, tombstones ...string) *tree.Tree {
	t.Helper()
	tr, err := testutil.BuildSpec(spec, tombstones...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func mergeWith(t *testing.T, local, remote *tree.Tree, ov merge.Overrides) *merge.Result {
	t.Helper()
	res, err := merge.Merge(context.Background(), local, remote, merge.Options{Overrides: ov, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, local, remote, res)
	return res
}

// find returns the merged node with guid and its parent.
func find(res *merge.Result, guid string) (n, parent *merge.Node, pos int) {
	res.Walk(func(c, p *merge.Node, i int) bool {
		if c.GUID == guid {
			n, parent, pos = c, p, i
			return false
		}
		return true
	})
	return
}

func eventFor(res *merge.Result, kind merge.EventKind, guid string) *merge.Event {
	for i := range res.Events {
		if res.Events[i].Kind == kind && res.Events[i].GUID == guid {
			return &res.Events[i]
		}
	}
	return nil
}

func TestOverrideValue(t *testing.T) {
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkAAAA").Changed().Aged(50))))
	remote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkAAAA").Changed().Aged(10))))

	// Default: both changed, the remote copy is newer.
	res := mergeWith(t, local, remote, merge.Overrides{})
	a, _, _ := find(res, "bookmarkAAAA")
	if a.State != merge.StateRemote {
		t.Fatalf("default state %s", a.State)
	}
	ev := eventFor(res, merge.EventValue, "bookmarkAAAA")
	if ev == nil || !ev.Conflict() || ev.Chosen != merge.ChoiceRemote || ev.Reason != merge.ReasonNewer || ev.LocalAge != 50 || ev.RemoteAge != 10 {
		t.Fatalf("default event %+v", ev)
	}

	// The user keeps the local value: uploaded, not applied.
	res = mergeWith(t, local, remote, merge.Overrides{Value: map[string]tree.Side{"bookmarkAAAA": tree.Local}})
	a, p, pos := find(res, "bookmarkAAAA")
	if a.State != merge.StateLocal || p.GUID != tree.MenuGUID || pos != 0 {
		t.Fatalf("overridden: %s under %s", a.State, p.GUID)
	}
	ops := res.Ops()
	if len(ops.ApplyRemoteItems) != 0 || !slices.Contains(ops.UploadItems, "bookmarkAAAA") {
		t.Fatalf("ops %+v", ops)
	}
	ev = eventFor(res, merge.EventValue, "bookmarkAAAA")
	if ev == nil || !ev.Overridden || ev.Chosen != merge.ChoiceLocal || ev.Default != merge.ChoiceRemote || !ev.Conflict() {
		t.Fatalf("overridden event %+v", ev)
	}

	// Choosing an unusable value is ignored.
	badRemote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkAAAA").Changed().Aged(10).Validity(tree.Replace))))
	res = mergeWith(t, local, badRemote, merge.Overrides{Value: map[string]tree.Side{"bookmarkAAAA": tree.Remote}})
	if a, _, _ := find(res, "bookmarkAAAA"); a.State != merge.StateLocal {
		t.Fatalf("replace value chosen: %s", a.State)
	}
}

func TestOverrideStructure(t *testing.T) {
	// The remote side moved X from F to G; the local side did not touch it.
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID,
		testutil.Folder("folderFFFFFF", testutil.Bookmark("bookmarkXXXX")),
		testutil.Folder("folderGGGGGG"))))
	remote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID,
		testutil.Folder("folderFFFFFF").Changed().Aged(5),
		testutil.Folder("folderGGGGGG", testutil.Bookmark("bookmarkXXXX")).Changed().Aged(5))))

	res := mergeWith(t, local, remote, merge.Overrides{})
	x, p, _ := find(res, "bookmarkXXXX")
	if p.GUID != "folderGGGGGG" || x.State != merge.StateUnchangedWithNewLocalStructure {
		t.Fatalf("default: %s under %s", x.State, p.GUID)
	}
	ev := eventFor(res, merge.EventStructure, "bookmarkXXXX")
	if ev == nil || ev.Chosen != merge.ChoiceRemote || ev.Reason != merge.ReasonOnlyRemoteChanged || ev.Other != "folderGGGGGG" || ev.Conflict() {
		t.Fatalf("default event %+v", ev)
	}

	// The user keeps the local placement: X stays in F and the server is told.
	res = mergeWith(t, local, remote, merge.Overrides{Structure: map[string]tree.Side{"bookmarkXXXX": tree.Local}})
	x, p, pos := find(res, "bookmarkXXXX")
	if p.GUID != "folderFFFFFF" || pos != 0 || x.State != merge.StateLocal {
		t.Fatalf("overridden: %s under %s", x.State, p.GUID)
	}
	if g, _, _ := find(res, "folderGGGGGG"); len(g.Children) != 0 || !g.State.ShouldUpload() {
		t.Fatalf("G: %s with %d children", g.State, len(g.Children))
	}
	if f, _, _ := find(res, "folderFFFFFF"); !f.State.ShouldUpload() {
		t.Fatalf("F must be uploaded: %s", f.State)
	}
	ops := res.Ops()
	for _, op := range ops.ApplyNewLocalStructure {
		if op.GUID == "bookmarkXXXX" {
			t.Fatalf("X moved locally: %+v", op)
		}
	}
	if !slices.Contains(ops.UploadItems, "bookmarkXXXX") {
		t.Fatalf("X not uploaded: %+v", ops)
	}
	ev = eventFor(res, merge.EventStructure, "bookmarkXXXX")
	if ev == nil || !ev.Overridden || ev.Chosen != merge.ChoiceLocal || ev.Default != merge.ChoiceRemote || ev.Other != "folderFFFFFF" {
		t.Fatalf("overridden event %+v", ev)
	}
}

func TestOverrideDeletionKeep(t *testing.T) {
	// Deleted locally, unchanged remotely: the deletion wins by default.
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID).Changed()), "bookmarkXXXX")
	remote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkXXXX"))))

	res := mergeWith(t, local, remote, merge.Overrides{})
	if n, _, _ := find(res, "bookmarkXXXX"); n != nil || !slices.Equal(res.Deletions, []string{"bookmarkXXXX"}) {
		t.Fatalf("default: %v %v", n, res.Deletions)
	}
	if ev := eventFor(res, merge.EventDeletionWon, "bookmarkXXXX"); ev == nil || ev.Reason != merge.ReasonUnchanged || ev.Conflict() {
		t.Fatalf("default event %+v", ev)
	}

	res = mergeWith(t, local, remote, merge.Overrides{Deletion: map[string]merge.Resolution{"bookmarkXXXX": merge.ResolveKeep}})
	x, p, _ := find(res, "bookmarkXXXX")
	if x == nil || p.GUID != tree.MenuGUID || x.State != merge.StateRemoteOnly || len(res.Deletions) != 0 {
		t.Fatalf("kept: %v %v", x, res.Deletions)
	}
	if res.Counts.RemoteRevives != 1 {
		t.Fatalf("counts %+v", res.Counts)
	}
	ops := res.Ops()
	if len(ops.ApplyRemoteItems) != 1 || ops.ApplyRemoteItems[0].Remote != "bookmarkXXXX" ||
		!slices.Equal(ops.DeleteLocalTombstones, []string{"bookmarkXXXX"}) || len(ops.UploadTombstones) != 0 {
		t.Fatalf("ops %+v", ops)
	}
	if ev := eventFor(res, merge.EventRevived, "bookmarkXXXX"); ev == nil || !ev.Overridden || ev.Default != merge.ChoiceDelete {
		t.Fatalf("event %+v", ev)
	}
}

func TestOverrideDeletionDelete(t *testing.T) {
	// Deleted remotely, changed locally: revived by default.
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkXXXX").Changed())))
	remote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID).Changed()), "bookmarkXXXX")

	res := mergeWith(t, local, remote, merge.Overrides{})
	if x, _, _ := find(res, "bookmarkXXXX"); x == nil || x.State != merge.StateLocalOnly || res.Counts.LocalRevives != 1 {
		t.Fatalf("default: %v %+v", x, res.Counts)
	}
	if ev := eventFor(res, merge.EventRevived, "bookmarkXXXX"); ev == nil || !ev.Conflict() || ev.Reason != merge.ReasonChangedBeatsDelete {
		t.Fatalf("default event %+v", ev)
	}

	res = mergeWith(t, local, remote, merge.Overrides{Deletion: map[string]merge.Resolution{"bookmarkXXXX": merge.ResolveDelete}})
	if x, _, _ := find(res, "bookmarkXXXX"); x != nil {
		t.Fatalf("still there: %v", x)
	}
	if !slices.Equal(res.LocalDeletions, []string{"bookmarkXXXX"}) {
		t.Fatalf("deletions %v / %v", res.Deletions, res.LocalDeletions)
	}
	ops := res.Ops()
	if !slices.Equal(ops.DeleteLocalItems, []string{"bookmarkXXXX"}) || !slices.Contains(ops.SetRemoteMerged, "bookmarkXXXX") {
		t.Fatalf("ops %+v", ops)
	}
	if menu, _, _ := find(res, tree.MenuGUID); len(menu.Children) != 0 || !menu.State.ShouldApplyStructure() {
		t.Fatalf("menu %s %d", menu.State, len(menu.Children))
	}
}

func TestOverrideKeepDeletedFolder(t *testing.T) {
	// A folder deleted remotely stays deleted even though it changed locally
	// (its child is relocated), unless the user keeps it; then the child
	// stays inside it.
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Folder("folderFFFFFF", testutil.Bookmark("bookmarkXXXX")).Changed())))
	remote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID).Changed()), "folderFFFFFF")

	res := mergeWith(t, local, remote, merge.Overrides{})
	if f, _, _ := find(res, "folderFFFFFF"); f != nil || res.Counts.RemoteDeletes != 1 {
		t.Fatalf("default: folder survives %v %+v", f, res.Counts)
	}
	x, p, _ := find(res, "bookmarkXXXX")
	if x == nil || p.GUID != tree.MenuGUID {
		t.Fatalf("child not relocated to menu")
	}
	if ev := eventFor(res, merge.EventRelocated, "bookmarkXXXX"); ev == nil || ev.Other != tree.MenuGUID || ev.Reason != merge.ReasonParentDeleted {
		t.Fatalf("relocated event %+v", ev)
	}

	res = mergeWith(t, local, remote, merge.Overrides{Deletion: map[string]merge.Resolution{"folderFFFFFF": merge.ResolveKeep}})
	f, p, _ := find(res, "folderFFFFFF")
	if f == nil || p.GUID != tree.MenuGUID || len(f.Children) != 1 || f.Children[0].GUID != "bookmarkXXXX" || !f.State.ShouldUpload() {
		t.Fatalf("kept folder: %+v", f)
	}
	if len(res.Deletions) != 0 || res.Counts.LocalRevives != 1 {
		t.Fatalf("deletions %v counts %+v", res.Deletions, res.Counts)
	}
}

func TestOverrideRefuseDedupe(t *testing.T) {
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkLLLL").Changed().Content("Docs", "https://d/")).Changed()))
	remote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkRRRR").Changed().Content("Docs", "https://d/")).Changed()))

	res := mergeWith(t, local, remote, merge.Overrides{})
	r, _, _ := find(res, "bookmarkRRRR")
	if r == nil || r.Local == nil || r.Local.GUID != "bookmarkLLLL" || res.Counts.Dupes != 1 {
		t.Fatalf("default: not deduped")
	}
	if ops := res.Ops(); len(ops.ChangeGUIDs) != 1 || ops.ChangeGUIDs[0].Local != "bookmarkLLLL" {
		t.Fatalf("ops %+v", ops)
	}
	if ev := eventFor(res, merge.EventDedupe, "bookmarkRRRR"); ev == nil || ev.Other != "bookmarkLLLL" || !ev.Conflict() {
		t.Fatalf("dedupe event %+v", ev)
	}

	res = mergeWith(t, local, remote, merge.Overrides{RefuseDedupe: map[merge.DedupePair]bool{{Local: "bookmarkLLLL", Remote: "bookmarkRRRR"}: true}})
	menu, _, _ := find(res, tree.MenuGUID)
	var kids []string
	for _, c := range menu.Children {
		kids = append(kids, c.GUID+":"+c.State.String())
	}
	// The newer side's walk goes first; both items survive separately.
	if len(kids) != 2 || res.Counts.Dupes != 0 {
		t.Fatalf("refused: %v", kids)
	}
	l, _, _ := find(res, "bookmarkLLLL")
	r, _, _ = find(res, "bookmarkRRRR")
	if l == nil || l.Remote != nil || r == nil || r.Local != nil {
		t.Fatalf("refused: %v", kids)
	}
	ops := res.Ops()
	if len(ops.ChangeGUIDs) != 0 || !slices.Contains(ops.UploadItems, "bookmarkLLLL") || len(ops.ApplyRemoteItems) != 1 {
		t.Fatalf("ops %+v", ops)
	}
	if ev := eventFor(res, merge.EventDedupeRefused, "bookmarkRRRR"); ev == nil || !ev.Overridden || ev.Other != "bookmarkLLLL" {
		t.Fatalf("refusal event %+v", ev)
	}
}

// TestEventsStepThrough checks that events are numbered in order and that
// every conflict offers alternatives.
func TestEventsStepThrough(t *testing.T) {
	f, err := testutil.LoadDogear(testutil.Shared(t, "fixtures", "dogear", "complex_orphaning.json"))
	if err != nil {
		t.Fatal(err)
	}
	local, remote := buildSides(t, f)
	res, err := merge.Merge(context.Background(), local, remote, merge.Options{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Events) == 0 || len(res.Conflicts()) == 0 {
		t.Fatalf("no events/conflicts: %v", res.Events)
	}
	for i, e := range res.Events {
		if e.Seq != i {
			t.Fatalf("event %d has Seq %d", i, e.Seq)
		}
		if e.Conflict() && len(e.Alternatives.List()) < 2 {
			t.Fatalf("conflict without alternatives: %v", e)
		}
	}
	plain, err := merge.Merge(context.Background(), local, remote, merge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Events) != 0 {
		t.Fatal("events recorded without Explain")
	}
}

func TestCancel(t *testing.T) {
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := merge.Merge(ctx, local, local, merge.Options{}); err != context.Canceled {
		t.Fatalf("got %v", err)
	}
}

func TestInvalidGUIDRejectedByDefault(t *testing.T) {
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, testutil.Bookmark("bad"))))
	remote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID)))
	_, err := merge.Merge(context.Background(), local, remote, merge.Options{})
	if !merge.IsErrorKind(err, merge.ErrInvalidGUID) {
		t.Fatalf("got %v", err)
	}
}

func TestStableGUID(t *testing.T) {
	seen := map[string]string{}
	for _, old := range []string{"", "!@#$%^", "shortGUID", "loooooongGUID", "validGUID___"} {
		g, err := merge.StableGUID(old)
		if err != nil {
			t.Fatal(err)
		}
		if !tree.IsValidGUID(g) {
			t.Fatalf("StableGUID(%q) = %q, not a valid GUID", old, g)
		}
		if again, _ := merge.StableGUID(old); again != g {
			t.Fatalf("StableGUID(%q) not stable: %q then %q", old, g, again)
		}
		if prev, dup := seen[g]; dup {
			t.Fatalf("%q and %q both map to %q", prev, old, g)
		}
		seen[g] = old
	}
}
