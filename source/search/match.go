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
	e, known := ix.byGUID[guid]
	if !known {
		return Match{GUID: guid}, false
	}
	m = Match{GUID: guid, HasMirror: ix.mirror >= 0}
	best := -1
	for si := range ix.sources {
		h := &ix.held[si]
		c := h.at(e)
		if c.parent == absent {
			continue
		}
		s := &ix.sources[si]
		sg := Sighting{Source: s.ID, Kind: s.Kind, Path: ix.folderPath(h, e), Time: s.Time,
			Title: pick(ix.titles[e], c.title), URL: pick(ix.urls[e], c.url)}
		m.Seen = append(m.Seen, sg)
		switch {
		case si == ix.places:
			m.Now = &Place{Path: sg.Path}
			best = si
		case si == ix.mirror:
			m.OnServer = true
		}
		if best < 0 || (m.Now == nil && s.Time.After(ix.sources[best].Time)) {
			best = si
		}
	}
	if best >= 0 {
		c := ix.held[best].at(e)
		m.Kind, m.Title, m.URL = c.kind, pick(ix.titles[e], c.title), pick(ix.urls[e], c.url)
	}
	for _, tb := range ix.tombs[e] {
		d := Deletion{Time: tb.at, By: ix.sources[tb.src].ID}
		m.Deletions = append(m.Deletions, d)
		if m.Deleted == nil || d.Time.Before(m.Deleted.Time) {
			m.Deleted = &d
		}
	}
	return m, true
}

func pick(variants []string, i int32) string {
	if i < 0 || int(i) >= len(variants) {
		return ""
	}
	return variants[i]
}

// folderPath names the folders holding entry e in a source from the top
// down, the built-in roots by Firefox's names (tree.RootTitle), joined by
// PathSep.
func (ix *Index) folderPath(h *holding, e int32) string {
	var names []string
	p := h.at(e).parent
	for steps := 0; p >= 0 && steps < len(ix.guids); steps++ {
		c := h.at(p)
		name := pick(ix.titles[p], c.title)
		if name == "" {
			name = "(" + ix.guids[p] + ")"
		}
		names = append(names, name)
		p = c.parent
	}
	if p < 0 && p != absent {
		names = append(names, tree.RootTitle(rootGUIDs[-1-p]))
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

// Summary is what a list of matches shows of one: cheaper than Describe,
// it builds no paths.
type Summary struct {
	Kind    tree.Kind
	Title   string
	Now     bool // Places holds it
	Deleted bool // a source records its deletion
	Seen    int  // the sources holding it
}

// Summarize is Describe in brief.
func (ix *Index) Summarize(guid string) (s Summary, ok bool) {
	e, known := ix.byGUID[guid]
	if !known {
		return s, false
	}
	best := -1
	for si := range ix.sources {
		if ix.held[si].at(e).parent == absent {
			continue
		}
		s.Seen++
		switch {
		case si == ix.places:
			s.Now, best = true, si
		case best < 0 || (!s.Now && ix.sources[si].Time.After(ix.sources[best].Time)):
			best = si
		}
	}
	if best >= 0 {
		c := ix.held[best].at(e)
		s.Kind, s.Title = c.kind, pick(ix.titles[e], c.title)
	}
	s.Deleted = len(ix.tombs[e]) > 0
	return s, true
}
