package apply

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
)

func TestZZPhases(t *testing.T) {
	s := os.Getenv("ZZ")
	if s == "" {
		t.Skip()
	}
	template := testutil.Profile(t, s, "before")
	dir := filepath.Join(t.TempDir(), "p")
	for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		copyFileSync(filepath.Join(template, f), filepath.Join(dir, f))
	}
	m := func(name string, f func()) {
		c0 := cpuTime()
		t0 := time.Now()
		f()
		t.Logf("%-20s %6.0f ms  cpu %6.0f ms", name, float64(time.Since(t0).Microseconds())/1000, float64((cpuTime()-c0).Microseconds())/1000)
	}
	e := loadExpected(t, s)
	var plan *Plan
	m("prepare", func() {
		var err error
		plan, err = preparePlan(context.Background(), dir, e.times(), mergeOptions())
		if err != nil {
			t.Fatal(err)
		}
	})
	existing := map[string]bool{"places.sqlite": true, filepath.Join("weave", "bookmarks.sqlite"): true}
	m("backupFiles", func() {
		if _, err := backupFiles(dir, filepath.Join(dir, "bk"), time.Now(), existing); err != nil {
			t.Fatal(err)
		}
	})
	m("export", func() {
		if _, _, err := backup.ExportFile(placesPath(dir)); err != nil {
			t.Fatal(err)
		}
	})
	m("writefile", func() {
		if _, err := backup.WriteFile(dir, placesPath(dir), time.Now()); err != nil {
			t.Fatal(err)
		}
	})
	c, err := openConn(placesPath(dir), "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	c.db.Exec(`ATTACH DATABASE ? AS mirror`, mirrorPath(dir))
	m("open+attach", func() {})
	m("qc main", func() { dbcheck.Check(context.Background(), c.db, "main", "x") })
	m("qc mirror", func() { dbcheck.Check(context.Background(), c.db, "mirror", "x") })
	m("locked+fp", func() {
		if err := checkLockedAndUnchanged(c.db, plan, placesPath(dir), mirrorPath(dir)); err != nil {
			t.Fatal(err)
		}
	})
	m("close", func() { c.close() })
	m("verify", func() {
		if err := Verify(dir, plan); err == nil {
			t.Log("verify passed?")
		}
	})
	m("verifyfast", func() { VerifyFast(dir, plan) })
}
