package places_test

import (
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/tree"
)

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenBadInput: every bad input gives one clear line naming the file,
// the right sentinel, and writes nothing.
func TestOpenBadInput(t *testing.T) {
	profile := testutil.Profile(t, "small-clean", "before")
	realPlaces := filepath.Join(profile, "places.sqlite")
	realMirror := filepath.Join(profile, "weave", "bookmarks.sqlite")
	good, err := os.ReadFile(realPlaces)
	if err != nil {
		t.Fatal(err)
	}

	garbled := append([]byte(nil), good...)
	for i := 100; i < 200000 && i < len(garbled); i++ {
		garbled[i] = byte(i * 7)
	}

	tests := []testutil.BadInput{
		{Name: "missing folder", Setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "nope", "places.sqlite") }, Want: dbsnap.ErrNotFound, Msg: "does not exist (no folder"},
		{Name: "missing file", Setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "places.sqlite") }, Want: dbsnap.ErrNotFound, Msg: "does not exist"},
		{Name: "profile folder without places.sqlite", Setup: func(t *testing.T, dir string) string { return dir }, Want: dbsnap.ErrNotFound, Msg: "does not exist"},
		{Name: "not a regular file", Setup: func(t *testing.T, dir string) string { return "/dev/null" }, Want: dbsnap.ErrNotAFile, Msg: "is not a regular file"},
		{Name: "empty file", Setup: testutil.WriteInput("places.sqlite", nil, 0o644), Want: dbsnap.ErrEmpty, Msg: "is empty (0 bytes)"},
		{Name: "text file", Setup: testutil.WriteInput("places.sqlite", []byte("hello, this is not a database\n"), 0o644), Want: dbsnap.ErrNotSQLite, Msg: "is not an SQLite database"},
		{Name: "header only", Setup: testutil.WriteInput("places.sqlite", good[:40], 0o644), Want: dbsnap.ErrCorrupt, Msg: "is truncated"},
		// the header counts 53 pages
		{Name: "truncated database", Setup: testutil.WriteInput("places.sqlite", good[:10*32768], 0o644), Want: dbsnap.ErrCorrupt, Msg: "is truncated"},
		{Name: "garbage after the header", Setup: testutil.WriteInput("places.sqlite", garbled, 0o644), Want: dbsnap.ErrCorrupt, Msg: "is damaged"},
		{Name: "mirror given as places", Setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "places.sqlite")
			copyFile(t, realMirror, p)
			return p
		}, Want: dbsnap.ErrWrongKind, Msg: "is not a Firefox Places database (it looks like a Sync mirror"},
		{Name: "unrelated database", Setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "places.sqlite")
			testutil.ExecSQL(t, p, "CREATE TABLE foo(x)")
			return p
		}, Want: dbsnap.ErrWrongKind, Msg: "is not a Firefox Places database"},
		{Name: "old schema without sync columns", Setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "places.sqlite")
			testutil.ExecSQL(t, p, "CREATE TABLE moz_bookmarks(id INTEGER PRIMARY KEY, type, fk, parent, position, title, dateAdded, lastModified, guid)",
				"CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url, url_hash, guid)", "PRAGMA user_version = 30")
			return p
		}, Want: dbsnap.ErrUnsupportedSchema, Msg: "schema version 30 lacks"},
	}
	if os.Geteuid() != 0 {
		tests = append(tests, testutil.BadInput{Name: "unreadable file", Setup: testutil.WriteInput("places.sqlite", good, 0o000), Want: dbsnap.ErrPermission, Msg: "cannot be read"})
	}
	testutil.CheckBadInputs[*dbsnap.FileError](t, places.Open, "places.sqlite at ", tests)
}

// TestOpenOldVersionWarns: another user_version opens with a warning.
func TestOpenOldVersionWarns(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	p := filepath.Join(dir, "places.sqlite")
	testutil.ExecSQL(t, p, "PRAGMA user_version = 82")
	db, err := places.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if w := db.Warnings(); len(w) != 1 || !strings.Contains(w[0], "schema version 82") {
		t.Errorf("warnings %v", w)
	}
	if _, err := db.ReadTree(0); err != nil {
		t.Error(err)
	}
}

// TestSnapshotReadsWALAndWritesNothing: a database whose latest changes
// are still in its -wal is read with them, the profile folder stays
// byte-for-byte as it was (no -shm, no checkpoint), and Close removes the
// snapshot.
func TestSnapshotReadsWALAndWritesNothing(t *testing.T) {
	src := testutil.Profile(t, "small-clean", "before")
	live := t.TempDir()
	copyFile(t, filepath.Join(src, "places.sqlite"), filepath.Join(live, "places.sqlite"))
	// Commit a change that stays in the WAL, then freeze db + WAL as a
	// crashed (or still running) Firefox would leave them.
	w, err := sql.Open("sqlite", filepath.Join(live, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	for _, s := range []string{"PRAGMA journal_mode=wal", "PRAGMA wal_autocheckpoint=0",
		"UPDATE moz_meta SET value = 'walSyncId__x' WHERE key = 'sync/bookmarks/syncid'"} {
		if _, err := w.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	profile := t.TempDir()
	copyFile(t, filepath.Join(live, "places.sqlite"), filepath.Join(profile, "places.sqlite"))
	copyFile(t, filepath.Join(live, "places.sqlite-wal"), filepath.Join(profile, "places.sqlite-wal"))
	w.Close()
	before := testutil.ListDir(t, profile)

	db, err := places.Open(profile)
	if err != nil {
		t.Fatal(err)
	}
	snap := db.Snapshot()
	if !snap.WAL || !snap.Stable || snap.Bytes == 0 {
		t.Errorf("snapshot %+v", snap)
	}
	if db.SyncID() != "walSyncId__x" {
		t.Errorf("SyncID %q: the WAL was not read", db.SyncID())
	}
	if _, err := db.ReadTree(0); err != nil {
		t.Error(err)
	}
	if after := testutil.ListDir(t, profile); after != before {
		t.Errorf("profile changed:\n%s\nwas:\n%s", after, before)
	}
	if err := db.Close(); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(snap.Dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("snapshot %s still there: %v", snap.Dir, err)
	}
	if after := testutil.ListDir(t, profile); after != before {
		t.Errorf("profile changed after Close:\n%s", after)
	}
}

func TestFirefoxRunning(t *testing.T) {
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPid := dead.Process.Pid
	tests := []struct {
		name    string
		target  string // lock symlink target; "" = no lock
		running bool
		pid     int
	}{
		{"no lock", "", false, 0},
		{"own pid", "127.0.1.1:+" + strconv.Itoa(os.Getpid()), true, os.Getpid()},
		{"dead pid", "127.0.1.1:+" + strconv.Itoa(deadPid), false, 0},
		{"pid beyond pid_max", "127.0.1.1:+2147483000", false, 0},
		{"garbage target", "not-a-lock", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.target != "" {
				if err := os.Symlink(tc.target, filepath.Join(dir, "lock")); err != nil {
					t.Fatal(err)
				}
			}
			running, pid, err := places.FirefoxRunning(dir)
			if err != nil || running != tc.running || pid != tc.pid {
				t.Errorf("FirefoxRunning = %v, %d, %v; want %v, %d", running, pid, err, tc.running, tc.pid)
			}
			// A file inside the profile works too.
			os.WriteFile(filepath.Join(dir, "places.sqlite"), []byte("x"), 0o644)
			if r2, _, _ := places.FirefoxRunning(filepath.Join(dir, "places.sqlite")); r2 != tc.running {
				t.Errorf("via a file inside: %v", r2)
			}
		})
	}
	if _, _, err := places.FirefoxRunning(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing profile folder: no error")
	}
}

// TestFirefoxRunningParentLock: a .parentlock locked with fcntl by another
// process (macOS Firefox) counts as running, with that process's pid.
func TestFirefoxRunningParentLock(t *testing.T) {
	if os.Getenv("BMTUI_HOLD_LOCK") != "" {
		return // helper mode, see below
	}
	dir := t.TempDir()
	lock := filepath.Join(dir, ".parentlock")
	os.WriteFile(lock, nil, 0o644)
	if running, _, _ := places.FirefoxRunning(dir); running {
		t.Fatal("unlocked .parentlock counts as running")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldLockHelper$")
	cmd.Env = append(os.Environ(), "BMTUI_HOLD_LOCK="+lock)
	stdout, _ := cmd.StdoutPipe()
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	buf := make([]byte, 6)
	if _, err := stdout.Read(buf); err != nil || string(buf[:6]) != "LOCKED" {
		t.Fatalf("helper: %q %v", buf, err)
	}
	running, pid, err := places.FirefoxRunning(dir)
	if !running || pid != cmd.Process.Pid || err != nil {
		t.Errorf("FirefoxRunning = %v, %d, %v; want true, %d", running, pid, err, cmd.Process.Pid)
	}
}

// TestHoldLockHelper holds an fcntl write lock on $BMTUI_HOLD_LOCK until
// stdin closes (run as a subprocess by TestFirefoxRunningParentLock).
func TestHoldLockHelper(t *testing.T) {
	path := os.Getenv("BMTUI_HOLD_LOCK")
	if path == "" {
		t.Skip("helper process only")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("LOCKED")
	buf := make([]byte, 1)
	os.Stdin.Read(buf)
}

// TestLocalOddRows: rows Firefox's merger would refuse are reported and
// left out; an unparsable URL makes the item REPLACE without content.
func TestLocalOddRows(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	p := filepath.Join(dir, "places.sqlite")
	testutil.ExecSQL(t, p,
		`INSERT INTO moz_bookmarks(type, parent, position, guid, title, dateAdded, lastModified, syncStatus, syncChangeCounter)
			VALUES (1, 99999, 0, 'parentless__', 'lost', 0, 0, 1, 1)`,
		`INSERT INTO moz_bookmarks(type, parent, position, guid, title, dateAdded, lastModified, syncStatus, syncChangeCounter)
			VALUES (7, (SELECT id FROM moz_bookmarks WHERE guid = 'menu________'), 99, 'oddType_____', 'odd', 0, 0, 1, 1)`,
		`INSERT INTO moz_places(url, url_hash, guid) VALUES ('http://exa mple.com/', 1, 'badUrlPage__')`,
		`INSERT INTO moz_bookmarks(type, fk, parent, position, guid, title, dateAdded, lastModified, syncStatus, syncChangeCounter)
			VALUES (1, (SELECT id FROM moz_places WHERE guid = 'badUrlPage__'), (SELECT id FROM moz_bookmarks WHERE guid = 'unfiled_____'), 98, 'badUrlBmk___', 'bad', 0, 5000000, 1, 1)`,
	)
	db := openPlaces(t, dir)
	tr, err := db.ReadTree(1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range db.Skipped() {
		got = append(got, s.GUID)
	}
	if strings.Join(got, ",") != "parentless__,oddType_____" {
		t.Errorf("skipped %v", db.Skipped())
	}
	if tr.Lookup("parentless__") != nil || tr.Lookup("oddType_____") != nil {
		t.Error("refused rows are in the tree")
	}
	n := tr.Lookup("badUrlBmk___")
	if n == nil || n.Validity != tree.Replace || n.Content != nil || n.Kind != tree.KindBookmark || n.Age != 1_000_000-5000 {
		t.Errorf("bad URL item %+v", n)
	}
	if c := tr.ProblemCounts(); c.InvalidItems != 1 {
		t.Errorf("counts %+v", c)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url    string
		scheme string
		ok     bool
	}{
		{"https://example.com/", "https", true},
		{"http://example.com:8080/a?b#c", "http", true},
		{"place:parent=toolbar_____", "place", true},
		{"javascript:alert(1)", "javascript", true},
		{"data:text/plain,hello", "data", true},
		{"file:///home/user/notes.txt", "file", true},
		{"ftp://ftp.example.com/pub/", "ftp", true},
		{"http://192.168.0.1/", "http", true},
		{"HTTPS://Example.COM/", "https", true},
		{"http://exa mple.com/", "", false},
		{"http://example.com:99999/", "", false},
		{"http://", "", false},
		{"not a url", "", false},
		{"", "", false},
		{"http://[::1/", "", false},
		{"http://1.2.3.4.5/", "", false},
	}
	for _, tc := range tests {
		scheme, ok := places.ParseURL(tc.url)
		if scheme != tc.scheme || ok != tc.ok {
			t.Errorf("ParseURL(%q) = %q, %v; want %q, %v", tc.url, scheme, ok, tc.scheme, tc.ok)
		}
	}
}
