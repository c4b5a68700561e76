// Package history40k builds the profile issue 14's speed bars are measured
// on: large-40k's places.sqlite and mirror, with 15 Firefox bookmark
// backups of its tree (about 600,000 items across the sources), each a
// little different, written by places/backup's exporter. It is built once
// and cached beside the other generated fixtures.
package history40k

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	_ "modernc.org/sqlite" // the scratch copy is edited with SQL
)

// Backups is the number of backups the profile has.
const Backups = 15

// version changes the cache key when the build below changes.
const version = "history-40k/1"

// First is the date of the oldest backup; one a day follows.
var First = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

// Profile returns the cached profile folder (places.sqlite,
// weave/bookmarks.sqlite, bookmarkbackups/), building it first if need
// be. Callers must not change it. Skipped with -short.
func Profile(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("history-40k: 15 backups of large-40k, built on first use; skipped with -short")
	}
	src := testutil.Shared(tb, "fixtures", "profiles", "large-40k", "before")
	h := sha256.New()
	h.Write([]byte(version))
	for _, f := range []string{"places.sqlite.gz", filepath.Join("weave", "bookmarks.sqlite.gz")} {
		fi, err := os.Stat(filepath.Join(src, f))
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d %d\n", f, fi.Size(), fi.ModTime().UnixNano())
	}
	root := os.Getenv("BMTUI_FIXTURE_CACHE")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		root = filepath.Join(c, "bmtui-fixtures")
	}
	dir := filepath.Join(root, "history-40k-"+hex.EncodeToString(h.Sum(nil))[:16])
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		tb.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(root, "history-40k.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		tb.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing unlocks too
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	tmp, err := os.MkdirTemp(root, ".build-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	build(tb, src, tmp)
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// build writes the profile into dir: the live databases as large-40k has
// them, and backups exported from a scratch copy that changes a little
// between them (a few bookmarks renamed, moved and deleted each day).
func build(tb testing.TB, src, dir string) {
	tb.Helper()
	testutil.Gunzip(tb, filepath.Join(src, "places.sqlite.gz"), filepath.Join(dir, "places.sqlite"))
	testutil.Gunzip(tb, filepath.Join(src, "weave", "bookmarks.sqlite.gz"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
	scratch := filepath.Join(tb.TempDir(), "places.sqlite")
	testutil.Gunzip(tb, filepath.Join(src, "places.sqlite.gz"), scratch)
	for k := range Backups {
		testutil.ExecSQL(tb, scratch,
			fmt.Sprintf(`UPDATE moz_bookmarks SET title = title || ' (day %d)' WHERE type = 1 AND id %% 1009 = %d`, k, k),
			fmt.Sprintf(`UPDATE moz_bookmarks SET parent = (SELECT id FROM moz_bookmarks WHERE guid = 'unfiled_____'),
				position = 100000 + id WHERE type = 1 AND id %% 2003 = %d`, k+7),
			fmt.Sprintf(`DELETE FROM moz_bookmarks WHERE type = 1 AND id %% 1999 = %d`, k+11),
		)
		day := First.AddDate(0, 0, k)
		path, err := backup.WriteFile(dir, scratch, day)
		if err != nil {
			tb.Fatalf("backup %d: %v", k, err)
		}
		if err := os.Chtimes(path, day, day); err != nil {
			tb.Fatal(err)
		}
	}
}
