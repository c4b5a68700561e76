package sqlitepage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

type recoverReport struct {
	Files map[string]struct {
		Tables        map[string]int `json:"tables"`
		BookmarkGuids []string       `json:"bookmarkGuids"`
	} `json:"files"`
}

type truthFile struct {
	Counts struct {
		MozBookmarksRows int `json:"mozBookmarksRows"`
		MozPlaces        int `json:"moz_places"`
	} `json:"counts"`
	Items []struct {
		GUID string `json:"guid"`
	} `json:"items"`
}

func loadJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// readGUIDs reads a table of the fixture and returns its readable rows'
// GUIDs (by rowid, so that a row found twice counts once).
func readGUIDs(t *testing.T, f *File, table string) map[int64]string {
	t.Helper()
	tab, err := f.Table(table)
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, c := range tab.Columns {
		if c.Name == "guid" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s has no guid column", table)
	}
	out := map[int64]string{}
	if _, err := f.ReadTable(table, func(r Row) error {
		if r.Err == nil {
			g, _ := r.Values[col].Text()
			out[r.Rowid] = g
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDamagedFixtures reads the damaged Firefox profiles and checks that
// the reader gets at least what SQLite's .recover gets from
// moz_bookmarks and moz_places.
func TestDamagedFixtures(t *testing.T) {
	root := testutil.Shared(t, "fixtures", "damaged")
	cases, _ := filepath.Glob(filepath.Join(root, "*", "sqlite-recover.json"))
	if len(cases) == 0 {
		t.Fatal("no damaged fixtures")
	}
	for _, rep := range cases {
		dir := filepath.Dir(rep)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			tmp := t.TempDir()
			db := filepath.Join(tmp, "places.sqlite")
			testutil.Gunzip(t, filepath.Join(dir, "profile", "places.sqlite.gz"), db)
			if wal := filepath.Join(dir, "profile", "places.sqlite-wal.gz"); fileExists(wal) {
				testutil.Gunzip(t, wal, db+"-wal")
			}
			files, err := OpenPath(db, true, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer files.Close()
			var rec recoverReport
			loadJSON(t, rep, &rec)
			var truth truthFile
			loadJSON(t, filepath.Join(dir, "truth.json"), &truth)
			r := rec.Files["places.sqlite"]

			bm := readGUIDs(t, files.File, "moz_bookmarks")
			places := readGUIDs(t, files.File, "moz_places")
			s := files.Survey()
			t.Logf("%s", s)
			t.Logf("moz_bookmarks: %d rows (.recover %d, truth %d); moz_places: %d rows (.recover %d, truth %d)",
				len(bm), r.Tables["moz_bookmarks"], truth.Counts.MozBookmarksRows,
				len(places), r.Tables["moz_places"], truth.Counts.MozPlaces)
			if len(bm) < r.Tables["moz_bookmarks"] || len(places) < r.Tables["moz_places"] {
				t.Errorf("fewer rows than .recover")
			}
			if len(bm) > truth.Counts.MozBookmarksRows || len(places) > truth.Counts.MozPlaces {
				t.Errorf("more rows than the intact database had: deleted rows came back?")
			}
			ours := map[string]bool{}
			for _, g := range bm {
				ours[g] = true
			}
			for _, g := range r.BookmarkGuids {
				if !ours[g] {
					t.Errorf("bookmark %s recovered by .recover, not by us", g)
				}
			}
			known := map[string]bool{}
			for _, it := range truth.Items {
				known[it.GUID] = true
			}
			for _, g := range r.BookmarkGuids {
				known[g] = true
			}
			for _, g := range bm {
				if !known[g] {
					t.Errorf("bookmark %q neither in the truth nor in .recover's output", g)
				}
			}
		})
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
