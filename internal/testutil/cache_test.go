package testutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fakeTB turns Fatal into a recorded failure, so that a failing build
// can be observed without failing the test.
type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; panic(f) }

func TestCachedFixture(t *testing.T) {
	root := t.TempDir()
	builds := 0
	build := func(dir string) error {
		builds++
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "done.json"), []byte("{}"), 0o644)
	}
	first := cachedIn(t, root, "demo", []byte("key one, long enough"), "done.json", build)
	again := cachedIn(t, root, "demo", []byte("key one, long enough"), "done.json", build)
	if first != again || builds != 1 {
		t.Fatalf("second call built again or moved: %s %s, %d builds", first, again, builds)
	}
	other := cachedIn(t, root, "demo", []byte("key two, long enough"), "done.json", build)
	if other == first || builds != 2 {
		t.Fatalf("another key shares a folder: %s, %d builds", other, builds)
	}

	// A failed build, or one that leaves no completion file, caches nothing.
	for _, bad := range []func(string) error{
		func(string) error { return errors.New("firefox crashed") },
		func(dir string) error { return os.MkdirAll(dir, 0o755) },
	} {
		ftb := &fakeTB{TB: t}
		func() {
			defer func() {
				if r := recover(); r != nil && r != ftb {
					panic(r)
				}
			}()
			cachedIn(ftb, root, "broken", []byte("key three, long enough"), "done.json", bad)
		}()
		if !ftb.failed {
			t.Fatal("a failed build passed")
		}
	}
	ents, _ := filepath.Glob(filepath.Join(root, "broken-*"))
	left, _ := filepath.Glob(filepath.Join(root, ".build-*"))
	if len(ents)+len(left) != 0 {
		t.Fatalf("a failed build left %v %v", ents, left)
	}
}
