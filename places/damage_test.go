package places_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestOpenFindsDamage damages a page the tree reader never reads (an index
// page, a table page) in each database: the tree still reads, and Damage
// names the file, the b-tree and the page. Sound files have none.
func TestOpenFindsDamage(t *testing.T) {
	type opened interface {
		ReadTree(now int64) (*tree.Tree, error)
		Damage() ([]dbcheck.Damage, error)
		Close() error
	}
	openPlaces := func(p string) (opened, error) { return places.Open(p) }
	openMirror := func(p string) (opened, error) { return mirror.Open(p) }
	cases := []struct {
		file, typ, object string
		open              func(string) (opened, error)
	}{
		{"places.sqlite", "", "", openPlaces},
		{"places.sqlite", "index", "moz_places_url_hashindex", openPlaces},
		{"places.sqlite", "table", "moz_origins", openPlaces},
		{"weave/bookmarks.sqlite", "", "", openMirror},
		{"weave/bookmarks.sqlite", "index", "urlHashes", openMirror},
		{"weave/bookmarks.sqlite", "table", "sqlite_stat1", openMirror},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file)+"/"+c.object, func(t *testing.T) {
			path := filepath.Join(testutil.Profile(t, "twoway", "before"), c.file)
			var page int64
			if c.object != "" {
				page = testutil.LeafPage(t, path, c.object, 0)
				testutil.DamagePage(t, path, page)
			}
			db, err := c.open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if tr, err := db.ReadTree(0); tr == nil {
				t.Fatalf("tree: %v", err)
			}
			ds, err := db.Damage()
			if err != nil {
				t.Fatal(err)
			}
			if c.object == "" {
				if ds != nil {
					t.Fatalf("sound file reported damaged: %+v", ds)
				}
				return
			}
			if len(ds) == 0 {
				t.Fatal("damage not reported")
			}
			if d := ds[0]; d.File != path || d.Type != c.typ || d.Object != c.object || !slices.Contains(d.Pages, page) {
				t.Errorf("got %+v, want %s %s page %d of %s", d, c.typ, c.object, page, path)
			}
		})
	}
}

// TestOpenDamagedWhereRead damages a page that opening reads: the error is
// one line naming the file, saying it is damaged and where.
func TestOpenDamagedWhereRead(t *testing.T) {
	cases := []struct {
		file, object string
		open         func(string) error
	}{
		{"places.sqlite", "moz_meta", func(p string) error { _, err := places.Open(p); return err }},
		{"weave/bookmarks.sqlite", "meta", func(p string) error { _, err := mirror.Open(p); return err }},
	}
	for _, c := range cases {
		t.Run(c.object, func(t *testing.T) {
			path := filepath.Join(testutil.Profile(t, "twoway", "before"), c.file)
			page := testutil.LeafPage(t, path, c.object, 0)
			testutil.DamagePage(t, path, page)
			err := c.open(path)
			if !errors.Is(err, dbsnap.ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
			want := fmt.Sprintf("%s at %s is damaged (table %s, page %d): ", filepath.Base(c.file), path, c.object, page)
			if msg := err.Error(); !strings.HasPrefix(msg, want) || strings.Contains(msg, "\n") {
				t.Errorf("got %q, want it to start with %q", msg, want)
			}
		})
	}
}

// TestCloseStopsCheck closes a database while its check runs, and one
// whose check never started: Close waits for the check to end (the
// snapshot is removed), and Damage then answers at once.
func TestCloseStopsCheck(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	db, err := places.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	db.StartCheck()
	snap := db.Snapshot().Dir
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(snap); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("snapshot %s left behind: %v", snap, err)
	}
	if ds, err := db.Damage(); ds != nil || (err != nil && !errors.Is(err, dbcheck.ErrStopped)) {
		t.Errorf("Damage after Close: %v, %v", ds, err)
	}

	unstarted, err := places.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	unstarted.Close()
	if _, err := unstarted.Damage(); !errors.Is(err, dbcheck.ErrStopped) {
		t.Errorf("Damage of a closed, never started check: %v", err)
	}
}
