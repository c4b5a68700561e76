package dbsnap

import (
	"database/sql"
	"fmt"
	"sync"

	"github.com/bmtui/bmtui/internal/sqlraw"
)

// Format describes one kind of database file OpenFile accepts (a Places
// database, a Sync mirror) and the words its errors and warnings use.
type Format struct {
	What string // the file's name in messages, e.g. "places.sqlite"
	// Kind completes "is not <Kind> (…)" when the file is some other
	// database, e.g. "a Firefox Places database"; ReadableKind completes
	// "is not <ReadableKind> this tool can read (…)" when it lacks tables
	// or columns.
	Kind, ReadableKind string
	// IsOther recognises the other kind of database (checked first);
	// OtherHint says so in the message, e.g. "it looks like a Sync mirror,
	// weave/bookmarks.sqlite".
	IsOther   func(*Schema) bool
	OtherHint string
	// Is recognises this kind of database; NotHint says why a file is not
	// one, e.g. "no moz_bookmarks/moz_places tables".
	Is      func(*Schema) bool
	NotHint string
	// Required maps each table a reader needs to the columns it reads.
	Required map[string][]string
	// SupportedVersion is the user_version the reader was verified
	// against; any other opens with a warning.
	SupportedVersion int
}

// File is a database file opened by OpenFile: a private snapshot of it,
// checked against a Format. It is read-only. Places' DB and the Sync
// mirror's DB embed it.
type File struct {
	path     string // the profile's file that was snapshotted
	snap     *Snapshot
	db       *sql.DB
	schema   *Schema
	warnings []string

	rawMu sync.Mutex
	raw   *sqlraw.Conn // Scan's connection, opened on first use
}

// OpenFile snapshots the database at path (see TakeSnapshot), opens the
// snapshot and checks that its schema is what f describes, noting an
// unsupported schema version or a source that kept changing as warnings.
// Then it calls ready, if not nil, for what a reader reads once. It never
// writes to the source. On any error the snapshot is removed again; every
// error is a one-line *FileError naming the file and matching one of
// ErrNotFound, ErrPermission, ErrNotAFile, ErrEmpty, ErrNotSQLite,
// ErrCorrupt, ErrWrongKind, ErrUnsupportedSchema (ready's errors are
// returned as they are).
func OpenFile(f *Format, path string, ready func(*File) error) (*File, error) {
	snap, err := TakeSnapshot(f.What, path)
	if err != nil {
		return nil, err
	}
	o := &File{path: snap.Source, snap: snap}
	err = o.check(f)
	if err == nil && ready != nil {
		err = ready(o)
	}
	if err != nil {
		o.Close()
		return nil, err
	}
	return o, nil
}

func (o *File) check(f *Format) error {
	db, err := o.snap.OpenSQL()
	if err != nil {
		return QueryError(f.What, o.path, err)
	}
	o.db = db
	s, err := ReadSchema(db)
	if err != nil {
		return QueryError(f.What, o.path, err)
	}
	o.schema = s
	switch {
	case len(s.Tables) == 0:
		return NewError(f.What, o.path, ErrWrongKind, nil, "is not %s (it has no tables)", f.Kind)
	case f.IsOther(s):
		return NewError(f.What, o.path, ErrWrongKind, nil, "is not %s (%s)", f.Kind, f.OtherHint)
	case !f.Is(s):
		return NewError(f.What, o.path, ErrWrongKind, nil, "is not %s (%s)", f.Kind, f.NotHint)
	}
	if missing := s.Missing(f.Required); len(missing) > 0 {
		return NewError(f.What, o.path, ErrUnsupportedSchema, nil,
			"is not %s this tool can read (schema version %d lacks %s)", f.ReadableKind, s.UserVersion, joinMax(missing, 4))
	}
	if s.UserVersion != f.SupportedVersion {
		o.AddWarning(fmt.Sprintf("%s at %s has schema version %d; only %d (Firefox ESR 153) is fully supported",
			f.What, o.path, s.UserVersion, f.SupportedVersion))
	}
	if !o.snap.Stable {
		o.AddWarning(fmt.Sprintf("%s at %s kept changing while it was copied; the snapshot may be inconsistent", f.What, o.path))
	}
	return nil
}

// Close closes the database and removes the snapshot.
func (o *File) Close() error {
	var err error
	o.rawMu.Lock()
	if o.raw != nil {
		err = o.raw.Close()
		o.raw = nil
	}
	o.rawMu.Unlock()
	if o.db != nil {
		if cerr := o.db.Close(); err == nil {
			err = cerr
		}
		o.db = nil
	}
	if rerr := o.snap.Remove(); err == nil {
		err = rerr
	}
	return err
}

// Path is the profile's file that was snapshotted.
func (o *File) Path() string { return o.path }

// Snapshot describes the private copy being read.
func (o *File) Snapshot() Snapshot { return *o.snap }

// SQL gives direct read access to the snapshot (query_only).
func (o *File) SQL() *sql.DB { return o.db }

// Schema is what the snapshot holds: its tables and columns.
func (o *File) Schema() *Schema { return o.schema }

// SchemaVersion is PRAGMA user_version.
func (o *File) SchemaVersion() int { return o.schema.UserVersion }

// Warnings are non-fatal observations made while opening (an unsupported
// schema version, a source that changed during the copy) or reading.
func (o *File) Warnings() []string { return o.warnings }

// AddWarning records a non-fatal observation for Warnings.
func (o *File) AddWarning(msg string) { o.warnings = append(o.warnings, msg) }

// ScanMeta runs query, which selects (key, value) rows from a meta table,
// and hands each row to fn.
func ScanMeta(db *sql.DB, query string, fn func(key string, value any)) error {
	rows, err := db.Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var v any
		if err := rows.Scan(&key, &v); err != nil {
			return err
		}
		fn(key, v)
	}
	return rows.Err()
}
