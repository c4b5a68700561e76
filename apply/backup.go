package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/backup"
)

// BackupFolder is where bmtui keeps its own copies of the database files,
// one sub-folder per apply, inside the profile.
const BackupFolder = "bmtui-backups"

// markerName is the file that exists in the backup folder from just before
// the first write of an apply until places.sqlite is back in WAL mode. Its
// content is the path of the backup folder of that apply, prefixed by
// "RESTORING " while a failed apply puts that backup back.
const markerName = "APPLYING"

const manifestName = "manifest.json"

// undoneName marks a backup that Undo has restored, so the next Undo goes
// one apply further back. The copies stay.
const undoneName = "UNDONE"

// restoringPrefix starts the marker's content while a failed apply puts
// the backup back.
const restoringPrefix = "RESTORING "

// Manifest lists the files of one backup.
type Manifest struct {
	Created time.Time      `json:"created"`
	Files   []ManifestFile `json:"files"`
}

// ManifestFile is one copied file, named relative to the profile.
type ManifestFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// backupCandidates are the files an apply may change, relative to the
// profile: both databases and their companions.
var backupCandidates = []string{
	"places.sqlite", "places.sqlite-wal", "places.sqlite-journal",
	filepath.Join("weave", "bookmarks.sqlite"), filepath.Join("weave", "bookmarks.sqlite-journal"), filepath.Join("weave", "bookmarks.sqlite-wal"),
}

// companions are files that must not survive a restore unless the backup
// has them: a leftover journal would be "rolled back" into the restored
// file.
var companionSuffixes = []string{"-wal", "-shm", "-journal"}

// backupFiles copies the database files of profile that are in existing
// (what was there before the apply opened anything) into a new folder
// under root, fsyncing every file and folder, and writes its manifest.
func backupFiles(profile, root string, now time.Time, existing map[string]bool) (string, error) {
	return backupFileList(profile, root, now, backupCandidates, existing, nil)
}

// backupFileList is backupFiles for another list of candidate files.
// Files in link are hard-linked rather than copied (where the file system
// allows): only for files the caller never changes in place, but removes
// or replaces by a rename, so the backup keeps the very bytes.
func backupFileList(profile, root string, now time.Time, candidates []string, existing, link map[string]bool) (string, error) {
	c, err := copyFileList(profile, root, now, candidates, existing, link)
	if err != nil {
		return "", err
	}
	return c.dir, c.makeDurable()
}

// fileCopies are the copies of one backup, their bytes written but not
// yet on disk: makeDurable finishes the backup.
type fileCopies struct {
	root, dir string
	created   time.Time
	files     []string // relative to dir
	// beforeManifest, set by tests, fails the backup after the fsyncs.
	beforeManifest func() error
}

// copyFileList copies (or links) the candidate files of profile that are
// in existing into a new folder under root. It does not wait for the
// disk: the copies' bytes are taken, in the page cache, when it returns.
func copyFileList(profile, root string, now time.Time, candidates []string, existing, link map[string]bool) (*fileCopies, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	name := now.UTC().Format("20060102T150405.000000000Z")
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	c := &fileCopies{root: root, dir: dir, created: now}
	for _, rel := range candidates {
		if !existing[rel] {
			continue
		}
		fi, err := os.Stat(filepath.Join(profile, rel))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		if fi.Mode().IsRegular() {
			c.files = append(c.files, rel)
		}
	}
	var g errgroup.Group
	for _, rel := range c.files {
		g.Go(func() error {
			dst := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if link[rel] {
				return linkFile(filepath.Join(profile, rel), dst)
			}
			return copyFile(filepath.Join(profile, rel), dst)
		})
	}
	return c, g.Wait()
}

// makeDurable fsyncs every copy, hashing it, writes the manifest and
// fsyncs the folders: the backup then survives a crash, and LastBackup
// and Undo find it.
func (c *fileCopies) makeDurable() error {
	m := Manifest{Created: c.created, Files: make([]ManifestFile, len(c.files))}
	// The files at once: each waits mostly on its fsync.
	var g errgroup.Group
	for i, rel := range c.files {
		g.Go(func() error {
			size, sum, err := syncAndHash(filepath.Join(c.dir, rel))
			m.Files[i] = ManifestFile{Name: rel, Size: size, SHA256: sum}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if c.beforeManifest != nil {
		if err := c.beforeManifest(); err != nil {
			return err
		}
	}
	// The manifest goes in by a rename: a kill while it is written must
	// leave none (LastBackup skips such a folder), never half of one.
	data, _ := json.MarshalIndent(m, "", "  ")
	tmp := filepath.Join(c.dir, manifestName+".tmp")
	if err := writeFileSync(tmp, data); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(c.dir, manifestName)); err != nil {
		return err
	}
	for _, d := range []string{filepath.Join(c.dir, "weave"), c.dir, c.root, filepath.Dir(c.root)} {
		if _, err := os.Stat(d); err == nil {
			if err := syncDir(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyFile copies src to dst (created exclusively) without waiting for
// the disk (io.Copy lets the kernel copy: copy_file_range).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

// linkFile makes dst a hard link to src, or a copy where the file system
// has no hard links.
func linkFile(src, dst string) error {
	if err := os.Link(src, dst); err != nil {
		if _, serr := os.Lstat(dst); serr == nil {
			return err // dst exists: not a file system without links
		}
		return copyFile(src, dst)
	}
	return nil
}

// syncAndHash fsyncs the file at path (a hard-linked original may not be
// on disk yet either) and returns its size and SHA-256.
func syncAndHash(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// copyFileSync copies src to dst (created exclusively), fsyncs it and
// returns its size and SHA-256.
func copyFileSync(src, dst string) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// overwriteFile writes src's bytes over dst without truncating it first
// (so no new space is needed for a file of the same size), then truncates
// it to src's size and fsyncs it.
func overwriteFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, in)
	if err == nil {
		err = out.Truncate(n)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func fileSHA256(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// LastBackup returns the newest backup folder of the profile that has a
// manifest and has not been undone, or "" when there is none.
func LastBackup(profileDir string) (string, error) {
	root := filepath.Join(profileDir, BackupFolder)
	ents, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", nil
		}
		return "", err
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		_, manifest := os.Stat(filepath.Join(root, e.Name(), manifestName))
		_, undone := os.Stat(filepath.Join(root, e.Name(), undoneName))
		if manifest == nil && undone != nil {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	sort.Strings(names)
	return filepath.Join(root, names[len(names)-1]), nil
}

// restoreBackup puts the files of backup dir back into profile exactly
// (byte-identical) and removes companion files (journals, WALs, shared
// memory) that the backup does not have. Files that already have the
// backup's bytes are left alone. Others are replaced through a temporary
// file and a rename, or, with inPlace (used after a failed apply, when the
// disk may be full), overwritten in place, which needs no extra space.
func restoreBackup(profile, dir string, inPlace bool) error {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return fmt.Errorf("backup %s: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("backup %s: bad manifest: %w", dir, err)
	}
	have := make(map[string]bool)
	for _, f := range m.Files {
		size, sum, err := fileSHA256(filepath.Join(dir, f.Name))
		if err != nil {
			return fmt.Errorf("backup %s: %w", dir, err)
		}
		if size != f.Size || sum != f.SHA256 {
			return fmt.Errorf("backup %s: %s does not match its manifest (damaged backup)", dir, f.Name)
		}
		have[f.Name] = true
	}
	for _, f := range m.Files {
		dst := filepath.Join(profile, f.Name)
		if size, sum, err := fileSHA256(dst); err == nil && size == f.Size && sum == f.SHA256 {
			continue
		}
		if inPlace {
			if err := overwriteFile(filepath.Join(dir, f.Name), dst); err != nil {
				return err
			}
			continue
		}
		tmp := dst + ".bmtui-restore"
		os.Remove(tmp)
		if _, _, err := copyFileSync(filepath.Join(dir, f.Name), tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	for _, db := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
		for _, suf := range companionSuffixes {
			if !have[db+suf] {
				if err := os.Remove(filepath.Join(profile, db+suf)); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
			}
		}
		// Super-journals of an interrupted multi-file commit.
		matches, _ := filepath.Glob(filepath.Join(profile, filepath.Dir(db), filepath.Base(db)+"-mj*"))
		for _, mj := range matches {
			os.Remove(mj)
		}
	}
	for _, d := range []string{filepath.Join(profile, "weave"), profile} {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// Undo restores both database files of the profile from the newest bmtui
// backup not undone yet (so undoing again goes one apply further back), byte for byte, and returns that backup's folder. It refuses
// while Firefox holds the profile.
func Undo(profileDir string) (string, error) {
	if running, pid, _ := places.FirefoxRunning(profileDir); running {
		return "", fmt.Errorf("Firefox is running (pid %d) with profile %s: quit it before undoing", pid, profileDir)
	}
	dir, err := LastBackup(profileDir)
	if err != nil {
		return "", err
	}
	if dir == "" {
		return "", fmt.Errorf("no bmtui backup in %s", filepath.Join(profileDir, BackupFolder))
	}
	if err := restoreBackup(profileDir, dir, false); err != nil {
		return "", err
	}
	if err := os.Remove(filepath.Join(profileDir, BackupFolder, markerName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := writeFileSync(filepath.Join(dir, undoneName), nil); err != nil {
		return "", fmt.Errorf("mark %s as undone: %w", dir, err)
	}
	return dir, nil
}

// Recover finishes an apply that was interrupted (killed, power loss)
// between its first write and its last step: opening the databases lets
// SQLite roll back an uncommitted transaction from its hot journals (or
// discard the journals of a committed one), and places.sqlite is switched
// back to WAL mode. It reports whether there was anything to recover.
// It refuses while Firefox holds the profile.
func Recover(profileDir string) (bool, error) {
	marker := filepath.Join(profileDir, BackupFolder, markerName)
	if _, err := os.Stat(marker); err != nil {
		return false, nil
	}
	if running, pid, _ := places.FirefoxRunning(profileDir); running {
		return false, fmt.Errorf("Firefox is running (pid %d) with profile %s: an interrupted bmtui apply must be finished first; quit Firefox", pid, profileDir)
	}
	if data, err := os.ReadFile(marker); err == nil && strings.HasPrefix(string(data), salvagePrefix) {
		return true, recoverSalvage(profileDir, marker, string(data))
	}
	if data, err := os.ReadFile(marker); err == nil && strings.HasPrefix(string(data), restoringPrefix) {
		// A failed apply was putting the backup back: finish that.
		dir := strings.TrimSpace(strings.TrimPrefix(string(data), restoringPrefix))
		if err := restoreBackup(profileDir, dir, true); err != nil {
			return false, fmt.Errorf("finishing the restore of %s: %w", dir, err)
		}
		if err := os.Remove(marker); err != nil {
			return false, err
		}
		return true, syncDir(filepath.Dir(marker))
	}
	c, err := openConn(placesPath(profileDir), nil)
	if err != nil {
		return false, err
	}
	defer c.close()
	if _, err := os.Stat(mirrorPath(profileDir)); err == nil {
		if _, err := c.db.Exec(`ATTACH DATABASE ? AS mirror`, mirrorPath(profileDir)); err != nil {
			return false, err
		}
	}
	// Reading each schema makes SQLite deal with its hot journal.
	var n int
	if err := c.db.QueryRow(`SELECT count(*) FROM main.sqlite_master`).Scan(&n); err != nil {
		return false, fmt.Errorf("recover %s: %w", placesPath(profileDir), err)
	}
	if _, err := os.Stat(mirrorPath(profileDir)); err == nil {
		if err := c.db.QueryRow(`SELECT count(*) FROM mirror.sqlite_master`).Scan(&n); err != nil {
			return false, fmt.Errorf("recover %s: %w", mirrorPath(profileDir), err)
		}
	}
	var mode string
	if err := c.db.QueryRow(`PRAGMA main.journal_mode = WAL`).Scan(&mode); err != nil {
		return false, fmt.Errorf("recover %s: %w", placesPath(profileDir), err)
	}
	if !strings.EqualFold(mode, "wal") {
		return false, fmt.Errorf("recover %s: cannot switch back to WAL (journal mode %s)", placesPath(profileDir), mode)
	}
	if err := c.close(); err != nil {
		return false, err
	}
	if err := os.Remove(marker); err != nil {
		return false, err
	}
	return true, syncDir(filepath.Dir(marker))
}

// backupsTaken is what backupBeforeWriting made: the copies' folder, and
// Firefox's own backup or why it could not be written (a warning, as the
// copies alone can undo the write).
type backupsTaken struct {
	dir, firefox, warning string
}

// backupBeforeWriting copies the files in existing into a new folder of
// opts.BackupRoot (unless copyFiles is false) while Firefox's own backup
// is exported from pp on a connection of its own (unless opts says not
// to); what names the copied files in the error.
func backupBeforeWriting(profileDir, pp string, opts Options, existing map[string]bool, copyFiles bool, what string) (backupsTaken, error) {
	var taken backupsTaken
	var firefox chan error
	if !opts.NoFirefoxBackup {
		firefox = make(chan error, 1)
		go func() {
			var err error
			taken.firefox, err = backup.WriteFile(profileDir, pp, opts.Clock())
			firefox <- err
		}()
	}
	var err error
	if copyFiles {
		taken.dir, err = backupFiles(profileDir, opts.BackupRoot, opts.Clock(), existing)
	}
	if firefox != nil {
		if ferr := <-firefox; ferr != nil {
			taken.warning = "Firefox bookmark backup not written: " + ferr.Error()
		}
	}
	if err != nil {
		return taken, fmt.Errorf("cannot back up %s into %s: %w", what, opts.BackupRoot, err)
	}
	return taken, nil
}

// pendingBackup is a backup whose copies are taken and which becomes
// durable in the background (fsync, manifest, Firefox's own backup
// exported from the copy of places.sqlite) while the write runs; the
// write waits for it before its COMMIT.
type pendingBackup struct {
	dir string
	// copied is true when the copies in dir were taken before
	// startBackup returned and places.sqlite's has no write-ahead log:
	// they are the files as they were before the write.
	copied bool
	done   chan struct{}
	taken  backupsTaken
	err    error
}

// wait returns once the backup is durable (or failed); what names the
// copied files in the error. It may be called more than once.
func (b *pendingBackup) wait() (backupsTaken, error) {
	<-b.done
	return b.taken, b.err
}

// startBackup takes the apply's backups. The copies' bytes are taken
// before it returns, so the write may then change the files; the rest
// runs in the background (pendingBackup.wait). A profile with a
// write-ahead log beside places.sqlite, or an apply that makes no copies,
// takes its backups whole, before returning, as backupBeforeWriting does:
// Firefox's backup is then exported from places.sqlite itself.
func startBackup(profileDir, pp string, opts Options, existing map[string]bool, copyFiles bool, hooks *testHooks) (*pendingBackup, error) {
	const what = "the databases"
	b := &pendingBackup{done: make(chan struct{})}
	if fi, err := os.Stat(pp + "-wal"); !copyFiles || err == nil && fi.Size() > 0 {
		defer close(b.done)
		b.taken, b.err = backupBeforeWriting(profileDir, pp, opts, existing, copyFiles, what)
		b.dir = b.taken.dir
		return b, b.err
	}
	fail := func(err error) error { return fmt.Errorf("cannot back up %s into %s: %w", what, opts.BackupRoot, err) }
	copies, err := copyFileList(profileDir, opts.BackupRoot, opts.Clock(), backupCandidates, existing, nil)
	if err != nil {
		close(b.done)
		return nil, fail(err)
	}
	b.dir, b.copied = copies.dir, true
	b.taken.dir = copies.dir
	if hooks != nil {
		copies.beforeManifest = hooks.backupDurable
	}
	go func() {
		defer close(b.done)
		var firefox chan error
		if !opts.NoFirefoxBackup {
			firefox = make(chan error, 1)
			go func() {
				var err error
				b.taken.firefox, err = backup.WriteCopy(profileDir, filepath.Join(copies.dir, "places.sqlite"), opts.Clock())
				firefox <- err
			}()
		}
		err := copies.makeDurable()
		if firefox != nil {
			if ferr := <-firefox; ferr != nil {
				b.taken.warning = "Firefox bookmark backup not written: " + ferr.Error()
			}
		}
		if err != nil {
			b.err = fail(err)
		}
	}()
	return b, nil
}

// existingFiles says which of the files an apply may change exist now:
// they belong to the profile, while those our own connection creates (an
// empty -wal, -shm) are not backed up.
func existingFiles(profileDir string) map[string]bool {
	existing := map[string]bool{}
	for _, rel := range backupCandidates {
		if _, err := os.Stat(filepath.Join(profileDir, rel)); err == nil {
			existing[rel] = true
		}
	}
	return existing
}

// putBackUncommitted follows a transaction that failed before its commit
// (SQLite rolled the files back): it puts back the backup's exact bytes,
// since switching the journal mode rewrote the header, and removes the
// marker. The marker first says "restoring", so that an interruption here
// is finished by Recover. With discard the backup folder goes too, as
// nothing happened that Undo should find. It returns err, explained.
func putBackUncommitted(err error, profileDir, marker, bdir string, discard bool) error {
	rerr := writeFileSync(marker, []byte(restoringPrefix+bdir+"\n"))
	if rerr == nil {
		rerr = restoreBackup(profileDir, bdir, true)
	}
	if rerr != nil {
		return fmt.Errorf("%w (the transaction was rolled back, but restoring the exact files from %s failed: %v; run bmtui undo)", err, bdir, rerr)
	}
	if discard {
		os.Remove(filepath.Join(bdir, manifestName))
		os.RemoveAll(bdir)
	}
	os.Remove(marker)
	syncDir(filepath.Dir(marker))
	return fmt.Errorf("%w (nothing was changed)", err)
}

// markWriteStarted records, durably, that a write is under way with its
// backup in bdir, so that an interrupted write is undone by Recover.
func markWriteStarted(profileDir, bdir string) (string, error) {
	marker := filepath.Join(profileDir, BackupFolder, markerName)
	if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
		return "", err
	}
	if err := writeFileSync(marker, []byte(bdir+"\n")); err != nil {
		return "", fmt.Errorf("cannot write %s: %w", marker, err)
	}
	if err := syncDir(filepath.Dir(marker)); err != nil {
		return "", err
	}
	return marker, nil
}
