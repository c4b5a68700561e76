package apply

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestFirefoxAcceptsOutput has real Firefox (ESR 153, through fforacle)
// judge every pair of files the apply writes: `fforacle check --strict`
// must accept them. It also judges one places.sqlite left in rollback-
// journal mode (an apply killed between its commit and the switch back
// to WAL).
func TestFirefoxAcceptsOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("fforacle: skipped with -short (about 5 s per check)")
	}
	if _, err := exec.LookPath("firefox-esr"); err != nil {
		t.Skip("fforacle: firefox-esr is not on PATH")
	}
	oracle := testutil.Shared(t, "tools", "fforacle", "fforacle.py")
	check := func(t *testing.T, dir string) {
		out := filepath.Join(t.TempDir(), "report.json")
		cmd := exec.Command("python3", oracle, "check", filepath.Join(dir, "places.sqlite"),
			filepath.Join(dir, "weave", "bookmarks.sqlite"), "--strict", "--json", out)
		b, err := cmd.CombinedOutput()
		rep, _ := os.ReadFile(out)
		if err != nil {
			t.Fatalf("fforacle rejected the files: %v\n%s\n%s", err, b, rep)
		}
		var r map[string]any
		if err := json.Unmarshal(rep, &r); err != nil {
			t.Fatalf("fforacle report: %v", err)
		}
		if r["ok"] != true {
			t.Fatalf("fforacle report is not ok: %s", rep)
		}
		{
			t.Logf("fforacle: ok=%v failures=%v warnings=%v", r["ok"], r["failures"], r["warnings"])
		}
	}
	for _, s := range applyScenarios {
		t.Run(s, func(t *testing.T) {
			dir, _, _ := applyScenario(t, s, Options{NoFirefoxBackup: true})
			check(t, dir)
		})
	}
	t.Run("rollback-journal-mode", func(t *testing.T) {
		dir, _, _ := applyScenario(t, "twoway", Options{NoFirefoxBackup: true})
		c, err := openConn(placesPath(dir), "sqlite")
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := c.db.QueryRow(`PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || mode != "delete" {
			t.Fatal(mode, err)
		}
		c.close()
		check(t, dir)
	})
}
