package load_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"

	_ "modernc.org/sqlite"
)

// TestOpenReportsSkippedRows damages a profile with a row Firefox's merger
// refuses (an unknown item type): the profile still opens, the row is left
// out of the tree, and the notes say so.
func TestOpenReportsSkippedRows(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`INSERT INTO moz_bookmarks(type, parent, position, title, guid, dateAdded, lastModified, syncStatus, syncChangeCounter)
		SELECT 9, id, 99, 'odd', 'oddTypeItem_', 0, 0, 1, 1 FROM moz_bookmarks WHERE guid = 'menu________'`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1795397961, 0)
	p, err := load.Open(paths, tree.Clocks{Local: now, Remote: now})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Local.Tree.Lookup("oddTypeItem_") != nil {
		t.Error("the refused row is in the tree")
	}
	found := false
	for _, n := range p.Notes {
		found = found || (strings.Contains(n, "skipped Places row") && strings.Contains(n, "oddTypeItem_"))
	}
	if !found {
		t.Errorf("notes do not name the skipped row: %q", p.Notes)
	}
}
