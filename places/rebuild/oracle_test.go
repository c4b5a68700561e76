package rebuild

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestFirefoxAcceptsRebuild has real Firefox (ESR 153, through fforacle)
// judge written files: `fforacle check --strict` must accept them (no
// coherence repair, url_hash/origins/GUIDs as Firefox computes them, the
// whole tree reachable).
func TestFirefoxAcceptsRebuild(t *testing.T) {
	if testing.Short() {
		t.Skip("fforacle: skipped with -short (about 5 s per check)")
	}
	if _, err := exec.LookPath("firefox-esr"); err != nil {
		t.Skip("fforacle: firefox-esr is not on PATH")
	}
	oracle := testutil.Shared(t, "tools", "fforacle", "fforacle.py")
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
			out := filepath.Join(t.TempDir(), "report.json")
			b, err := exec.Command("python3", oracle, "check", path, "--strict", "--json", out).CombinedOutput()
			rep, _ := os.ReadFile(out)
			if err != nil {
				t.Fatalf("fforacle rejected the file: %v\n%s\n%s", err, b, rep)
			}
			var r map[string]any
			if err := json.Unmarshal(rep, &r); err != nil {
				t.Fatalf("fforacle report: %v", err)
			}
			if r["ok"] != true {
				t.Fatalf("fforacle report is not ok: %s", rep)
			}
			t.Logf("fforacle: ok=%v failures=%v warnings=%v", r["ok"], r["failures"], r["warnings"])
		})
	}
}
