// Package tree holds the bookmark tree that both sides of a sync are turned
// into, and the builder that repairs inconsistent input the way Firefox's
// merger (dogear) does. It does no I/O: readers feed it records, the merger
// and the UI read the result.
package tree

import "fmt"

// Fixed GUIDs of the Places roots.
const (
	RootGUID    = "root________"
	MenuGUID    = "menu________"
	ToolbarGUID = "toolbar_____"
	UnfiledGUID = "unfiled_____"
	MobileGUID  = "mobile______"
	TagsGUID    = "tags________"
)

// IsBuiltInRoot reports whether guid is one of the five roots that must sit
// directly under the Places root (the four user content roots and tags).
func IsBuiltInRoot(guid string) bool {
	switch guid {
	case MenuGUID, ToolbarGUID, UnfiledGUID, MobileGUID, TagsGUID:
		return true
	}
	return false
}

// IsUserContentRoot reports whether guid is one of the four roots whose
// subtrees are synced.
func IsUserContentRoot(guid string) bool {
	switch guid {
	case MenuGUID, ToolbarGUID, UnfiledGUID, MobileGUID:
		return true
	}
	return false
}

// IsValidGUID reports whether guid is exactly 12 bytes of the base64url
// alphabet, which is what Places and Sync accept.
func IsValidGUID(guid string) bool {
	if len(guid) != 12 {
		return false
	}
	for i := 0; i < len(guid); i++ {
		c := guid[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// Kind is the type of a bookmark item.
type Kind uint8

const (
	KindBookmark Kind = iota + 1
	KindQuery
	KindFolder
	KindLivemark
	KindSeparator
)

var kindNames = [...]string{"", "bookmark", "query", "folder", "livemark", "separator"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, error) {
	for i := 1; i < len(kindNames); i++ {
		if kindNames[i] == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown item kind %q", s)
}

// CompatibleKinds reports whether a local and a remote item of these kinds can
// be merged: equal kinds, or a bookmark and a query (a URL edit can turn one
// into the other).
func CompatibleKinds(a, b Kind) bool {
	if a == b {
		return true
	}
	bq := func(k Kind) bool { return k == KindBookmark || k == KindQuery }
	return bq(a) && bq(b)
}

// Validity says whether an item can be used as it is.
type Validity uint8

const (
	// Valid items are used as they are.
	Valid Validity = iota
	// Reupload items are usable but must be sent to the server again.
	Reupload
	// Replace items are unusable: take the other side's copy or delete them.
	Replace
)

var validityNames = [...]string{"valid", "reupload", "replace"}

func (v Validity) String() string {
	if int(v) < len(validityNames) {
		return validityNames[v]
	}
	return fmt.Sprintf("validity(%d)", uint8(v))
}

// ParseValidity is the inverse of Validity.String.
func ParseValidity(s string) (Validity, error) {
	for i, n := range validityNames {
		if n == s {
			return Validity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown validity %q", s)
}

// ContentKind says what a dedupe key is made of.
type ContentKind uint8

const (
	ContentBookmark  ContentKind = iota + 1 // title and URL (bookmarks and queries)
	ContentFolder                           // title
	ContentSeparator                        // position in the parent
)

// Content is what deduplication compares. Items without content are never
// dedupe candidates.
type Content struct {
	Kind  ContentKind
	Title string
	URL   string
}

// Item is one bookmark, folder, separator, query or livemark as a side
// records it. Age, NeedsMerge, Validity and Content are what the merge uses;
// Info is for people and is never consulted by the merge.
type Item struct {
	GUID       string
	Age        int64 // milliseconds since the item last changed on this side
	Content    *Content
	Info       *Info
	Kind       Kind
	NeedsMerge bool
	Validity   Validity
}

// IsFolder reports whether the item may have children.
func (it *Item) IsFolder() bool { return it.Kind == KindFolder }

// Info is what a person wants to see of an item, read from Places or the
// mirror. Times are microseconds since the epoch.
type Info struct {
	Title        string
	URL          string
	Keyword      string
	Tags         []string
	DateAdded    int64
	LastModified int64

	// Places only.
	SyncStatus        int
	SyncChangeCounter int

	// Mirror only (ServerModified in milliseconds, as stored).
	ServerModified int64
	ParentGUID     string // the record's parentid, as stored
}
