package apply

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/sync/merge"
)

// prepareAhead starts the backups, then makes the plan with the profile
// left open, as the apply command does.
func prepareAhead(t *testing.T, dir string, opts Options) (*Plan, *Backups) {
	t.Helper()
	early := StartBackups(dir, opts)
	if early == nil {
		t.Fatal("no backups started")
	}
	e := loadExpected(t, "twoway")
	plan, closeProfile, err := preparePlanOpen(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeProfile)
	return plan, early
}

// listBackups returns the copies of places.sqlite and Firefox's backups in
// the profile, wherever they are.
func listBackups(t *testing.T, dir string) (copies, incoming, firefox []string) {
	t.Helper()
	copies, _ = filepath.Glob(filepath.Join(dir, BackupFolder, "*", "places.sqlite"))
	incoming, _ = filepath.Glob(filepath.Join(dir, BackupFolder, incomingFolder, "*"))
	firefox, _ = filepath.Glob(filepath.Join(dir, "bookmarkbackups", "bookmarks-*.jsonlz4"))
	return copies, incoming, firefox
}

// TestEarlyBackupsTaken checks that backups started ahead are the apply's
// backups: on disk where Undo finds them when the transaction begins, and
// Undo puts back the exact files.
func TestEarlyBackupsTaken(t *testing.T) {
	dir, _ := prepare(t, "twoway")
	before := fileHashes(t, dir)
	plan, early := prepareAhead(t, dir, Options{})
	<-early.done
	aheadDir := early.dir
	var checked bool
	step := func(name string) error {
		if name == "begin" {
			checked = true
			copies, incoming, firefox := listBackups(t, dir)
			if len(copies) != 1 || len(incoming) != 0 || len(firefox) != 1 {
				t.Errorf("at the start of the transaction: copies %v, incoming %v, Firefox backups %v", copies, incoming, firefox)
			}
		}
		return nil
	}
	rep, err := Apply(context.Background(), dir, plan, Options{EarlyBackups: early, hooks: &testHooks{step: step}})
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Fatal("the transaction never began")
	}
	if filepath.Base(rep.BackupDir) != filepath.Base(aheadDir) || filepath.Dir(rep.BackupDir) != filepath.Join(dir, BackupFolder) {
		t.Errorf("backup %s, want the one taken ahead (%s) moved into %s", rep.BackupDir, aheadDir, BackupFolder)
	}
	if rep.FirefoxBackup == "" || rep.FirefoxBackup != early.firefox {
		t.Errorf("Firefox backup %q, want the one taken ahead %q", rep.FirefoxBackup, early.firefox)
	}
	early.Discard() // after the apply took them: nothing happens
	if _, err := os.Stat(rep.BackupDir); err != nil {
		t.Errorf("Discard after the apply: %v", err)
	}
	if _, err := Undo(dir); err != nil {
		t.Fatal(err)
	}
	sameHashes(t, "after undo", fileHashes(t, dir), before)
}

// TestEarlyBackupsOfChangedFiles changes places.sqlite after the backups
// were taken ahead (a visit, which the plan's fingerprint does not see):
// Apply must not use copies of what the file no longer is, but back up
// again, so that Undo gives back the file as it was just before the write.
func TestEarlyBackupsOfChangedFiles(t *testing.T) {
	dir, _ := prepare(t, "twoway")
	early := StartBackups(dir, Options{})
	<-early.done
	aheadDir, aheadFirefox := early.dir, early.firefox
	db, err := sql.Open("sqlite", placesPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE moz_places SET visit_count = visit_count + 1 WHERE id = (SELECT min(id) FROM moz_places)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	e := loadExpected(t, "twoway")
	plan, closeProfile, err := preparePlanOpen(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer closeProfile()
	before := fileHashes(t, dir)
	rep, err := Apply(context.Background(), dir, plan, Options{EarlyBackups: early})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(rep.BackupDir) == filepath.Base(aheadDir) {
		t.Errorf("the apply used the backup taken before the file changed")
	}
	if _, err := os.Stat(aheadDir); err == nil {
		t.Errorf("the stale backup %s was left", aheadDir)
	}
	copies, incoming, firefox := listBackups(t, dir)
	if len(copies) != 1 || len(incoming) != 0 || len(firefox) != 1 || firefox[0] != rep.FirefoxBackup {
		t.Errorf("after the apply: copies %v, incoming %v, Firefox backups %v (reported %s, stale %s)", copies, incoming, firefox, rep.FirefoxBackup, aheadFirefox)
	}
	if _, err := Undo(dir); err != nil {
		t.Fatal(err)
	}
	sameHashes(t, "after undo", fileHashes(t, dir), before)
}

// TestEarlyBackupsLeftNothing checks that backups taken ahead of an apply
// that refuses, or that is never run (the user declined), leave nothing:
// no copies, no Firefox backup, not even their folders.
func TestEarlyBackupsLeftNothing(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		dir, _ := prepare(t, "twoway")
		plan, early := prepareAhead(t, dir, Options{})
		db, err := sql.Open("sqlite", placesPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE moz_bookmarks SET title = 'edited meanwhile', syncChangeCounter = syncChangeCounter + 1 WHERE guid = 'bmkMdn______'`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		refusal(t, dir, plan, ErrChanged, Options{EarlyBackups: early})
		noBackupFolders(t, dir)
	})
	t.Run("declined", func(t *testing.T) {
		dir, _ := prepare(t, "twoway")
		_, early := prepareAhead(t, dir, Options{})
		early.Discard()
		noBackupFolders(t, dir)
	})
	t.Run("nothing-to-apply", func(t *testing.T) {
		dir, _ := prepare(t, "twoway")
		plan, early := prepareAhead(t, dir, Options{})
		plan.cachedOps = &merge.Ops{} // a merge with nothing to write
		rep, err := Apply(context.Background(), dir, plan, Options{EarlyBackups: early})
		if err != nil || !rep.Skipped {
			t.Fatalf("second apply: %v, skipped %v", err, rep != nil && rep.Skipped)
		}
		noBackupFolders(t, dir)
	})
}

func noBackupFolders(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{BackupFolder, "bookmarkbackups"} {
		if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
			t.Errorf("%s is left", d)
		}
	}
}
