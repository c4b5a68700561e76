// Package search finds bookmarks across every copy of a profile's
// bookmarks (Places, the Sync mirror, backups…) by title, URL, host or
// GUID, case- and accent-insensitively, and says for each item found where
// each source has it, whether and when it was deleted, and where it lives
// now. It is pure: the caller loads the sources and passes their results.
//
// The index keeps what it needs of each source compactly (per item: its
// folder, title and URL as numbers), not the source's tree, so that the
// trees of fifteen 40,000-bookmark backups can be dropped as soon as each
// is indexed.
package search

import (
	"bytes"
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bmtui/bmtui/internal/hugepages"
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
	// Outline, when set, is indexed instead of Result (see
	// source.Outliner): a backup read for a search need not be built
	// into a tree.
	Outline *source.Outline
}

// Separators in the index's text: they never occur in folded text.
const (
	docEnd     = 0x00
	fieldSep   = 0x1f
	variantSep = 0x1e
)

// Parents that are not entries: the built-in roots an item sits in.
var rootGUIDs = []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID, tree.RootGUID}

// rootParent codes a built-in root as a parent: -1 - its index in rootGUIDs.
func rootParent(guid string) (int32, bool) {
	if i := slices.Index(rootGUIDs, guid); i >= 0 {
		return int32(-1 - i), true
	}
	return 0, false
}

// absent marks an entry a source does not hold; noText a value it lacks.
const (
	absent = int32(-1 << 30)
	noText = int32(-1)
)

// Index is the searchable form of a set of sources. It is read-only once
// built and safe for concurrent searches.
type Index struct {
	sources []Source // without their results
	held    []holding
	places  int // index of the Places source, -1 without
	mirror  int // index of the mirror source, -1 without

	// Entries are numbered in the order the builder met them; order
	// lists them in the index's order (see Build), that of their
	// documents in text.
	guids  []string         // entry → GUID
	byGUID map[string]int32 // GUID → entry
	titles [][]string       // entry → the distinct titles the sources give it
	urls   [][]string       // entry → the distinct URLs
	order  []int32          // document → entry
	// text holds one document per entry, in the index's order: the
	// folded GUID, titles, URLs and hosts, fields separated by fieldSep,
	// the distinct values of a field by variantSep, each document ended
	// by docEnd.
	text   []byte
	starts []int32 // document → its offset in text

	tombs map[int32][]tombstone // by entry
}

// holding is what one source has of every entry, by entry: its parent
// (an entry, a coded root, or absent), which of the entry's titles and
// URLs, and its kind. Entries met after the source was added lie beyond
// cells: the source does not hold them.
type holding struct {
	items int
	cells []cell
}

type cell struct {
	parent     int32
	title, url int32
	kind       tree.Kind
}

// at is what the source has of entry e.
func (h *holding) at(e int32) cell {
	if int(e) < len(h.cells) {
		return h.cells[e]
	}
	return cell{parent: absent}
}

type tombstone struct {
	src int
	at  time.Time
}

// Builder makes an Index from sources added one at a time, from any
// goroutine: each result is read during Add only, so the caller can drop
// it (and its tree) at once.
type Builder struct {
	// Order sorts the sources of the index; nil keeps the order of the
	// ranks given to Add.
	Order func(a, b Source) int

	mu     sync.Mutex
	added  []addedSource
	byGUID map[string]int32
	guids  []string
	titles [][]string
	urls   [][]string
	// cells and ints are storage the sources' holdings and pre-orders
	// are cut from: a few large arrays (in huge pages) rather than four
	// per source, each new memory to fault in page by page.
	cells []cell
	ints  []int32
	// skip and ents are one source's scratch while it is added.
	skip []bool
	ents []int32
}

type addedSource struct {
	rank  int
	src   Source
	held  holding
	items []int32 // this source's items' entries, in pre-order
	tombs []addedTomb
}

// addedTomb is a deletion a source records, by entry.
type addedTomb struct {
	entry int32
	at    time.Time
}

// NewBuilder starts an empty index.
func NewBuilder() *Builder { return &Builder{byGUID: map[string]int32{}} }

// New indexes the sources, in the order given.
func New(sources []Source) *Index {
	b := NewBuilder()
	for i, s := range sources {
		b.Add(i, s)
	}
	return b.Build()
}

func (b *Builder) entry(guid string) int32 {
	e, ok := b.byGUID[guid]
	if !ok {
		guid = strings.Clone(guid) // an outline's strings may be borrowed
		e = int32(len(b.guids))
		b.byGUID[guid] = e
		b.guids = append(b.guids, guid)
		b.titles = append(b.titles, nil)
		b.urls = append(b.urls, nil)
	}
	return e
}

func variant(list *[]string, s string) int32 {
	if s == "" {
		return noText
	}
	if i := slices.Index(*list, s); i >= 0 {
		return int32(i)
	}
	*list = append(*list, strings.Clone(s)) // an outline's strings may be borrowed
	return int32(len(*list) - 1)
}

// Add indexes src; rank orders it among the sources when Order is nil.
// Items under the tags root are not indexed: they are tag entries, not
// bookmarks. Neither src.Result nor src.Outline is kept, nor any string
// of theirs: what the index keeps it copies.
func (b *Builder) Add(rank int, src Source) {
	o, res := src.Outline, src.Result
	src.Result, src.Outline = nil, nil
	b.mu.Lock()
	defer b.mu.Unlock()
	a := addedSource{rank: rank, src: src}
	var tombs []source.Tombstone
	switch {
	case o != nil:
		d := b.newAdder(&a, len(o.Items))
		for i := range o.Items {
			n := &o.Items[i]
			var p *source.OutlineItem
			if n.Parent >= 0 {
				p = &o.Items[n.Parent]
			}
			d.item(int32(i), n, p)
		}
		tombs = o.Tombstones
	case res != nil:
		if t := res.Tree; t != nil {
			// The tree is walked as TreeOutline would outline it, without
			// making the outline.
			d := b.newAdder(&a, t.Len())
			t.Walk(func(i int32, n *tree.Node) bool {
				it := source.OutlineItem{GUID: n.GUID, Parent: n.Parent, Level: n.Level, Kind: n.Kind}
				if n.Info != nil {
					it.Title, it.URL = n.Info.Title, n.Info.URL
				}
				var p *source.OutlineItem
				if n.Parent >= 0 {
					pn := t.Node(n.Parent)
					p = &source.OutlineItem{GUID: pn.GUID, Level: pn.Level}
				}
				d.item(i, &it, p)
				return true
			})
		}
		tombs = res.Tombstones
	}
	a.held.items = len(a.items)
	for _, tb := range tombs {
		a.tombs = append(a.tombs, addedTomb{entry: b.entry(tb.GUID), at: tb.Deleted})
	}
	b.added = append(b.added, a)
}

// adder adds one source's items, given in pre-order, to a Builder.
type adder struct {
	b    *Builder
	a    *addedSource
	skip []bool  // by item: under the tags root
	ents []int32 // by item: its entry
	// Sources are mostly copies of one another in the same order: an
	// item is most often the entry after the item before's, which saves
	// a lookup of its GUID.
	next int32
}

// Storage is cut from arrays of this many cells (8 MB) and ints (4 MB)
// at the least.
const (
	slabCells = 1 << 19
	slabInts  = 1 << 20
)

func (b *Builder) newAdder(a *addedSource, n int) *adder {
	if len(b.guids) == 0 {
		// The first source: room for its items at once, and for those the
		// others add (mostly the same GUIDs), rather than growing the map
		// and slices step by step, each step new memory to fault in.
		size := n + n/8
		b.byGUID = make(map[string]int32, size)
		b.guids = hugepages.MakeWritten[string](0, size)
		b.titles = hugepages.MakeWritten[[]string](0, size)
		b.urls = hugepages.MakeWritten[[]string](0, size)
	}
	// The source's items are entries met before or new ones.
	cells := len(b.guids) + n
	if cap(b.cells)-len(b.cells) < cells {
		b.cells = hugepages.Make[cell](0, max(cells, slabCells))
	}
	a.held.cells = b.cells[len(b.cells) : len(b.cells)+cells : len(b.cells)+cells]
	b.cells = b.cells[:len(b.cells)+cells]
	for i := range a.held.cells {
		a.held.cells[i].parent = absent
	}
	if cap(b.ints)-len(b.ints) < n {
		b.ints = hugepages.Make[int32](0, max(n, slabInts))
	}
	a.items = b.ints[len(b.ints) : len(b.ints) : len(b.ints)+n]
	b.ints = b.ints[:len(b.ints)+n]
	if cap(b.skip) < n {
		b.skip, b.ents = make([]bool, n), make([]int32, n)
	}
	skip := b.skip[:n]
	clear(skip)
	return &adder{b: b, a: a, skip: skip, ents: b.ents[:n]}
}

// item adds item i (n), whose folder p is (nil for the root); n.Parent
// is p's number as i is n's.
func (d *adder) item(i int32, n, p *source.OutlineItem) {
	b := d.b
	if n.Level <= 1 {
		d.skip[i] = n.GUID == tree.TagsGUID
		return
	}
	if n.Parent >= 0 && d.skip[n.Parent] {
		d.skip[i] = true
		return
	}
	e := d.next
	if int(e) >= len(b.guids) || b.guids[e] != n.GUID {
		e = b.entry(n.GUID)
	}
	d.ents[i], d.next = e, e+1
	c := cell{kind: n.Kind}
	if p.Level > 1 {
		c.parent = d.ents[n.Parent] // a parent comes first in pre-order
	} else if code, isRoot := rootParent(p.GUID); isRoot {
		c.parent = code
	} else { // a folder the builder left beside the roots
		c.parent, _ = rootParent(tree.RootGUID)
	}
	c.title = variant(&b.titles[e], n.Title)
	c.url = variant(&b.urls[e], n.URL)
	d.a.held.cells[e] = c
	d.a.items = append(d.a.items, e)
}

// Build makes the index; the builder is not to be used after. Entries
// are listed by first appearance in the sources' final order, each
// source's items in pre-order, then GUIDs only tombstones name: the order
// searches list them in, whatever the order the sources were added in.
func (b *Builder) Build() *Index {
	b.mu.Lock()
	defer b.mu.Unlock()
	added := slices.Clone(b.added)
	slices.SortStableFunc(added, func(x, y addedSource) int {
		if b.Order != nil {
			if c := b.Order(x.src, y.src); c != 0 {
				return c
			}
		}
		return cmp.Compare(x.rank, y.rank)
	})
	n := len(b.guids)
	listed := make([]bool, n)
	order := make([]int32, 0, n)
	list := func(e int32) {
		if !listed[e] {
			listed[e] = true
			order = append(order, e)
		}
	}
	for _, a := range added {
		for _, e := range a.items {
			list(e)
		}
	}
	for _, a := range added {
		for _, tb := range a.tombs {
			list(tb.entry)
		}
	}
	ix := &Index{places: -1, mirror: -1, tombs: map[int32][]tombstone{},
		guids: b.guids, byGUID: b.byGUID, titles: b.titles, urls: b.urls, order: order}
	b.guids, b.byGUID, b.titles, b.urls, b.added, b.cells, b.ints = nil, nil, nil, nil, nil, nil, nil
	for si, a := range added {
		ix.sources = append(ix.sources, a.src)
		switch a.src.Kind {
		case string(source.Places):
			if ix.places < 0 {
				ix.places = si
			}
		case string(source.Mirror):
			if ix.mirror < 0 {
				ix.mirror = si
			}
		}
		ix.held = append(ix.held, a.held)
		for _, tb := range a.tombs {
			ix.tombs[tb.entry] = append(ix.tombs[tb.entry], tombstone{src: si, at: tb.at})
		}
	}
	ix.buildText()
	return ix
}

func (ix *Index) buildText() {
	f := newFolder()
	ix.starts = make([]int32, len(ix.order)+1)
	size := 0
	for e := range ix.guids {
		size += len(ix.guids[e]) + 8
		for _, s := range ix.titles[e] {
			size += len(s) + 1
		}
		for _, s := range ix.urls[e] {
			size += 2*len(s) + 2
		}
	}
	buf := hugepages.Make[byte](0, size)
	for k, e := range ix.order {
		ix.starts[k] = int32(len(buf))
		buf = append(buf, f.fold(ix.guids[e])...)
		buf = append(buf, fieldSep)
		for i, s := range ix.titles[e] {
			if i > 0 {
				buf = append(buf, variantSep)
			}
			buf = append(buf, f.fold(s)...)
		}
		buf = append(buf, fieldSep)
		for i, s := range ix.urls[e] {
			if i > 0 {
				buf = append(buf, variantSep)
			}
			buf = append(buf, f.fold(s)...)
		}
		buf = append(buf, fieldSep)
		for i, s := range ix.urls[e] {
			if i > 0 {
				buf = append(buf, variantSep)
			}
			buf = append(buf, f.fold(Host(s))...)
		}
		buf = append(buf, docEnd)
	}
	ix.starts[len(ix.order)] = int32(len(buf))
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
func (ix *Index) Items(i int) int { return ix.held[i].items }

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
	single := len(q.Terms) == 1 && q.Terms[0].Field == AnyField
	pos := 0
	for pos < len(ix.text) {
		i := bytes.Index(ix.text[pos:], needle)
		if i < 0 {
			break
		}
		hit := pos + i
		// The document holding the hit: the last start at or before it.
		k := sort.Search(len(ix.order), func(k int) bool { return int(ix.starts[k+1]) > hit })
		// One word for any field: the hit itself is the match.
		if single || ix.matches(k, q.Terms) {
			if limit <= 0 || len(guids) < limit {
				guids = append(guids, ix.guids[ix.order[k]])
			}
			total++
		}
		pos = int(ix.starts[k+1])
	}
	return guids, total
}

// matches reports whether every term occurs in its field of document k.
func (ix *Index) matches(k int, terms []Term) bool {
	doc := ix.text[ix.starts[k] : ix.starts[k+1]-1]
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
