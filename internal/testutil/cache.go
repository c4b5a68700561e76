package testutil

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// CachedFixture returns the cached folder of a generated fixture, named
// name and keyed by key (a digest of everything the build reads), running
// build into a fresh folder first when the cache lacks it. The cache is
// $BMTUI_FIXTURE_CACHE, else the user's cache folder; test binaries of
// several packages may ask at once, and one builds. A folder is only
// cached once build returned without error and done exists in it.
func CachedFixture(tb testing.TB, name string, key []byte, done string, build func(dir string) error) string {
	tb.Helper()
	root := os.Getenv("BMTUI_FIXTURE_CACHE")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		root = filepath.Join(c, "bmtui-fixtures")
	}
	return cachedIn(tb, root, name, key, done, build)
}

// cachedIn is CachedFixture with the cache at root.
func cachedIn(tb testing.TB, root, name string, key []byte, done string, build func(dir string) error) string {
	tb.Helper()
	dir := filepath.Join(root, name+"-"+hex.EncodeToString(key)[:16])
	if _, err := os.Stat(filepath.Join(dir, done)); err == nil {
		return dir
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		tb.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(root, name+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		tb.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing unlocks too
	if _, err := os.Stat(filepath.Join(dir, done)); err == nil {
		return dir
	}
	tmp, err := os.MkdirTemp(root, ".build-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "out")
	if err := build(out); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	if _, err := os.Stat(filepath.Join(out, done)); err != nil {
		tb.Fatalf("%s: the build left no %s: %v", name, done, err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(out, dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}
