package salvage

import (
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/places/backup"
)

// Input is everything read from one profile folder: the plain rows of every
// source, with where each row was found. The scan package fills it in
// (and has each source's view prebuilt as it is read: Prebuild); Rebuild
// reads it, and takes the prebuilt views.
type Input struct {
	Places  *PlacesFile // places.sqlite (with its committed WAL frames)
	Corrupt *PlacesFile // places.sqlite.corrupt, when Firefox moved one aside
	Backups []Backup    // bookmarkbackups/, newest first
	Mirror  *Mirror     // weave/bookmarks.sqlite
	// Snapshot is the places.sqlite of bmtui's newest own backup
	// (bmtui-backups/<time>/), an older complete copy; Time orders it
	// among the backups.
	Snapshot     *PlacesFile
	SnapshotTime int64
	// Missing lists the sources a profile usually has but this one lacks.
	Missing []string
}

// PlacesFile is what the page reader got from one Places database.
type PlacesFile struct {
	Name string // as shown to the user, e.g. "places.sqlite"
	// Err is set when nothing could be read (not SQLite, zero length...).
	Err string
	// WAL reports committed frames read from the -wal file.
	WAL       bool
	WALFrames int
	Pages     int
	Damage    []dbcheck.Damage // one per damaged page
	// FreelistComplete is false when the freelist is damaged: rows on
	// orphan pages may then be deleted rows, and need another source to
	// vouch for them.
	FreelistComplete bool

	Bookmarks []BookmarkRow
	// GUIDIndex is moz_bookmarks_guid_uniqueindex: it names the rows of
	// damaged table pages (GUID and id) when the index outlived them.
	GUIDIndex []IndexEntry
	// Complete tables: every row of the table's b-tree was read
	// (BookmarksComplete) or every entry of the GUID index was
	// (GUIDIndexComplete); either makes the file's set of GUIDs exact.
	BookmarksComplete, GUIDIndexComplete bool
	// BadBookmarkCells counts damaged cells of moz_bookmarks.
	BadBookmarkCells int

	Places []PlaceRow
	// URLHashes is moz_places_url_hashindex: page id -> url_hash, which
	// names pages whose rows were lost when another source has the URL.
	URLHashes  map[int64]int64
	Visits     []VisitRow
	Keywords   []KeywordRow
	AnnoNames  map[int64]string // moz_anno_attributes
	ItemAnnos  []AnnoRow        // moz_items_annos (Owner = item id)
	PageAnnos  []AnnoRow        // moz_annos (Owner = place id)
	Tombstones []TombstoneRow   // moz_bookmarks_deleted
	// pre is the source Prebuild made, until a Rebuild takes it.
	pre  *prebuilt
	Meta map[string]any // moz_meta
	// Tables counts the rows read per table, and BadCells the damaged
	// cells met.
	Tables   map[string]int
	BadCells map[string]int
}

// Where is where a row was read: page, and whether that page was cut off
// from its b-tree (Orphan) or read from the WAL.
type Where struct {
	Page   uint32
	Orphan bool
	WAL    bool
}

// BookmarkRow is one moz_bookmarks row.
type BookmarkRow struct {
	ID, Type, FK, Parent, Position int64
	HasFK                          bool
	Title                          string
	KeywordID                      int64
	DateAdded, LastModified        int64
	GUID                           string
	SyncStatus, SyncChangeCounter  int64
	Where
}

// IndexEntry is one entry of a GUID index: the GUID and its row's id.
type IndexEntry struct {
	GUID string
	ID   int64
	Page uint32
}

// PlaceRow is one moz_places row.
type PlaceRow struct {
	ID                                  int64
	URL, Title, GUID                    string
	VisitCount, Hidden, Typed, Frecency int64
	LastVisitDate                       int64
	Description, PreviewImageURL, Site  string
	RevHost                             string
	Where
}

// VisitRow is one moz_historyvisits row.
type VisitRow struct {
	PlaceID, VisitDate, VisitType, Source int64
}

// KeywordRow is one moz_keywords row.
type KeywordRow struct {
	Keyword  string
	PlaceID  int64
	PostData string
}

// AnnoRow is one moz_items_annos or moz_annos row.
type AnnoRow struct {
	Owner, AttrID           int64
	Content                 string
	Flags, Expiration, Type int64
	DateAdded, LastModified int64
}

// TombstoneRow is one moz_bookmarks_deleted row.
type TombstoneRow struct {
	GUID        string
	DateRemoved int64
}

// Backup is one bookmarks backup file.
type Backup struct {
	Name string // bookmarkbackups/NAME
	Err  string
	// Time orders backups and the other sources: the newest date in the
	// tree (µs).
	Time int64
	Root *backup.Node
	pre  *prebuilt // as PlacesFile's
}

// Mirror is what was read from the Sync mirror.
type Mirror struct {
	Name   string
	Err    string
	Damage []dbcheck.Damage
	Items  []MirrorItem
	// Time is the newest server-modified time (µs).
	Time int64
	pre  *prebuilt // as PlacesFile's
}

// Sync record kinds, as the mirror stores them.
const (
	KindBookmark  = 1
	KindQuery     = 2
	KindFolder    = 3
	KindLivemark  = 4
	KindSeparator = 5
)

// MirrorItem is one mirror item with its place in the structure.
type MirrorItem struct {
	GUID, ParentGUID string
	Kind             int
	Title, URL       string
	Keyword          string
	Tags             []string
	DateAdded        int64 // µs
	ServerModified   int64 // µs
	Position         int
	Deleted          bool
	Page             uint32
}
