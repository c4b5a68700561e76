package rebuild

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestFirefoxAcceptsRebuild has real Firefox (ESR 153, through fforacle)
// judge written files: `fforacle check --strict` must accept them (no
// coherence repair, url_hash/origins/GUIDs as Firefox computes them, the
// whole tree reachable).
func TestFirefoxAcceptsRebuild(t *testing.T) {
	testutil.SkipWithoutFforacle(t)
	cases := map[string]func(t *testing.T) *Database{
		"sample": func(*testing.T) *Database { return sampleDB() },
		"twoway": func(t *testing.T) *Database {
			orig := filepath.Join(t.TempDir(), "orig.sqlite")
			gunzipTo(t, testutil.Shared(t, "fixtures", "profiles", "twoway", "before", "places.sqlite.gz"), orig)
			return readDatabase(t, orig)
		},
		"large-40k": func(t *testing.T) *Database {
			orig := filepath.Join(t.TempDir(), "orig.sqlite")
			gunzipTo(t, testutil.Shared(t, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), orig)
			return readDatabase(t, orig)
		},
		"b-index-only": func(t *testing.T) *Database {
			orig := filepath.Join(t.TempDir(), "orig.sqlite")
			gunzipTo(t, testutil.Shared(t, "fixtures", "damaged", "b-index-only", "profile", "places.sqlite.gz"), orig)
			return readDatabase(t, orig)
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			db := mk(t)
			path := filepath.Join(t.TempDir(), "places.sqlite")
			if err := Write(context.Background(), path, db, testNow); err != nil {
				t.Fatal(err)
			}
			testutil.FforacleCheck(t, path)
		})
	}
}
