// Package rebuild writes a whole new Places database (places.sqlite, schema
// version 86) from a plain description of its rows, deriving the values
// Places derives itself (url_hash, rev_host, origins, foreign_count, tag
// folders, frecency recalculation flags), and reads it back to verify.
package rebuild

// Database is a plain description of a whole Places database, with no I/O.
// Rows refer to each other by GUID and URL, never by row id: the writer
// assigns ids.
//
// Write rejects what Firefox could not hold (an invalid or repeated GUID,
// a parent that is missing, later in the list or not a folder, a keyword
// on two URLs, a tombstone for a live item) and leaves values the way
// Places' own coherence check would, so Firefox repairs nothing: sibling
// positions renumbered 0..n-1 in Position order, dateAdded <= lastModified,
// keywords trimmed and lowercased, meta keys lowercased, built-in roots
// that are missing added (syncStatus UNKNOWN).
type Database struct {
	Bookmarks  []Bookmark     // roots first; every parent before its children
	Places     []Place        // pages (moz_places); bookmarks refer by URL
	Visits     []Visit        // moz_historyvisits, by page URL
	Keywords   []Keyword      // moz_keywords: keyword -> URL (+ post_data)
	ItemAnnos  []ItemAnno     // moz_items_annos by bookmark GUID: checked, not written (dead since schema 53; Firefox's maintenance drops them)
	PageAnnos  []PageAnno     // moz_annos by page URL
	Tombstones []Tombstone    // moz_bookmarks_deleted
	Meta       map[string]any // moz_meta (sync ids etc.), only what is certain: string, int, int64, float64 (REAL, as Firefox stores lastsync) or bool
}

// Bookmark types as moz_bookmarks.type stores them.
const (
	TypeBookmark  = 1
	TypeFolder    = 2
	TypeSeparator = 3
)

// Bookmark is one moz_bookmarks row outside the tags root. The root itself
// (GUID "root________") has ParentGUID "". Tag folders and tag entries are
// not listed: the writer makes them from Tags.
type Bookmark struct {
	GUID, ParentGUID  string
	Type              int // TypeBookmark, TypeFolder or TypeSeparator
	Position          int
	Title             string // "" allowed; written as NULL for separators, as Firefox does
	URL               string // TypeBookmark only
	DateAdded         int64  // microseconds
	LastModified      int64  // microseconds
	SyncStatus        int
	SyncChangeCounter int
	// Tags are tag folder titles (exact, as the mirror apply matches
	// them; trimmed, empty ones dropped). The writer makes one folder per
	// title and one entry per tag and URL, both as the mirror apply does
	// (syncStatus 0, counter 1, dated by the bookmark's lastModified).
	Tags []string
}

// Place is one moz_places row. Pages that bookmarks, keywords, visits or
// annotations refer to but that are not listed are created by the writer
// with default values.
//
// visit_count and last_visit_date are always derived from Visits (Places'
// coherence check recomputes them that way), so VisitCount and
// LastVisitDate are only informative.
type Place struct {
	URL, Title, GUID string
	VisitCount       int
	Typed, Hidden    int
	LastVisitDate    int64 // microseconds, 0 = NULL
	Frecency         int   // -1 (recalculate) when unknown
	Description      string
	PreviewImageURL  string
	SiteName         string
	// RevHost is rev_host as the file had it; "" derives it the way
	// Firefox's JS does (port kept). History-made pages drop the port.
	RevHost string
}

// Visit is one moz_historyvisits row, by page URL.
type Visit struct {
	URL       string
	VisitDate int64 // microseconds
	VisitType int
	Source    int
}

// Keyword is one moz_keywords row: keyword -> URL (+ post_data, "" = NULL).
type Keyword struct{ Keyword, URL, PostData string }

// ItemAnno is one moz_items_annos row, by bookmark GUID.
type ItemAnno struct {
	GUID, Name, Content     string
	Flags, Expiration, Type int
	DateAdded, LastModified int64
}

// PageAnno is one moz_annos row, by page URL.
type PageAnno struct {
	URL, Name, Content      string
	Flags, Expiration, Type int
	DateAdded, LastModified int64
}

// Tombstone is one moz_bookmarks_deleted row.
type Tombstone struct {
	GUID        string
	DateRemoved int64 // microseconds
}
