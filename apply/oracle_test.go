package apply

import (
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
	testutil.SkipWithoutFforacle(t)
	check := func(t *testing.T, dir string) {
		testutil.FforacleCheck(t, filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
	}
	for _, s := range applyScenarios {
		t.Run(s, func(t *testing.T) {
			dir, _, _ := applyScenario(t, s, Options{NoFirefoxBackup: true})
			check(t, dir)
		})
	}
	t.Run("rollback-journal-mode", func(t *testing.T) {
		dir, _, _ := applyScenario(t, "twoway", Options{NoFirefoxBackup: true})
		c, err := openConn(placesPath(dir), nil)
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
