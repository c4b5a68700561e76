package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/dbcheck"
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
		// "checked-here": the profile is closed before Apply (its
		// snapshots' checks stopped or not yet run), and Apply checks
		// the files; "as-the-command": the profile stays open until the
		// apply ends, and Apply takes the snapshots' checks.
		for _, road := range []string{"checked-here", "as-the-command"} {
			t.Run(c.object+"/"+road, func(t *testing.T) {
				dir := testutil.Profile(t, "twoway", "before")
				path := filepath.Join(dir, c.file)
				page := testutil.LeafPage(t, path, c.object, 0)
				testutil.DamagePage(t, path, page)
				plan, closeProfile, err := preparePlanOpen(context.Background(), dir, e.times(), mergeOptions())
				if err != nil {
					t.Fatal(err)
				}
				if road == "checked-here" {
					closeProfile()
					plan.snapshotDamage = [2]func() ([]dbcheck.Damage, error){} // as NewPlan makes it
				} else {
					defer closeProfile()
				}
				before := fileHashes(t, dir)
				var checkedHere []string
				opts := Options{hooks: &testHooks{step: func(name string) error {
					if strings.HasPrefix(name, "check ") {
						checkedHere = append(checkedHere, name)
					}
					return nil
				}}}
				_, err = Apply(context.Background(), dir, plan, opts)
				if here := len(checkedHere) > 0; here != (road == "checked-here") {
					t.Errorf("files checked by Apply itself: %v", checkedHere)
				}
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
}

// salvageHint is the pointer a refusal on file ends with: salvage rebuilds
// places.sqlite, not the mirror.
func salvageHint(file, dir string) string {
	if file != "places.sqlite" {
		return ""
	}
	return "; run bmtui salvage --profile " + dir
}
