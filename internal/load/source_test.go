package load_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestSourcesYield opens both files of a profile as sources and checks
// what each yields against the files themselves: the provenance, the
// tree, every tombstone with its time, and the stamp apply compares.
func TestSourcesYield(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	now := time.Unix(1795397961, 0)
	tests := []struct {
		name       string
		open       func(string) (source.Source, error)
		file       string
		kind       source.Kind
		side       tree.Side
		tombstones string // guid, deletion time in µs
		stamp      func(source.Source) (size int64, items int64)
	}{
		{
			name: "places", file: "places.sqlite", kind: source.Places, side: tree.Local,
			open:       func(p string) (source.Source, error) { return places.OpenSource(p) },
			tombstones: `SELECT guid, dateRemoved FROM moz_bookmarks_deleted`,
			stamp: func(s source.Source) (int64, int64) {
				st := s.(*places.Source).Stamp()
				return st.File.Size, st.Print.Bookmarks
			},
		},
		{
			name: "mirror", file: filepath.Join("weave", "bookmarks.sqlite"), kind: source.Mirror, side: tree.Remote,
			open:       func(p string) (source.Source, error) { return mirror.OpenSource(p) },
			tombstones: `SELECT guid, serverModified * 1000 FROM items WHERE isDeleted`,
			stamp: func(s source.Source) (int64, int64) {
				st := s.(*mirror.Source).Stamp()
				return st.File.Size, st.Print.Items
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			src, err := tt.open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			r, err := src.Load(now)
			if err != nil {
				t.Fatal(err)
			}
			pv := r.Provenance
			if pv.Kind != tt.kind || pv.Side != tt.side || pv.Path != path || pv.Label == "" || pv.At.IsZero() {
				t.Errorf("provenance %+v", pv)
			}
			if r.Tree == nil || r.Tree.Len() < 10 || r.TreeErr != nil || !r.Mergeable() {
				t.Fatalf("tree %v, err %v", r.Tree, r.TreeErr)
			}

			db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rows, err := db.Query(tt.tombstones)
			if err != nil {
				t.Fatal(err)
			}
			var want []source.Tombstone
			for rows.Next() {
				var g string
				var us int64
				if err := rows.Scan(&g, &us); err != nil {
					t.Fatal(err)
				}
				want = append(want, source.Tombstone{GUID: g, Deleted: time.UnixMicro(us).UTC()})
			}
			rows.Close()
			if len(want) == 0 {
				t.Fatal("the fixture has no tombstones: the test proves nothing")
			}
			byGUID := func(a, b source.Tombstone) int { return strings.Compare(a.GUID, b.GUID) }
			got := slices.Clone(r.Tombstones)
			slices.SortFunc(got, byGUID)
			slices.SortFunc(want, byGUID)
			if !slices.Equal(got, want) {
				t.Errorf("tombstones\n got %v\nwant %v", got, want)
			}
			for _, g := range r.Tree.Tombstones() {
				if !slices.ContainsFunc(got, func(ts source.Tombstone) bool { return ts.GUID == g }) {
					t.Errorf("the tree's tombstone %s is not in the result", g)
				}
			}

			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			var rowsInFile int64
			table := map[source.Kind]string{source.Places: "moz_bookmarks", source.Mirror: "items"}[tt.kind]
			if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&rowsInFile); err != nil {
				t.Fatal(err)
			}
			if size, items := tt.stamp(src); size != fi.Size() || items != rowsInFile {
				t.Errorf("stamp: size %d items %d, file has %d bytes and %d rows", size, items, fi.Size(), rowsInFile)
			}
		})
	}
}
