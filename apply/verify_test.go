package apply

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
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
