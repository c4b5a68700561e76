package dbcheck_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/testutil"
)

func open(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestCheckDamagedPages damages one page of a table or index in copies of
// a real profile and expects the check to name the file, the b-tree and
// the page; the untouched files are sound.
func TestCheckDamagedPages(t *testing.T) {
	cases := []struct {
		file, typ, object string
	}{
		{"places.sqlite", "index", "moz_places_url_hashindex"},
		{"places.sqlite", "table", "moz_origins"},
		{"weave/bookmarks.sqlite", "index", "urlHashes"},
		{"weave/bookmarks.sqlite", "table", "meta"},
	}
	for _, c := range cases {
		t.Run(c.object, func(t *testing.T) {
			path := filepath.Join(testutil.Profile(t, "twoway", "before"), c.file)
			if ds, err := dbcheck.Check(context.Background(), open(t, path), "main", path); err != nil || ds != nil {
				t.Fatalf("sound file: %v, %v", ds, err)
			}
			page := testutil.LeafPage(t, path, c.object, 0)
			testutil.DamagePage(t, path, page)
			ds, err := dbcheck.Check(context.Background(), open(t, path), "main", path)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) == 0 {
				t.Fatal("damage not found")
			}
			d := ds[0]
			if d.File != path || d.Type != c.typ || d.Object != c.object || !slices.Contains(d.Pages, page) || d.Detail == "" {
				t.Errorf("got %+v, want %s %s %s page %d", d, path, c.typ, c.object, page)
			}
		})
	}
}

// TestCheckAttached checks a file attached under another schema name, as
// apply does with the mirror.
func TestCheckAttached(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	mp := filepath.Join(dir, "weave", "bookmarks.sqlite")
	page := testutil.LeafPage(t, mp, "urlHashes", 0)
	testutil.DamagePage(t, mp, page)
	db := open(t, filepath.Join(dir, "places.sqlite"))
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`ATTACH DATABASE ? AS mirror`, mp); err != nil {
		t.Fatal(err)
	}
	if ds, err := dbcheck.Check(context.Background(), db, "main", "places.sqlite"); err != nil || ds != nil {
		t.Fatalf("places.sqlite: %v, %v", ds, err)
	}
	ds, err := dbcheck.Check(context.Background(), db, "mirror", mp)
	if err != nil || len(ds) == 0 || ds[0].Object != "urlHashes" || !slices.Contains(ds[0].Pages, page) {
		t.Fatalf("mirror: %+v, %v", ds, err)
	}
	if _, err := dbcheck.Check(context.Background(), db, "main; DROP", "x"); err == nil {
		t.Error("a bad schema name was accepted")
	}
}

func TestRunner(t *testing.T) {
	path := filepath.Join(testutil.Profile(t, "twoway", "before"), "places.sqlite")
	testutil.DamagePage(t, path, testutil.LeafPage(t, path, "moz_places_url_hashindex", 0))
	opened := 0
	openDB := func() (*sql.DB, error) { opened++; return open(t, path), nil }

	r := dbcheck.NewRunner(path, openDB)
	ds, err := r.Wait() // starts it
	if err != nil || len(ds) == 0 || opened != 1 {
		t.Fatalf("Wait: %v, %v, opened %d", ds, err, opened)
	}
	r.Start() // once only
	r.Stop()  // after the end: returns at once, keeps the result
	if again, err := r.Wait(); err != nil || len(again) != len(ds) || opened != 1 {
		t.Fatalf("Wait after Stop: %v, %v, opened %d", again, err, opened)
	}

	never := dbcheck.NewRunner(path, openDB)
	never.Stop()
	never.Start()
	if _, err := never.Wait(); !errors.Is(err, dbcheck.ErrStopped) || opened != 1 {
		t.Fatalf("stopped before it started: %v, opened %d", err, opened)
	}
}

// BenchmarkCheckLarge40k measures both checks on both files of large-40k,
// each on a fresh connection (as at open).
func BenchmarkCheckLarge40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	for _, file := range []string{"places.sqlite", "weave/bookmarks.sqlite"} {
		path := filepath.Join(dir, file)
		for _, mode := range []struct {
			name  string
			check func(context.Context, dbcheck.Querier, string, string) ([]dbcheck.Damage, error)
		}{{"quick_check", dbcheck.Check}, {"integrity_check", dbcheck.CheckFull}} {
			b.Run(filepath.Base(file)+"/"+mode.name, func(b *testing.B) {
				for b.Loop() {
					db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=cache_size(-131072)&_pragma=mmap_size(268435456)")
					if err != nil {
						b.Fatal(err)
					}
					if ds, err := mode.check(context.Background(), db, "main", path); err != nil || ds != nil {
						b.Fatal(ds, err)
					}
					db.Close()
				}
			})
		}
	}
}
