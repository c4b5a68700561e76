package dupes_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/dupes/backups"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/sync/tree"
)

// stormProfile is storm-dupes as every device has it after the storm
// (after-upload), with the backup Firefox made before it.
func stormProfile(t *testing.T) string {
	t.Helper()
	fixture := testutil.FixtureDir(t, "storm-dupes")
	dir := testutil.Profile(t, "storm-dupes", "after-upload")
	src := filepath.Join(fixture, "before", backup.FolderName)
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, backup.FolderName), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, backup.FolderName, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func openProfile(t testing.TB, dir string) *load.Profile {
	t.Helper()
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	prof, err := load.Open(paths, tree.Clocks{Local: now, Remote: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prof.Close() })
	return prof
}

// fixStorm fixes r's groups in the profile at dir, as `bmtui dupes
// --fix --yes` does (a plan, then apply's write), and returns the local
// tree read back. prof is the profile r was found in; it is closed.
func fixStorm(t *testing.T, dir string, prof *load.Profile, r *dupes.Report) *tree.Tree {
	t.Helper()
	storm := prof.Local.Tree
	set, err := dupes.Plan(storm, r)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := apply.PlanEdit(dir, storm, prof.Places.Stamp(), *set, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	prof.Close()
	if _, err := apply.WriteEdit(context.Background(), plan, apply.Options{}); err != nil {
		t.Fatal(err)
	}
	return openProfile(t, dir).Local.Tree
}

// firefoxUploads runs Firefox's own merge on the profile at dir and
// returns the GUIDs it would upload tombstones for, sorted, and every
// outgoing record by GUID; a tombstone for an item fixed still has is an
// error.
func firefoxUploads(t *testing.T, dir string, fixed *tree.Tree) ([]string, map[string]testutil.OutgoingRecord) {
	t.Helper()
	out := testutil.FforacleDryMerge(t, filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
	var tombs []string
	up := map[string]testutil.OutgoingRecord{}
	for _, o := range out {
		up[o.ID] = o
		if o.Deleted {
			tombs = append(tombs, o.ID)
			if fixed.Lookup(o.ID) != nil {
				t.Errorf("Firefox would delete kept %s", o.ID)
			}
		}
	}
	slices.Sort(tombs)
	return tombs, up
}

// TestStormFixedWithFirefox: on a storm real Firefox made, the fix leaves
// each pre-storm bookmark once in its pre-storm folder, removes only
// copies (the near-dupes stay), and Firefox accepts the file, merges it,
// and uploads a tombstone for each removed copy and none for a kept item.
func TestStormFixedWithFirefox(t *testing.T) {
	dir := stormProfile(t)
	prof := openProfile(t, dir)
	refs, notes, err := backups.Read(dir, 0)
	if err != nil || len(refs) != 1 || len(notes) != 0 {
		t.Fatalf("backups: %d, %v, %v", len(refs), notes, err)
	}
	pre := fullTrees(t, dir, 1)[0].Tree // the pre-storm tree, titles and URLs too
	storm := prof.Local.Tree
	r := dupes.Find(dupes.Input{Tree: storm, Side: tree.Local, Other: prof.Remote.Tree, Backups: refs})
	c := r.Counts()
	if c[dupes.Copies] != 3 || c[dupes.TwinFolders] != 1 || c[dupes.Flattened] != 1 || c[dupes.SameURL] != 1 || r.ToFix() != 5 {
		t.Fatalf("counts %v, %d to fix", c, r.ToFix())
	}
	for i := range r.Groups {
		g := &r.Groups[i]
		if k := g.Keeper(); k != nil && (k.Sides != dupes.OnLocal|dupes.OnServer || len(k.Backups) != 1) {
			t.Errorf("%s keeps %s (%v, backups %v): not the copy the server and the backup have", g.ID, k.GUID, k.Sides, k.Backups)
		}
	}
	fixed := fixStorm(t, dir, prof, r)

	// Each pre-storm bookmark once, in its pre-storm folder.
	pre.Walk(func(i int32, n *tree.Node) bool {
		if n.Kind != tree.KindBookmark {
			return true
		}
		got := fixed.Lookup(n.GUID)
		if got == nil {
			t.Errorf("%s %q is gone", n.GUID, n.Info.Title)
			return true
		}
		if want := pre.ParentOf(n).GUID; fixed.ParentOf(got).GUID != want {
			t.Errorf("%s is in %s, was in %s", n.GUID, fixed.ParentOf(got).GUID, want)
		}
		same := 0
		folder := fixed.ParentOf(got)
		for _, k := range fixed.ChildrenOf(folder) {
			if o := fixed.Node(k); o.Info != nil && o.Info.Title == n.Info.Title && o.Info.URL == n.Info.URL {
				same++
			}
		}
		if same != 1 {
			t.Errorf("%q is %d times in its folder", n.Info.Title, same)
		}
		return true
	})
	// Only copies are removed: storm items no backup has whose content a
	// kept item has.
	var removed []string
	storm.Walk(func(i int32, n *tree.Node) bool {
		if fixed.Lookup(n.GUID) == nil {
			removed = append(removed, n.GUID)
			if pre.Lookup(n.GUID) != nil {
				t.Errorf("%s was removed, but the backup has it", n.GUID)
			}
		}
		return true
	})
	slices.Sort(removed)
	want := []string{"stmGoL2_____", "stmGoR1_____", "stmLwnL_____", "stmNewsL____", "stmRustL1___", "stmZigR1____"}
	if !slices.Equal(removed, want) {
		t.Fatalf("removed %v, want %v", removed, want)
	}
	for _, g := range []string{"bmkGoDocs___", "bmkGoOther__", "bmkDocsOne__", "bmkDocsTwo__", "sepWork1____", "sepWork2____"} {
		if fixed.Lookup(g) == nil {
			t.Errorf("near-dupe %s was removed", g)
		}
	}
	if n := fixed.Lookup("stmNewOnly__"); n == nil || fixed.ParentOf(n).GUID != "fldNews_____" {
		t.Errorf("the twin's own bookmark was not moved into the News kept")
	}

	// Real Firefox: accepted, merged, and the copies' tombstones go up.
	testutil.SkipWithoutFforacle(t)
	if tombs, _ := firefoxUploads(t, dir, fixed); !slices.Equal(tombs, want) {
		t.Errorf("tombstones uploaded %v, want %v", tombs, want)
	}
}
