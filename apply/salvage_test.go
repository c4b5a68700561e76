package apply

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/rebuild"
)

var salvageNow = time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)

// salvageDB is a rebuilt tree of n bookmarks in folders, with tags,
// keywords and history, as the salvage would hand it over.
func salvageDB(n int) *rebuild.Database {
	const t0 = int64(1700000000000000)
	db := &rebuild.Database{Meta: map[string]any{"sync/bookmarks/syncid": "damagedSync1"}}
	db.Bookmarks = append(db.Bookmarks, rebuild.Bookmark{GUID: rebuild.RootGUID, Type: rebuild.TypeFolder, DateAdded: t0, LastModified: t0, SyncStatus: 2, SyncChangeCounter: 1})
	for i, r := range []string{rebuild.MenuGUID, rebuild.ToolbarGUID, rebuild.TagsGUID, rebuild.UnfiledGUID, rebuild.MobileGUID} {
		db.Bookmarks = append(db.Bookmarks, rebuild.Bookmark{GUID: r, ParentGUID: rebuild.RootGUID, Type: rebuild.TypeFolder,
			Title: strings.TrimRight(r, "_"), Position: i, DateAdded: t0, LastModified: t0, SyncStatus: 2})
	}
	folders := max(1, n/50)
	for f := 0; f < folders; f++ {
		db.Bookmarks = append(db.Bookmarks, rebuild.Bookmark{GUID: fmt.Sprintf("fld%09d", f), ParentGUID: rebuild.MenuGUID, Type: rebuild.TypeFolder,
			Title: fmt.Sprintf("Folder %d", f), Position: f, DateAdded: t0, LastModified: t0, SyncStatus: 0, SyncChangeCounter: 1})
	}
	for i := 0; i < n; i++ {
		u := fmt.Sprintf("https://site%d.example/page/%d", i%97, i)
		b := rebuild.Bookmark{GUID: fmt.Sprintf("bmk%09d", i), ParentGUID: fmt.Sprintf("fld%09d", i%folders), Type: rebuild.TypeBookmark,
			Title: fmt.Sprintf("Bookmark %d", i), URL: u, Position: i, DateAdded: t0 + int64(i)*1000, LastModified: t0 + int64(i)*1000, SyncChangeCounter: 1}
		if i%7 == 0 {
			b.Tags = []string{fmt.Sprintf("tag%d", i%13), "common"}
		}
		db.Bookmarks = append(db.Bookmarks, b)
		if i%31 == 0 {
			db.Keywords = append(db.Keywords, rebuild.Keyword{Keyword: fmt.Sprintf("k%d", i), URL: u})
		}
		if i%3 == 0 {
			db.Visits = append(db.Visits, rebuild.Visit{URL: u, VisitDate: t0 + int64(i)*1000000, VisitType: 1})
		}
	}
	db.Tombstones = []rebuild.Tombstone{{GUID: "bmkDeleted__", DateRemoved: t0}}
	return db
}

// damagedProfile unpacks a damaged fixture profile (places.sqlite with
// its -wal, the mirror) and adds a -shm and a places.sqlite.corrupt, so
// every kind of file a salvage keeps is there.
func damagedProfile(t testing.TB, dir string) {
	t.Helper()
	src := testutil.Shared(t, "fixtures", "damaged", "f-wal-recent", "profile")
	if err := os.MkdirAll(filepath.Join(dir, "weave"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"places.sqlite", "places.sqlite-wal", filepath.Join("weave", "bookmarks.sqlite")} {
		testutil.Gunzip(t, filepath.Join(src, f+".gz"), filepath.Join(dir, f))
	}
	for f, data := range map[string]string{"places.sqlite-shm": strings.Repeat("\x01", 32768), "places.sqlite.corrupt": "SQLite format 3\x00 damaged copy"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// isCompleteSalvage: places.sqlite is the verified rebuild of db, with no
// -wal, -shm or -journal of the old file beside it, and the files a
// salvage does not touch unchanged.
func isCompleteSalvage(dir string, db *rebuild.Database, orig map[string]string) error {
	if err := rebuild.Verify(context.Background(), placesPath(dir), db, salvageNow); err != nil {
		return err
	}
	for _, suf := range companionSuffixes {
		if _, err := os.Stat(placesPath(dir) + suf); err == nil {
			return fmt.Errorf("places.sqlite%s left beside the new file", suf)
		}
	}
	for _, f := range []string{"places.sqlite.corrupt", filepath.Join("weave", "bookmarks.sqlite")} {
		if _, sum, err := fileSHA256(filepath.Join(dir, f)); err != nil || sum != orig[f] {
			return fmt.Errorf("%s changed", f)
		}
	}
	return nil
}

func TestSalvageWriteAndUndo(t *testing.T) {
	dir := t.TempDir()
	damagedProfile(t, dir)
	orig := fileHashes(t, dir)
	db := salvageDB(300)
	rep, err := WriteSalvage(context.Background(), dir, db, salvageNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := isCompleteSalvage(dir, db, orig); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, BackupFolder, markerName)); err == nil {
		t.Error("the marker is left after a finished salvage")
	}
	// The digest reported (and recorded in the marker before the swap)
	// is the new file's.
	if _, sum, err := fileSHA256(placesPath(dir)); err != nil || sum != rep.SHA256 {
		t.Errorf("the new file's SHA-256 is %s (%v), the report says %s", sum, err, rep.SHA256)
	}
	// The backup holds every damaged file, byte for byte.
	for _, f := range []string{"places.sqlite", "places.sqlite-wal", "places.sqlite-shm", "places.sqlite.corrupt", filepath.Join("weave", "bookmarks.sqlite")} {
		if _, sum, err := fileSHA256(filepath.Join(rep.BackupDir, f)); err != nil || sum != orig[f] {
			t.Errorf("backup of %s: %v (sum matches: %v)", f, err, sum == orig[f])
		}
	}
	if got, err := LastBackup(dir); err != nil || got != rep.BackupDir {
		t.Errorf("LastBackup = %q, %v; want %s", got, err, rep.BackupDir)
	}
	// Another command finds nothing to recover.
	if did, err := Recover(dir); did || err != nil {
		t.Errorf("Recover after a finished salvage: %v, %v", did, err)
	}
	if _, err := Undo(dir); err != nil {
		t.Fatal(err)
	}
	if got := fileHashes(t, dir); !sameFiles(got, orig) {
		t.Errorf("undo did not restore the damaged files exactly:\n got  %v\n want %v", got, orig)
	}
}

// TestSalvageBackupLinks: the damaged places.sqlite is kept by a hard
// link (no copy), the mirror by a copy, so that Firefox writing the
// mirror in place later cannot change the backup Undo restores.
func TestSalvageBackupLinks(t *testing.T) {
	dir := t.TempDir()
	damagedProfile(t, dir)
	orig := fileHashes(t, dir)
	st, err := os.Stat(filepath.Join(dir, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := WriteSalvage(context.Background(), dir, salvageDB(50), salvageNow)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := os.Stat(filepath.Join(rep.BackupDir, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(st, kept) {
		t.Error("the damaged places.sqlite was copied into the backup, not linked")
	}
	mirror := filepath.Join(dir, "weave", "bookmarks.sqlite")
	f, err := os.OpenFile(mirror, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("written in place after the salvage"), 200); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Undo(dir); err != nil {
		t.Fatal(err)
	}
	if got := fileHashes(t, dir); !sameFiles(got, orig) {
		t.Errorf("undo after the mirror was written in place:\n got  %v\n want %v", got, orig)
	}
}

func TestSalvageRefuses(t *testing.T) {
	t.Run("firefox-running", func(t *testing.T) {
		dir := t.TempDir()
		damagedProfile(t, dir)
		orig := fileHashes(t, dir)
		if err := os.Symlink(fmt.Sprintf("127.0.0.1:+%d", os.Getpid()), filepath.Join(dir, "lock")); err != nil {
			t.Fatal(err)
		}
		_, err := WriteSalvage(context.Background(), dir, salvageDB(10), salvageNow)
		if !errors.Is(err, ErrFirefoxRunning) {
			t.Fatalf("WriteSalvage while Firefox runs: %v", err)
		}
		os.Remove(filepath.Join(dir, "lock"))
		if got := fileHashes(t, dir); !sameFiles(got, orig) {
			t.Error("the profile changed")
		}
		if _, err := os.Stat(filepath.Join(dir, BackupFolder)); err == nil {
			t.Error("a backup was made")
		}
	})
	t.Run("write-fails", func(t *testing.T) {
		dir := t.TempDir()
		damagedProfile(t, dir)
		orig := fileHashes(t, dir)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the write fails after the backup was made
		if _, err := WriteSalvage(ctx, dir, salvageDB(10), salvageNow); err == nil {
			t.Fatal("WriteSalvage with a canceled context succeeded")
		}
		if got := fileHashes(t, dir); !sameFiles(got, orig) {
			t.Error("the profile changed")
		}
		if InterruptedSalvage(dir) {
			t.Error("the marker is left after a failed write")
		}
		if b, _ := LastBackup(dir); b != "" {
			t.Errorf("backup %s left after the rollback", b)
		}
	})
	// A small tree is refused before anything starts; a large one while
	// the backup is made (its rows are derived meanwhile): either way
	// the profile is left as it was.
	for _, size := range []int{10, 30000} {
		t.Run(fmt.Sprintf("invalid-database-%d", size), func(t *testing.T) {
			testInvalidSalvage(t, size)
		})
	}
}

func testInvalidSalvage(t *testing.T, size int) {
	t.Helper()
	dir := t.TempDir()
	damagedProfile(t, dir)
	orig := fileHashes(t, dir)
	db := salvageDB(size)
	db.Bookmarks[len(db.Bookmarks)-1].ParentGUID = "nowhere_____"
	if _, err := WriteSalvage(context.Background(), dir, db, salvageNow); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("WriteSalvage of an invalid tree: %v", err)
	}
	if got := fileHashes(t, dir); !sameFiles(got, orig) {
		t.Error("the profile changed")
	}
	if _, err := os.Stat(filepath.Join(dir, BackupFolder, markerName)); err == nil {
		t.Error("the marker is left after a refused salvage")
	}
	if _, err := os.Stat(placesPath(dir) + salvageSuffix); err == nil {
		t.Error("the new file is left after a refused salvage")
	}
	if _, err := os.Stat(filepath.Join(dir, BackupFolder)); err == nil {
		t.Error("a backup was made of a salvage refused up front")
	}
}

const (
	salvageCrashChildEnv = "BMTUI_SALVAGE_CRASH_CHILD"
	salvageStopEnv       = "BMTUI_SALVAGE_STOP_AT" // a step the child waits at to be killed
)

// TestSalvageCrashChild is the child process of TestSalvageCrash: it
// salvages the profile named by the environment, announcing its steps.
func TestSalvageCrashChild(t *testing.T) {
	dir := os.Getenv(salvageCrashChildEnv)
	if dir == "" {
		t.Skip("child process of TestSalvageCrash only")
	}
	stopAt := os.Getenv(salvageStopEnv)
	hooks := &salvageHooks{step: func(name string) {
		fmt.Println(strings.ToUpper(name))
		os.Stdout.Sync()
		if name == stopAt {
			select {} // wait for the kill
		}
	}}
	if _, err := writeSalvage(context.Background(), dir, salvageDB(2000), salvageNow, hooks); err != nil {
		t.Fatal(err)
	}
	fmt.Println("DONE")
}

// TestSalvageCrash kills a salvage running in a child process with SIGKILL
// at 100 random moments: half at random times from the start, half within
// a few milliseconds of the swap. After each kill, Recover (which every
// bmtui command runs first) must leave the profile either byte-identical
// to the damaged original or the complete, verified salvage with no old
// -wal beside it; then Undo must restore the original byte for byte.
func TestSalvageCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	if os.Getenv(salvageCrashChildEnv) != "" {
		t.Skip("in the child")
	}
	template := t.TempDir()
	damagedProfile(t, template)
	orig := fileHashes(t, template)
	db := salvageDB(2000)
	h := childHarness{t: t, test: "TestSalvageCrashChild", env: salvageCrashChildEnv, marker: "SWAP",
		template: template, files: slices.Collect(maps.Keys(orig))}
	ref := filepath.Join(t.TempDir(), "ref")
	total, swapAt := h.reference(ref)
	if err := isCompleteSalvage(ref, db, orig); err != nil {
		t.Fatalf("reference run: %v", err)
	}
	t.Logf("reference run: %v in all, swap at %v", total, swapAt)

	const runs = 100
	var original, salvaged, leftMarker int
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	for i := 0; i < runs; i++ {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("p", i))
		delay := h.kill(dir, i, total, 3*time.Millisecond, rng)
		if _, err := os.Stat(filepath.Join(dir, BackupFolder, markerName)); err == nil {
			leftMarker++
		}
		if _, err := Recover(dir); err != nil {
			t.Fatalf("run %d (killed after %v): recover: %v", i, delay, err)
		}
		switch got := fileHashes(t, dir); {
		case sameFiles(got, orig):
			original++
		default:
			if err := isCompleteSalvage(dir, db, orig); err != nil {
				t.Fatalf("run %d (killed after %v): neither the original nor the complete salvage: %v\n%v", i, delay, err, got)
			}
			salvaged++
		}
		if _, err := os.Stat(placesPath(dir) + salvageSuffix); err == nil {
			t.Fatalf("run %d: the new file is left beside the original", i)
		}
		// Undo brings back the damaged files (when a backup was made).
		if b, _ := LastBackup(dir); b != "" {
			if _, err := Undo(dir); err != nil {
				t.Fatalf("run %d: undo: %v", i, err)
			}
		}
		if got := fileHashes(t, dir); !sameFiles(got, orig) {
			t.Fatalf("run %d (killed after %v): after undo the files differ from the original", i, delay)
		}
	}
	t.Logf("%d kills: %d recovered to the original, %d to the complete salvage; %d left the marker for Recover", runs, original, salvaged, leftMarker)
	if original == 0 || salvaged == 0 {
		t.Errorf("the kills did not cover both outcomes")
	}
}

// TestSalvageFirefoxAccepts has real Firefox judge the profile WriteSalvage
// leaves: `fforacle check --strict` on the new places.sqlite with the
// profile's mirror.
func TestSalvageFirefoxAccepts(t *testing.T) {
	if testing.Short() {
		t.Skip("fforacle: skipped with -short (about 5 s per check)")
	}
	if _, err := exec.LookPath("firefox-esr"); err != nil {
		t.Skip("fforacle: firefox-esr is not on PATH")
	}
	dir := t.TempDir()
	damagedProfile(t, dir)
	if _, err := WriteSalvage(context.Background(), dir, salvageDB(300), salvageNow); err != nil {
		t.Fatal(err)
	}
	oracle := testutil.Shared(t, "tools", "fforacle", "fforacle.py")
	out := filepath.Join(t.TempDir(), "report.json")
	b, err := exec.Command("python3", oracle, "check", placesPath(dir), mirrorPath(dir), "--strict", "--json", out).CombinedOutput()
	rep, _ := os.ReadFile(out)
	if err != nil {
		t.Fatalf("fforacle rejected the salvaged profile: %v\n%s\n%s", err, b, rep)
	}
	if !strings.Contains(string(rep), `"ok": true`) {
		t.Fatalf("fforacle report is not ok: %s", rep)
	}
}

// BenchmarkWriteSalvage40k is the whole write path on a profile whose
// places.sqlite is large-40k's: backup of the damaged files, write and
// verify of a 40k-bookmark rebuild beside them, swap.
func BenchmarkWriteSalvage40k(b *testing.B) {
	src := b.TempDir()
	testutil.Gunzip(b, testutil.Shared(b, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), filepath.Join(src, "places.sqlite"))
	db := salvageDB(40000)
	var write, verify, swap, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		if _, _, err := copyFileSync(filepath.Join(src, "places.sqlite"), filepath.Join(dir, "places.sqlite")); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cpu0 := testutil.CPUTime()
		rep, err := WriteSalvage(context.Background(), dir, db, salvageNow)
		if err != nil {
			b.Fatal(err)
		}
		cpu += testutil.CPUTime() - cpu0
		write, verify, swap = write+rep.Write, verify+rep.Verify, swap+rep.Swap
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(b.N) / 1e6 }
	b.ReportMetric(ms(write), "write-ms/op")
	b.ReportMetric(ms(verify), "verify-ms/op")
	b.ReportMetric(ms(swap), "swap-ms/op")
	b.ReportMetric(ms(cpu), "cpu-ms/op")
}

// TestSalvageCrashAtEachStep kills the salvage exactly at each step
// boundary: up to the rename the next command must roll back to the
// damaged original (even with the old -wal and -shm already removed),
// after it it must keep the complete salvage.
func TestSalvageCrashAtEachStep(t *testing.T) {
	if os.Getenv(salvageCrashChildEnv) != "" {
		t.Skip("in the child")
	}
	template := t.TempDir()
	damagedProfile(t, template)
	orig := fileHashes(t, template)
	db := salvageDB(2000)
	for _, c := range []struct {
		step     string
		salvaged bool
	}{{"backup", false}, {"backup-named", false}, {"write", false}, {"swap", false}, {"rename", false}, {"swapped", true}} {
		t.Run(c.step, func(t *testing.T) {
			dir := t.TempDir()
			for f := range orig {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
				if _, _, err := copyFileSync(filepath.Join(template, f), filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestSalvageCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), salvageCrashChildEnv+"="+dir, salvageStopEnv+"="+c.step, "TMPDIR="+t.TempDir())
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			for sc.Scan() && sc.Text() != strings.ToUpper(c.step) {
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			if c.step == "rename" {
				if _, err := os.Stat(placesPath(dir) + "-wal"); err == nil {
					t.Fatal("the old -wal is still there when the new file is about to be renamed in")
				}
			}
			if !InterruptedSalvage(dir) {
				t.Errorf("InterruptedSalvage = false")
			}
			if did, err := Recover(dir); err != nil || !did {
				t.Fatalf("recover: %v, %v", did, err)
			}
			// A rolled-back salvage leaves no backup for Undo to take.
			if b, _ := LastBackup(dir); !c.salvaged && b != "" {
				t.Errorf("backup %s left after the rollback", b)
			}
			got := fileHashes(t, dir)
			if c.salvaged {
				if err := isCompleteSalvage(dir, db, orig); err != nil {
					t.Fatalf("not the complete salvage: %v", err)
				}
			} else if !sameFiles(got, orig) {
				t.Fatalf("not the damaged original:\n got  %v\n want %v", got, orig)
			}
		})
	}
}
