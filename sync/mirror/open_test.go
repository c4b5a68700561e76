package mirror_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
	_ "modernc.org/sqlite"
)

func TestOpenBadInput(t *testing.T) {
	profile := testutil.Profile(t, "small-clean", "before")
	placesData, err := os.ReadFile(filepath.Join(profile, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []testutil.BadInput{
		{Name: "missing", Setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "weave", "bookmarks.sqlite") }, Want: dbsnap.ErrNotFound, Msg: "does not exist"},
		{Name: "profile folder without a mirror", Setup: func(t *testing.T, dir string) string { return dir }, Want: dbsnap.ErrNotFound, Msg: "does not exist"},
		{Name: "empty", Setup: testutil.WriteInput("bookmarks.sqlite", nil, 0o644), Want: dbsnap.ErrEmpty, Msg: "is empty"},
		{Name: "text", Setup: testutil.WriteInput("bookmarks.sqlite", []byte(strings.Repeat("x", 500)), 0o644), Want: dbsnap.ErrNotSQLite, Msg: "is not an SQLite database"},
		{Name: "places given as mirror", Setup: testutil.WriteInput("bookmarks.sqlite", placesData, 0o644),
			Want: dbsnap.ErrWrongKind, Msg: "is not a Firefox Sync bookmarks mirror (it looks like a Places database"},
		{Name: "mirror lacking a column", Setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "bookmarks.sqlite")
			testutil.ExecSQL(t, p, "CREATE TABLE items(id, guid)", "CREATE TABLE structure(guid, parentGuid, position)", "PRAGMA user_version = 4")
			return p
		}, Want: dbsnap.ErrUnsupportedSchema, Msg: "schema version 4 lacks"},
	}
	testutil.CheckBadInputs[*dbsnap.FileError](t, mirror.Open, "bookmarks.sqlite at ", tests)
}

func TestOpenOtherVersionWarns(t *testing.T) {
	p := filepath.Join(testutil.Profile(t, "twoway", "before"), "weave", "bookmarks.sqlite")
	testutil.ExecSQL(t, p, "PRAGMA user_version = 8")
	db, err := mirror.Open(filepath.Dir(filepath.Dir(p))) // the profile folder
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if w := db.Warnings(); len(w) != 1 || !strings.Contains(w[0], "schema version 8") {
		t.Errorf("warnings %v", w)
	}
}

// TestSkippedRecords: records the builder refuses are skipped and
// reported; the rest of the tree is still read.
func TestSkippedRecords(t *testing.T) {
	p := filepath.Join(testutil.Profile(t, "small-clean", "before"), "weave", "bookmarks.sqlite")
	testutil.ExecSQL(t, p,
		// a structure row whose parent is a bookmark
		`INSERT INTO items(guid, parentGuid, kind, title, needsMerge) VALUES ('bmkKidOfBmk_', 'bmkGoDev____', 1, 'kid', 1)`,
		`INSERT INTO structure(guid, parentGuid, position) VALUES ('bmkKidOfBmk_', 'bmkGoDev____', 0)`,
		// an unknown kind
		`INSERT INTO items(guid, parentGuid, kind, title, needsMerge) VALUES ('weirdKind___', 'menu________', 9, 'odd', 1)`,
		// a structure row naming an unknown parent
		`INSERT INTO structure(guid, parentGuid, position) VALUES ('bmkMdn______', 'noSuchFldr__', 0)`,
		// a merged tombstone (ignored) and an incoming one (a deletion)
		`INSERT INTO items(guid, isDeleted, needsMerge) VALUES ('oldTomb_____', 1, 0), ('newTomb_____', 1, 1)`,
		// two URLs sharing one keyword: both become REUPLOAD
		`UPDATE items SET keyword = 'dup' WHERE guid IN ('bmkGoDev____', 'bmkMdn______')`,
	)
	db, err := mirror.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tr, err := db.ReadTree(1_800_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range db.Skipped() {
		got = append(got, s.GUID+"<"+s.Parent)
	}
	want := []string{"weirdKind___<menu________", "bmkKidOfBmk_<bmkGoDev____", "bmkMdn______<noSuchFldr__"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("skipped %v, want %v", got, want)
	}
	if n := tr.Lookup("bmkKidOfBmk_"); n == nil || tr.ParentOf(n).GUID != tree.UnfiledGUID {
		t.Error("bmkKidOfBmk_ not reparented to unfiled")
	}
	if tr.Lookup("weirdKind___") != nil {
		t.Error("unknown kind in the tree")
	}
	if !tr.IsTombstone("newTomb_____") || tr.IsTombstone("oldTomb_____") {
		t.Errorf("tombstones %v", tr.Tombstones())
	}
	for _, g := range []string{"bmkGoDev____", "bmkMdn______"} {
		if n := tr.Lookup(g); n == nil || n.Validity != tree.Reupload {
			t.Errorf("%s not REUPLOAD", g)
		}
	}
	// nothing was written: the stored validity is still 1
	var v int
	if err := db.SQL().QueryRow(`SELECT validity FROM items WHERE guid = 'bmkGoDev____'`).Scan(&v); err != nil || v != 1 {
		t.Errorf("stored validity %d, %v", v, err)
	}
	if tr.Lookup("bmkMdn______") == nil || tr.ParentOf(tr.Lookup("bmkMdn______")).GUID != tree.ToolbarGUID {
		t.Error("bmkMdn______ lost its parent")
	}
}
