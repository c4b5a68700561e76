package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// GeneratedScenarios are Firefox-made profile fixtures that are not in
// ../shared: real Firefox builds them with fforacle on first use (about
// 75 s each), and they are cached outside the project. Each value is the
// fforacle scenario.
var GeneratedScenarios = map[string]string{
	// The first sync fforacle's bench times at 8.2 s: 40,000 local
	// bookmarks against a server copy of the same tree under different
	// GUIDs, so nearly everything is deduplicated.
	"initial-40k": `{"format": "fforacle-scenario/1", "name": "initial-40k",
		"generate": {"kind": "large", "bookmarks": 40000, "seed": 1, "mode": "initial"}}`,
	// A synced profile with four dated Firefox backups (bookmarkbackups/,
	// in before/) and tombstones on both sides: what History14 says
	// happened to each GUID, day by day.
	"history-14": history14Scenario,
}

// FixtureDir returns a profile fixture's folder (before/, after/,
// expected.json …): the shared one, or for a generated scenario the cached
// build, made now if needed. Generated scenarios are skipped with -short or
// without firefox-esr.
func FixtureDir(tb testing.TB, scenario string) string {
	tb.Helper()
	spec, ok := GeneratedScenarios[scenario]
	if !ok {
		return Shared(tb, "fixtures", "profiles", scenario)
	}
	if testing.Short() {
		tb.Skipf("%s: built by Firefox on first use; skipped with -short", scenario)
	}
	if _, err := exec.LookPath("firefox-esr"); err != nil {
		tb.Skipf("%s: firefox-esr is not on PATH to build it", scenario)
	}
	oracle := Shared(tb, "tools", "fforacle")
	// The cache key covers the scenario and the oracle that builds it.
	h := sha256.New()
	h.Write([]byte(spec))
	for _, f := range []string{"fforacle.py", "gen.py", "oracle.js", "firefox.py"} {
		b, err := os.ReadFile(filepath.Join(oracle, f))
		if err != nil {
			tb.Fatalf("fforacle: %v", err)
		}
		h.Write(b)
	}
	root := os.Getenv("BMTUI_FIXTURE_CACHE")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		root = filepath.Join(c, "bmtui-fixtures")
	}
	dir := filepath.Join(root, scenario+"-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, "expected.json")); err == nil {
		return dir
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		tb.Fatal(err)
	}
	// Test binaries of several packages may ask at once: one builds.
	lock, err := os.OpenFile(filepath.Join(root, scenario+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		tb.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing unlocks too
	if _, err := os.Stat(filepath.Join(dir, "expected.json")); err == nil {
		return dir
	}
	if err := buildScenario(oracle, spec, dir); err != nil {
		tb.Fatalf("%s: %v", scenario, err)
	}
	return dir
}

// buildScenario runs `fforacle merge` on spec into dir, through a
// temporary folder so that a half-built fixture is never used.
func buildScenario(oracle, spec, dir string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	specPath := filepath.Join(tmp, "scenario-in.json")
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		return err
	}
	out := filepath.Join(tmp, "out")
	cmd := exec.Command("python3", filepath.Join(oracle, "fforacle.py"), "merge", specPath, out, "--gzip", "--compact", "--no-upload")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("fforacle merge: %v\n%s", err, b)
	}
	return os.Rename(out, dir)
}
