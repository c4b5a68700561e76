// Package search finds bookmarks across every copy of a profile's
// bookmarks (Places, the Sync mirror, backups…) by title, URL, host or
// GUID, case- and accent-insensitively, and says for each item found where
// each source has it, whether and when it was deleted, and where it lives
// now. It is pure: the caller loads the sources and passes their results.
package search

import (
	"bytes"
	"slices"
	"sort"
	"time"

	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is one loaded source as a search lists it.
type Source struct {
	ID     string // "places", "mirror", "backup:2026-11-23"…
	Kind   string
	Path   string
	Time   time.Time // the moment it describes
	Result *source.Result
}

// Separators in the index's text: they never occur in folded text.
const (
	docEnd     = 0x00
	fieldSep   = 0x1f
	variantSep = 0x1e
)

// Index is the searchable form of a set of sources. It is read-only once
// built and safe for concurrent searches.
type Index struct {
	sources []Source
	items   []int // source → items indexed (roots and tags left out)
	places  int   // index of the Places source, -1 without
	mirror  int   // index of the mirror source, -1 without

	guids  []string         // entry → GUID
	byGUID map[string]int32 // GUID → entry
	// text holds one document per entry, in entry order: the folded GUID,
	// titles, URLs and hosts, fields separated by fieldSep, the distinct
	// values of a field by variantSep, each document ended by docEnd.
	text   []byte
	starts []int32 // entry → offset of its document in text

	tombs map[string][]tombstone
}

type tombstone struct {
	src int
	at  time.Time
}

// entryText collects an entry's distinct raw values while indexing.
type entryText struct {
	titles, urls []string
}

func addDistinct(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// New indexes the sources. Items under the tags root are not indexed:
// they are tag entries, not bookmarks.
func New(sources []Source) *Index {
	ix := &Index{sources: slices.Clone(sources), items: make([]int, len(sources)), places: -1, mirror: -1, byGUID: map[string]int32{}, tombs: map[string][]tombstone{}}
	var texts []entryText
	entry := func(guid string) int32 {
		e, ok := ix.byGUID[guid]
		if !ok {
			e = int32(len(ix.guids))
			ix.byGUID[guid] = e
			ix.guids = append(ix.guids, guid)
			texts = append(texts, entryText{})
		}
		return e
	}
	for si := range ix.sources {
		s := &ix.sources[si]
		switch s.Kind {
		case string(source.Places):
			if ix.places < 0 {
				ix.places = si
			}
		case string(source.Mirror):
			if ix.mirror < 0 {
				ix.mirror = si
			}
		}
		if s.Result == nil {
			continue
		}
		if t := s.Result.Tree; t != nil {
			t.Walk(func(_ int32, n *tree.Node) bool {
				if n.Level <= 1 || underTags(t, n) {
					return true
				}
				e := entry(n.GUID)
				ix.items[si]++
				if n.Info != nil {
					texts[e].titles = addDistinct(texts[e].titles, n.Info.Title)
					texts[e].urls = addDistinct(texts[e].urls, n.Info.URL)
				}
				return true
			})
		}
		for _, tb := range s.Result.Tombstones {
			entry(tb.GUID)
			ix.tombs[tb.GUID] = append(ix.tombs[tb.GUID], tombstone{src: si, at: tb.Deleted})
		}
	}
	ix.buildText(texts)
	return ix
}

// underTags reports whether n lies below the tags root (a tag folder or
// a tag entry).
func underTags(t *tree.Tree, n *tree.Node) bool {
	for n.Level > 1 {
		n = t.ParentOf(n)
	}
	return n.GUID == tree.TagsGUID
}

func (ix *Index) buildText(texts []entryText) {
	f := newFolder()
	ix.starts = make([]int32, len(ix.guids)+1)
	size := 0
	for e := range texts {
		size += len(ix.guids[e]) + 8
		for _, s := range texts[e].titles {
			size += len(s) + 1
		}
		for _, s := range texts[e].urls {
			size += 2*len(s) + 2
		}
	}
	buf := make([]byte, 0, size)
	for e, g := range ix.guids {
		ix.starts[e] = int32(len(buf))
		buf = append(buf, f.fold(g)...)
		buf = append(buf, fieldSep)
		for i, s := range texts[e].titles {
			if i > 0 {
				buf = append(buf, variantSep)
			}
			buf = append(buf, f.fold(s)...)
		}
		buf = append(buf, fieldSep)
		for i, s := range texts[e].urls {
			if i > 0 {
				buf = append(buf, variantSep)
			}
			buf = append(buf, f.fold(s)...)
		}
		buf = append(buf, fieldSep)
		for i, s := range texts[e].urls {
			if i > 0 {
				buf = append(buf, variantSep)
			}
			buf = append(buf, f.fold(Host(s))...)
		}
		buf = append(buf, docEnd)
	}
	ix.starts[len(ix.guids)] = int32(len(buf))
	ix.text = buf
}

// Host is the host of a URL ("" when it has none): what lies between
// "scheme://" and the path, without user info or port.
func Host(url string) string {
	_, rest, ok := cutScheme(url)
	if !ok {
		return ""
	}
	if i := indexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := lastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if len(rest) > 0 && rest[0] == '[' { // an IPv6 literal
		if i := indexAny(rest, "]"); i >= 0 {
			return rest[:i+1]
		}
		return rest
	}
	if i := indexAny(rest, ":"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func cutScheme(url string) (scheme, rest string, ok bool) {
	for i := 0; i < len(url); i++ {
		c := url[i]
		switch {
		case c == ':':
			if i > 0 && len(url) >= i+3 && url[i+1] == '/' && url[i+2] == '/' {
				return url[:i], url[i+3:], true
			}
			return "", "", false
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", "", false
		}
	}
	return "", "", false
}

func indexAny(s, chars string) int {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return i
			}
		}
	}
	return -1
}

func lastIndexByte(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// Sources are the indexed sources, in the order given.
func (ix *Index) Sources() []Source { return ix.sources }

// HasPlaces reports whether a Places database is among the sources.
func (ix *Index) HasPlaces() bool { return ix.places >= 0 }

// Items is the number of items source i holds, the roots and the tags
// folder's contents not counted.
func (ix *Index) Items(i int) int { return ix.items[i] }

// Len is the number of distinct GUIDs indexed.
func (ix *Index) Len() int { return len(ix.guids) }

// Search returns the GUIDs of the items the query matches, at most limit
// of them (all for limit <= 0), in index order (the sources' order, each
// source's tree in pre-order), and how many match in all.
func (ix *Index) Search(q Query, limit int) (guids []string, total int) {
	if q.Empty() {
		return nil, 0
	}
	// The longest term is the rarest, as a rule: scan for it, check the
	// others on each document it occurs in.
	lead := 0
	for i, t := range q.Terms {
		if len(t.Text) > len(q.Terms[lead].Text) {
			lead = i
		}
	}
	needle := []byte(q.Terms[lead].Text)
	pos := 0
	for pos < len(ix.text) {
		i := bytes.Index(ix.text[pos:], needle)
		if i < 0 {
			break
		}
		hit := pos + i
		// The document holding the hit: the last start at or before it.
		e := sort.Search(len(ix.guids), func(k int) bool { return int(ix.starts[k+1]) > hit })
		if ix.matches(e, q.Terms) {
			if limit <= 0 || len(guids) < limit {
				guids = append(guids, ix.guids[e])
			}
			total++
		}
		pos = int(ix.starts[e+1])
	}
	return guids, total
}

// matches reports whether every term occurs in its field of entry e's
// document.
func (ix *Index) matches(e int, terms []Term) bool {
	doc := ix.text[ix.starts[e] : ix.starts[e+1]-1]
	var fields [4][]byte
	for k := range fields {
		end := bytes.IndexByte(doc, fieldSep)
		if end < 0 {
			end = len(doc)
		}
		fields[k] = doc[:end]
		doc = doc[min(end+1, len(doc)):]
	}
	for _, t := range terms {
		needle := []byte(t.Text)
		ok := false
		switch t.Field {
		case AnyField:
			ok = bytes.Contains(fields[0], needle) || bytes.Contains(fields[1], needle) || bytes.Contains(fields[2], needle)
		case GUIDField:
			ok = bytes.Contains(fields[0], needle)
		case TitleField:
			ok = bytes.Contains(fields[1], needle)
		case URLField:
			ok = bytes.Contains(fields[2], needle)
		case HostField:
			ok = bytes.Contains(fields[3], needle)
		}
		if !ok {
			return false
		}
	}
	return true
}
