package apply

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/tree"
)

// planEditFor reads the profile's local tree and plans set on it.
func planEditFor(t testing.TB, dir string, now time.Time, set func(local *tree.Tree) edit.Set) (*EditPlan, *tree.Tree) {
	t.Helper()
	src, err := places.OpenSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	res, err := src.Load(now)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanEdit(dir, res.Tree, src.Stamp(), set(res.Tree), now)
	if err != nil {
		t.Fatal(err)
	}
	return plan, res.Tree
}

// copyOf is the item as an edit.Insert carries it.
func copyOf(n *tree.Node) *tree.Item {
	it := n.Item
	info := *n.Info
	it.Info = &info
	return &it
}

// restoreSubtree inserts n and everything in it, as they were in t.
func restoreSubtree(t *tree.Tree, n *tree.Node, parent string, index int) []edit.Change {
	out := []edit.Change{{Op: edit.Insert, GUID: n.GUID, Parent: parent, Index: index, Item: copyOf(n), Why: "test"}}
	for _, c := range t.ChildrenOf(n) {
		out = append(out, restoreSubtree(t, t.Node(c), n.GUID, -1)...)
	}
	return out
}

// TestWriteEditRoundTrip deletes, moves and updates synced items of a
// synced profile, then restores the deleted ones under their GUIDs:
// each write is verified against its preview, judged by Firefox (strict
// check and its own merge, which must upload exactly the changed records
// and delete only what was deleted), and undone byte for byte.
func TestWriteEditRoundTrip(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "after-upload")
	original := fileHashes(t, dir)
	now := time.Now().Truncate(time.Millisecond)

	plan, before := planEditFor(t, dir, now, func(local *tree.Tree) edit.Set {
		return edit.Set{Label: "test edits", Changes: []edit.Change{
			{Op: edit.Delete, GUID: "fldArchive__"},
			{Op: edit.Delete, GUID: "bmkMail_____"},
			{Op: edit.Move, GUID: "bmkCi_______", Parent: tree.ToolbarGUID, Index: 0},
			{Op: edit.Update, GUID: "bmkCurry____", Item: &tree.Item{Info: &tree.Info{Title: "Red curry", URL: "https://food.example.org/curry", Tags: []string{"spicy"}}}},
		}}
	})
	rep, err := WriteEdit(context.Background(), plan, Options{})
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	if !rep.Verified || rep.BackupDir == "" || rep.FirefoxBackup == "" {
		t.Fatalf("report: %+v", rep)
	}
	wantTombs := []string{"bmkOldWiki__", "bmkOldBugs__", "fldEmpty____", "fldArchive__", "bmkMail_____"}
	if got := rep.Upload.Tombstones; !sameSet(got, wantTombs) {
		t.Errorf("tombstones to upload %q, want %q", got, wantTombs)
	}
	afterDelete := fileHashes(t, dir)
	if testing.Short() {
		t.Log("-short: Firefox's judgement skipped")
	} else {
		testutil.SkipWithoutFforacle(t)
		out := testutil.FforacleDryMerge(t, filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
		// Exactly what the preview said Firefox would upload.
		checkOutgoing(t, out, syncIDs(append(rep.Upload.Items, rep.Upload.Parents...)), rep.Upload.Tombstones)
		checkOutgoing(t, out, []string{"bmkCi_______", "bmkCurry____", "toolbar", "fldProjects_", "fldWork_____", "sepToolbar1_"}, wantTombs)
	}

	// Bring the deleted ones back where they were.
	plan, _ = planEditFor(t, dir, now.Add(time.Second), func(local *tree.Tree) edit.Set {
		arch := before.Lookup("fldArchive__")
		mail := before.Lookup("bmkMail_____")
		changes := restoreSubtree(before, arch, "fldProjects_", -1)
		changes = append(changes, restoreSubtree(before, mail, "fldWork_____", 1)...)
		return edit.Set{Label: "restore", Changes: changes}
	})
	if got, want := plan.Preview.Upload.Revived, []string{"fldArchive__", "bmkOldWiki__", "bmkOldBugs__", "fldEmpty____", "bmkMail_____"}; !slices.Equal(got, want) {
		t.Errorf("revived %q, want %q", got, want)
	}
	first := rep.Upload
	rep, err = WriteEdit(context.Background(), plan, Options{})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !rep.Verified {
		t.Fatal("not verified")
	}
	src, err := places.OpenSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Load(now)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Tree.Lookup("bmkMail_____"); n == nil || n.Info.Keyword != "mail" || n.Info.SyncStatus != tree.SyncStatusNew {
		t.Errorf("restored bookmark: %+v", n)
	}
	if res.Tree.TombstoneCount() != 0 {
		t.Errorf("tombstones left: %q", res.Tree.Tombstones())
	}
	if !testing.Short() {
		out := testutil.FforacleDryMerge(t, filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
		// Both sets' records, the restored ones instead of their
		// tombstones; nothing deleted.
		var both []string
		for _, u := range []edit.Upload{first, rep.Upload} {
			both = append(append(both, u.Items...), u.Parents...)
		}
		checkOutgoing(t, out, syncIDs(both), nil)
	}

	if _, err := Undo(dir); err != nil {
		t.Fatal(err)
	}
	if got := fileHashes(t, dir); !maps.Equal(got, afterDelete) {
		t.Errorf("first undo: files %v, want %v", got, afterDelete)
	}
	if _, err := Undo(dir); err != nil {
		t.Fatal(err)
	}
	if got := fileHashes(t, dir); !maps.Equal(got, original) {
		t.Errorf("second undo: files %v, want %v", got, original)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// syncIDs names roots as Sync records do.
func syncIDs(guids []string) []string {
	out := make([]string, len(guids))
	for i, g := range guids {
		out[i] = g
		if tree.IsUserContentRoot(g) {
			out[i] = strings.TrimRight(g, "_")
		}
	}
	return out
}

// checkOutgoing compares Firefox's outgoing records with the records and
// tombstones wanted (record ids; roots by their Sync names).
func checkOutgoing(t *testing.T, out []testutil.OutgoingRecord, items, tombstones []string) {
	t.Helper()
	var gotItems, gotTombs []string
	for _, r := range out {
		if r.Deleted {
			gotTombs = append(gotTombs, r.ID)
		} else {
			gotItems = append(gotItems, r.ID)
		}
	}
	if !sameSet(gotItems, items) {
		t.Errorf("Firefox uploads %q, want %q", gotItems, items)
	}
	if !sameSet(gotTombs, tombstones) {
		t.Errorf("Firefox deletes %q, want %q", gotTombs, tombstones)
	}
}

// TestWriteEditRefuses: a profile changed since the preview, a damaged
// file or an interrupted operation is refused, and nothing is written.
func TestWriteEditRefuses(t *testing.T) {
	now := time.Now()
	set := func(*tree.Tree) edit.Set {
		return edit.Set{Changes: []edit.Change{{Op: edit.Delete, GUID: "bmkMail_____"}}}
	}
	tests := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  error
	}{
		{"changed since the preview", func(t *testing.T, dir string) {
			testutil.ExecSQL(t, filepath.Join(dir, "places.sqlite"), `UPDATE moz_bookmarks SET title = 'x' WHERE guid = 'bmkCurry____'`)
		}, ErrChanged},
		{"interrupted operation", func(t *testing.T, dir string) {
			testutil.ExecSQL(t, filepath.Join(dir, "places.sqlite"), `SELECT 1`)
			writeFileSync(filepath.Join(dir, BackupFolder, markerName), []byte("x"))
		}, ErrInterrupted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.Profile(t, "small-clean", "after-upload")
			plan, _ := planEditFor(t, dir, now, set)
			if err := mkdirAll(filepath.Join(dir, BackupFolder)); err != nil {
				t.Fatal(err)
			}
			tc.spoil(t, dir)
			before := fileHashes(t, dir)
			_, err := WriteEdit(context.Background(), plan, Options{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one line: %q", err)
			}
			if got := fileHashes(t, dir); !maps.Equal(got, before) {
				t.Errorf("files changed: %v, want %v", got, before)
			}
		})
	}
}

// TestWriteEditFailureRollsBack: a failure inside the transaction leaves
// the files byte-identical and no backup for Undo to find.
func TestWriteEditFailureRollsBack(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "after-upload")
	plan, _ := planEditFor(t, dir, time.Now(), func(*tree.Tree) edit.Set {
		return edit.Set{Changes: []edit.Change{{Op: edit.Delete, GUID: "bmkMail_____"}, {Op: edit.Delete, GUID: "bmkCurry____"}}}
	})
	before := fileHashes(t, dir)
	boom := errors.New("boom")
	steps := 0
	_, err := WriteEdit(context.Background(), plan, Options{hooks: &testHooks{step: func(name string) error {
		if name == "change" {
			if steps++; steps == 2 {
				return boom
			}
		}
		return nil
	}}})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := fileHashes(t, dir); !maps.Equal(got, before) {
		t.Errorf("files changed: %v, want %v", got, before)
	}
	if b, _ := LastBackup(dir); b != "" {
		t.Errorf("a backup is left for undo: %s", b)
	}
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// TestWriteEditEmpty: a set without changes writes nothing, not even a
// backup.
func TestWriteEditEmpty(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "after-upload")
	before := fileHashes(t, dir)
	plan, _ := planEditFor(t, dir, time.Now(), func(*tree.Tree) edit.Set { return edit.Set{Label: "nothing"} })
	rep, err := WriteEdit(context.Background(), plan, Options{})
	if err != nil || !rep.Skipped || rep.BackupDir != "" {
		t.Fatalf("rep %+v, err %v", rep, err)
	}
	if got := fileHashes(t, dir); !maps.Equal(got, before) {
		t.Errorf("files changed")
	}
	if _, err := os.Stat(filepath.Join(dir, BackupFolder)); err == nil {
		t.Errorf("a backup folder was made")
	}
}
