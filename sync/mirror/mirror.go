// Package mirror reads Firefox's Sync bookmarks mirror
// (weave/bookmarks.sqlite) without disturbing it: like places.Open, every
// read goes to a private snapshot. It builds the remote bookmark tree
// exactly as Firefox's merger does (docs/formats.md#remote-tree).
package mirror

import (
	"database/sql"
	"os"
	"path/filepath"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/source"
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
	dbsnap.Checked // the profile's mirror file, snapshotted, and its structural check

	skipped      []dbsnap.SkippedRecord
	reupload     []string
	tombstones   []source.Tombstone
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
// Errors are one-line *dbsnap.FileError values matching dbsnap's
// sentinels (ErrNotFound and the others), as places.Open's are.
func Open(path string) (*DB, error) {
	d := &DB{}
	if _, err := dbsnap.OpenFile(mirrorFormat, ResolvePath(path), d.init); err != nil {
		return nil, err
	}
	return d, nil
}

var mirrorFormat = &dbsnap.Format{
	What:             What,
	Kind:             "a Firefox Sync bookmarks mirror",
	ReadableKind:     "a Sync bookmarks mirror",
	IsOther:          (*dbsnap.Schema).LooksLikePlaces,
	OtherHint:        "it looks like a Places database, places.sqlite",
	Is:               func(s *dbsnap.Schema) bool { return s.Has("items") && s.Has("structure") },
	NotHint:          "no items/structure tables",
	Required:         requiredMirror,
	SupportedVersion: SupportedSchemaVersion,
}

// init reads, once f passed its checks, what DB keeps.
func (d *DB) init(f *dbsnap.File) error {
	d.Checked = dbsnap.Check(f)
	if err := d.readMeta(); err != nil {
		return dbsnap.CheckedError(What, f, err)
	}
	return nil
}

func (d *DB) readMeta() error {
	return dbsnap.ScanMeta(d.SQL(), `SELECT key, value FROM meta WHERE key IN ('collection/syncId', 'collection/lastModified')`,
		func(key string, v any) {
			switch key {
			case "collection/syncId":
				switch x := v.(type) {
				case string:
					d.syncID = x
				case []byte:
					d.syncID = string(x)
				}
			case "collection/lastModified":
				d.lastModified = dbsnap.AsInt64(v)
			}
		})
}

// Skipped lists records the last ReadTree could not feed to the builder
// (Firefox would have aborted the merge on each of them).
func (d *DB) Skipped() []dbsnap.SkippedRecord { return d.skipped }

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
	if err := d.SQL().QueryRow(`SELECT max(serverModified) FROM items`).Scan(&maxMod); err != nil {
		return 0, dbsnap.QueryError(What, d.Path(), err)
	}
	return max(d.lastModified, maxMod.Int64), nil
}
