package testutil

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	// A duplicate storm and a flattened folder after a backup (issue 15).
	"storm-dupes": stormScenario,
}

// GeneratedProfiles are Firefox-made profiles (before/ only: `fforacle
// make-profile`) that are not in ../shared, built on first use and cached
// like GeneratedScenarios.
var GeneratedProfiles = map[string]string{
	// About 5,000 bookmarks in 4 KiB pages, previously synced (the mirror
	// holds the tree), some history, then Firefox's own backup, then edits
	// the backup misses (additions, a rename, a move, removals): the base
	// of the damaged-5k case (see DamagedScenarios).
	"profile-5k": `{"format": "fforacle-scenario/1", "name": "profile-5k",
		"generate": {"kind": "large", "bookmarks": 5000, "seed": 13, "mode": "incremental"},
		"pageSize": 4096,
		"remote": {"records": []},
		"localEdits": [
			{"op": "visits", "pages": [
				{"url": "https://site265.example/page/1", "title": "Visited 1", "count": 12, "start": 1699000000000, "interval": 3600000, "transition": "link"},
				{"url": "https://site262.example/page/2", "title": "Visited 2", "count": 7, "start": 1699100000000, "interval": 600000, "transition": "typed"},
				{"url": "https://history-only.example/a", "title": "History only", "count": 20, "start": 1699200000000, "interval": 60000, "transition": "link"}]},
			{"op": "backup"},
			{"op": "insert", "parent": "toolbar", "index": 0, "item": {"guid": "h13newbm0001", "title": "Added after backup 1", "url": "https://after-backup.example/1"}},
			{"op": "insert", "parent": "ir4ivm0-oAjO", "index": 0, "item": {"guid": "h13newfold01", "title": "New folder after backup", "children": [
				{"guid": "h13newbm0002", "title": "Added after backup 2", "url": "https://after-backup.example/2", "tags": ["aftertag"]},
				{"guid": "h13newbm0003", "title": "Added after backup 3", "url": "https://after-backup.example/3", "keyword": "afterkw"}]}},
			{"op": "update", "guid": "D-2U3OpSH5r4", "title": "Renamed after backup"},
			{"op": "move", "guid": "Yq-EEyUqj37X", "parent": "unfiled", "index": 0},
			{"op": "remove", "guid": "u0GSzVrE_Bfe"},
			{"op": "remove", "guid": "GYQr8nE0QseT"}]}`,
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
	return cachedBuild(tb, scenario, spec, "merge", "expected.json")
}

// GeneratedProfile returns the cached folder of a GeneratedProfiles
// entry (before/ with places.sqlite.gz, weave/, bookmarkbackups/;
// before.json), built now if needed; skipped with -short or without
// firefox-esr.
func GeneratedProfile(tb testing.TB, name string) string {
	tb.Helper()
	spec, ok := GeneratedProfiles[name]
	if !ok {
		tb.Fatalf("no generated profile %q", name)
	}
	return cachedBuild(tb, name, spec, "make-profile", "before.json")
}

// cachedBuild runs `fforacle CMD` on spec once, into the cache, and
// returns the folder; done names the file whose presence says the build
// completed.
func cachedBuild(tb testing.TB, scenario, spec, cmd, done string) string {
	tb.Helper()
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
	return CachedFixture(tb, scenario, h.Sum(nil), done, func(dir string) error {
		return buildScenario(oracle, cmd, spec, dir, uploadedScenarios[scenario])
	})
}

// buildScenario runs `fforacle CMD` (merge or make-profile) on spec into
// dir, through a temporary folder so that a half-built fixture is never
// used. upload keeps fforacle's simulated upload (after-upload/).
func buildScenario(oracle, cmd, spec, dir string, upload bool) error {
	work, err := os.MkdirTemp(filepath.Dir(dir), ".spec-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	specPath := filepath.Join(work, "scenario-in.json")
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		return err
	}
	args := []string{filepath.Join(oracle, "fforacle.py"), cmd, specPath, dir, "--gzip", "--compact"}
	if cmd == "merge" && !upload {
		args = append(args, "--no-upload")
	}
	if b, err := exec.Command("python3", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("fforacle %s: %v\n%s", cmd, err, b)
	}
	return nil
}
