package dbsnap

import (
	"errors"
	"fmt"
	"os"

	"github.com/bmtui/bmtui/internal/sqlraw"
)

// Raw is a database opened for one bulk read through sqlraw (a search's
// outline), read in place when that is safe and from a private copy
// otherwise. Read in place, the file is opened read-only and immutable:
// SQLite takes no lock, looks for no journal and creates nothing beside
// it, so a running Firefox is never blocked and nothing is written.
type Raw struct {
	Conn   *sqlraw.Conn
	path   string
	snap   *Snapshot // nil when read in place
	before rawStamp
}

// rawStamp is what shows a change of a database read in place: its own
// size and time, and those of the companions that would hold newer data.
type rawStamp struct {
	db, wal, journal fileStamp
}

func takeRawStamp(path string) rawStamp {
	one := func(p string) fileStamp {
		var st fileStamp
		if fi, err := os.Stat(p); err == nil {
			st.size, st.mod = fi.Size(), fi.ModTime()
		}
		return st
	}
	return rawStamp{db: one(path), wal: one(path + "-wal"), journal: one(path + "-journal")}
}

// ErrNotQuiet is OpenRaw's error for a file it will not read in place.
var ErrNotQuiet = errors.New("database has a -wal or -journal with content")

// OpenRaw opens the database at path for a bulk read. A file with no -wal
// or -journal with content (Firefox leaves none after a clean quit, and
// none in bmtui's own copies) is read in place; Unchanged says afterwards
// whether it stayed the same meanwhile. Any other is copied with its
// companions first (TakeSnapshot) and the copy read, SQLite replaying the
// copied WAL inside the private folder. Errors are SQLite's or
// TakeSnapshot's; a caller with a fuller reader to fall back on need not
// tell them apart.
func OpenRaw(what, path string) (*Raw, error) {
	r := &Raw{path: path, before: takeRawStamp(path)}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, statErr(what, path, err)
	}
	if !fi.Mode().IsRegular() || fi.Size() == 0 {
		return nil, NewError(what, path, ErrNotAFile, nil, "is not a database file to read in place")
	}
	file, immutable := path, true
	if r.before.wal.size > 0 || r.before.journal.size > 0 {
		if r.snap, err = TakeSnapshot(what, path); err != nil {
			return nil, err
		}
		file, immutable = r.snap.Path, false
	} else if err := checkHeader(what, path, path); err != nil {
		return nil, err
	}
	if r.Conn, err = sqlraw.Open(file, immutable); err != nil {
		r.snap.Remove()
		return nil, err
	}
	// Whole-file reads, as OpenSQL: memory-mapped pages (the page cache's
	// own, so a file already cached costs no copy) and a large cache.
	for _, p := range []string{`PRAGMA cache_size = -131072`, `PRAGMA mmap_size = 268435456`} {
		if err := r.Conn.Exec(p); err != nil {
			r.Close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return r, nil
}

// InPlace reports whether the profile's file itself is read (no copy).
func (r *Raw) InPlace() bool { return r.snap == nil }

// Unchanged reports whether the file read in place is as it was when
// opened, its companions included (always true for a copy): what was read
// is then one consistent state of it.
func (r *Raw) Unchanged() bool {
	return r.snap != nil || takeRawStamp(r.path) == r.before
}

// Close closes the connection and removes the copy, if any.
func (r *Raw) Close() error {
	err := r.Conn.Close()
	if rerr := r.snap.Remove(); err == nil {
		err = rerr
	}
	return err
}
