package dupes_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/dupes/backups"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestNestedFlattenedFixedWithFirefox: on storm-dupes, whose Recipes
// folder Firefox flattened into the menu, with a newer backup (exported
// by places/backup from Firefox's own file) that had Recipes/Soups/{Soup,
// Bread} and Recipes/Curry: the fix puts back Recipes, then Soups inside
// it before Curry, keeping both GUIDs; Firefox accepts the file (strict),
// merges it, and uploads both folders and no tombstone but the copies'.
func TestNestedFlattenedFixedWithFirefox(t *testing.T) {
	dir := stormProfile(t)
	scratch := filepath.Join(t.TempDir(), "places.sqlite")
	testutil.Gunzip(t, filepath.Join(testutil.FixtureDir(t, "storm-dupes"), "before", "places.sqlite.gz"), scratch)
	const id = "(SELECT id FROM moz_bookmarks WHERE guid = '%s')"
	q := func(guid string) string { return strings.ReplaceAll(id, "%s", guid) }
	testutil.ExecSQL(t, scratch,
		`INSERT INTO moz_bookmarks (type, parent, position, title, dateAdded, lastModified, guid, syncStatus, syncChangeCounter)
			VALUES (2, `+q(tree.MenuGUID)+`, 1, 'Recipes', 1790000000000000, 1790000000000000, 'fldRecipes__', 2, 0)`,
		`INSERT INTO moz_bookmarks (type, parent, position, title, dateAdded, lastModified, guid, syncStatus, syncChangeCounter)
			VALUES (2, `+q("fldRecipes__")+`, 0, 'Soups', 1790000000000000, 1790000000000000, 'fldSoups____', 2, 0)`,
		`UPDATE moz_bookmarks SET parent = `+q("fldSoups____")+`, position = 0 WHERE guid = 'bmkSoup_____'`,
		`UPDATE moz_bookmarks SET parent = `+q("fldSoups____")+`, position = 1 WHERE guid = 'bmkBread____'`,
		`UPDATE moz_bookmarks SET parent = `+q("fldRecipes__")+`, position = 1 WHERE guid = 'bmkCurry____'`,
	)
	if _, err := backup.WriteFile(dir, scratch, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	prof := openProfile(t, dir)
	refs, notes, err := backups.Read(dir, 0)
	if err != nil || len(refs) != 2 || len(notes) != 0 {
		t.Fatalf("backups: %d, %v, %v", len(refs), notes, err)
	}
	storm := prof.Local.Tree
	r := dupes.Find(dupes.Input{Tree: storm, Side: tree.Local, Other: prof.Remote.Tree, Backups: refs})
	g := r.Group("flattened:fldRecipes__")
	if g == nil || len(g.Nested) != 1 || g.Nested[0].GUID != "fldSoups____" || g.From != refs[0].Name || g.Into != tree.MenuGUID {
		t.Fatalf("flattened group %+v", g)
	}
	if r.Group("flattened:fldSoups____") != nil {
		t.Fatal("Soups is a group of its own too")
	}
	fixed := fixStorm(t, dir, prof, r)
	kids := func(guid string) []string { return testutil.ChildGUIDs(t, fixed, guid) }
	if got := kids("fldRecipes__"); !slices.Equal(got, []string{"fldSoups____", "bmkCurry____"}) {
		t.Errorf("Recipes holds %v", got)
	}
	if got := kids("fldSoups____"); !slices.Equal(got, []string{"bmkSoup_____", "bmkBread____"}) {
		t.Errorf("Soups holds %v", got)
	}
	if p := fixed.ParentOf(fixed.Lookup("fldRecipes__")); p.GUID != tree.MenuGUID {
		t.Errorf("Recipes is in %s", p.GUID)
	}
	if n := fixed.Lookup("fldSoups____"); n.Info == nil || n.Info.Title != "Soups" {
		t.Errorf("Soups restored as %+v", n.Info)
	}

	testutil.SkipWithoutFforacle(t)
	tombs, up := firefoxUploads(t, dir, fixed)
	if want := []string{"stmGoL2_____", "stmGoR1_____", "stmLwnL_____", "stmNewsL____", "stmRustL1___", "stmZigR1____"}; !slices.Equal(tombs, want) {
		t.Errorf("tombstones uploaded %v, want %v", tombs, want)
	}
	if o := up["fldSoups____"]; o.Deleted || o.Type != "folder" || o.ParentID != "fldRecipes__" {
		t.Errorf("Soups uploaded as %+v", o)
	}
	if o := up["fldRecipes__"]; o.Deleted || o.Type != "folder" || o.ParentID != "menu" {
		t.Errorf("Recipes uploaded as %+v", o)
	}
}
