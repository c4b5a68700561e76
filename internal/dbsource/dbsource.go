// Package dbsource turns a snapshot-read database (Places or the Sync
// mirror) into a bookmark source: one shape for both, so that the stamp a
// writer checks, the provenance and the load's notes are made alike.
package dbsource

import (
	"database/sql"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// DB is what a source needs of an opened snapshot.
type DB interface {
	Path() string
	SQL() *sql.DB
	ReadTreeWith(nowMs int64, prefer map[string]string) (*tree.Tree, error)
	StartCheck()
	Damage() ([]dbcheck.Damage, error)
	Warnings() []string
	Skipped() []dbsnap.SkippedRecord
	Tombstones() []source.Tombstone
	Close() error
}

// Stamp is what a database file was when it was read: its identity on
// disk, taken before the copy so that any later write shows, and its
// fingerprint P. A writer refuses a file whose stamp changed.
type Stamp[P any] struct {
	File  dbsnap.FileID
	Print P
}

// Kind says how one kind of database opens and names itself.
type Kind[D DB, P any] struct {
	What      string // the file's name in errors, as dbsnap's errors use it
	Companion string // the journal whose content the identity covers: "-wal" or "-journal"
	Resolve   func(path string) string
	Open      func(path string) (D, error)
	ReadPrint func(db dbsnap.Queryer, schema string) (P, error)

	SourceKind source.Kind
	Label      string
	Side       tree.Side
	SkipNote   string // starts the note of each skipped row
}

// Source is an opened snapshot as a bookmark source.
type Source[D DB, P any] struct {
	kind  *Kind[D, P]
	db    D
	stamp Stamp[P]
	at    time.Time
}

// Open snapshots the database at path (resolved by the kind) and opens it
// as a source. Errors are the kind's Open's, or a fingerprint read error.
func Open[D DB, P any](k *Kind[D, P], path string) (*Source[D, P], error) {
	path = k.Resolve(path)
	s := &Source[D, P]{kind: k, at: time.Now()}
	s.stamp.File, _ = dbsnap.StatFile(path, k.Companion) // a missing file fails in Open
	db, err := k.Open(path)
	if err != nil {
		return nil, err
	}
	s.db = db
	if s.stamp.Print, err = k.ReadPrint(db.SQL(), "main"); err != nil {
		err = dbsnap.ReadError(k.What, db.Path(), "read", err, db.Damage)
		db.Close()
		return nil, err
	}
	return s, nil
}

// Provenance says what the source is.
func (s *Source[D, P]) Provenance() source.Provenance {
	return source.Provenance{Kind: s.kind.SourceKind, Path: s.db.Path(), Label: s.kind.Label, At: s.at, Side: s.kind.Side}
}

// DB is the opened snapshot.
func (s *Source[D, P]) DB() D { return s.db }

// Stamp is what the file was when it was read.
func (s *Source[D, P]) Stamp() Stamp[P] { return s.stamp }

// Load builds the tree, ages measured against clock.
func (s *Source[D, P]) Load(clock time.Time) (*source.Result, error) {
	return s.LoadPreferring(clock, nil)
}

// LoadPreferring is Load with the user's choice of parent for items that
// several folders claim (see the DB's ReadTreeWith).
func (s *Source[D, P]) LoadPreferring(clock time.Time, prefer map[string]string) (*source.Result, error) {
	return s.Result(s.db.ReadTreeWith(tree.NowMillis(clock), prefer))
}

// Result is what Load returns for a tree read from this snapshot's rows,
// by ReadTreeWith or another reader of the same rows (t nil when it
// failed, err then saying why).
func (s *Source[D, P]) Result(t *tree.Tree, err error) (*source.Result, error) {
	if t == nil {
		return nil, dbsnap.ReadError(s.kind.What, s.db.Path(), "read "+s.kind.Side.String()+" tree from", err, s.db.Damage)
	}
	s.db.StartCheck() // after the read: it would slow the reading down
	r := &source.Result{
		Provenance: s.Provenance(),
		Tree:       t,
		Report:     check.Tree(s.kind.Side, t),
		TreeErr:    err,
		Notes:      append([]string(nil), s.db.Warnings()...),
		Tombstones: s.db.Tombstones(),
	}
	for _, sk := range s.db.Skipped() {
		r.Notes = append(r.Notes, s.kind.SkipNote+sk.String())
	}
	return r, nil
}

// Damage waits for the structural check of the snapshot, started by
// Load, and returns what it found: nil for a sound file.
func (s *Source[D, P]) Damage() ([]dbcheck.Damage, error) { return s.db.Damage() }

// Close stops the check and removes the snapshot.
func (s *Source[D, P]) Close() error { return s.db.Close() }
