// Package dupes finds the aftermath of duplicate storms in one bookmark
// tree (Places, the mirror, or any other source): copies of one bookmark
// in a folder, one URL in several folders, twin folders and flattened
// folders. For each group it tells where every copy came from (the other
// side, the backups) and proposes a keeper with its reason; Plan turns the
// groups the user wants fixed into an edit.Set. It is pure: trees in,
// groups and change sets out; no storage, view or clock.
package dupes

import (
	"strings"

	"github.com/bmtui/bmtui/places/urls"
	"github.com/bmtui/bmtui/sync/tree"
)

// Kind is what a group is.
type Kind string

// Kinds of group, in the order they are listed.
const (
	// Copies are bookmarks with the same title and URL in one folder.
	Copies Kind = "copies"
	// TwinFolders are folders with the same title in one parent whose
	// contents overlap.
	TwinFolders Kind = "twin-folders"
	// Flattened are items a backup (or the other side) shows in a folder
	// that is now gone or empty, sitting together in one parent.
	Flattened Kind = "flattened"
	// SameURL is one URL bookmarked in several folders: often deliberate,
	// so reported and fixed only when chosen.
	SameURL Kind = "same-url"
)

// Kinds lists every kind in listing order.
var Kinds = []Kind{Copies, TwinFolders, Flattened, SameURL}

// Reference is a tree the examined one is compared with: the other side,
// or a bookmark backup.
type Reference struct {
	// Name is how people and --json name it, e.g.
	// "bookmarkbackups/bookmarks-2026-11-23_45_….jsonlz4".
	Name string
	// At is when it was made, microseconds since the epoch.
	At int64
	// Tree is the reference's tree, or Outline what Find needs of it (a
	// backup's, far smaller): one of the two is set.
	Tree    *tree.Tree
	Outline *Outline
}

// outline is the reference's outline, made from its tree if need be.
func (r *Reference) outline() *Outline {
	if r.Outline == nil && r.Tree != nil {
		r.Outline = OutlineOf(r.Tree)
	}
	return r.Outline
}

// Input is what Find examines.
type Input struct {
	Tree *tree.Tree // the tree with the dupes
	Side tree.Side  // which side Tree is
	// Other is the other side's tree (the mirror for Places), nil when
	// there is none.
	Other *tree.Tree
	// Backups are the profile's bookmark backups; Find orders them
	// newest first.
	Backups []Reference
}

// Sides says which sides hold a copy.
type Sides uint8

// Sides.
const (
	OnLocal Sides = 1 << iota
	OnServer
)

func (s Sides) String() string {
	switch s {
	case OnLocal:
		return "local"
	case OnServer:
		return "server"
	case OnLocal | OnServer:
		return "both"
	}
	return "none"
}

// Copy is one member of a group and where it came from.
type Copy struct {
	GUID      string
	Kind      tree.Kind
	Title     string
	URL       string
	Path      string // the folders above it and its title, "Bookmarks Menu/Work/Go"
	Parent    string // its folder's GUID
	DateAdded int64  // µs
	Sides     Sides
	// Backups names the backups that have this GUID, newest first.
	Backups []string
	// SyncStatus is Places' syncStatus, or -1 when the tree is not local.
	SyncStatus int
	// Children counts a folder's children.
	Children int
}

// Group is one set of duplicates.
type Group struct {
	// ID names the group stably across runs on the same tree:
	// "copies:<GUID>", the kind and the smallest member GUID (for
	// flattened groups, the folder to restore).
	ID     string
	Kind   Kind
	Copies []Copy
	// Keep is the index in Copies of the copy that stays; -1 when no copy
	// is kept over the others (same-url until chosen, flattened).
	Keep int
	// Default is the keeper Find proposed (-1 as Keep), Reason why.
	Default int
	Reason  string
	// Fix says whether Plan fixes this group.
	Fix bool
	// Folder is the folder a flattened group restores, as the reference
	// From had it; nil for other kinds.
	Folder *Copy
	From   string
	// Into is the folder where a flattened group's items sit now.
	Into string
	// Nested are the flattened folders inside Folder that go back into
	// it, outer before inner; Copies holds their items too.
	Nested []Copy

	// restore is what Plan needs for a flattened group.
	restore *restore
}

// restore is a flattened folder as its reference had it, with the
// flattened folders inside it: folders[0] is the folder, the others
// follow in pre-order (each parent before its children).
type restore struct {
	folders []restoreFolder
	depth   int32
}

// restoreFolder is one folder a flattened group puts back.
type restoreFolder struct {
	item      tree.Item // the folder
	refParent string    // its parent in the reference
	siblings  []string  // its parent's children in the reference, in order
	children  []string  // its own children in the reference, in order
	members   []string  // its children in reference order that sit in Into now
}

// Fixable reports whether Plan would change anything for the group.
func (g *Group) Fixable() bool { return g.Fix }

// Keeper returns the copy that stays, or nil.
func (g *Group) Keeper() *Copy {
	if g.Keep < 0 || g.Keep >= len(g.Copies) {
		return nil
	}
	return &g.Copies[g.Keep]
}

// Report is what Find found.
type Report struct {
	Side   tree.Side
	Groups []Group
	// Items is the number of items examined, the root excluded.
	Items int
	byID  map[string]int
}

// Counts is the number of groups of each kind.
func (r *Report) Counts() map[Kind]int {
	m := make(map[Kind]int, len(Kinds))
	for _, k := range Kinds {
		m[k] = 0
	}
	for i := range r.Groups {
		m[r.Groups[i].Kind]++
	}
	return m
}

// ToFix is the number of groups Plan would fix.
func (r *Report) ToFix() int {
	n := 0
	for i := range r.Groups {
		if r.Groups[i].Fix {
			n++
		}
	}
	return n
}

// Group returns the group with this ID, or nil.
func (r *Report) Group(id string) *Group {
	if i, ok := r.byID[id]; ok {
		return &r.Groups[i]
	}
	return nil
}

// NormalTitle is a title as Firefox's dedupe compares it: a missing title
// is the empty one.
func NormalTitle(title string) string { return title }

// NormalURL is a URL as Firefox's dedupe compares it: the WHATWG
// serialization Places and the mirror store (a URL that does not parse is
// compared as it is).
func NormalURL(u string) string {
	if c, err := urls.Canonical(u); err == nil {
		return c
	}
	return u
}

// bookmarkKey is the dedupe key of a bookmark or query.
func bookmarkKey(title, url string) string {
	return NormalTitle(title) + "\x00" + NormalURL(url)
}

// pathOf is the titles from the built-in root down to n, joined by "/".
func pathOf(t *tree.Tree, n *tree.Node) string {
	var parts []string
	for p := n; p != nil && p.Parent >= 0; p = t.ParentOf(p) {
		parts = append(parts, displayTitle(&p.Item))
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/")
}

func displayTitle(it *tree.Item) string {
	if t := tree.RootTitle(it.GUID); t != "" {
		return t
	}
	if it.Info != nil {
		return it.Info.Title
	}
	return ""
}

func titleOf(n *tree.Node) string { return itemTitle(&n.Item) }

func itemTitle(it *tree.Item) string {
	if it.Info != nil {
		return it.Info.Title
	}
	if it.Content != nil {
		return it.Content.Title
	}
	return ""
}

func urlOf(n *tree.Node) string {
	if n.Info != nil && n.Info.URL != "" {
		return n.Info.URL
	}
	if n.Content != nil {
		return n.Content.URL
	}
	return ""
}
