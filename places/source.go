package places

import (
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is a Places database as a bookmark source: the local tree.
type Source struct {
	db    *DB
	stamp Stamp
	at    time.Time
}

var (
	_ source.Reparenter = (*Source)(nil)
	_ source.Checked    = (*Source)(nil)
)

// Stamp is what a Places file was when it was read: its identity on disk,
// taken before the copy so that any later write shows, and its
// fingerprint. A writer refuses a file whose stamp changed.
type Stamp struct {
	File  dbsnap.FileID
	Print Fingerprint
}

// OpenSource snapshots the Places database at path (the file, or a profile
// folder holding places.sqlite) and opens it as a source. Errors are
// Open's.
func OpenSource(path string) (*Source, error) {
	path = ResolvePath(path)
	s := &Source{at: time.Now()}
	s.stamp.File, _ = dbsnap.StatFile(path, "-wal") // a missing file fails in Open
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
	return source.Provenance{Kind: source.Places, Path: s.db.Path(), Label: "Local (Places)", At: s.at, Side: tree.Local}
}

// DB is the opened snapshot.
func (s *Source) DB() *DB { return s.db }

// Stamp is what the file was when it was read.
func (s *Source) Stamp() Stamp { return s.stamp }

// Load builds the local tree, ages measured against the local clock.
func (s *Source) Load(clock time.Time) (*source.Result, error) { return s.LoadPreferring(clock, nil) }

// LoadPreferring is Load with the user's choice of parent for items whose
// parents disagree (see DB.ReadTreeWith).
func (s *Source) LoadPreferring(clock time.Time, prefer map[string]string) (*source.Result, error) {
	t, err := s.db.ReadTreeWith(tree.NowMillis(clock), prefer)
	return s.result(t, err)
}

// LoadRows is Load from the rows of the snapshot's tables read elsewhere
// (DB.ReadTreeRows): bmtui bundle builds the tree from the rows it
// copies, so that the tables are read once.
func (s *Source) LoadRows(clock time.Time, rows *TreeRows) (*source.Result, error) {
	t, err := s.db.ReadTreeRows(rows, tree.NowMillis(clock), nil)
	return s.result(t, err)
}

// result is what Load returns for the tree read (t nil when it failed).
func (s *Source) result(t *tree.Tree, err error) (*source.Result, error) {
	if t == nil {
		return nil, dbsnap.ReadError(What, s.db.Path(), "read local tree from", err, s.db.Damage)
	}
	s.db.StartCheck() // after the read: it would slow the reading down
	r := &source.Result{
		Provenance: s.Provenance(),
		Tree:       t,
		Report:     check.Tree(tree.Local, t),
		TreeErr:    err,
		Notes:      append([]string(nil), s.db.Warnings()...),
		Tombstones: s.db.Tombstones(),
	}
	for _, sk := range s.db.Skipped() {
		r.Notes = append(r.Notes, "skipped Places row: "+sk.String())
	}
	return r, nil
}

// Damage waits for the structural check of the snapshot, started by
// Load, and returns what it found: nil for a sound file.
func (s *Source) Damage() ([]dbcheck.Damage, error) { return s.db.Damage() }

// Close stops the check and removes the snapshot.
func (s *Source) Close() error { return s.db.Close() }
