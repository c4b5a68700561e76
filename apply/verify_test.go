package apply

import (
	"context"
	"database/sql"
	"errors"
	"testing"
)

// TestVerifyCatchesDifferences: both verifiers accept what Apply wrote
// and reject files that were altered afterwards.
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
			db, _ := sql.Open("sqlite", placesPath(dir))
			if _, err := db.Exec(`UPDATE moz_bookmarks SET position = position + 1 WHERE guid = (SELECT b.guid FROM moz_bookmarks b
				JOIN moz_bookmarks p ON p.id = b.parent WHERE p.guid = 'menu________' ORDER BY b.position DESC LIMIT 1)`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			for name, v := range map[string]func(string, *Plan) error{"Verify": Verify, "VerifyFast": VerifyFast} {
				var ve *VerifyError
				if err := v(dir, plan); !errors.As(err, &ve) {
					t.Errorf("%s accepts a moved bookmark: %v", name, err)
				} else {
					t.Logf("%s: %v", name, err)
				}
			}
		})
	}
}
