package apply

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/tree"
)

const editCrashChildEnv = "BMTUI_EDIT_CRASH_CHILD"

// editCrashSet touches every kind of write: a deletion with tombstones,
// a move, an update with a new tag, an insert. It creates no page (whose
// GUID would differ between runs).
func editCrashSet(*tree.Tree) edit.Set {
	return edit.Set{Label: "crash test", Changes: []edit.Change{
		{Op: edit.Delete, GUID: "fldArchive__"},
		{Op: edit.Move, GUID: "bmkCi_______", Parent: tree.ToolbarGUID, Index: 0},
		{Op: edit.Update, GUID: "bmkCurry____", Item: &tree.Item{Info: &tree.Info{Title: "Red curry", URL: "https://food.example.org/curry", Tags: []string{"spicy"}}}},
		{Op: edit.Insert, GUID: "bmkCopy_____", Parent: tree.MobileGUID, Index: 0, Item: &tree.Item{Kind: tree.KindBookmark, Info: &tree.Info{Title: "Go again", URL: "https://go.dev/"}}},
	}}
}

// TestEditCrashChild is the child process of TestEditCrash.
func TestEditCrashChild(t *testing.T) {
	dir := os.Getenv(editCrashChildEnv)
	if dir == "" {
		t.Skip("child process of TestEditCrash only")
	}
	plan, _ := planEditFor(t, dir, time.Unix(1_800_000_000, 0), editCrashSet)
	announce := func(name string) error {
		if name == "committing" {
			fmt.Println(strings.ToUpper(name))
			os.Stdout.Sync()
		}
		return nil
	}
	if _, err := WriteEdit(context.Background(), plan, Options{NoFirefoxBackup: true, SkipVerify: true, hooks: &testHooks{step: announce}}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("DONE")
}

// TestEditCrash kills WriteEdit in a child process at random moments (half
// near the COMMIT): every time places.sqlite must pass integrity_check
// once opened as Firefox opens it and hold exactly the state before or
// exactly the state after the set; Recover must then leave it in WAL mode
// with no marker, and Undo after a finished write must give the original
// back.
func TestEditCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	if os.Getenv(editCrashChildEnv) != "" {
		t.Skip("in the child")
	}
	template := testutil.Profile(t, "small-clean", "after-upload")
	beforeSum, _ := digest(t, template)
	h := childHarness{t: t, test: "TestEditCrashChild", env: editCrashChildEnv, marker: "COMMITTING",
		template: template, files: []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")}}
	ref := filepath.Join(t.TempDir(), "ref")
	total, commitAt := h.reference(ref)
	afterSum, _ := digest(t, ref)
	if afterSum == beforeSum {
		t.Fatal("the set changes nothing; the test would prove nothing")
	}
	t.Logf("reference run: %v in all, COMMIT at %v", total, commitAt)
	const runs = 40
	var unchanged, changed int
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	for i := 0; i < runs; i++ {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("p", i))
		delay := h.kill(dir, i, total, 20*time.Millisecond, rng)
		if err := openLikeFirefox(t, dir); err != nil {
			t.Fatalf("run %d (killed after %v): %v", i, delay, err)
		}
		sum, d := digest(t, dir)
		switch sum {
		case beforeSum:
			unchanged++
		case afterSum:
			changed++
		default:
			_, want := digest(t, template)
			t.Fatalf("run %d (killed after %v): neither unchanged nor changed: %v", i, delay, diffDumps(d, want))
		}
		if _, err := Recover(dir); err != nil {
			t.Fatalf("run %d: recover: %v", i, err)
		}
		if _, err := os.Stat(filepath.Join(dir, BackupFolder, markerName)); err == nil {
			t.Fatalf("run %d: marker left after Recover", i)
		}
		if sum == afterSum && i%5 == 1 {
			if _, err := Undo(dir); err != nil {
				t.Fatalf("run %d: undo: %v", i, err)
			}
			if s, _ := digest(t, dir); s != beforeSum {
				t.Fatalf("run %d: undo after a kill gave another state", i)
			}
		}
	}
	t.Logf("%d kills: %d unchanged, %d fully changed", runs, unchanged, changed)
	if unchanged == 0 || changed == 0 {
		t.Errorf("the kills did not cover both outcomes")
	}
}
