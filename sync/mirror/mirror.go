// Package mirror reads Firefox's Sync bookmarks mirror
// (weave/bookmarks.sqlite) without disturbing it: like places.Open, every
// read goes to a private snapshot. It builds the remote bookmark tree
// exactly as Firefox's merger does (FORMATS.md §2.6 "Remote tree").
package mirror

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bmtui/bmtui/places"
)

// SupportedSchemaVersion is the mirror user_version this package was
// verified against (Firefox ESR 153).
const SupportedSchemaVersion = 9

// What names the mirror in messages.
const What = "bookmarks.sqlite"

var requiredMirror = map[string][]string{
	"items":     {"id", "guid", "parentGuid", "serverModified", "needsMerge", "validity", "isDeleted", "kind", "dateAdded", "title", "urlId", "keyword"},
	"structure": {"guid", "parentGuid", "position"},
	"urls":      {"id", "url"},
	"meta":      {"key", "value"},
	"tags":      {"itemId", "tag"},
}

// DB is an opened snapshot of a mirror database. It is read-only.
type DB struct {
	path         string
	snap         *places.Snapshot
	db           *sql.DB
	schema       *places.Schema
	warnings     []string
	skipped      []places.SkippedRecord
	syncID       string
	lastModified int64
}

// ResolvePath turns a profile folder into the path of its
// weave/bookmarks.sqlite (or a folder's bookmarks.sqlite); any other path
// is returned unchanged.
func ResolvePath(path string) string {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return path
	}
	if _, err := os.Stat(filepath.Join(path, "bookmarks.sqlite")); err == nil {
		return filepath.Join(path, "bookmarks.sqlite")
	}
	return filepath.Join(path, "weave", "bookmarks.sqlite")
}

// Open snapshots the mirror at path (the file, a profile folder, or its
// weave folder) and opens the snapshot, never writing to the profile.
// Errors are one-line *places.FileError values matching the places
// sentinels (places.ErrNotFound, places.ErrEmpty, places.ErrNotSQLite,
// places.ErrCorrupt, places.ErrWrongKind, places.ErrUnsupportedSchema,
// places.ErrPermission, places.ErrNotAFile).
func Open(path string) (*DB, error) {
	path = ResolvePath(path)
	snap, err := places.TakeSnapshot(What, path)
	if err != nil {
		return nil, err
	}
	d := &DB{path: snap.Source, snap: snap}
	if err := d.init(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func fileErr(path string, kind error, format string, args ...any) error {
	return &places.FileError{What: What, Path: path, Kind: kind, Problem: fmt.Sprintf(format, args...)}
}

func (d *DB) init() error {
	db, err := d.snap.OpenSQL()
	if err != nil {
		return places.QueryError(What, d.path, err)
	}
	d.db = db
	s, err := places.ReadSchema(db)
	if err != nil {
		return places.QueryError(What, d.path, err)
	}
	d.schema = s
	switch {
	case len(s.Tables) == 0:
		return fileErr(d.path, places.ErrWrongKind, "is not a Firefox Sync bookmarks mirror (it has no tables)")
	case s.LooksLikePlaces():
		return fileErr(d.path, places.ErrWrongKind, "is not a Firefox Sync bookmarks mirror (it looks like a Places database, places.sqlite)")
	case !s.Has("items") || !s.Has("structure"):
		return fileErr(d.path, places.ErrWrongKind, "is not a Firefox Sync bookmarks mirror (no items/structure tables)")
	}
	if missing := s.Missing(requiredMirror); len(missing) > 0 {
		return fileErr(d.path, places.ErrUnsupportedSchema,
			"is not a Sync bookmarks mirror this tool can read (schema version %d lacks %s)", s.UserVersion, joinMax(missing, 4))
	}
	if s.UserVersion != SupportedSchemaVersion {
		d.warnings = append(d.warnings, fmt.Sprintf("%s at %s has schema version %d; only %d (Firefox ESR 153) is fully supported",
			What, d.path, s.UserVersion, SupportedSchemaVersion))
	}
	if !d.snap.Stable {
		d.warnings = append(d.warnings, fmt.Sprintf("%s at %s kept changing while it was copied; the snapshot may be inconsistent", What, d.path))
	}
	if err := d.readMeta(); err != nil {
		return places.QueryError(What, d.path, err)
	}
	return nil
}

func joinMax(names []string, max int) string {
	out := ""
	for i, n := range names {
		if i == max {
			return out + ", …"
		}
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

func (d *DB) readMeta() error {
	rows, err := d.db.Query(`SELECT key, value FROM meta WHERE key IN ('collection/syncId', 'collection/lastModified')`)
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
		switch key {
		case "collection/syncId":
			switch x := v.(type) {
			case string:
				d.syncID = x
			case []byte:
				d.syncID = string(x)
			}
		case "collection/lastModified":
			d.lastModified = places.AsInt64(v)
		}
	}
	return rows.Err()
}

// Close closes the database and removes the snapshot.
func (d *DB) Close() error {
	var err error
	if d.db != nil {
		err = d.db.Close()
		d.db = nil
	}
	if rerr := d.snap.Remove(); err == nil {
		err = rerr
	}
	return err
}

// Path is the profile's mirror file that was snapshotted.
func (d *DB) Path() string { return d.path }

// Snapshot describes the private copy being read.
func (d *DB) Snapshot() places.Snapshot { return *d.snap }

// SQL gives direct read access to the snapshot (query_only).
func (d *DB) SQL() *sql.DB { return d.db }

// SchemaVersion is PRAGMA user_version.
func (d *DB) SchemaVersion() int { return d.schema.UserVersion }

// Warnings are non-fatal observations made while opening or reading.
func (d *DB) Warnings() []string { return d.warnings }

// Skipped lists records the last ReadTree could not feed to the builder
// (Firefox would have aborted the merge on each of them).
func (d *DB) Skipped() []places.SkippedRecord { return d.skipped }

// SyncID is meta's collection/syncId ("" if absent).
func (d *DB) SyncID() string { return d.syncID }

// LastModified is meta's collection/lastModified in ms (stored as REAL by
// Firefox; INTEGER accepted), 0 before the first upload.
func (d *DB) LastModified() int64 { return d.lastModified }

// RemoteNow is the remote clock to build the tree with, for an offline
// tool that has no server response: the newest server time the mirror
// knows, max(collection/lastModified, max(items.serverModified)), in ms.
// (Firefox uses the X-Weave-Timestamp of the last response, which is at
// least both.) It is 0 for a fresh mirror that never saw the server; a
// caller then has to pick a clock itself.
func (d *DB) RemoteNow() (int64, error) {
	var maxMod sql.NullInt64
	if err := d.db.QueryRow(`SELECT max(serverModified) FROM items`).Scan(&maxMod); err != nil {
		return 0, places.QueryError(What, d.path, err)
	}
	return max(d.lastModified, maxMod.Int64), nil
}
