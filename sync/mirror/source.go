package mirror

import (
	"slices"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is a Sync mirror as a bookmark source: the server's tree as this
// profile last synced it.
type Source struct {
	db    *DB
	stamp Stamp
	at    time.Time
}

var (
	_ source.Reparenter = (*Source)(nil)
	_ source.Checked    = (*Source)(nil)
)

// Stamp is what a mirror file was when it was read: its identity on disk,
// taken before the copy, and its fingerprint. A writer refuses a file
// whose stamp changed.
type Stamp struct {
	File  dbsnap.FileID
	Print Fingerprint
}

// OpenSource snapshots the mirror at path (the file, a profile folder, or
// its weave folder) and opens it as a source. Errors are Open's.
func OpenSource(path string) (*Source, error) {
	path = ResolvePath(path)
	s := &Source{at: time.Now()}
	s.stamp.File, _ = dbsnap.StatFile(path, "-journal") // a missing file fails in Open
	db, err := Open(path)
	if err != nil {
		return nil, err
	}
	s.db = db
	if s.stamp.Print, err = ReadFingerprint(db.SQL(), "main"); err != nil {
		err = dbsnap.ReadError(What, db.Path(), "read", err, db.Damage)
		db.Close()
		return nil, err
	}
	return s, nil
}

// Provenance says what the source is.
func (s *Source) Provenance() source.Provenance {
	return source.Provenance{Kind: source.Mirror, Path: s.db.Path(), Label: "Remote (Sync mirror)", At: s.at, Side: tree.Remote}
}

// DB is the opened snapshot.
func (s *Source) DB() *DB { return s.db }

// Stamp is what the file was when it was read.
func (s *Source) Stamp() Stamp { return s.stamp }

// Reupload are the rows the last Load found REUPLOAD (DB.Reupload), which
// an apply writes into the mirror as Firefox does before merging.
func (s *Source) Reupload() []string { return slices.Clone(s.db.Reupload()) }

// Load builds the remote tree, ages measured against the server's clock.
func (s *Source) Load(clock time.Time) (*source.Result, error) { return s.LoadPreferring(clock, nil) }

// LoadPreferring is Load with the user's choice of parent for items that
// several folders claim (see DB.ReadTreeWith).
func (s *Source) LoadPreferring(clock time.Time, prefer map[string]string) (*source.Result, error) {
	t, err := s.db.ReadTreeWith(tree.NowMillis(clock), prefer)
	return s.result(t, err)
}

// LoadRows is Load from the rows of the snapshot's tables read elsewhere
// (DB.ReadTreeRows): bmtui bundle builds the tree from the rows it
// copies, so that the tables are read once.
func (s *Source) LoadRows(clock time.Time, items []ItemRow, structure []StructureRow) (*source.Result, error) {
	t, err := s.db.ReadTreeRows(items, structure, tree.NowMillis(clock), nil)
	return s.result(t, err)
}

// result is what Load returns for the tree read (t nil when it failed).
func (s *Source) result(t *tree.Tree, err error) (*source.Result, error) {
	if t == nil {
		return nil, dbsnap.ReadError(What, s.db.Path(), "read remote tree from", err, s.db.Damage)
	}
	s.db.StartCheck() // after the read: it would slow the reading down
	r := &source.Result{
		Provenance: s.Provenance(),
		Tree:       t,
		Report:     check.Tree(tree.Remote, t),
		TreeErr:    err,
		Notes:      append([]string(nil), s.db.Warnings()...),
		Tombstones: s.db.Tombstones(),
	}
	for _, sk := range s.db.Skipped() {
		r.Notes = append(r.Notes, "skipped mirror record: "+sk.String())
	}
	return r, nil
}

// Damage waits for the structural check of the snapshot, started by
// Load, and returns what it found: nil for a sound file.
func (s *Source) Damage() ([]dbcheck.Damage, error) { return s.db.Damage() }

// Close stops the check and removes the snapshot.
func (s *Source) Close() error { return s.db.Close() }
