package search

import (
	"slices"
	"strings"
	"time"

	"github.com/bmtui/bmtui/sync/tree"
)

// PathSep separates the folders of a path.
const PathSep = " / "

// Match is what the sources say about one item.
type Match struct {
	GUID string
	// Kind, Title and URL are the item's in Places when it lives there,
	// else in the newest source that holds it.
	Kind       tree.Kind
	Title, URL string
	// Now is where the item lives in Places, nil when Places does not
	// hold it (or there is no Places source).
	Now *Place
	// Seen lists every source holding the item, in the sources' order.
	Seen []Sighting
	// Deleted is the earliest recorded deletion (a Places tombstone, a
	// deleted mirror record), nil when none records one.
	Deleted *Deletion
	// Deletions are all the recorded deletions, in the sources' order.
	Deletions []Deletion
	// OnServer: the mirror holds the item (as of the last sync).
	OnServer bool
	// HasMirror: a mirror is among the sources.
	HasMirror bool
}

// Place is where an item sits in one source.
type Place struct {
	Path string // the folders from the root down, joined by PathSep
}

// Sighting is one source holding the item.
type Sighting struct {
	Source     string // the source's ID
	Kind       string
	Path       string
	Time       time.Time
	Title, URL string
}

// Deletion is a recorded deletion.
type Deletion struct {
	Time time.Time
	By   string // the ID of the source recording it
}

// Describe says what every source has of guid; ok is false for a GUID
// no source mentions.
func (ix *Index) Describe(guid string) (m Match, ok bool) {
	if _, known := ix.byGUID[guid]; !known {
		return Match{GUID: guid}, false
	}
	m = Match{GUID: guid, HasMirror: ix.mirror >= 0}
	var best *tree.Node
	bestAt := time.Time{}
	for si := range ix.sources {
		s := &ix.sources[si]
		if s.Result == nil || s.Result.Tree == nil {
			continue
		}
		t := s.Result.Tree
		n := t.Lookup(guid)
		if n == nil || n.Level <= 1 || underTags(t, n) {
			continue
		}
		sg := Sighting{Source: s.ID, Kind: s.Kind, Path: FolderPath(t, n), Time: s.Time}
		if n.Info != nil {
			sg.Title, sg.URL = n.Info.Title, n.Info.URL
		}
		m.Seen = append(m.Seen, sg)
		switch {
		case si == ix.places:
			m.Now = &Place{Path: sg.Path}
			best, bestAt = n, time.Time{}
		case si == ix.mirror:
			m.OnServer = true
		}
		if best == nil || (m.Now == nil && s.Time.After(bestAt)) {
			best, bestAt = n, s.Time
		}
	}
	if best != nil {
		m.Kind = best.Kind
		if best.Info != nil {
			m.Title, m.URL = best.Info.Title, best.Info.URL
		}
	}
	for _, tb := range ix.tombs[guid] {
		d := Deletion{Time: tb.at, By: ix.sources[tb.src].ID}
		m.Deletions = append(m.Deletions, d)
		if m.Deleted == nil || d.Time.Before(m.Deleted.Time) {
			m.Deleted = &d
		}
	}
	return m, true
}

// FolderPath names the folders holding n from the top down, the built-in
// roots by Firefox's names (tree.RootTitle), joined by PathSep.
func FolderPath(t *tree.Tree, n *tree.Node) string {
	var names []string
	for p := t.ParentOf(n); p != nil && p.Level >= 1; p = t.ParentOf(p) {
		name := tree.RootTitle(p.GUID)
		if name == "" && p.Info != nil {
			name = p.Info.Title
		}
		if name == "" {
			name = "(" + p.GUID + ")"
		}
		names = append(names, name)
	}
	slices.Reverse(names)
	return strings.Join(names, PathSep)
}

// Find parses query, searches and describes up to limit matches (all for
// limit <= 0); total counts them all.
func (ix *Index) Find(query string, limit int) (matches []Match, total int) {
	guids, total := ix.Search(Parse(query), limit)
	matches = make([]Match, 0, len(guids))
	for _, g := range guids {
		if m, ok := ix.Describe(g); ok {
			matches = append(matches, m)
		}
	}
	return matches, total
}
