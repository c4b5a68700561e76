package dbsnap

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/bmtui/bmtui/internal/sqlraw"
	"modernc.org/sqlite"
)

// Snapshot is a private copy of an SQLite database (with its -wal, or a hot
// rollback -journal, when present and non-empty) in a temporary folder of
// its own. Reading from the copy never creates -shm/-wal files next to the
// profile's database, never writes to it and never blocks a running
// Firefox. The copy is opened normally (never with immutable=1), so SQLite
// replays the copied WAL or rolls back the copied journal inside the
// private folder.
type Snapshot struct {
	What    string        // "places.sqlite" or "bookmarks.sqlite", for messages
	Source  string        // the database that was copied
	Dir     string        // the private folder
	Path    string        // the private copy of the database
	Bytes   int64         // bytes copied, all files together
	WAL     bool          // a non-empty -wal was copied along
	Journal bool          // a non-empty rollback -journal was copied along
	Took    time.Duration // time spent copying
	Retries int           // copies repeated because the source changed meanwhile
	Stable  bool          // false if the source kept changing during every attempt
}

const sqliteMagic = "SQLite format 3\x00"

// maxCopyAttempts bounds how often a snapshot is retaken when the source
// changes while it is being copied (Firefox writing or checkpointing).
const maxCopyAttempts = 3

// TakeSnapshot checks that path is a usable SQLite file and copies it into
// a fresh private folder. what names the file in error messages. Errors
// are *FileError values (ErrNotFound, ErrPermission, ErrNotAFile, ErrEmpty,
// ErrNotSQLite, ErrCorrupt).
func TakeSnapshot(what, path string) (*Snapshot, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, statErr(what, path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, NewError(what, path, ErrNotAFile, nil, "is not a regular file")
	}
	if fi.Size() == 0 {
		// SQLite would silently treat it as a new, empty database.
		return nil, NewError(what, path, ErrEmpty, nil, "is empty (0 bytes), not a database")
	}
	if err := checkHeader(what, path, path); err != nil {
		return nil, err
	}

	dir, err := os.MkdirTemp("", "bmtui-snapshot-")
	if err != nil {
		return nil, fmt.Errorf("%s at %s: cannot create a snapshot folder: %w", what, path, err)
	}
	s := &Snapshot{What: what, Source: path, Dir: dir, Path: filepath.Join(dir, filepath.Base(path))}
	start := time.Now()
	for attempt := 1; ; attempt++ {
		before := stamp(path)
		if err := s.copyOnce(); err != nil {
			s.Remove()
			return nil, err
		}
		if stamp(path) == before {
			s.Stable = true
			break
		}
		if attempt == maxCopyAttempts {
			break
		}
		s.Retries++
	}
	s.Took = time.Since(start)
	if err := checkHeader(what, path, s.Path); err != nil {
		s.Remove()
		return nil, err
	}
	return s, nil
}

// copyOnce copies the database and its companion files.
func (s *Snapshot) copyOnce() error {
	s.Bytes, s.WAL, s.Journal = 0, false, false
	// A retry starts from nothing (copyFile creates exclusively).
	for _, suffix := range []string{"", "-wal", "-journal", "-shm"} {
		os.Remove(s.Path + suffix)
	}
	n, err := copyFile(s.Source, s.Path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return NewError(s.What, s.Source, ErrPermission, errors.Unwrap(err), "cannot be read")
		}
		return NewError(s.What, s.Source, ErrNotFound, err, "cannot be copied")
	}
	s.Bytes += n
	// The WAL holds committed transactions not yet checkpointed; a hot
	// journal (rollback mode) holds what a crashed writer must undo. An
	// empty file carries nothing (Firefox leaves an empty -wal after a
	// clean quit).
	for _, suffix := range []string{"-wal", "-journal"} {
		fi, err := os.Stat(s.Source + suffix)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
			continue
		}
		n, err := copyFile(s.Source+suffix, s.Path+suffix)
		if err != nil {
			return NewError(s.What, s.Source+suffix, ErrPermission, err, "cannot be copied")
		}
		s.Bytes += n
		if suffix == "-wal" {
			s.WAL = true
		} else {
			s.Journal = true
		}
	}
	return nil
}

// Remove deletes the private copy. It is safe to call more than once.
func (s *Snapshot) Remove() error {
	if s == nil || s.Dir == "" {
		return nil
	}
	err := os.RemoveAll(s.Dir)
	s.Dir = ""
	return err
}

// OpenSQL opens the private copy with modernc.org/sqlite. Writes are
// refused (query_only); SQLite may still create -shm/-wal files, but only
// inside the private folder.
func (s *Snapshot) OpenSQL() (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: s.Path}).EscapedPath() + "?_pragma=query_only(1)&_pragma=busy_timeout(1000)" +
		// Whole-file reads: a big page cache and memory-mapped I/O (safe on
		// a private copy) avoid a pread per page on 32 KiB-page files.
		"&_pragma=cache_size(-131072)&_pragma=mmap_size(268435456)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

type fileStamp struct {
	size, walSize int64
	mod, walMod   time.Time
}

func stamp(path string) fileStamp {
	var st fileStamp
	if fi, err := os.Stat(path); err == nil {
		st.size, st.mod = fi.Size(), fi.ModTime()
	}
	// An empty -wal carries nothing, and any reader of a WAL database
	// (Firefox's backup export during an apply) creates one.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		st.walSize, st.walMod = fi.Size(), fi.ModTime()
	}
	return st
}

func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func statErr(what, path string, err error) error {
	var pe *fs.PathError
	cause := err
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, derr := os.Stat(filepath.Dir(path)); derr != nil {
			return NewError(what, path, ErrNotFound, nil, "does not exist (no folder %s)", filepath.Dir(path))
		}
		return NewError(what, path, ErrNotFound, nil, "does not exist")
	case errors.Is(err, fs.ErrPermission):
		return NewError(what, path, ErrPermission, cause, "cannot be read")
	}
	return NewError(what, path, ErrNotFound, cause, "cannot be opened")
}

// checkHeader validates the 100-byte SQLite header of file (a snapshot or
// the source itself; messages always name source) and that the file holds
// every page the header announces.
func checkHeader(what, source, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return statErr(what, source, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return statErr(what, source, err)
	}
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return NewError(what, source, ErrPermission, err, "cannot be read")
	}
	if n < len(sqliteMagic) || !bytes.Equal(h[:len(sqliteMagic)], []byte(sqliteMagic)) {
		return NewError(what, source, ErrNotSQLite, nil, "is not an SQLite database (bad header)")
	}
	if n < len(h) {
		return NewError(what, source, ErrCorrupt, nil, "is truncated (%d bytes, shorter than the SQLite header)", fi.Size())
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return NewError(what, source, ErrCorrupt, nil, "has a damaged header (page size %d)", pageSize)
	}
	// The in-header page count is valid when "version-valid-for" equals
	// the change counter (SQLite ≥ 3.7.0 keeps them in step).
	changeCounter := binary.BigEndian.Uint32(h[24:28])
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	if binary.BigEndian.Uint32(h[92:96]) == changeCounter && pages > 0 {
		if want := pages * pageSize; fi.Size() < want {
			return NewError(what, source, ErrCorrupt, nil, "is truncated (%d of %d bytes)", fi.Size(), want)
		}
	}
	return nil
}

// sqlErrKind maps an SQLite error onto ErrNotSQLite / ErrCorrupt, or nil.
func sqlErrKind(err error) error {
	var code int
	var se *sqlite.Error
	var re *sqlraw.Error
	switch {
	case errors.As(err, &se):
		code = se.Code()
	case errors.As(err, &re):
		code = re.Code
	default:
		return nil
	}
	switch code & 0xff {
	case 26: // SQLITE_NOTADB
		return ErrNotSQLite
	case 11: // SQLITE_CORRUPT
		return ErrCorrupt
	case 23, 3: // SQLITE_AUTH, SQLITE_PERM
		return ErrPermission
	}
	return nil
}

// QueryError wraps an error met while reading a snapshot into a *FileError
// naming the source file.
func QueryError(what, source string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return err
	}
	switch kind := sqlErrKind(err); kind {
	case ErrNotSQLite:
		return NewError(what, source, kind, err, "is not an SQLite database")
	case ErrCorrupt:
		return NewError(what, source, kind, err, "is damaged")
	case ErrPermission:
		return NewError(what, source, kind, err, "cannot be read")
	}
	return NewError(what, source, ErrCorrupt, err, "cannot be read")
}
