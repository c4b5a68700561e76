package apply

import (
	"context"
	"database/sql"
	"testing"
)

// TestTagsMatchTriggers: the tag steps computed in Go give the rows
// Firefox's localTags triggers give, positions included (large-40k has
// stale positions from untagging several entries of one folder), and an
// unusual tags tree (two tag folders with one title), where the triggers
// themselves run, still applies and verifies.
func TestTagsMatchTriggers(t *testing.T) {
	for _, s := range []string{"twoway", "large-40k"} {
		t.Run(s, func(t *testing.T) {
			if s == "large-40k" && testing.Short() {
				t.Skip("large-40k: skipped with -short")
			}
			dirGo, _, _ := applyScenario(t, s, Options{NoFirefoxBackup: true, OutgoingPath: "-"})
			dirSQL, _, _ := applyScenario(t, s, Options{NoFirefoxBackup: true, OutgoingPath: "-", hooks: &testHooks{tagTriggers: true}})
			got, want := dumpProfile(t, dirGo), dumpProfile(t, dirSQL)
			if len(want["tagentries"]) == 0 {
				t.Fatal("no tag entries to compare")
			}
			for cat, ds := range diffDumps(got, want) {
				for i, d := range ds {
					if i == 10 {
						t.Errorf("%s: ... %d more", cat, len(ds)-10)
						break
					}
					t.Errorf("%s: %s", cat, d)
				}
			}
		})
	}
	t.Run("duplicate-tag-folders", func(t *testing.T) {
		dir, plan := prepare(t, "twoway")
		// A second folder titled like an existing tag, added before the
		// plan's fingerprint is taken again below.
		db, err := sql.Open("sqlite", placesPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Exec(`INSERT INTO moz_bookmarks(guid, parent, position, type, title, dateAdded, lastModified, syncStatus, syncChangeCounter)
			SELECT 'duptagfolder', f.parent, (SELECT COUNT(*) FROM moz_bookmarks WHERE parent = f.parent), 2, f.title, f.dateAdded, f.lastModified, 0, 1
			FROM moz_bookmarks f WHERE f.parent = (SELECT id FROM moz_bookmarks WHERE guid = 'tags________') LIMIT 1`)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("added %d tag folders", n)
		}
		plan, err = preparePlan(context.Background(), dir, plan.Times, mergeOptions())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, OutgoingPath: "-"}); err != nil {
			t.Fatalf("apply with duplicate tag folders: %v", err)
		}
	})
}
