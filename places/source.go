package places

import (
	"time"

	"github.com/bmtui/bmtui/internal/dbsource"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is a Places database as a bookmark source: the local tree.
type Source struct {
	*dbsource.Source[*DB, Fingerprint]
}

var (
	_ source.Reparenter = (*Source)(nil)
	_ source.Checked    = (*Source)(nil)
)

// Stamp is what a Places file was when it was read (see dbsource.Stamp).
type Stamp = dbsource.Stamp[Fingerprint]

var sourceKind = &dbsource.Kind[*DB, Fingerprint]{
	What: What, Companion: "-wal", Resolve: ResolvePath, Open: Open, ReadPrint: ReadFingerprint,
	SourceKind: source.Places, Label: "Local (Places)", Side: tree.Local, SkipNote: "skipped Places row: ",
}

// OpenSource snapshots the Places database at path (the file, or a profile
// folder holding places.sqlite) and opens it as a source. Errors are
// Open's.
func OpenSource(path string) (*Source, error) {
	s, err := dbsource.Open(sourceKind, path)
	if err != nil {
		return nil, err
	}
	return &Source{s}, nil
}

// LoadRows is Load from the rows of the snapshot's tables read elsewhere
// (DB.ReadTreeRows): bmtui bundle builds the tree from the rows it
// copies, so that the tables are read once.
func (s *Source) LoadRows(clock time.Time, rows *TreeRows) (*source.Result, error) {
	return s.Result(s.DB().ReadTreeRows(rows, tree.NowMillis(clock), nil))
}
