package apply

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/backup"
)

// incomingFolder holds, inside the backup root, the backups taken ahead of
// an apply (StartBackups) until the apply takes them: a folder there has
// no manifest where LastBackup, Undo or the explorer look, so a backup an
// apply never took is never restored.
const incomingFolder = ".incoming"

// staleIncoming is how old a folder left in incomingFolder (by a killed
// bmtui) must be before StartBackups removes it.
const staleIncoming = time.Hour

// Backups are the backups of a profile taken ahead of an apply, while its
// files are read and merged: the copies of both databases and Firefox's
// own bookmark backup, made as Apply makes them. Apply takes them when
// every file is still what was copied (size, time and identity, before
// and after the copy, and when Apply checks the files against the
// preview), and otherwise discards them and backs up again; either way
// the backups are complete and on disk before the transaction begins.
// A Backups belongs to one Apply (Options.EarlyBackups); Discard removes
// it when no apply takes it, and is harmless after one did.
type Backups struct {
	profileDir, root string
	done             chan struct{}

	// Set by take, read after done is closed.
	dir            string   // in root/incomingFolder
	firefox        string   // Firefox's backup, "" without one
	firefoxCreated bool     // firefox is a file this backup wrote
	madeDirs       []string // folders this backup created, innermost first
	warning        string
	files          map[string]fileState // every candidate file, the same before and after the copy
	err            error

	mu      sync.Mutex
	settled bool // taken by an apply, or discarded
}

// StartBackups starts backing up profileDir's databases for the apply
// that opts will be given to, in the background, and returns at once. It
// returns nil (Apply then backs up itself) when an apply would refuse
// anyway: Firefox running, an interrupted apply, no Sync mirror.
func StartBackups(profileDir string, opts Options) *Backups {
	if abs, err := filepath.Abs(profileDir); err == nil {
		profileDir = abs
	}
	opts = opts.withDefaults(profileDir)
	if running, _, _ := places.FirefoxRunning(profileDir); running {
		return nil
	}
	if _, err := os.Stat(filepath.Join(profileDir, BackupFolder, markerName)); err == nil {
		return nil
	}
	if _, err := os.Stat(mirrorPath(profileDir)); err != nil {
		return nil
	}
	b := &Backups{profileDir: profileDir, root: opts.BackupRoot, done: make(chan struct{})}
	// Folders made only for these backups go with them when discarded.
	for _, d := range []string{filepath.Join(opts.BackupRoot, incomingFolder), opts.BackupRoot, filepath.Join(profileDir, backup.FolderName)} {
		if _, err := os.Stat(d); errors.Is(err, os.ErrNotExist) {
			b.madeDirs = append(b.madeDirs, d)
		}
	}
	go b.take(opts)
	return b
}

func (b *Backups) take(opts Options) {
	defer close(b.done)
	before := candidateStates(b.profileDir)
	existing := map[string]bool{}
	for rel, st := range before {
		if st.exists {
			existing[rel] = true
		}
	}
	var firefox chan error
	if !opts.NoFirefoxBackup {
		firefox = make(chan error, 1)
		had := dirNames(filepath.Join(b.profileDir, backup.FolderName))
		go func() {
			var err error
			b.firefox, err = backup.WriteFile(b.profileDir, placesPath(b.profileDir), opts.Clock())
			b.firefoxCreated = err == nil && !had[filepath.Base(b.firefox)]
			firefox <- err
		}()
	}
	b.err = b.copyFiles(opts.Clock(), existing)
	if b.err == nil && !sameStates(before, candidateStates(b.profileDir)) {
		b.err = errors.New("the files changed while they were copied")
	}
	b.files = before
	if firefox != nil {
		if err := <-firefox; err != nil {
			b.warning = "Firefox bookmark backup not written: " + err.Error()
		}
	}
}

func (b *Backups) copyFiles(now time.Time, existing map[string]bool) error {
	incoming := filepath.Join(b.root, incomingFolder)
	if err := os.MkdirAll(incoming, 0o755); err != nil {
		return err
	}
	removeStale(incoming, now)
	dir := filepath.Join(incoming, backupName(now))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	b.dir = dir
	_, err := copyInto(b.profileDir, dir, now, backupCandidates, existing, nil)
	return err
}

// removeStale removes what killed runs left in the incoming folder.
func removeStale(incoming string, now time.Time) {
	ents, _ := os.ReadDir(incoming)
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > staleIncoming {
			os.RemoveAll(filepath.Join(incoming, e.Name()))
		}
	}
}

// takeFor waits for the backups and, when they are of the files as they
// are now (files, the candidate files' states when Apply checked them
// against the preview) and were made for this profile and backup root,
// moves the copies where Undo finds them and returns them. ok is false
// when Apply must back up itself; the backups are then discarded.
func (b *Backups) takeFor(profileDir, root string, files map[string]fileState) (taken backupsTaken, ok bool, err error) {
	if b == nil {
		return taken, false, nil
	}
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.settled {
		return taken, false, nil
	}
	if b.err != nil || b.profileDir != profileDir || b.root != root ||
		!sameStates(b.files, files) || !sameStates(b.files, candidateStates(profileDir)) {
		b.discardLocked()
		return taken, false, nil
	}
	b.settled = true
	dst := filepath.Join(root, filepath.Base(b.dir))
	if err := os.Rename(b.dir, dst); err != nil {
		b.settled = false
		b.discardLocked()
		return taken, false, nil
	}
	os.Remove(filepath.Dir(b.dir)) // the incoming folder, when empty
	for _, d := range []string{root, filepath.Dir(root)} {
		if err := syncDir(d); err != nil {
			return taken, false, fmt.Errorf("cannot back up the databases into %s: %w", root, err)
		}
	}
	return backupsTaken{dir: dst, firefox: b.firefox, warning: b.warning}, true, nil
}

// Discard waits for the backups and removes them, unless an apply took
// them: the copies, and Firefox's backup when this one wrote it.
func (b *Backups) Discard() {
	if b == nil {
		return
	}
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	b.discardLocked()
}

func (b *Backups) discardLocked() {
	if b.settled {
		return
	}
	b.settled = true
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
	if b.firefoxCreated {
		os.Remove(b.firefox)
	}
	for _, d := range b.madeDirs {
		os.Remove(d) // only when empty
	}
}

// fileState is what a candidate file is on disk. An empty file counts as
// absent, as in dbsnap.StatFile: any connection creates an empty -wal,
// and it carries nothing.
type fileState struct {
	exists   bool
	size     int64
	mod      time.Time
	dev, ino uint64
}

// candidateStates returns the state of every backup candidate of profile.
func candidateStates(profile string) map[string]fileState {
	out := make(map[string]fileState, len(backupCandidates))
	for _, rel := range backupCandidates {
		var st fileState
		if fi, err := os.Stat(filepath.Join(profile, rel)); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			st = fileState{exists: true, size: fi.Size(), mod: fi.ModTime()}
			if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
				st.dev, st.ino = uint64(sys.Dev), uint64(sys.Ino)
			}
		}
		out[rel] = st
	}
	return out
}

func sameStates(a, b map[string]fileState) bool {
	if len(a) != len(b) {
		return false
	}
	for rel, x := range a {
		y, ok := b[rel]
		if !ok || x.exists != y.exists || x.size != y.size || !x.mod.Equal(y.mod) || x.dev != y.dev || x.ino != y.ino {
			return false
		}
	}
	return true
}

// dirNames returns the names in dir (none when it does not exist).
func dirNames(dir string) map[string]bool {
	ents, _ := os.ReadDir(dir)
	out := make(map[string]bool, len(ents))
	for _, e := range ents {
		out[e.Name()] = true
	}
	return out
}
