package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/sync/merge"
)

// TestVerifyCatchesDifferences: both verifiers accept what Apply wrote
// and reject files that were altered afterwards (Verify also a broken
// foreign key).
func TestVerifyCatchesDifferences(t *testing.T) {
	for _, s := range []string{"twoway", "dupes", "corrupt-remote", "small-first-sync"} {
		t.Run(s, func(t *testing.T) {
			dir, plan := prepare(t, s)
			if _, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, FastVerify: true}); err != nil {
				t.Fatal(err)
			}
			for name, v := range map[string]func(string, *Plan) error{"Verify": Verify, "VerifyFast": VerifyFast} {
				if err := v(dir, plan); err != nil {
					t.Errorf("%s rejects a good apply: %v", name, err)
				}
			}
			// Each alteration, made on a fresh copy of the good files, must
			// be caught by both verifiers.
			alterations := []struct{ name, file, sql string }{
				{"moved bookmark", "places", `UPDATE moz_bookmarks SET position = position + 1 WHERE guid = (SELECT b.guid FROM moz_bookmarks b
					JOIN moz_bookmarks p ON p.id = b.parent WHERE p.guid = 'menu________' ORDER BY b.position DESC LIMIT 1)`},
				{"extra bookmark", "places", `INSERT INTO moz_bookmarks(guid, parent, position, type, title)
					SELECT 'extraextra01', id, 999, 2, 'x' FROM moz_bookmarks WHERE guid = 'unfiled_____'`},
				{"root status", "places", `UPDATE moz_bookmarks SET syncStatus = 1 WHERE guid = 'menu________'`},
			}
			if merged := plan.ops().SetRemoteMerged; len(merged) > 0 {
				alterations = append(alterations, struct{ name, file, sql string }{"mirror item left unmerged", "mirror",
					`UPDATE items SET needsMerge = 1 WHERE guid = '` + merged[0] + `'`})
			}
			// An applied item must carry the remote title and URL (the
			// read-back looks URLs up for those items only).
			if title, url := appliedWithURL(plan); title != "" {
				alterations = append(alterations,
					struct{ name, file, sql string }{"applied title changed", "places",
						`UPDATE moz_bookmarks SET title = IFNULL(title, '') || ' (changed)' WHERE guid = '` + title + `'`},
					struct{ name, file, sql string }{"applied URL changed", "places",
						`UPDATE moz_places SET url = url || '#changed' WHERE id = (SELECT fk FROM moz_bookmarks WHERE guid = '` + url + `')`})
			} else if s == "twoway" || s == "dupes" {
				t.Fatal("no applied bookmark with a URL to alter")
			}
			// Damage only the full Verify looks for.
			fullOnly := map[string]bool{"page without its origin": true}
			alterations = append(alterations, struct{ name, file, sql string }{"page without its origin", "places",
				`UPDATE moz_places SET origin_id = (SELECT max(id) + 1 FROM moz_origins) WHERE id = (SELECT min(id) FROM moz_places)`})
			for _, a := range alterations {
				copyDir := filepath.Join(t.TempDir(), "p")
				for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
					os.MkdirAll(filepath.Dir(filepath.Join(copyDir, f)), 0o755)
					if _, _, err := copyFileSync(filepath.Join(dir, f), filepath.Join(copyDir, f)); err != nil {
						t.Fatal(err)
					}
				}
				path := placesPath(copyDir)
				if a.file == "mirror" {
					path = mirrorPath(copyDir)
				}
				db, _ := sql.Open("sqlite", path)
				res, err := db.Exec(a.sql)
				db.Close()
				if err != nil {
					t.Fatalf("%s: %v", a.name, err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("%s: changed %d rows", a.name, n)
				}
				for name, v := range map[string]func(string, *Plan) error{"Verify": Verify, "VerifyFast": VerifyFast} {
					if name == "VerifyFast" && fullOnly[a.name] {
						continue
					}
					var ve *VerifyError
					if err := v(copyDir, plan); !errors.As(err, &ve) {
						t.Errorf("%s accepts a %s: %v", name, a.name, err)
					}
				}
			}
		})
	}
}

// TestVerifyKeysBrokenBefore: a places.sqlite that already had a broken
// foreign key before the apply is still reported by the full
// verification, which leaves foreign_key_check out only for files whose
// copy before the write had no violation.
func TestVerifyKeysBrokenBefore(t *testing.T) {
	e := loadExpected(t, "twoway")
	dir, _ := prepare(t, "twoway")
	db, _ := sql.Open("sqlite", placesPath(dir))
	_, err := db.Exec(`UPDATE moz_places SET origin_id = 1000000 WHERE id = (SELECT min(id) FROM moz_places)`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, OutgoingPath: "-"})
	var ve *VerifyError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "foreign key violations") {
		t.Fatalf("Apply = %v, want the broken key reported", err)
	}
}

func TestBadlyNumberedFolders(t *testing.T) {
	rows := func(parentPos ...int64) map[string]readBackRow {
		m := map[string]readBackRow{}
		for i := 0; i < len(parentPos); i += 2 {
			m[fmt.Sprint("g", i)] = readBackRow{parentID: parentPos[i], position: parentPos[i+1]}
		}
		return m
	}
	for _, c := range []struct {
		name string
		rows map[string]readBackRow
		want int
	}{
		{"numbered", rows(0, 0, 1, 0, 2, 0, 2, 1, 2, 2), 0},
		{"root rows are no folder's", rows(0, 7, 1, 0), 0},
		{"gap", rows(2, 0, 2, 2), 1},
		{"not from 0", rows(2, 1, 2, 2), 1},
		{"repeated", rows(2, 0, 2, 1, 2, 1), 1},
		{"repeated within range", rows(3, 0, 3, 0, 3, 2), 1},
		{"missing position", rows(2, 0, 2, -1), 1},
		{"two folders", rows(2, 1, 3, 0, 3, 0, 4, 0), 2},
	} {
		if got := badlyNumberedFolders(c.rows); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// appliedWithURL names an item whose title verification compares and a
// bookmark whose URL it compares (the first in GUID order); "" when the
// merge applies no bookmark with a URL.
func appliedWithURL(plan *Plan) (title, url string) {
	compared := urlsCompared(plan.Result.Root)
	var titled, withURL []string
	plan.Result.Walk(func(n, _ *merge.Node, _ int) bool {
		if compared[n.GUID] {
			titled = append(titled, n.GUID)
			if n.Remote.Info.URL != "" {
				withURL = append(withURL, n.GUID)
			}
		}
		return true
	})
	if len(withURL) == 0 {
		return "", ""
	}
	return slices.Min(titled), slices.Min(withURL)
}
