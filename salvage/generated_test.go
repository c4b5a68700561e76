package salvage_test

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/salvage/scan"
)

// TestDamagedGenerated judges salvage on damaged profiles that are not
// shared (testutil.DamagedScenarios) the way TestDamagedFixtures judges the
// shared ones: the truth is the undamaged database; every truth item any
// source still holds comes back, exact unless its row was on a damaged
// leaf; nothing deleted comes back; a superset of what .recover returns
// (with $SQLITE_RECOVER_CLI); and the profile bmtui salvage --write leaves
// passes `fforacle check --strict`.
func TestDamagedGenerated(t *testing.T) {
	for name := range testutil.DamagedScenarios {
		t.Run(name, func(t *testing.T) {
			dp := testutil.Damaged(t, name)
			truth := truthOf(t, dp.Intact)
			truth.OnDamaged = dp.OnDamagedLeaves
			in, err := scan.Profile(dp.Dir)
			if err != nil {
				t.Fatal(err)
			}
			// Deleted since the backup: in it, not in the intact database.
			live := map[string]bool{}
			for _, it := range truth.Items {
				live[it.GUID] = true
			}
			for _, b := range in.Backups {
				b.Root.Walk(func(n, _ *backup.Node) {
					if !live[n.GUID] && len(n.GUID) == 12 && !isRootOrRecovered(n.GUID) {
						truth.Backup.OnlyInBackup = append(truth.Backup.OnlyInBackup, n.GUID)
					}
				})
			}
			if len(truth.Backup.OnlyInBackup) == 0 {
				t.Fatal("the case has no item deleted since its backup")
			}
			var rec recoverFile
			if cli := os.Getenv("SQLITE_RECOVER_CLI"); cli != "" {
				rec = recoverOf(t, cli, filepath.Join(dp.Dir, scan.PlacesName), truth)
			} else {
				t.Log("$SQLITE_RECOVER_CLI is not set: not compared with .recover")
			}
			checkAgainstTruth(t, name, in, truth, firefoxFile{}, rec)

			// What `bmtui salvage --write --yes` does, judged by Firefox.
			res, err := salvage.Rebuild(in, salvage.Options{Now: time.Now().UnixMicro()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := apply.WriteSalvage(context.Background(), dp.Dir, res.DB, time.Now()); err != nil {
				t.Fatal(err)
			}
			testutil.SkipWithoutFforacle(t)
			testutil.FforacleCheck(t, filepath.Join(dp.Dir, scan.PlacesName))
		})
	}
}

// truthOf reads the items of an intact places.sqlite as truth.json lists
// them (non-root, non-tag items with their URL, parent, tags, keyword).
func truthOf(t *testing.T, path string) truthFile {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`
		WITH tags AS (SELECT id FROM moz_bookmarks WHERE guid = 'tags________')
		SELECT b.guid, b.type, IFNULL(b.title, ''), IFNULL(h.url, ''), p.guid,
			IFNULL((SELECT group_concat(tf.title, char(31)) FROM moz_bookmarks e JOIN moz_bookmarks tf ON tf.id = e.parent
				WHERE e.fk = b.fk AND tf.parent = (SELECT id FROM tags)), ''),
			IFNULL((SELECT keyword FROM moz_keywords k WHERE k.place_id = b.fk), '')
		FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent LEFT JOIN moz_places h ON h.id = b.fk
		WHERE b.guid NOT IN ('menu________', 'toolbar_____', 'unfiled_____', 'mobile______', 'tags________')
			AND p.id <> (SELECT id FROM tags) AND p.parent <> (SELECT id FROM tags)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var truth truthFile
	for rows.Next() {
		var it truthItem
		var typ int
		var tags string
		if err := rows.Scan(&it.GUID, &typ, &it.Title, &it.URL, &it.ParentGUID, &tags, &it.Keyword); err != nil {
			t.Fatal(err)
		}
		it.Type = map[int]string{1: "bookmark", 2: "folder", 3: "separator"}[typ]
		if tags != "" {
			it.Tags = strings.Split(tags, "\x1f")
		}
		truth.Items = append(truth.Items, it)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM moz_historyvisits`).Scan(&truth.Counts.Visits); err != nil {
		t.Fatal(err)
	}
	return truth
}

// recoverOf runs SQLite's .recover on path piped into a new database and
// reads what it got back as sqlite-recover.json lists it: table rows, and
// the truth's bookmark GUIDs found in moz_bookmarks or, for rows .recover
// could not place, in lost_and_found.
func recoverOf(t *testing.T, cli, path string, truth truthFile) recoverFile {
	t.Helper()
	out := filepath.Join(t.TempDir(), "recovered.sqlite")
	cmd := exec.Command("sh", "-c", `"$0" "$1" .recover | "$0" "$2"`, cli, path, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf(".recover: %v\n%s", err, msg)
	}
	db, err := sql.Open("sqlite", "file:"+out+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	isTruth := map[string]bool{}
	for _, it := range truth.Items {
		isTruth[it.GUID] = true
	}
	f := recoveredFile{Tables: map[string]int{}}
	for _, table := range []string{"moz_bookmarks", "moz_places", "moz_historyvisits"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		f.Tables[table] = n
	}
	f.KeptPlaces = testutil.KeptPages(t, out)
	seen := map[string]bool{}
	add := func(rows *sql.Rows, err error) {
		if err != nil {
			if strings.Contains(err.Error(), "no such table") {
				return
			}
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if isTruth[v.String] && !seen[v.String] {
					seen[v.String] = true
					f.BookmarkGUIDs = append(f.BookmarkGUIDs, v.String)
				}
			}
		}
	}
	add(db.Query(`SELECT guid FROM moz_bookmarks`))
	add(db.Query(`SELECT * FROM lost_and_found`))
	t.Logf(".recover: %d moz_bookmarks rows, %d truth items in all (lost_and_found included), %d pages (%d Firefox keeps), %d visits",
		f.Tables["moz_bookmarks"], len(f.BookmarkGUIDs), f.Tables["moz_places"], f.KeptPlaces, f.Tables["moz_historyvisits"])
	return recoverFile{Files: map[string]recoveredFile{scan.PlacesName: f}}
}
