package places_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/source"
)

// loadOutline is the outline of the tree Load builds: what ReadOutline
// must give.
func loadOutline(t testing.TB, path string) (*source.Outline, error) {
	t.Helper()
	s, err := places.OpenSource(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	r, err := s.Load(time.Now())
	if err != nil {
		return nil, err
	}
	return source.TreeOutline(r), nil
}

// readOutline is ReadOutline's outline, copied out of its call.
func readOutline(path string) (o *source.Outline, ok bool) {
	_, ok = places.ReadOutline(path, false, func(got *source.Outline) {
		o = &source.Outline{Items: slices.Clone(got.Items), Tombstones: slices.Clone(got.Tombstones)}
		for i := range o.Items {
			it := &o.Items[i]
			it.GUID, it.Title, it.URL = string([]byte(it.GUID)), string([]byte(it.Title)), string([]byte(it.URL))
		}
	})
	return o, ok
}

// sameOutline reports the first difference between two outlines.
func sameOutline(got, want *source.Outline) error {
	if len(got.Items) != len(want.Items) {
		return fmt.Errorf("%d items, want %d", len(got.Items), len(want.Items))
	}
	for i := range got.Items {
		if got.Items[i] != want.Items[i] {
			return fmt.Errorf("item %d: %+v, want %+v", i, got.Items[i], want.Items[i])
		}
	}
	if !slices.Equal(got.Tombstones, want.Tombstones) {
		return fmt.Errorf("tombstones %v, want %v", got.Tombstones, want.Tombstones)
	}
	return nil
}

// The outline of every fixture Firefox made is exactly its tree's, read
// without a copy of the file; the file is left as it was.
func TestReadOutlineMatchesTree(t *testing.T) {
	for _, name := range []string{"small-clean", "small-first-sync", "twoway", "dupes", "corrupt-remote", "large-40k"} {
		t.Run(name, func(t *testing.T) {
			if name == "large-40k" && testing.Short() {
				t.Skip("large fixture")
			}
			path := filepath.Join(testutil.Profile(t, name, "before"), "places.sqlite")
			before := listDir(t, filepath.Dir(path))
			want, err := loadOutline(t, path)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := readOutline(path)
			if !ok {
				t.Fatal("ReadOutline declined a database Firefox made")
			}
			if err := sameOutline(got, want); err != nil {
				t.Fatal(err)
			}
			if after := listDir(t, filepath.Dir(path)); !slices.Equal(before, after) {
				t.Errorf("profile folder changed: %v, was %v", after, before)
			}
		})
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		fi, _ := e.Info()
		out = append(out, fmt.Sprintf("%s %d %v", e.Name(), fi.Size(), fi.ModTime().UnixNano()))
	}
	return out
}

// A database another connection is writing (as a running Firefox does)
// has a -wal with content: it is read from a private copy, WAL included,
// so the outline has the latest edit, and the profile's files are left
// alone.
func TestReadOutlineWAL(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	path := filepath.Join(dir, "places.sqlite")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{`PRAGMA journal_mode = WAL`, `PRAGMA wal_autocheckpoint = 0`,
		`UPDATE moz_bookmarks SET title = 'Edited in the WAL' WHERE id = (SELECT max(id) FROM moz_bookmarks WHERE type = 1)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("no -wal with content: %v", err)
	}
	before := listDir(t, dir)
	got, ok := readOutline(path)
	if !ok {
		t.Fatal("ReadOutline declined")
	}
	if after := listDir(t, dir); !slices.Equal(before, after) {
		t.Errorf("profile folder changed: %v, was %v", after, before)
	}
	edited := false
	for _, it := range got.Items {
		edited = edited || it.Title == "Edited in the WAL"
	}
	if !edited {
		t.Error("the edit in the -wal is not in the outline")
	}
	want, err := loadOutline(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameOutline(got, want); err != nil {
		t.Fatal(err)
	}
}

// Rows the tree builder would repair make ReadOutline decline (the
// caller then loads the tree); rows it keeps as they are do not.
func TestReadOutlineOddRows(t *testing.T) {
	cases := []struct {
		name, sql string
		declines  bool
	}{
		{"renumbered positions", `UPDATE moz_bookmarks SET position = 100 - position WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'menu________')`, false},
		{"equal positions", `UPDATE moz_bookmarks SET position = 0 WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'toolbar_____')`, false},
		{"query", `UPDATE moz_places SET url = 'place:sort=8' WHERE id = (SELECT fk FROM moz_bookmarks WHERE type = 1 AND fk NOT NULL LIMIT 1)`, false},
		{"sparse ids", `UPDATE moz_bookmarks SET id = 1000000 WHERE id = (SELECT max(id) FROM moz_bookmarks WHERE type = 1)`, false},
		{"unknown type", `UPDATE moz_bookmarks SET type = 7 WHERE id = (SELECT max(id) FROM moz_bookmarks)`, true},
		{"missing parent", `UPDATE moz_bookmarks SET parent = 99999 WHERE id = (SELECT max(id) FROM moz_bookmarks)`, true},
		{"parent not a folder", `UPDATE moz_bookmarks SET parent = (SELECT max(id) FROM moz_bookmarks WHERE type = 1) WHERE id = (SELECT max(id) FROM moz_bookmarks WHERE type = 2)`, true},
		{"cycle", `UPDATE moz_bookmarks SET parent = (SELECT max(id) FROM moz_bookmarks WHERE type = 2) WHERE guid = 'menu________'`, true},
		{"misplaced root", `UPDATE moz_bookmarks SET parent = (SELECT id FROM moz_bookmarks WHERE guid = 'menu________') WHERE guid = 'toolbar_____'`, true},
		{"tombstone", `INSERT INTO moz_bookmarks_deleted (guid, dateRemoved) VALUES ('tombstone___', 1700000000000000)`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(testutil.Profile(t, "twoway", "before"), "places.sqlite")
			execSQL(t, path, c.sql)
			got, ok := readOutline(path)
			if ok == c.declines {
				t.Fatalf("ReadOutline ok = %v, want %v", ok, !c.declines)
			}
			if !ok {
				return
			}
			want, err := loadOutline(t, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameOutline(got, want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func execSQL(t testing.TB, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`PRAGMA journal_mode = DELETE`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// BenchmarkReadOutline40k reads large-40k's Places for a search: the
// outline (in place, no copy) against Load (snapshot, tree, checks) and
// its outline.
func BenchmarkReadOutline40k(b *testing.B) {
	path := filepath.Join(testutil.Profile(b, "large-40k", "before"), "places.sqlite")
	b.Run("outline", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b)()
		for b.Loop() {
			if _, ok := places.ReadOutline(path, false, func(*source.Outline) {}); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("outline+check", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b)()
		for b.Loop() {
			if _, ok := places.ReadOutline(path, true, func(*source.Outline) {}); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b)()
		for b.Loop() {
			if _, err := loadOutline(b, path); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzOutline edits moz_bookmarks rows of a small real database (each
// three bytes: a row, a column and a value) and reads it both ways:
// ReadOutline either declines or gives exactly the outline of the tree
// Load builds, whatever the rows.
func FuzzOutline(f *testing.F) {
	src := filepath.Join(testutil.Profile(f, "twoway", "before"), "places.sqlite")
	good, err := os.ReadFile(src)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{})
	f.Add([]byte{5, 0, 3, 9, 1, 1})   // positions
	f.Add([]byte{7, 2, 7})            // an unknown type
	f.Add([]byte{3, 1, 9, 9, 1, 3})   // parents
	f.Add([]byte{4, 3, 0, 4, 3, 1})   // guids
	f.Add([]byte{2, 4, 0, 8, 4, 1})   // urls
	f.Add([]byte{1, 1, 200, 6, 0, 0}) // a parent that is not there
	f.Fuzz(func(t *testing.T, edits []byte) {
		if len(edits) > 30 {
			return
		}
		path := testutil.EditedCopy(t, good, "places.sqlite", func(db *sql.DB) {
			for i := 0; i+2 < len(edits); i += 3 {
				row, col, v := int(edits[i]), edits[i+1]%5, int(edits[i+2])
				var q string
				switch col {
				case 0:
					q = `UPDATE moz_bookmarks SET position = ? WHERE id = ?`
				case 1:
					q = `UPDATE moz_bookmarks SET parent = ? WHERE id = ?`
				case 2:
					q = `UPDATE moz_bookmarks SET type = ? % 5 WHERE id = ?`
				case 3: // a GUID another row (or none) has
					q = `UPDATE OR IGNORE moz_bookmarks SET guid = (SELECT guid FROM moz_bookmarks WHERE id = ?) WHERE id = ?`
				case 4: // a place: or other URL
					q = `UPDATE moz_places SET url = CASE ? % 3 WHEN 0 THEN 'place:sort=8' WHEN 1 THEN ' PLACE:x' ELSE 'http://x/' END
					WHERE id = (SELECT fk FROM moz_bookmarks WHERE id = ?)`
				}
				db.Exec(q, v, row) //nolint:errcheck // a refused edit is no edit
			}
		})
		got, ok := readOutline(path)
		if !ok {
			return
		}
		want, err := loadOutline(t, path)
		if err != nil {
			t.Fatalf("ReadOutline read what Load refuses: %v", err)
		}
		if err := sameOutline(got, want); err != nil {
			t.Fatal(err)
		}
	})
}
