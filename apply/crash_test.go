package apply

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
)

const crashChildEnv = "BMTUI_APPLY_CRASH_CHILD"

// TestCrashChild is the child process of TestCrashAtomicity: it prepares
// and applies the profile named by the environment, announcing on stdout
// when it is about to commit. It does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("child process of TestCrashAtomicity only")
	}
	e := loadExpected(t, "twoway")
	announce := func(name string) error {
		if name == "committing" || name == "begin" {
			fmt.Println(strings.ToUpper(name))
			os.Stdout.Sync()
		}
		return nil
	}
	plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, OutgoingPath: "-", SkipVerify: true, hooks: &testHooks{step: announce}}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("DONE")
}

// digest is a hash of the logical content (dumpProfile) of a profile.
func digest(t testing.TB, dir string) (string, dump) {
	d := dumpProfile(t, dir)
	var keys []string
	for cat, m := range d {
		for k, v := range m {
			keys = append(keys, cat+"\x00"+k+"\x00"+v)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), d
}

// openLikeFirefox opens places.sqlite read-write and attaches the mirror,
// as Firefox does at startup: SQLite rolls back hot journals (or discards
// the journals of a committed multi-file transaction) on first access.
// Both files must pass integrity_check.
func openLikeFirefox(t testing.TB, dir string) error {
	db, err := sql.Open("sqlite", placesPath(dir))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`ATTACH DATABASE ? AS mirror`, mirrorPath(dir)); err != nil {
		return err
	}
	for _, s := range []string{"main", "mirror"} {
		var res string
		if err := db.QueryRow(`PRAGMA ` + s + `.integrity_check`).Scan(&res); err != nil {
			return fmt.Errorf("%s integrity_check: %w", s, err)
		}
		if res != "ok" {
			return fmt.Errorf("%s integrity_check: %s", s, res)
		}
	}
	return nil
}

// TestCrashAtomicity kills an apply running in a child process with
// SIGKILL at random moments (half of them at random times from the start,
// half within a few milliseconds of the COMMIT, where the two files are
// written), at least 100 times. After each kill both files must pass
// integrity_check once opened the way Firefox opens them, and their
// content must be exactly the state before the merge or exactly the fully
// merged state: never one file merged and the other not, never a lost
// bookmark. Recover and a new preview and Apply must then work.
func TestCrashAtomicity(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	template := testutil.Profile(t, "twoway", "before")
	beforeSum, _ := digest(t, template)

	// The fully merged state, from an uninterrupted run in a child.
	h := childHarness{t: t, test: "TestCrashChild", env: crashChildEnv, marker: "COMMITTING",
		template: template, files: []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")}}
	ref := filepath.Join(t.TempDir(), "ref")
	total, commitAt := h.reference(ref)
	afterSum, _ := digest(t, ref)
	if afterSum == beforeSum {
		t.Fatal("the merge changes nothing; the test would prove nothing")
	}
	t.Logf("reference run: %v in all, COMMIT at %v", total, commitAt)

	const runs = 120
	var unchanged, merged, superJournals, hotJournals int
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := 0; i < runs; i++ {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("p", i))
		delay := h.kill(dir, i, total, 40*time.Millisecond, rng)

		if m, _ := filepath.Glob(filepath.Join(dir, "places.sqlite-mj*")); len(m) > 0 {
			superJournals++
		}
		for _, j := range []string{placesPath(dir) + "-journal", mirrorPath(dir) + "-journal"} {
			if fi, err := os.Stat(j); err == nil && fi.Size() > 0 {
				hotJournals++
				break
			}
		}
		if err := openLikeFirefox(t, dir); err != nil {
			t.Fatalf("run %d (killed after %v): %v", i, delay, err)
		}
		sum, d := digest(t, dir)
		switch sum {
		case beforeSum:
			unchanged++
		case afterSum:
			merged++
		default:
			_, want := digest(t, template)
			diffs := diffDumps(d, want)
			t.Fatalf("run %d (killed after %v): neither unchanged nor merged: %v", i, delay, diffs)
		}
		// The next run finishes whatever was left and can apply again.
		if _, err := Recover(dir); err != nil {
			t.Fatalf("run %d: recover: %v", i, err)
		}
		if sum == beforeSum && i%10 == 1 {
			e := loadExpected(t, "twoway")
			plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
			if err != nil {
				t.Fatalf("run %d: prepare after crash: %v", i, err)
			}
			if _, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true}); err != nil {
				t.Fatalf("run %d: apply after crash: %v", i, err)
			}
			if s, _ := digest(t, dir); s != afterSum {
				t.Fatalf("run %d: apply after crash gave another state", i)
			}
		}
	}
	t.Logf("%d kills: %d left the profile unchanged, %d fully merged; %d left a super-journal (killed inside the two-file commit), %d a hot journal",
		runs, unchanged, merged, superJournals, hotJournals)
	if unchanged == 0 || merged == 0 {
		t.Errorf("the kills did not cover both outcomes")
	}
}

// childHarness runs one test of this binary (test, which reads its
// profile from the environment variable env) in a child process on a
// copy of files of the template profile. The child prints marker just
// before the moment that matters (a commit, a swap).
type childHarness struct {
	t                 *testing.T
	test, env, marker string
	template          string
	files             []string
}

// reference runs the child on a copy in dir to its end, which must be
// clean, and says how long it took and when the marker came.
func (h childHarness) reference(dir string) (total, markerAt time.Duration) {
	h.t.Helper()
	copyFiles(h.t, h.template, dir, h.files)
	start := time.Now()
	cmd, sc := startChild(h.t, h.test, h.env, dir)
	for sc.Scan() {
		if sc.Text() == h.marker {
			markerAt = time.Since(start)
		}
	}
	if err := cmd.Wait(); err != nil {
		h.t.Fatalf("reference run: %v", err)
	}
	return time.Since(start), markerAt
}

// kill runs the child on a copy in dir and kills it with SIGKILL: run
// i even, at a random moment within total; odd, within window after
// the marker. It returns the delay it waited before the kill.
func (h childHarness) kill(dir string, i int, total, window time.Duration, rng *rand.Rand) time.Duration {
	h.t.Helper()
	copyFiles(h.t, h.template, dir, h.files)
	cmd, sc := startChild(h.t, h.test, h.env, dir)
	var delay time.Duration
	if i%2 == 0 {
		delay = time.Duration(rng.Int64N(int64(total)))
		time.Sleep(delay)
	} else {
		for sc.Scan() && sc.Text() != h.marker {
		}
		delay = time.Duration(rng.Int64N(int64(window)))
		time.Sleep(delay)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	go func() {
		for sc.Scan() {
		}
	}()
	cmd.Wait()
	return delay
}

// copyFiles copies files (names relative to src) from src to dst, synced.
func copyFiles(t *testing.T, src, dst string, files []string) {
	t.Helper()
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, _, err := copyFileSync(filepath.Join(src, f), filepath.Join(dst, f)); err != nil {
			t.Fatal(err)
		}
	}
}

// startChild starts this test binary running only the test named test,
// with the environment variable env set to dir (the child's profile),
// and returns it with a scanner over its standard output.
func startChild(t *testing.T, test, env, dir string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	// A killed child leaves its snapshots behind: in the test's own TMPDIR.
	cmd.Env = append(os.Environ(), env+"="+dir, "TMPDIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}
