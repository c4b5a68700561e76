package mirror

import (
	"slices"
	"time"

	"github.com/bmtui/bmtui/internal/dbsource"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is a Sync mirror as a bookmark source: the server's tree as this
// profile last synced it.
type Source struct {
	*dbsource.Source[*DB, Fingerprint]
}

var (
	_ source.Reparenter = (*Source)(nil)
	_ source.Checked    = (*Source)(nil)
)

// Stamp is what a mirror file was when it was read (see dbsource.Stamp).
type Stamp = dbsource.Stamp[Fingerprint]

var sourceKind = &dbsource.Kind[*DB, Fingerprint]{
	What: What, Companion: "-journal", Resolve: ResolvePath, Open: Open, ReadPrint: ReadFingerprint,
	SourceKind: source.Mirror, Label: "Remote (Sync mirror)", Side: tree.Remote, SkipNote: "skipped mirror record: ",
}

// OpenSource snapshots the mirror at path (the file, a profile folder, or
// its weave folder) and opens it as a source. Errors are Open's.
func OpenSource(path string) (*Source, error) {
	s, err := dbsource.Open(sourceKind, path)
	if err != nil {
		return nil, err
	}
	return &Source{s}, nil
}

// Reupload are the rows the last Load found REUPLOAD (DB.Reupload), which
// an apply writes into the mirror as Firefox does before merging.
func (s *Source) Reupload() []string { return slices.Clone(s.DB().Reupload()) }

// LoadRows is Load from the rows of the snapshot's tables read elsewhere
// (DB.ReadTreeRows): bmtui bundle builds the tree from the rows it
// copies, so that the tables are read once.
func (s *Source) LoadRows(clock time.Time, items []ItemRow, structure []StructureRow) (*source.Result, error) {
	return s.Result(s.DB().ReadTreeRows(items, structure, tree.NowMillis(clock), nil))
}
