package apply

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/testutil"
)

// fileHashes returns the SHA-256 of every file of the profile outside our
// backup folder and Firefox's bookmarkbackups (what "nothing written"
// means: the databases and their companions are byte-identical and no
// journal, WAL or super-journal was left behind).
func fileHashes(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if fi.IsDir() {
			if rel == BackupFolder || rel == "bookmarkbackups" {
				return filepath.SkipDir
			}
			return nil
		}
		if !fi.Mode().IsRegular() {
			out[rel] = "non-regular"
			return nil
		}
		_, sum, err := fileSHA256(p)
		out[rel] = sum
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameHashes(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	var diffs []string
	for k, w := range want {
		if got[k] != w {
			diffs = append(diffs, k+" changed")
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, k+" appeared")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%s: files differ: %s", what, strings.Join(diffs, ", "))
	}
}

func prepare(t *testing.T, scenario string) (string, *Plan) {
	t.Helper()
	e := loadExpected(t, scenario)
	dir := testutil.Profile(t, scenario, "before")
	plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	return dir, plan
}

func TestUndoRestoresExactBytes(t *testing.T) {
	for _, s := range []string{"twoway", "dupes", "corrupt-remote"} {
		t.Run(s, func(t *testing.T) {
			dir, plan := prepare(t, s)
			before := fileHashes(t, dir)
			rep, err := Apply(context.Background(), dir, plan, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.FirefoxBackup == "" {
				t.Errorf("no Firefox backup written: %v", rep.Warnings)
			}
			after := fileHashes(t, dir)
			if after["places.sqlite"] == before["places.sqlite"] {
				t.Fatal("apply did not change places.sqlite")
			}
			bdir, err := Undo(dir)
			if err != nil {
				t.Fatal(err)
			}
			if bdir != rep.BackupDir {
				t.Errorf("undo used %s, want %s", bdir, rep.BackupDir)
			}
			sameHashes(t, "after undo", fileHashes(t, dir), before)
		})
	}
}

// TestBackupsBeforeWriting checks that both backups are complete, the
// copies (with their manifest, matching the files as they were before
// the apply) and Firefox's own (which Firefox can restore), when the
// transaction commits, and that the copies' bytes were taken before the
// transaction began.
func TestBackupsBeforeWriting(t *testing.T) {
	dir, plan := prepare(t, "twoway")
	before := fileHashes(t, dir)
	var checked, began bool
	step := func(name string) error {
		switch name {
		case "begin":
			began = true
			copies, _ := filepath.Glob(filepath.Join(dir, BackupFolder, "*", "places.sqlite"))
			mirrors, _ := filepath.Glob(filepath.Join(dir, BackupFolder, "*", "weave", "bookmarks.sqlite"))
			if len(copies) != 1 || len(mirrors) != 1 {
				t.Errorf("at the start of the transaction: copies %v %v", copies, mirrors)
			}
		case "committing":
			checked = true
			firefox, _ := filepath.Glob(filepath.Join(dir, "bookmarkbackups", "bookmarks-*.jsonlz4"))
			if len(firefox) != 1 {
				t.Errorf("at the commit: Firefox backups %v", firefox)
			}
			bdir, err := LastBackup(dir)
			if err != nil || bdir == "" {
				t.Fatalf("at the commit: no complete backup (%q, %v)", bdir, err)
			}
			data, err := os.ReadFile(filepath.Join(bdir, manifestName))
			var m Manifest
			if err == nil {
				err = json.Unmarshal(data, &m)
			}
			if err != nil || len(m.Files) < 2 {
				t.Fatalf("at the commit: manifest %v %v", m.Files, err)
			}
			for _, f := range m.Files {
				if _, sum, err := fileSHA256(filepath.Join(bdir, f.Name)); err != nil || sum != f.SHA256 || sum != before[f.Name] {
					t.Errorf("at the commit: the copy of %s does not match the manifest and the file before the apply (%v)", f.Name, err)
				}
			}
		}
		return nil
	}
	rep, err := Apply(context.Background(), dir, plan, Options{hooks: &testHooks{step: step}})
	if err != nil {
		t.Fatal(err)
	}
	if !checked || !began {
		t.Fatal("the transaction never began or never committed")
	}
	if rep.FirefoxBackup == "" {
		t.Errorf("no Firefox backup reported: %v", rep.Warnings)
	}
}

// TestBackupFailsBeforeCommit fails the backup while the transaction
// runs (as an fsync error would): the transaction must not commit, the
// bookmarks must be as before, and no marker may stay behind.
func TestBackupFailsBeforeCommit(t *testing.T) {
	dir, plan := prepare(t, "twoway")
	beforeSum, _ := digest(t, dir)
	var committing bool
	hooks := &testHooks{
		backupDurable: func() error { return fmt.Errorf("injected: %w", syscall.EIO) },
		step: func(name string) error {
			committing = committing || name == "committing"
			return nil
		},
	}
	_, err := Apply(context.Background(), dir, plan, Options{OutgoingPath: "-", hooks: hooks})
	if !errors.Is(err, syscall.EIO) {
		t.Fatalf("Apply = %v, want the backup's error", err)
	}
	if committing {
		t.Error("the transaction went on to its commit without a durable backup")
	}
	if afterSum, _ := digest(t, dir); afterSum != beforeSum {
		t.Error("the bookmarks changed although the backup failed")
	}
	if _, err := os.Stat(filepath.Join(dir, BackupFolder, markerName)); err == nil {
		t.Error("the marker stayed behind")
	}
	if b, _ := LastBackup(dir); b != "" {
		t.Errorf("the failed backup %s is listed as one Undo would restore", b)
	}
	if err := openLikeFirefox(t, dir); err != nil {
		t.Error(err)
	}
}

// refusal runs Apply expecting err to match want, and checks that no file
// of the profile changed.
func refusal(t *testing.T, dir string, plan *Plan, want error, opts Options) {
	t.Helper()
	before := fileHashes(t, dir)
	_, err := Apply(context.Background(), dir, plan, opts)
	if err == nil {
		t.Fatal("apply succeeded")
	}
	if want != nil && !errors.Is(err, want) {
		t.Errorf("error %q does not match %q", err, want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	t.Logf("refused: %v", err)
	sameHashes(t, "after refusal", fileHashes(t, dir), before)
	if _, err := os.Stat(filepath.Join(dir, BackupFolder, markerName)); err == nil {
		t.Error("the in-progress marker was left behind")
	}
}

func TestRefusals(t *testing.T) {
	t.Run("firefox-running", func(t *testing.T) {
		dir, plan := prepare(t, "twoway")
		// Firefox's Linux lock: a symlink naming a live pid (ours).
		if err := os.Symlink(fmt.Sprintf("127.0.0.1:+%d", os.Getpid()), filepath.Join(dir, "lock")); err != nil {
			t.Fatal(err)
		}
		refusal(t, dir, plan, ErrFirefoxRunning, Options{})
		if _, err := Undo(dir); err == nil || !strings.Contains(err.Error(), "Firefox is running") {
			t.Errorf("undo while Firefox runs: %v", err)
		}
	})
	t.Run("changed-since-preview", func(t *testing.T) {
		dir, plan := prepare(t, "twoway")
		db, err := sql.Open("sqlite", placesPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE moz_bookmarks SET title = 'edited meanwhile', syncChangeCounter = syncChangeCounter + 1 WHERE guid = 'bmkMdn______'`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		refusal(t, dir, plan, ErrChanged, Options{})
	})
	t.Run("content-changed-same-stat", func(t *testing.T) {
		// Only the content fingerprint can see this: the plan's file
		// identity is refreshed, its fingerprint is not.
		dir, plan := prepare(t, "twoway")
		db, _ := sql.Open("sqlite", mirrorPath(dir))
		if _, err := db.Exec(`UPDATE items SET needsMerge = 1 WHERE guid = (SELECT guid FROM items WHERE needsMerge = 0 AND guid <> 'root________' LIMIT 1)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		plan.MirrorFile, _ = dbsnap.StatFile(mirrorPath(dir), "-journal")
		refusal(t, dir, plan, ErrChanged, Options{})
	})
	t.Run("unknown-schema", func(t *testing.T) {
		e := loadExpected(t, "twoway")
		dir := testutil.Profile(t, "twoway", "before")
		db, _ := sql.Open("sqlite", placesPath(dir))
		if _, err := db.Exec(`PRAGMA user_version = 87`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
		if err != nil {
			t.Fatal(err)
		}
		refusal(t, dir, plan, ErrUnsupportedSchema, Options{})
	})
	t.Run("mirror-missing", func(t *testing.T) {
		dir, plan := prepare(t, "twoway")
		if err := os.Remove(mirrorPath(dir)); err != nil {
			t.Fatal(err)
		}
		refusal(t, dir, plan, ErrNoMirror, Options{})
		if _, err := preparePlan(context.Background(), dir, plan.Times, mergeOptions()); !errors.Is(err, ErrNoMirror) {
			t.Errorf("prepare without mirror: %v", err)
		}
	})
	t.Run("read-only-injected", func(t *testing.T) {
		// As root, permissions do not stop writes, so the writability
		// probe is replaced by one that fails for the profile folder.
		dir, plan := prepare(t, "twoway")
		writable := func(p string) error {
			if p == dir {
				return syscall.EROFS
			}
			return nil
		}
		refusal(t, dir, plan, ErrReadOnly, Options{hooks: &testHooks{writable: writable}})
	})
	t.Run("read-only-chmod", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root: chmod does not stop root (see read-only-injected)")
		}
		dir, plan := prepare(t, "twoway")
		os.Chmod(dir, 0o555)
		defer os.Chmod(dir, 0o755)
		refusal(t, dir, plan, ErrReadOnly, Options{})
	})
	t.Run("locked-by-other-connection", func(t *testing.T) {
		for _, which := range []string{"places", "mirror"} {
			t.Run(which, func(t *testing.T) {
				dir, plan := prepare(t, "twoway")
				path := placesPath(dir)
				if which == "mirror" {
					path = mirrorPath(dir)
				}
				other, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				other.SetMaxOpenConns(1)
				ctx := context.Background()
				c, err := other.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if _, err := c.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
					t.Fatal(err)
				}
				refusal(t, dir, plan, ErrLocked, Options{})
				c.ExecContext(ctx, `ROLLBACK`)
			})
		}
	})
	t.Run("foreign-key-broken-at-commit", func(t *testing.T) {
		// Foreign keys are checked at COMMIT: a page pointing at no
		// origin makes the COMMIT fail, and nothing is written.
		dir, plan := prepare(t, "twoway")
		breakKey := func(tx *sql.Tx) error {
			_, err := tx.Exec(`UPDATE moz_places SET origin_id = (SELECT MAX(id) + 1 FROM moz_origins) WHERE id = (SELECT MIN(id) FROM moz_places)`)
			return err
		}
		refusal(t, dir, plan, nil, Options{hooks: &testHooks{beforeCommit: breakKey}})
		plan, err := preparePlan(context.Background(), dir, plan.Times, mergeOptions())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Apply(context.Background(), dir, plan, Options{}); err != nil {
			t.Errorf("the same apply without the broken key: %v", err)
		}
	})
	t.Run("write-fails-mid-transaction", func(t *testing.T) {
		// A fault injected between two statements of the transaction, as
		// an I/O error (ENOSPC) there would surface: SQLite rolls both
		// files back and the backup's exact bytes are put back.
		for _, at := range []string{"insert pages", "upsert items", "apply new structure", "flag remote items merged", "staged", "committing"} {
			t.Run(at, func(t *testing.T) {
				dir, plan := prepare(t, "twoway")
				fail := func(name string) error {
					if name == at {
						return fmt.Errorf("injected: %w", syscall.ENOSPC)
					}
					return nil
				}
				refusal(t, dir, plan, syscall.ENOSPC, Options{hooks: &testHooks{step: fail}})
			})
		}
	})
}

// TestDiskFull runs the apply on a profile that sits on a tiny tmpfs: the
// rollback journal cannot grow, SQLite fails with SQLITE_FULL inside the
// transaction, and the files must come out byte-identical.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	src, plan0 := prepare(t, "twoway")
	var total int64
	for _, f := range []string{placesPath(src), mirrorPath(src)} {
		fi, _ := os.Stat(f)
		total += fi.Size()
	}
	for _, slack := range []int64{16 << 10, 96 << 10, 192 << 10} {
		t.Run(fmt.Sprint(slack>>10, "KiB"), func(t *testing.T) {
			mnt := t.TempDir()
			size := (total + slack + 64<<10) / 4096 * 4096
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", mnt).CombinedOutput(); err != nil {
				t.Skipf("cannot mount a tmpfs: %v %s", err, out)
			}
			defer exec.Command("umount", mnt).Run()
			dir := filepath.Join(mnt, "p")
			os.MkdirAll(filepath.Join(dir, "weave"), 0o755)
			for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
				if _, _, err := copyFileSync(filepath.Join(src, f), filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
			}
			plan, err := preparePlan(context.Background(), dir, plan0.Times, mergeOptions())
			if err != nil {
				t.Fatal(err)
			}
			// Backups go to the big disk; only the journals must fit here.
			before := fileHashes(t, dir)
			_, err = Apply(context.Background(), dir, plan, Options{BackupRoot: t.TempDir(), NoFirefoxBackup: true, OutgoingPath: "-"})
			if err == nil {
				t.Logf("the apply fitted in %d KiB of slack", slack>>10)
				return
			}
			t.Logf("refused: %v", err)
			sameHashes(t, "after a full disk", fileHashes(t, dir), before)
		})
	}
}
