package places_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestReadTreeRowOrderAndIDs: rows out of position order, an id far
// beyond the others (no dense id table then) and a livemark annotation
// read as Firefox's query would: children in position order, every row
// found by its id, the annotated folder a livemark.
func TestReadTreeRowOrderAndIDs(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	path := filepath.Join(dir, "places.sqlite")
	testutil.ExecSQL(t, path,
		// fldRecipes__'s five children, positions reversed.
		`UPDATE moz_bookmarks SET position = 4 - position WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'fldRecipes__')`,
		// bmkMail_____ and the folder fldNews_____ (with its children) under ids far apart.
		`UPDATE moz_bookmarks SET id = 5000000 WHERE guid = 'bmkMail_____'`,
		`UPDATE moz_bookmarks SET parent = 9000000 WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'fldNews_____')`,
		`UPDATE moz_bookmarks SET id = 9000000 WHERE guid = 'fldNews_____'`,
		`INSERT INTO moz_anno_attributes(name) VALUES ('livemark/feedURI')`,
		`INSERT INTO moz_items_annos(item_id, anno_attribute_id, content) SELECT b.id, a.id, 'https://example.com/feed'
			FROM moz_bookmarks b, moz_anno_attributes a WHERE b.guid = 'fldEmpty____' AND a.name = 'livemark/feedURI'`,
	)
	db := openPlaces(t, dir)
	tr, err := db.ReadTree(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		folder string
		want   []string
	}{
		{"fldRecipes__", []string{"bmkNoTitle__", "bmkCurry____", "sepRecipes1_", "bmkPizza____", "bmkBread____"}},
		{"fldWork_____", []string{"fldProjects_", "bmkMail_____", "bmkCalendar_", "bmkWikiWork_"}},
		{"fldNews_____", []string{"bmkLwn______", "bmkHn_______", "bmkBbc______"}},
	} {
		if got := testutil.ChildGUIDs(t, tr, c.folder); !slices.Equal(got, c.want) {
			t.Errorf("%s: children %v, want %v", c.folder, got, c.want)
		}
	}
	if k := tr.Lookup("fldEmpty____").Kind; k != tree.KindLivemark {
		t.Errorf("fldEmpty____ is %v, want a livemark", k)
	}
	if k := tr.Lookup("fldNews_____").Kind; k != tree.KindFolder {
		t.Errorf("fldNews_____ is %v, want a folder", k)
	}
	if n := tr.Lookup("bmkMail_____"); n.Info == nil || n.Info.Title != "Mail" || n.Info.URL == "" {
		t.Errorf("bmkMail_____ read as %+v", n.Info)
	}
	if s := db.Skipped(); len(s) != 0 {
		t.Errorf("skipped %v", s)
	}
}
