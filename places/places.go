// Package places reads a Firefox profile's Places database (places.sqlite)
// without ever disturbing it: every read goes to a private snapshot (see
// internal/dbsnap), never to the profile's file. It builds the local bookmark tree
// exactly as Firefox's bookmark merger does (docs/formats.md#local-tree), detects a
// running Firefox, and checks the schema before trusting a file.
package places

import (
	"os"
	"path/filepath"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/source"
)

// SupportedSchemaVersion is the Places user_version this package was
// verified against (Firefox ESR 153).
const SupportedSchemaVersion = 86

// FileName is the Places database's name inside a profile.
const FileName = "places.sqlite"

// What names the Places database in messages.
const What = "places.sqlite"

// requiredPlaces lists what ReadTree and the details panel read.
var requiredPlaces = map[string][]string{
	"moz_bookmarks":         {"id", "type", "fk", "parent", "position", "title", "dateAdded", "lastModified", "guid", "syncStatus", "syncChangeCounter"},
	"moz_places":            {"id", "url", "url_hash", "guid"},
	"moz_bookmarks_deleted": {"guid", "dateRemoved"},
	"moz_keywords":          {"keyword", "place_id"},
	"moz_meta":              {"key", "value"},
}

// DB is an opened snapshot of a Places database. It is read-only.
type DB struct {
	dbsnap.Checked // the profile's places.sqlite, snapshotted, and its structural check

	skipped    []dbsnap.SkippedRecord
	tombstones []source.Tombstone
	syncID     string
	lastSync   int64
	hasAnnos   bool
	stats      *Stats
}

// ResolvePath turns a profile folder into the path of its places.sqlite;
// any other path is returned unchanged.
func ResolvePath(path string) string {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return filepath.Join(path, FileName)
	}
	return path
}

// Open snapshots the Places database at path (the file, or a profile
// folder holding places.sqlite) and opens the snapshot. It never writes to
// the profile. Every error is a one-line *dbsnap.FileError naming the file and
// matching one of dbsnap's ErrNotFound, ErrPermission, ErrNotAFile, ErrEmpty,
// ErrNotSQLite, ErrCorrupt, ErrWrongKind, ErrUnsupportedSchema.
func Open(path string) (*DB, error) {
	d := &DB{}
	if _, err := dbsnap.OpenFile(placesFormat, ResolvePath(path), d.init); err != nil {
		return nil, err
	}
	return d, nil
}

var placesFormat = &dbsnap.Format{
	What:             What,
	Kind:             "a Firefox Places database",
	ReadableKind:     "a Firefox Places database",
	IsOther:          (*dbsnap.Schema).LooksLikeMirror,
	OtherHint:        "it looks like a Sync mirror, weave/bookmarks.sqlite",
	Is:               (*dbsnap.Schema).LooksLikePlaces,
	NotHint:          "no moz_bookmarks/moz_places tables",
	Required:         requiredPlaces,
	SupportedVersion: SupportedSchemaVersion,
}

// init reads, once f passed its checks, what DB keeps.
func (d *DB) init(f *dbsnap.File) error {
	d.Checked = dbsnap.Check(f)
	d.hasAnnos = d.Schema().Has("moz_items_annos") && d.Schema().Has("moz_anno_attributes")
	if err := d.readMeta(); err != nil {
		return dbsnap.CheckedError(What, f, err)
	}
	// Count now: the one connection must not be asked while a later
	// query holds it open.
	if _, err := d.Stats(); err != nil {
		return dbsnap.CheckedError(What, f, err)
	}
	return nil
}

func (d *DB) readMeta() error {
	return dbsnap.ScanMeta(d.SQL(), `SELECT key, value FROM moz_meta WHERE key IN ('sync/bookmarks/syncid', 'sync/bookmarks/lastsync')`,
		func(key string, v any) {
			switch key {
			case "sync/bookmarks/syncid":
				d.syncID = dbsnap.AsString(v)
			case "sync/bookmarks/lastsync":
				d.lastSync = dbsnap.AsInt64(v)
			}
		})
}

// Skipped lists rows the last ReadTree could not use.
func (d *DB) Skipped() []dbsnap.SkippedRecord { return d.skipped }

// Tombstones are the moz_bookmarks_deleted rows the last ReadTree read,
// with their dateRemoved.
func (d *DB) Tombstones() []source.Tombstone { return d.tombstones }

// SyncID is moz_meta's sync/bookmarks/syncid ("" when Sync was never set
// up).
func (d *DB) SyncID() string { return d.syncID }

// LastSync is moz_meta's sync/bookmarks/lastsync in ms (0 before the first
// successful upload). Stored as REAL by Firefox; INTEGER is accepted too.
func (d *DB) LastSync() int64 { return d.lastSync }

// Stats are row counts for the details panel.
type Stats struct {
	Bookmarks  int // moz_bookmarks rows, roots and tag rows included
	Tombstones int // moz_bookmarks_deleted rows
	Pages      int // moz_places rows
	Keywords   int // moz_keywords rows
}

// Stats counts rows (once; the snapshot does not change).
func (d *DB) Stats() (Stats, error) {
	if d.stats != nil {
		return *d.stats, nil
	}
	var s Stats
	err := d.SQL().QueryRow(`SELECT (SELECT count(*) FROM moz_bookmarks), (SELECT count(*) FROM moz_bookmarks_deleted),
		(SELECT count(*) FROM moz_places), (SELECT count(*) FROM moz_keywords)`).Scan(&s.Bookmarks, &s.Tombstones, &s.Pages, &s.Keywords)
	if err != nil {
		return Stats{}, dbsnap.QueryError(What, d.Path(), err)
	}
	d.stats = &s
	return s, nil
}

// RowCount is the number of moz_bookmarks rows.
func (d *DB) RowCount() (int, error) {
	s, err := d.Stats()
	return s.Bookmarks, err
}
