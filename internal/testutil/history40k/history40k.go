// Package history40k builds the profile issue 14's speed bars are measured
// on: large-40k's places.sqlite and mirror, with 15 Firefox bookmark
// backups of its tree (about 600,000 items across the sources), each a
// little different, written by places/backup's exporter. It is built once
// and cached beside the other generated fixtures.
package history40k

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/source/catalog"
	"github.com/bmtui/bmtui/source/search"
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
	// By content, not modification time: a fresh copy of ../shared must
	// not make every session build it again.
	for _, f := range []string{"places.sqlite.gz", filepath.Join("weave", "bookmarks.sqlite.gz")} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d ", f, len(data))
		h.Write(data)
	}
	return testutil.CachedFixture(tb, "history-40k", h.Sum(nil), ".complete", func(dir string) error {
		build(tb, src, dir)
		return os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644)
	})
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

// Sources loads every source of the profile (its Places, its mirror and
// the 15 backups, about 660,000 items) as the find index takes them.
func Sources(tb testing.TB) []search.Source {
	tb.Helper()
	entries, err := catalog.List(Profile(tb))
	if err != nil {
		tb.Fatal(err)
	}
	results, err := catalog.LoadAll(context.Background(), entries)
	if err != nil {
		tb.Fatal(err)
	}
	srcs := make([]search.Source, len(results))
	for i, r := range results {
		e := entries[i]
		srcs[i] = search.Source{ID: e.ID, Kind: string(e.Kind), Path: e.Path, Time: e.Time, Result: r}
	}
	return srcs
}
