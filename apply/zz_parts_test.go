package apply

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/internal/testutil"
)

func TestZZParts(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	template := testutil.Profile(t, "large-40k", "before")
	dir := filepath.Join(t.TempDir(), "p")
	for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		copyFileSync(filepath.Join(template, f), filepath.Join(dir, f))
	}
	pp, mp := placesPath(dir), mirrorPath(dir)
	for i := 0; i < 3; i++ {
		for _, p := range []string{pp, mp} {
			c, _ := openReadBack(p)
			for _, q := range []string{"PRAGMA quick_check", "PRAGMA foreign_key_check", `SELECT count(*) FROM (SELECT count(*) AS c, min(position) AS lo, max(position) AS hi,
					count(DISTINCT position) AS d FROM moz_bookmarks WHERE parent > 0 GROUP BY parent)
				WHERE lo <> 0 OR hi <> c - 1 OR d <> c`} {
				t0 := time.Now()
				err := c.Query(q, func(r *sqlraw.Row) error { return nil })
				t.Logf("%s %.40s %v %v", filepath.Base(p), q, time.Since(t0), err)
			}
			c.Close()
		}
	}
}
