package testutil

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The history-14 build leaves one backup per dated backup op, and the
// dates History14 speaks of are exactly those.
func TestHistory14Backups(t *testing.T) {
	dir := FixtureDir(t, "history-14")
	ents, err := os.ReadDir(filepath.Join(dir, "before", "bookmarkbackups"))
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, "bookmarks-") || !strings.HasSuffix(name, ".jsonlz4") {
			t.Errorf("unexpected file %s", name)
			continue
		}
		dates = append(dates, name[len("bookmarks-"):len("bookmarks-")+10])
	}
	sort.Strings(dates)
	want := []string{"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"}
	if strings.Join(dates, " ") != strings.Join(want, " ") {
		t.Fatalf("backup dates %v, want %v", dates, want)
	}
	for _, it := range History14 {
		for d := range it.Backups {
			if d < want[0] || d > want[len(want)-1] {
				t.Errorf("%s: History14 names a backup %s the build has not", it.GUID, d)
			}
		}
	}
}
