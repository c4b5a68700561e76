package apply

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/record"
)

// Schema versions this package writes (Firefox ESR 153).
const (
	PlacesSchemaVersion = places.SupportedSchemaVersion // 86
	MirrorSchemaVersion = 9
)

// Errors Apply refuses with; nothing has been written when one of them is
// returned. Each is wrapped with a one-line explanation.
var (
	ErrFirefoxRunning    = errors.New("Firefox is running")
	ErrChanged           = errors.New("changed since the preview")
	ErrUnsupportedSchema = errors.New("unsupported schema version")
	ErrReadOnly          = errors.New("not writable")
	ErrLocked            = errors.New("locked by another program")
	ErrInterrupted       = errors.New("a previous apply was interrupted")
)

// Options tune an apply. The zero value is the normal behaviour.
type Options struct {
	// BackupRoot is where the copies of the database files go; default
	// <profile>/bmtui-backups. Each apply makes a new time-stamped folder.
	BackupRoot string
	// NoFirefoxBackup skips Firefox's own bookmark backup
	// (<profile>/bookmarkbackups/bookmarks-*.jsonlz4).
	NoFirefoxBackup bool
	// OutgoingPath is where the outgoing records are written as JSON;
	// default outgoing.json in this apply's backup folder; "-" for none.
	OutgoingPath string
	// SkipVerify skips reading both files back after the commit.
	SkipVerify bool
	// FastVerify reads the files back with VerifyFast instead of Verify
	// (no quick_check, foreign_key_check or position numbering check).
	FastVerify bool
	// Clock names the backup folder and dates Firefox's backup; default
	// time.Now.
	Clock func() time.Time

	// hooks are set by this package's tests only; nil in every real apply.
	hooks *testHooks
}

// Report says what an apply did.
type Report struct {
	// Skipped is true when the merge has nothing to write or upload:
	// Firefox opens no transaction then, and neither do we (no backup is
	// made either).
	Skipped bool
	// BackupDir holds the copies of the files taken before writing.
	BackupDir string
	// FirefoxBackup is the .jsonlz4 bookmark backup, if one was written.
	FirefoxBackup string
	// Outgoing are the records Firefox would upload; OutgoingPath the file
	// they were written to.
	Outgoing     []record.Outgoing
	OutgoingPath string
	// Ops are the completion ops that were applied.
	Ops merge.Ops
	// Verified is true when both files were read back and matched the
	// merge.
	Verified bool
	Warnings []string
	Timings  Timings
}

// Timings of the phases of an apply. Backup is what the apply waited for
// its backups: taking the copies, and at the COMMIT whatever of their
// fsyncs and Firefox's backup (which run beside the write) was not done
// yet; Write is the rest of the write. Write ends when places.sqlite is
// back in WAL mode; the connection then closes while Verify runs, and
// Total includes both.
type Timings struct {
	Checks, Backup, Write, Verify, Total time.Duration
}

// testHooks let tests inject failures into one apply and observe it.
// step is called at named points of the apply (see the step names in
// writeOps, and "begin", "staged", "committing", "committed", "wal"); a
// non-nil error aborts the apply as an I/O error at that point would.
// writable replaces the writability probe.
type testHooks struct {
	step     func(name string) error
	writable func(path string) error
	noBackup bool // benchmarks only: time the apply the way Firefox's is timed
	// tagTriggers makes the tag steps run Firefox's localTags triggers
	// instead of their Go equivalent (tests compare the two).
	tagTriggers bool
	// beforeCommit runs inside the transaction just before COMMIT.
	beforeCommit func(tx *sql.Tx) error
	// backupDurable runs in the background once the backup's copies are
	// fsynced, before their manifest; a non-nil error fails the backup
	// as an fsync error would.
	backupDurable func() error
	// connect, if set, opens the apply's connection in place of the
	// "sqlite" driver (a benchmark records the statements through a
	// wrapper, without registering a driver process-wide).
	connect func(dsn string) (driver.Connector, error)
}

// Step runs the step hook, if any. A nil *testHooks has none.
func (h *testHooks) Step(name string) error {
	if h != nil && h.step != nil {
		return h.step(name)
	}
	return nil
}

// connector is the connect hook, if any. A nil *testHooks has none.
func (h *testHooks) connector() func(dsn string) (driver.Connector, error) {
	if h == nil {
		return nil
	}
	return h.connect
}

// conn is the apply's single SQLite connection.
type conn struct {
	db *sql.DB
}

// openConn opens it with the "sqlite" driver, or through connect if not
// nil.
func openConn(path string, connect func(dsn string) (driver.Connector, error)) (*conn, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_txlock=immediate&_pragma=busy_timeout(250)"
	var db *sql.DB
	if connect != nil {
		c, err := connect(dsn)
		if err != nil {
			return nil, err
		}
		db = sql.OpenDB(c)
	} else {
		var err error
		if db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, err
		}
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return &conn{db: db}, nil
}

func (c *conn) close() error {
	if c.db == nil {
		return nil
	}
	err := c.db.Close()
	c.db = nil
	return err
}

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked") || strings.Contains(s, "SQLITE_LOCKED")
}

// Apply writes plan's merge into the profile's places.sqlite and Sync
// mirror exactly as Firefox ESR 153's SyncedBookmarksMirror.apply() does,
// in one transaction that is atomic across both files (see the package
// documentation), after copying both files into a backup folder. It
// refuses, writing nothing, while Firefox runs, when either file changed
// since the plan was made, on schema versions other than 86/9, on a
// read-only profile, a missing mirror, or a database locked by another
// program. After the commit it reads both files back and compares them
// with the merge (unless Options.SkipVerify); a difference is returned as
// a *VerifyError together with the report.
func Apply(ctx context.Context, profileDir string, plan *Plan, opts Options) (*Report, error) {
	start := time.Now()
	if plan == nil || plan.Result == nil {
		return nil, errors.New("apply: no merge to apply")
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if abs, err := filepath.Abs(profileDir); err == nil {
		profileDir = abs
	}
	if opts.BackupRoot == "" {
		opts.BackupRoot = filepath.Join(profileDir, BackupFolder)
	}
	pp, mp := placesPath(profileDir), mirrorPath(profileDir)
	rep := &Report{Ops: plan.ops()}
	hooks := opts.hooks

	// 1. Checks that write nothing.
	if running, pid, _ := places.FirefoxRunning(profileDir); running {
		return nil, fmt.Errorf("%w (pid %d) with profile %s: quit Firefox before applying", ErrFirefoxRunning, pid, profileDir)
	}
	if _, err := os.Stat(filepath.Join(profileDir, BackupFolder, markerName)); err == nil {
		return nil, fmt.Errorf("%w in %s: preview again (that finishes it) before applying", ErrInterrupted, profileDir)
	}
	if _, err := os.Stat(mp); err != nil {
		return nil, fmt.Errorf("%s: %w", profileDir, ErrNoMirror)
	}
	if err := checkIdentity(pp, "-wal", plan.PlacesFile); err != nil {
		return nil, err
	}
	if err := checkIdentity(mp, "-journal", plan.MirrorFile); err != nil {
		return nil, err
	}
	for _, p := range []string{profileDir, filepath.Dir(mp), pp, mp} {
		if err := checkWritable(p, hooks); err != nil {
			return nil, err
		}
	}
	existing := existingFiles(profileDir)
	if opsEmpty(&rep.Ops) {
		rep.Skipped = true
		rep.Timings.Total = time.Since(start)
		return rep, nil
	}

	c, err := openConn(pp, hooks.connector())
	if err != nil {
		return nil, dbsnap.QueryError(places.What, pp, err)
	}
	defer c.close()
	if _, err := c.db.Exec(`ATTACH DATABASE ? AS mirror`, mp); err != nil {
		if isBusy(err) {
			return nil, fmt.Errorf("bookmarks.sqlite at %s is %w: %v", mp, ErrLocked, err)
		}
		return nil, fmt.Errorf("bookmarks.sqlite at %s: cannot attach: %w", mp, err)
	}
	// With both snapshots' checks to take, the files are locked and
	// fingerprinted while the checks (begun in the background during the
	// merge) end; a damaged file is still refused as damaged, whatever
	// else was found.
	snaps := plan.snapshotDamage
	var lockErr error
	lockedFirst := snaps[0] != nil && snaps[1] != nil
	if lockedFirst {
		lockErr = checkLockedAndUnchanged(c.db, plan, pp, mp)
	}
	if err := checkSound(ctx, c.db, snaps, profileDir, pp, mp, hooks); err != nil {
		return nil, err
	}
	if !lockedFirst {
		lockErr = checkLockedAndUnchanged(c.db, plan, pp, mp)
	}
	if lockErr != nil {
		return nil, lockErr
	}
	rep.Timings.Checks = time.Since(start)

	// 2. Backups. The copies' bytes are taken now, before the write
	// switches the journal mode; they are fsynced, listed in their
	// manifest and Firefox's own backup is exported from the copy of
	// places.sqlite while the transaction runs (SQLite's work, on one
	// core), and the COMMIT waits for all of it: nothing is committed
	// before its backup is on disk.
	t0 := time.Now()
	pending, err := startBackup(profileDir, pp, opts, existing, hooks == nil || !hooks.noBackup, hooks)
	if err != nil {
		return nil, err
	}
	bdir := pending.dir
	rep.BackupDir = bdir
	rep.Timings.Backup = time.Since(t0)
	var waited time.Duration
	backupDurable := func() error {
		t := time.Now()
		taken, err := pending.wait()
		waited += time.Since(t)
		rep.FirefoxBackup = taken.firefox
		if taken.warning != "" && !slices.Contains(rep.Warnings, taken.warning) {
			rep.Warnings = append(rep.Warnings, taken.warning)
		}
		return err
	}

	// Foreign keys are checked on the copies, the files before the
	// write, while it runs; the COMMIT then proves them of the files
	// after it (keysProven).
	keysBefore := make(chan keysProven, 1)
	if pending.copied && !opts.SkipVerify && !opts.FastVerify {
		go func() {
			keysBefore <- checkKeysBefore(filepath.Join(bdir, "places.sqlite"), filepath.Join(bdir, "weave", "bookmarks.sqlite"))
		}()
	} else {
		keysBefore <- keysProven{}
	}

	// 3. The transaction.
	t0 = time.Now()
	marker, err := markWriteStarted(profileDir, bdir)
	if err != nil {
		backupDurable() //nolint:errcheck // the marker's error matters more
		return nil, err
	}
	committed, err := writeTransaction(ctx, c, plan, rep, hooks, backupDurable)
	if err != nil {
		c.close()
		if !committed && bdir != "" {
			if berr := backupDurable(); berr != nil {
				// SQLite rolled the files back; without a durable backup
				// the header's journal mode bytes are not put back.
				os.RemoveAll(bdir)
				os.Remove(marker)
				syncDir(filepath.Dir(marker))
				return nil, fmt.Errorf("%w (the transaction was rolled back: no bookmark was changed)", err)
			}
			return nil, putBackUncommitted(err, profileDir, marker, bdir, false)
		}
		return nil, err
	}
	// Both files are committed and places.sqlite is back in WAL mode (the
	// marker can go). Closing the connection frees its page cache one
	// 32 KiB page at a time, each a system call in modernc's allocator
	// (0.1–0.3 s on a large profile), so it runs while the outgoing
	// records are written and the files are read back; Apply waits for it.
	closed := make(chan error, 1)
	go func() { closed <- c.close() }()
	waitClosed := func() error {
		if closed == nil {
			return nil
		}
		err := <-closed
		closed = nil
		if err != nil {
			return fmt.Errorf("closing the databases after the commit: %w", err)
		}
		return nil
	}
	defer waitClosed() //nolint:errcheck // only on early returns, which have their own error
	if err := os.Remove(marker); err != nil {
		return nil, err
	}
	if err := syncDir(filepath.Dir(marker)); err != nil {
		return nil, err
	}
	rep.Timings.Write = time.Since(t0) - waited
	rep.Timings.Backup += waited

	// The outgoing records are written while the files are read back.
	outgoing := make(chan error, 1)
	outgoingPath := ""
	if opts.OutgoingPath != "-" && (bdir != "" || opts.OutgoingPath != "") {
		outgoingPath = cmp.Or(opts.OutgoingPath, filepath.Join(bdir, "outgoing.json"))
		go func() { outgoing <- WriteOutgoing(outgoingPath, rep.Outgoing) }()
	} else {
		outgoing <- nil
	}
	waitOutgoing := func() {
		if outgoing == nil {
			return
		}
		if err := <-outgoing; err != nil {
			rep.Warnings = append(rep.Warnings, "outgoing records not written: "+err.Error())
		} else {
			rep.OutgoingPath = outgoingPath
		}
		outgoing = nil
	}
	defer waitOutgoing()

	// 4. Read back and compare.
	if !opts.SkipVerify {
		t0 = time.Now()
		err := verifyFiles(profileDir, plan, !opts.FastVerify, <-keysBefore)
		rep.Timings.Verify = time.Since(t0)
		if cerr := waitClosed(); cerr != nil && err == nil {
			err = cerr
		}
		waitOutgoing()
		if err != nil {
			rep.Timings.Total = time.Since(start)
			return rep, err
		}
		rep.Verified = true
	}
	if err := waitClosed(); err != nil {
		return nil, err
	}
	waitOutgoing()
	rep.Timings.Total = time.Since(start)
	return rep, nil
}

func checkIdentity(path, companion string, want dbsnap.FileID) error {
	got, err := dbsnap.StatFile(path, companion)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !got.Same(want) {
		return fmt.Errorf("%s %w (size, time or file identity differs): preview again", path, ErrChanged)
	}
	return nil
}

// checkWritable makes sure a folder accepts new files (SQLite creates its
// journals next to the database) and a file can be opened for writing.
// Nothing is left behind.
func checkWritable(path string, hooks *testHooks) error {
	if hooks != nil && hooks.writable != nil {
		if err := hooks.writable(path); err != nil {
			return fmt.Errorf("%s is %w: %v", path, ErrReadOnly, err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		f, err := os.CreateTemp(path, ".bmtui-probe-*")
		if err != nil {
			return fmt.Errorf("%s is %w: %v", path, ErrReadOnly, err)
		}
		name := f.Name()
		f.Close()
		return os.Remove(name)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("%s is %w: %v", path, ErrReadOnly, err)
	}
	return f.Close()
}

// ErrDamaged is a database file SQLite's structural check finds damaged:
// bmtui does not write into it.
var ErrDamaged = errors.New("damaged")

// checkSound runs SQLite's structural check (quick_check) on both files,
// first: writing into a damaged file can spread the damage, and reads
// through a damaged index give misleading refusals later. A damaged
// places.sqlite is what bmtui salvage rebuilds, so the refusal points
// there; salvage leaves the mirror alone, so its refusal does not.
//
// A file is checked here only when the plan has no finished check of its
// snapshot. The snapshot is a byte copy of the file taken under the stamp
// the plan holds (its copy retaken while the file changed under it), and
// the file still has that stamp (checkIdentity ran first): size, time,
// inode and WAL or journal are the same, so the pages quick_check reads
// are the same, and so is its answer.
func checkSound(ctx context.Context, db *sql.DB, snaps [2]func() ([]dbcheck.Damage, error), profileDir, pp, mp string, hooks *testHooks) error {
	salvage := "; run bmtui salvage --profile " + profileDir
	for i, f := range []struct{ what, schema, path, next string }{{places.What, "main", pp, salvage}, {"bookmarks.sqlite", "mirror", mp, ""}} {
		var ds []dbcheck.Damage
		err := errors.New("no snapshot check")
		if snaps[i] != nil {
			ds, err = snaps[i]()
		}
		if err != nil {
			if err := hooks.Step("check " + f.schema); err != nil {
				return err
			}
			ds, err = dbcheck.Check(ctx, db, f.schema, f.path)
		}
		switch {
		case isBusy(err):
			return fmt.Errorf("%s at %s is %w: %v", f.what, f.path, ErrLocked, err)
		case err != nil:
			return err
		case len(ds) > 0:
			return fmt.Errorf("%s at %s is %w (%s): nothing written; bmtui does not write into a damaged file%s",
				f.what, f.path, ErrDamaged, cmp.Or(dbcheck.Where(ds), "SQLite's check fails"), f.next)
		}
	}
	return nil
}

// checkLockedAndUnchanged checks the schema versions, takes the write lock
// on both files (BEGIN IMMEDIATE) to see that nobody else holds it,
// compares the fingerprints with the plan, and rolls back: nothing is
// written.
func checkLockedAndUnchanged(db *sql.DB, plan *Plan, pp, mp string) error {
	var pv, mv int
	if err := db.QueryRow(`PRAGMA main.user_version`).Scan(&pv); err != nil {
		if isBusy(err) {
			return fmt.Errorf("places.sqlite at %s is %w: %v", pp, ErrLocked, err)
		}
		return dbsnap.QueryError(places.What, pp, err)
	}
	if pv != PlacesSchemaVersion {
		return fmt.Errorf("places.sqlite at %s has %w %d: bmtui writes only %d (Firefox ESR 153)", pp, ErrUnsupportedSchema, pv, PlacesSchemaVersion)
	}
	if err := db.QueryRow(`PRAGMA mirror.user_version`).Scan(&mv); err != nil {
		if isBusy(err) {
			return fmt.Errorf("bookmarks.sqlite at %s is %w: %v", mp, ErrLocked, err)
		}
		return dbsnap.QueryError("bookmarks.sqlite", mp, err)
	}
	if mv != MirrorSchemaVersion {
		return fmt.Errorf("bookmarks.sqlite at %s has %w %d: bmtui writes only %d (Firefox ESR 153)", mp, ErrUnsupportedSchema, mv, MirrorSchemaVersion)
	}
	tx, err := db.Begin()
	if err != nil {
		if isBusy(err) {
			return fmt.Errorf("the profile's databases are %w (another program has a write transaction open): %v", ErrLocked, err)
		}
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only check
	return checkFingerprints(tx, plan, pp, mp)
}

func checkFingerprints(tx *sql.Tx, plan *Plan, pp, mp string) error {
	pf, err := places.ReadFingerprint(tx, "main")
	if err != nil {
		if isBusy(err) {
			return fmt.Errorf("places.sqlite at %s is %w: %v", pp, ErrLocked, err)
		}
		return dbsnap.QueryError(places.What, pp, err)
	}
	if pf != plan.Places {
		return fmt.Errorf("places.sqlite at %s %w (its bookmarks differ): preview again", pp, ErrChanged)
	}
	mf, err := mirror.ReadFingerprint(tx, "mirror")
	if err != nil {
		if isBusy(err) {
			return fmt.Errorf("bookmarks.sqlite at %s is %w: %v", mp, ErrLocked, err)
		}
		return dbsnap.QueryError("bookmarks.sqlite", mp, err)
	}
	if mf != plan.Mirror {
		return fmt.Errorf("bookmarks.sqlite at %s %w (its records differ): preview again", mp, ErrChanged)
	}
	return nil
}

// writeTransaction switches places.sqlite to a rollback journal, runs the
// whole apply in one transaction over both files, waits for
// backupDurable (an error rolls the transaction back), commits, and
// switches back to WAL. committed reports whether the COMMIT succeeded.
func writeTransaction(ctx context.Context, c *conn, plan *Plan, rep *Report, hooks *testHooks, backupDurable func() error) (committed bool, err error) {
	db := c.db
	for _, q := range []string{
		`PRAGMA foreign_keys = ON`,
		`PRAGMA main.synchronous = FULL`,
		`PRAGMA mirror.synchronous = FULL`,
		// No dirty page spills to the file before the commit (a spill
		// costs a journal sync each time); clean pages are read through
		// mmap, so the page cache (whose 32 KiB buffers modernc's
		// allocator maps and unmaps one by one) stays small.
		`PRAGMA main.cache_spill = OFF`,
		`PRAGMA mirror.cache_spill = OFF`,
		`PRAGMA main.mmap_size = 1073741824`,
		`PRAGMA main.cache_size = -262144`,
		`PRAGMA mirror.cache_size = -262144`,
		`PRAGMA temp_store = MEMORY`,
		`PRAGMA temp.cache_size = -262144`,
		`PRAGMA mirror.mmap_size = 1073741824`,
	} {
		if _, err := db.Exec(q); err != nil {
			return false, fmt.Errorf("%s: %w", q, err)
		}
	}
	for _, schema := range []string{"main", "mirror"} {
		var mode string
		if err := db.QueryRow(`PRAGMA ` + schema + `.journal_mode = DELETE`).Scan(&mode); err != nil {
			if isBusy(err) {
				return false, fmt.Errorf("the profile's databases are %w: %v", ErrLocked, err)
			}
			return false, fmt.Errorf("switch %s to a rollback journal: %w", schema, err)
		}
		if !strings.EqualFold(mode, "delete") {
			return false, fmt.Errorf("switch %s to a rollback journal: journal mode is still %s", schema, mode)
		}
	}
	// Whatever happens next, leave places.sqlite in WAL mode as Firefox
	// keeps it.
	defer backToWAL(db, hooks, "the merge was", &err)
	tx, err := beginWrite(ctx, db, hooks, "the profile's databases are")
	if err != nil {
		return false, err
	}
	defer abandonUnless(db, tx, &committed)
	if err := checkFingerprints(tx, plan, placesPath(plan.ProfileDir), mirrorPath(plan.ProfileDir)); err != nil {
		return false, err
	}
	nowUs := plan.Times.Local.Unix() * 1_000_000
	if err := writeOps(tx, plan.Result, &rep.Ops, plan.Reupload, nowUs, hooks); err != nil {
		return false, err
	}
	staged, err := stageUploads(tx, &rep.Ops)
	if err != nil {
		return false, err
	}
	if err := hooks.Step("stage uploads"); err != nil {
		return false, err
	}
	if rep.Outgoing, err = fetchOutgoing(staged); err != nil {
		return false, err
	}
	if err := hooks.Step("fetch outgoing"); err != nil {
		return false, err
	}
	if err := repairCoherence(tx); err != nil {
		return false, fmt.Errorf("repairs: %w", err)
	}
	if err := hooks.Step("staged"); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if hooks != nil && hooks.beforeCommit != nil {
		if err := hooks.beforeCommit(tx); err != nil {
			return false, err
		}
	}
	if err := backupDurable(); err != nil {
		return false, err
	}
	if err := hooks.Step("committing"); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	committed = true
	if err := hooks.Step("committed"); err != nil {
		return true, err
	}
	return true, nil
}

// backToWAL puts places.sqlite back in WAL mode, as Firefox keeps it, once
// a write transaction ended; what names what was written ("the merge
// was") for the error it sets when *err is still nil.
func backToWAL(db *sql.DB, hooks *testHooks, what string, err *error) {
	var mode string
	werr := db.QueryRow(`PRAGMA main.journal_mode = WAL`).Scan(&mode)
	if werr == nil && !strings.EqualFold(mode, "wal") {
		werr = fmt.Errorf("journal mode is %s", mode)
	}
	if werr == nil {
		werr = hooks.Step("wal")
	}
	if werr != nil && *err == nil {
		*err = fmt.Errorf("%s committed, but switching places.sqlite back to WAL failed (Firefox accepts it; the next bmtui run finishes it): %w", what, werr)
	}
}

// beginWrite opens the write transaction of an apply or an edit on a
// connection already out of WAL mode: the temporary schema, then BEGIN,
// with foreign keys checked at COMMIT (which then fails and writes
// nothing; checked per statement they would make SQLite keep a statement
// journal for every multi-row INSERT into moz_places). locked says what
// is busy in the error ("places.sqlite is").
func beginWrite(ctx context.Context, db *sql.DB, hooks *testHooks, locked string) (*sql.Tx, error) {
	for _, q := range tempSchema() {
		if _, err := db.Exec(q); err != nil {
			return nil, fmt.Errorf("temp schema: %w", err)
		}
	}
	if err := hooks.Step("begin"); err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		if isBusy(err) {
			return nil, fmt.Errorf("%s %w: %v", locked, ErrLocked, err)
		}
		return nil, err
	}
	if _, err := tx.Exec(`PRAGMA defer_foreign_keys = ON`); err != nil {
		tx.Rollback() //nolint:errcheck // the error above matters more
		return nil, err
	}
	return tx, nil
}

// abandonUnless rolls tx back unless *committed. A COMMIT refused by a
// deferred constraint leaves the transaction open, and database/sql
// forgets it: hence the plain ROLLBACK too.
func abandonUnless(db *sql.DB, tx *sql.Tx, committed *bool) {
	if *committed {
		return
	}
	tx.Rollback()       //nolint:errcheck // the error that got us here matters more
	db.Exec(`ROLLBACK`) //nolint:errcheck // fails when nothing is open, as it should
}
