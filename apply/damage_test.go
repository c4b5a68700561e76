package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestApplyRefusesDamagedFile damages one page the preview never reads, in
// either file, before the preview: Apply refuses with one line naming the
// file, the b-tree and the page, and writes nothing, not even a backup.
func TestApplyRefusesDamagedFile(t *testing.T) {
	cases := []struct{ file, typ, object string }{
		{"places.sqlite", "index", "moz_places_url_hashindex"},
		{"places.sqlite", "table", "moz_origins"},
		{"weave/bookmarks.sqlite", "index", "urlHashes"},
		{"weave/bookmarks.sqlite", "table", "sqlite_stat1"},
	}
	e := loadExpected(t, "twoway")
	for _, c := range cases {
		t.Run(c.object, func(t *testing.T) {
			dir := testutil.Profile(t, "twoway", "before")
			path := filepath.Join(dir, c.file)
			page := testutil.LeafPage(t, path, c.object, 0)
			testutil.DamagePage(t, path, page)
			plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
			if err != nil {
				t.Fatal(err)
			}
			before := fileHashes(t, dir)
			_, err = Apply(context.Background(), dir, plan, Options{})
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("got %v, want ErrDamaged", err)
			}
			want := fmt.Sprintf("%s at %s is damaged (%s %s, page %d): nothing written; bmtui does not write into a damaged file%s",
				filepath.Base(c.file), path, c.typ, c.object, page, salvageHint(c.file, dir))
			if msg := err.Error(); msg != want {
				t.Errorf("got %q, want %q", msg, want)
			}
			sameHashes(t, "refused apply", fileHashes(t, dir), before)
			for _, d := range []string{BackupFolder, "bookmarkbackups"} {
				if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
					t.Errorf("%s was created", d)
				}
			}
		})
	}
}

// salvageHint is the pointer a refusal on file ends with: salvage rebuilds
// places.sqlite, not the mirror.
func salvageHint(file, dir string) string {
	if file != "places.sqlite" {
		return ""
	}
	return "; run bmtui salvage --profile " + dir
}
