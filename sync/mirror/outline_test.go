package mirror_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/mirror"
)

// loadOutline is the outline of the tree Load builds, and the mirror's
// last sync: what ReadOutline must give.
func loadOutline(t testing.TB, path string) (*source.Outline, int64, error) {
	t.Helper()
	s, err := mirror.OpenSource(path)
	if err != nil {
		return nil, 0, err
	}
	defer s.Close()
	r, err := s.Load(time.Now())
	if err != nil {
		return nil, 0, err
	}
	return source.TreeOutline(r), s.DB().LastModified(), nil
}

// readOutline is ReadOutline's outline, copied out of its call.
func readOutline(path string) (o *source.Outline, lastModified int64, ok bool) {
	ok = mirror.ReadOutline(path, func(got *source.Outline, lm int64) {
		o, lastModified = &source.Outline{Items: slices.Clone(got.Items), Tombstones: slices.Clone(got.Tombstones)}, lm
		for i := range o.Items {
			it := &o.Items[i]
			it.GUID, it.Title, it.URL = string([]byte(it.GUID)), string([]byte(it.Title)), string([]byte(it.URL))
		}
		for i := range o.Tombstones {
			o.Tombstones[i].GUID = string([]byte(o.Tombstones[i].GUID))
		}
	})
	return o, lastModified, ok
}

func sameOutline(got, want *source.Outline) error {
	if len(got.Items) != len(want.Items) {
		return fmt.Errorf("%d items, want %d", len(got.Items), len(want.Items))
	}
	for i := range got.Items {
		if got.Items[i] != want.Items[i] {
			return fmt.Errorf("item %d: %+v, want %+v", i, got.Items[i], want.Items[i])
		}
	}
	// Load lists the deleted records by GUID; ReadOutline in table order.
	g, w := slices.Clone(got.Tombstones), slices.Clone(want.Tombstones)
	for _, ts := range [][]source.Tombstone{g, w} {
		slices.SortFunc(ts, func(a, b source.Tombstone) int {
			if a.GUID < b.GUID {
				return -1
			}
			if a.GUID > b.GUID {
				return 1
			}
			return 0
		})
	}
	if !slices.Equal(g, w) {
		return fmt.Errorf("tombstones %v, want %v", g, w)
	}
	return nil
}

// The outline of every mirror Firefox made is exactly its tree's; of the
// damaged one (corrupt-remote), too, unless the reader steps aside.
func TestReadOutlineMatchesTree(t *testing.T) {
	for _, name := range []string{"small-clean", "small-first-sync", "twoway", "dupes", "corrupt-remote", "large-40k"} {
		t.Run(name, func(t *testing.T) {
			if name == "large-40k" && testing.Short() {
				t.Skip("large fixture")
			}
			path := filepath.Join(testutil.Profile(t, name, "before"), "weave", "bookmarks.sqlite")
			want, wantLM, err := loadOutline(t, path)
			if err != nil {
				t.Fatal(err)
			}
			got, lm, ok := readOutline(path)
			if !ok && name == "corrupt-remote" {
				return
			}
			if !ok {
				t.Fatal("ReadOutline declined a mirror Firefox made")
			}
			if err := sameOutline(got, want); err != nil {
				t.Fatal(err)
			}
			if lm != wantLM {
				t.Errorf("last modified %d, want %d", lm, wantLM)
			}
		})
	}
}

// Records the tree builder would repair make ReadOutline decline (the
// caller then loads the tree); those it keeps as they are do not.
func TestReadOutlineOddRows(t *testing.T) {
	cases := []struct {
		name, sql string
		declines  bool
	}{
		{"reordered", `UPDATE structure SET position = 100 - position WHERE parentGuid = 'menu________'`, false},
		{"missing child", `INSERT INTO structure (guid, parentGuid, position) VALUES ('missingChild', 'menu________', 1000)`, false},
		{"orphan", `DELETE FROM structure WHERE guid = (SELECT guid FROM structure WHERE parentGuid = 'menu________' LIMIT 1)`, true},
		{"parents disagree", `UPDATE items SET parentGuid = 'toolbar_____' WHERE guid = (SELECT guid FROM structure WHERE parentGuid = 'menu________' LIMIT 1)`, true},
		{"unknown kind", `UPDATE items SET kind = 9 WHERE guid = (SELECT guid FROM structure WHERE parentGuid = 'menu________' LIMIT 1)`, true},
		{"cycle", `UPDATE structure SET parentGuid = (SELECT guid FROM items WHERE kind = 3 AND guid NOT IN ('root________', 'menu________') AND NOT isDeleted LIMIT 1) WHERE guid = 'menu________'`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(testutil.Profile(t, "twoway", "before"), "weave", "bookmarks.sqlite")
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Exec(c.sql)
			db.Close()
			if err != nil {
				t.Fatalf("%s: %v", c.sql, err)
			}
			got, _, ok := readOutline(path)
			if ok == c.declines {
				t.Fatalf("ReadOutline ok = %v, want %v", ok, !c.declines)
			}
			if !ok {
				return
			}
			want, _, err := loadOutline(t, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameOutline(got, want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkReadOutline40k reads large-40k's mirror for a search: the
// outline (in place, no copy) against Load (snapshot, tree, checks) and
// its outline.
func BenchmarkReadOutline40k(b *testing.B) {
	path := filepath.Join(testutil.Profile(b, "large-40k", "before"), "weave", "bookmarks.sqlite")
	b.Run("outline", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b)()
		for b.Loop() {
			if !mirror.ReadOutline(path, func(*source.Outline, int64) {}) {
				b.Fatal("declined")
			}
		}
	})
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b)()
		for b.Loop() {
			if _, _, err := loadOutline(b, path); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzOutline edits the items and structure rows of a small real mirror
// (each three bytes: a row, a column and a value) and reads it both ways:
// ReadOutline either declines or gives exactly the outline of the tree
// Load builds, whatever the rows.
func FuzzOutline(f *testing.F) {
	src := filepath.Join(testutil.Profile(f, "twoway", "before"), "weave", "bookmarks.sqlite")
	good, err := os.ReadFile(src)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{})
	f.Add([]byte{5, 0, 3, 9, 0, 1}) // positions
	f.Add([]byte{7, 1, 3})          // a child listed by another folder
	f.Add([]byte{3, 2, 9})          // parentGuid
	f.Add([]byte{4, 3, 1})          // deleted
	f.Add([]byte{6, 4, 9})          // an unknown kind
	f.Add([]byte{8, 5, 0})          // no structure row
	f.Fuzz(func(t *testing.T, edits []byte) {
		if len(edits) > 30 {
			return
		}
		path := testutil.EditedCopy(t, good, "bookmarks.sqlite", func(db *sql.DB) {
			guidOf := `(SELECT guid FROM items WHERE id = ?)`
			for i := 0; i+2 < len(edits); i += 3 {
				row, col, v := int(edits[i]), edits[i+1]%6, int(edits[i+2])
				var q string
				switch col {
				case 0:
					q = `UPDATE structure SET position = ? WHERE guid = ` + guidOf
				case 1:
					q = `UPDATE structure SET parentGuid = ` + guidOf + ` WHERE guid = ` + guidOf
				case 2:
					q = `UPDATE items SET parentGuid = ` + guidOf + ` WHERE id = ?`
				case 3:
					q = `UPDATE items SET isDeleted = ? % 2 WHERE id = ?`
				case 4:
					q = `UPDATE items SET kind = ? % 7 WHERE id = ?`
				case 5:
					q = `DELETE FROM structure WHERE ? >= 0 AND guid = ` + guidOf
				}
				db.Exec(q, v, row) //nolint:errcheck // a refused edit is no edit
			}
		})
		got, lm, ok := readOutline(path)
		if !ok {
			return
		}
		want, wantLM, err := loadOutline(t, path)
		if err != nil {
			t.Fatalf("ReadOutline read what Load refuses: %v", err)
		}
		if err := sameOutline(got, want); err != nil {
			t.Fatal(err)
		}
		if lm != wantLM {
			t.Errorf("last modified %d, want %d", lm, wantLM)
		}
	})
}
