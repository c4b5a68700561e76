// Package testutil finds and unpacks the shared fixtures for tests and
// benchmarks. Fixtures live in ../shared next to the project and are never
// copied into it.
package testutil

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/bmtui/bmtui/internal/replay"
)

// SharedDir returns the shared folder beside the project root
// ($BMTUI_SHARED overrides it).
func SharedDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("BMTUI_SHARED"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	d := filepath.Join(root, "..", "shared")
	if _, err := os.Stat(d); err != nil {
		tb.Fatalf("shared fixtures not found at %s (set BMTUI_SHARED): %v", d, err)
	}
	return d
}

// Shared joins path elements below the shared folder.
func Shared(tb testing.TB, elem ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{SharedDir(tb)}, elem...)...)
}

// OpenMaybeGzip opens path, transparently gunzipping a .gz file.
func OpenMaybeGzip(path string) (io.ReadCloser, error) { return replay.OpenMaybeGzip(path) }

// Gunzip writes the gunzipped copy of src to dst, creating dst's folder.
func Gunzip(tb testing.TB, src, dst string) {
	tb.Helper()
	in, err := OpenMaybeGzip(src)
	if err != nil {
		tb.Fatalf("open %s: %v", src, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		tb.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatalf("gunzip %s: %v", src, err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// Profile unpacks a shared profile fixture state ("before", "after",
// "after-upload") into a fresh temporary profile folder and returns it. The
// folder holds places.sqlite and weave/bookmarks.sqlite, and the
// fixture's bookmarkbackups/ if it has one.
func Profile(tb testing.TB, scenario, state string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), scenario)
	src := filepath.Join(FixtureDir(tb, scenario), state)
	Gunzip(tb, filepath.Join(src, "places.sqlite.gz"), filepath.Join(dir, "places.sqlite"))
	Gunzip(tb, filepath.Join(src, "weave", "bookmarks.sqlite.gz"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
	copyBackups(tb, filepath.Join(src, "bookmarkbackups"), filepath.Join(dir, "bookmarkbackups"))
	return dir
}

// copyBackups copies a fixture's bookmarkbackups/ as it is (the files are
// already compressed), dating each copy like its original.
func copyBackups(tb testing.TB, src, dst string) {
	tb.Helper()
	ents, err := os.ReadDir(src)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		tb.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		to := filepath.Join(dst, e.Name())
		if err := os.WriteFile(to, b, 0o644); err != nil {
			tb.Fatal(err)
		}
		if fi, err := e.Info(); err == nil {
			os.Chtimes(to, fi.ModTime(), fi.ModTime()) //nolint:errcheck // the date is a courtesy
		}
	}
}

// ProfileScenarios lists the shared Firefox profile fixtures.
var ProfileScenarios = []string{"small-clean", "small-first-sync", "twoway", "corrupt-remote", "dupes", "large-40k"}

// DamagedCases are the damaged profiles in ../shared/fixtures/damaged.
var DamagedCases = []string{"a-bookmarks-leaf", "b-index-only", "f-wal-recent"}

// UnpackDamaged unpacks a damaged profile of ../shared/fixtures/damaged
// (gunzipping its .gz files) into a fresh temporary folder.
func UnpackDamaged(tb testing.TB, name string) string {
	tb.Helper()
	dst := tb.TempDir()
	UnpackProfile(tb, Shared(tb, "fixtures", "damaged", name, "profile"), dst)
	return dst
}
