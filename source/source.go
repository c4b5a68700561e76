// Package source is the seam between the files bmtui reads and everything
// that shows or merges bookmarks. A Source is one thing to open (a Places
// database, a Sync mirror; later a bookmark backup, a salvaged database, a
// support bundle, a Sync server dump), and what it yields is the same for
// every kind: a tree with its problems, where it came from, and the
// deletions it records. The explorer shows any two results side by side;
// the merge takes a local and a remote one; only a Places profile is ever
// written to, by apply, which finds what it needs in the profile (see
// internal/load), not here.
//
// The package imports only the standard library, the tree vocabulary and
// internal/dbcheck (for its Damage type, itself standard library only), so
// that the screens can use its types without linking a database.
package source

import (
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// Kind names what a source is read from.
type Kind string

// Kinds of source.
const (
	Places Kind = "places" // a profile's places.sqlite: the local tree
	Mirror Kind = "mirror" // a profile's weave/bookmarks.sqlite: the server's tree as last synced
)

// Kinds of source that are copies of the bookmarks (issue 14): read to
// search, compare and restore from, never merged into or written.
const (
	Backup      Kind = "backup"       // a Firefox bookmark backup, bookmarkbackups/*.jsonlz4 or a .json
	HTML        Kind = "html"         // a bookmarks.html export (Netscape format, Firefox's or another browser's)
	Corrupt     Kind = "corrupt"      // places.sqlite.corrupt, what Firefox set aside when it could not open Places
	BmtuiPlaces Kind = "bmtui-places" // places.sqlite as bmtui saved it in bmtui-backups/<time>/ before writing
	BmtuiMirror Kind = "bmtui-mirror" // the mirror saved beside it
)

// Entry is one source a profile has, listed before it is read (see
// source/catalog, which makes them). ID names it on the command line
// ("places", "mirror", "backup:2026-11-04", a path …); Time is the moment
// it describes as far as is known without reading it.
type Entry struct {
	ID   string
	Kind Kind
	Path string
	Time time.Time
	// Open opens the source; the caller loads and closes it.
	Open func() (Source, error)
}

// Provenance says where a tree comes from.
type Provenance struct {
	Kind  Kind
	Path  string // the file read
	Label string // for people, e.g. "Local (Places)"
	// At is the moment the tree describes: when a live database was
	// copied for reading, when a backup was written.
	At time.Time
	// Side is the tree of a merge this kind of source usually is: Places
	// is local; the mirror and any other copy of the server's tree remote.
	Side tree.Side
}

// Result is what a source yields.
type Result struct {
	Provenance Provenance
	Tree       *tree.Tree
	Report     check.Report
	// TreeErr is a tree error (a cycle) that leaves Tree viewable but
	// makes a merge impossible; nil otherwise.
	TreeErr error
	// Notes are observations for people: rows skipped, an unsupported
	// schema version, a file that kept changing while it was copied.
	Notes []string
	// Tombstones are the deletions the source records, with their times;
	// nil for a kind that keeps none. The tree holds those a merge must
	// consider (Tree.Tombstones).
	Tombstones []Tombstone
}

// Mergeable reports whether the result can take part in a merge.
func (r *Result) Mergeable() bool { return r != nil && r.Tree != nil && r.TreeErr == nil }

// Tombstone is one recorded deletion.
type Tombstone struct {
	GUID    string
	Deleted time.Time
}

// Source is one thing to read bookmarks from.
type Source interface {
	// Provenance says what the source is; At is known once it was read.
	Provenance() Provenance
	// Load builds the tree, with ages measured against clock (the local
	// clock for a local source, the server's for a remote one).
	Load(clock time.Time) (*Result, error)
	// Close releases what the source holds (a private copy of a file).
	Close() error
}

// Reparenter is a Source that can build its tree again with the user's
// choice of parent for items several folders claim: prefer maps a child
// GUID to the folder that keeps it (tree.Builder.PreferParent).
type Reparenter interface {
	Source
	LoadPreferring(clock time.Time, prefer map[string]string) (*Result, error)
}

// Checked is a Source whose file SQLite's structural check can examine.
// The check runs in the background from the moment the file is opened,
// so its findings are not part of a Result: Damage waits for it.
type Checked interface {
	Source
	Damage() ([]dbcheck.Damage, error)
}
