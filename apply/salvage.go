package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/rebuild"
)

// salvagePrefix starts the marker's content while a salvage replaces
// places.sqlite: "SALVAGE <backup folder>", then, once the new file is
// complete, " <its SHA-256>".
const salvagePrefix = "SALVAGE "

// salvageSuffix names the new database while it is built beside the
// original.
const salvageSuffix = ".bmtui-salvage"

// salvageCandidates are the files a salvage replaces or keeps, relative to
// the profile: the damaged database, its companions and the copy Firefox
// moved aside. The backup holds each that exists, so Undo restores them
// byte for byte. The mirror is kept too (it is not written): restoring a
// backup removes companion files the backup lacks, and a mirror's hot
// journal must never go without its database.
var salvageCandidates = []string{
	"places.sqlite", "places.sqlite-wal", "places.sqlite-shm", "places.sqlite-journal", "places.sqlite.corrupt",
	filepath.Join("weave", "bookmarks.sqlite"), filepath.Join("weave", "bookmarks.sqlite-journal"), filepath.Join("weave", "bookmarks.sqlite-wal"),
}

// salvageLinked are the candidates the backup hard-links instead of
// copying: a salvage never writes them, only removes them or renames the
// new file over them, so the backup's link keeps the damaged bytes. The
// mirror and the moved-aside copy stay copies: Firefox may later write
// those in place.
var salvageLinked = map[string]bool{
	"places.sqlite": true, "places.sqlite-wal": true, "places.sqlite-shm": true, "places.sqlite-journal": true,
}

// SalvageReport says what WriteSalvage did.
type SalvageReport struct {
	// BackupDir holds the damaged files as they were.
	BackupDir string
	// Path is the new places.sqlite.
	Path string
	// SHA256 is the new file's digest.
	SHA256 string
	// Write, Verify (the read-back) and Swap are how long each step took.
	Write, Verify, Swap time.Duration
}

// salvageHooks let this package's tests see the steps; nil otherwise.
type salvageHooks struct{ step func(name string) }

func (h *salvageHooks) at(name string) {
	if h != nil && h.step != nil {
		h.step(name)
	}
}

// WriteSalvage replaces the profile's places.sqlite with a new file built
// from db (rebuild.Prepare, then WriteVerified: written, then read back).
// It refuses while Firefox holds the profile, and before touching
// anything when db is not a tree Firefox can hold; it first finishes any
// interrupted bmtui operation. The damaged files (places.sqlite, -wal,
// -shm, -journal, .corrupt) and the mirror are kept in
// bmtui-backups/<now>/ first (places.sqlite and its companions by hard
// links: the salvage only removes them), so Undo restores them exactly.
//
// The steps are ordered so that a kill at any moment leaves either the
// damaged original or the complete salvage once Recover has run (bmtui's
// commands run it first): the marker is written, then the backup is made
// (the marker names its folder before its manifest exists) while the new
// file is built and verified beside the original, the marker records its
// digest, the old -wal, -shm and -journal are removed (so they
// can never be replayed onto the new file), and a rename puts the new
// file in place. A salvage rolled back discards its backup.
func WriteSalvage(ctx context.Context, profileDir string, db *rebuild.Database, now time.Time) (*SalvageReport, error) {
	return writeSalvage(ctx, profileDir, db, now, nil)
}

func writeSalvage(ctx context.Context, profileDir string, db *rebuild.Database, now time.Time, hooks *salvageHooks) (*SalvageReport, error) {
	if running, pid, _ := places.FirefoxRunning(profileDir); running {
		return nil, fmt.Errorf("%w (pid %d) with profile %s: quit Firefox before salvaging", ErrFirefoxRunning, pid, profileDir)
	}
	// The rows are derived while the damaged files are backed up (the
	// copies wait mostly on fsync); a db Firefox cannot hold is refused
	// before anything is touched when that shows first, else the backup
	// is rolled back as after any failure before the swap.
	type prep struct {
		p   *rebuild.Prepared
		err error
	}
	prepCh := make(chan prep, 1)
	go func() {
		p, err := rebuild.Prepare(db, now)
		prepCh <- prep{p, err}
	}()
	var prepared *rebuild.Prepared
	waitPrepared := func() error {
		if prepared != nil {
			return nil
		}
		r := <-prepCh
		prepared = r.p
		return r.err
	}
	// Derivation usually ends within the backup; when it ended already, a
	// refusal touches nothing at all.
	select {
	case r := <-prepCh:
		if r.err != nil {
			return nil, r.err
		}
		prepared = r.p
	default:
	}
	if _, err := Recover(profileDir); err != nil {
		return nil, fmt.Errorf("salvage: %w", err)
	}
	pp := placesPath(profileDir)
	newPath := pp + salvageSuffix
	for _, f := range []string{newPath, newPath + "-wal", newPath + "-shm", newPath + "-journal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	existing := map[string]bool{}
	for _, rel := range salvageCandidates {
		existing[rel] = true
	}
	root := filepath.Join(profileDir, BackupFolder)
	_, statErr := os.Stat(root)
	createdRoot := errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("salvage: %w", err)
	}
	// The marker comes first, so that a backup cut short is never taken
	// for one that Undo could restore: until the marker names it, Recover
	// only removes the marker.
	marker := filepath.Join(root, markerName)
	if err := writeMarker(marker, salvagePrefix); err != nil {
		return nil, fmt.Errorf("salvage: %w", err)
	}
	hooks.at("backup")
	// The backup is made while the rows are derived and the new file is
	// written and verified beside the original: only the swap needs it.
	// The marker names the backup folder before the backup's manifest
	// exists, so that a kill at any moment leaves no complete backup the
	// marker does not name (Recover discards what it names).
	type backupResult struct {
		dir   string
		named bool // the marker names dir
		err   error
	}
	backedUp := make(chan backupResult, 1)
	go func() {
		c, err := copyFileList(profileDir, root, now, salvageCandidates, existing, salvageLinked)
		if err != nil {
			backedUp <- backupResult{err: err}
			return
		}
		if err := writeMarker(marker, salvagePrefix+c.dir); err != nil {
			backedUp <- backupResult{dir: c.dir, err: err}
			return
		}
		hooks.at("backup-named")
		backedUp <- backupResult{dir: c.dir, named: true, err: c.makeDurable()}
	}()
	prepErr := waitPrepared()
	var writeErr error
	var write, verify time.Duration
	var sum string
	if prepErr == nil {
		hooks.at("write")
		write, verify, sum, writeErr = prepared.WriteVerifiedSum(ctx, newPath)
	}
	bk := <-backedUp
	if bk.err != nil {
		err := fmt.Errorf("backing up %s: %w", profileDir, bk.err)
		content := salvagePrefix
		if bk.named {
			content += bk.dir
		}
		if rerr := recoverSalvage(profileDir, marker, content); rerr != nil {
			return nil, fmt.Errorf("%w (and cleaning up: %v)", err, rerr)
		}
		return nil, err
	}
	dir := bk.dir
	rep := &SalvageReport{BackupDir: dir, Path: pp, Write: write, Verify: verify}
	// Until the rename, a failure leaves the original in place: undo what
	// was started so no marker is left behind.
	abort := func(err error) (*SalvageReport, error) {
		if rerr := recoverSalvage(profileDir, marker, salvagePrefix+dir); rerr != nil {
			return nil, fmt.Errorf("%w (and rolling back: %v)", err, rerr)
		}
		return nil, err
	}
	if prepErr != nil {
		// Refused: as if nothing had been started.
		rep, aerr := abort(prepErr)
		if createdRoot {
			os.Remove(root) // only when empty: the marker and the backup are gone
		}
		return rep, aerr
	}
	if writeErr != nil {
		return abort(writeErr)
	}
	for _, f := range []string{newPath + "-wal", newPath + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return abort(err)
		}
	}
	rep.SHA256 = sum // of the file as verified: nothing wrote it since

	start := time.Now()
	if err := writeMarker(marker, salvagePrefix+dir+" "+sum); err != nil {
		return abort(err)
	}
	hooks.at("swap")
	// The old companions go before the new file comes: a -wal left next
	// to the new file would be replayed onto it.
	for _, suf := range companionSuffixes {
		if err := os.Remove(pp + suf); err != nil && !errors.Is(err, os.ErrNotExist) {
			return abort(err)
		}
	}
	if err := syncDir(profileDir); err != nil {
		return abort(err)
	}
	hooks.at("rename")
	if err := os.Rename(newPath, pp); err != nil {
		return abort(fmt.Errorf("salvage: %w", err))
	}
	// From here the salvage is in place; a failure below only leaves the
	// marker for Recover to remove.
	if err := syncDir(profileDir); err != nil {
		return nil, fmt.Errorf("salvage: %w", err)
	}
	hooks.at("swapped")
	if err := os.Remove(marker); err != nil {
		return nil, fmt.Errorf("salvage: %w", err)
	}
	if err := syncDir(root); err != nil {
		return nil, fmt.Errorf("salvage: %w", err)
	}
	rep.Swap = time.Since(start)
	return rep, nil
}

// writeMarker replaces the marker's content atomically (temporary file,
// rename, fsync of the folder).
func writeMarker(marker, content string) error {
	tmp := marker + ".tmp"
	if err := writeFileSync(tmp, []byte(content)); err != nil {
		return err
	}
	if err := os.Rename(tmp, marker); err != nil {
		return err
	}
	return syncDir(filepath.Dir(marker))
}

// recoverSalvage finishes or rolls back an interrupted salvage. The marker
// says how far it got: "SALVAGE" alone (the backup was not complete:
// nothing else was touched), then the backup folder, then the new file's
// digest once that file was complete. The swap happened when the digest
// is recorded, the new file is gone from beside the original, and
// places.sqlite is no longer the backed-up original: then only the marker
// is left to remove (any -wal now present belongs to the new file: the
// old one was removed before the rename). Otherwise the new file is
// removed, the backup put back exactly and then discarded, so that Undo
// does not take it for an operation that happened.
func recoverSalvage(profileDir, marker, content string) error {
	fields := strings.Fields(strings.TrimPrefix(content, strings.TrimSpace(salvagePrefix)))
	if len(fields) > 2 {
		return fmt.Errorf("interrupted salvage: unreadable marker %s", marker)
	}
	pp := placesPath(profileDir)
	newPath := pp + salvageSuffix
	removeNew := func() error {
		for _, f := range []string{newPath, newPath + "-wal", newPath + "-shm", newPath + "-journal"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	var m *Manifest
	if len(fields) > 0 {
		var err error
		if m, err = readManifest(fields[0]); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("interrupted salvage: %w", err)
		}
	}
	swapped := false
	if _, err := os.Stat(newPath); len(fields) == 2 && m != nil && errors.Is(err, os.ErrNotExist) {
		var orig string
		for _, f := range m.Files {
			if f.Name == places.FileName {
				orig = f.SHA256
			}
		}
		_, sum, err := fileSHA256(pp)
		swapped = err == nil && (sum == fields[1] || sum != orig)
	}
	if !swapped {
		if err := removeNew(); err != nil {
			return err
		}
		// Without a manifest the backup was never complete, or a
		// rollback had already put it back and begun discarding it.
		if m != nil {
			dir := fields[0]
			if err := restoreBackup(profileDir, dir, true); err != nil {
				return fmt.Errorf("rolling back the interrupted salvage from %s: %w", dir, err)
			}
			if err := os.Remove(filepath.Join(dir, manifestName)); err != nil {
				return err
			}
			if err := syncDir(dir); err != nil {
				return err
			}
		}
		if len(fields) > 0 {
			if err := os.RemoveAll(fields[0]); err != nil {
				return err
			}
		}
	}
	if err := os.Remove(marker); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	os.Remove(marker + ".tmp")
	return syncDir(filepath.Dir(marker))
}

// InterruptedSalvage reports whether the profile's pending bmtui operation
// (the one Recover would finish) is a salvage rather than an apply, so a
// caller can word its note.
func InterruptedSalvage(profileDir string) bool {
	data, err := os.ReadFile(filepath.Join(profileDir, BackupFolder, markerName))
	return err == nil && strings.HasPrefix(string(data), salvagePrefix)
}

func readManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("backup %s: bad manifest: %w", dir, err)
	}
	return &m, nil
}
