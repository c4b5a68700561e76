package restore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/restore"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/catalog"
	"github.com/bmtui/bmtui/sync/edit"
)

// bigFolder is a top folder of large-40k's menu with 1,960 items in it.
const bigFolder = "CW2E6B9xP7Yg"

// deleted40k is large-40k's profile with bigFolder deleted (through
// WriteEdit), and the mirror's tree, which still has it.
func deleted40k(b *testing.B) (string, *source.Result) {
	b.Helper()
	dir := testutil.Profile(b, "large-40k", "before")
	src, err := places.OpenSource(dir)
	if err != nil {
		b.Fatal(err)
	}
	res, err := src.Load(time.Now())
	stamp := src.Stamp()
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	plan, err := apply.PlanEdit(dir, res.Tree, stamp, edit.Set{Changes: []edit.Change{{Op: edit.Delete, GUID: bigFolder}}}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := apply.WriteEdit(context.Background(), plan, apply.Options{NoFirefoxBackup: true}); err != nil {
		b.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, apply.BackupFolder))
	m, err := catalog.Resolve(dir, catalog.IDMirror)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	mres, err := m.Load(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return dir, mres
}

// BenchmarkRestore40k restores a 1,961-item folder from the mirror into
// large-40k's Places (40,000 bookmarks): plan is restore.Make and the
// preview (apply.PlanEdit), pure; write is apply.WriteEdit with its
// checks, backups (Firefox's .jsonlz4 included), transaction and
// read-back verification, on a fresh copy each time.
func BenchmarkRestore40k(b *testing.B) {
	dir, mirror := deleted40k(b)
	src, err := places.OpenSource(dir)
	if err != nil {
		b.Fatal(err)
	}
	local, err := src.Load(time.Now())
	stamp := src.Stamp()
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	opts := restore.Options{GUIDs: []string{bigFolder}, From: "mirror"}
	b.Run("plan", func(b *testing.B) {
		for b.Loop() {
			rp, err := restore.Make(mirror, local.Tree, opts)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := apply.PlanEdit(dir, local.Tree, stamp, rp.Set, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("write", func(b *testing.B) {
		rp, err := restore.Make(mirror, local.Tree, opts)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(rp.Set.Changes); n < 1900 {
			b.Fatalf("%d items to restore", n)
		}
		for b.Loop() {
			b.StopTimer()
			work := filepath.Join(b.TempDir(), "p")
			for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
				os.MkdirAll(filepath.Dir(filepath.Join(work, f)), 0o755)
				data, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(work, f), data, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			s, err := places.OpenSource(work)
			if err != nil {
				b.Fatal(err)
			}
			st := s.Stamp()
			s.Close()
			plan, err := apply.PlanEdit(work, local.Tree, st, rp.Set, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			rep, err := apply.WriteEdit(context.Background(), plan, apply.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if !rep.Verified {
				b.Fatal("not verified")
			}
		}
	})
}
