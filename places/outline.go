package places

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// ReadOutline reads what a search needs of the Places database at path
// (source.Outline: every item in the order ReadTree's tree walks them,
// with its folder, depth, kind, title and URL, and the tombstones) and
// calls use with it, without the snapshot, the tree, the problem check
// or the per-item details Load builds: several times cheaper, in time and
// in memory. The file is read in place when that is safe (see
// dbsnap.OpenRaw).
//
// It takes that road only for a database whose tree needs none of the
// builder's repairs: every row of a known type with a GUID, under an
// existing folder, reachable from the root, no GUID twice, the built-in
// roots under the root, no livemark. For anything else, and on any error,
// ok is false and nothing was called: the caller loads the source
// instead, which says what is wrong.
//
// With check, SQLite's structural check of the file runs while use runs
// (it decides whether find also searches the salvaged tree), and damage is
// what it found. The outline and its strings are valid only during use.
func ReadOutline(path string, check bool, use func(*source.Outline)) (damage []dbcheck.Damage, ok bool) {
	raw, err := dbsnap.OpenRaw(What, ResolvePath(path))
	if err != nil {
		return nil, false
	}
	defer raw.Close()
	var r outlineReader
	o, ok := r.read(raw.Conn)
	if !ok || !raw.Unchanged() {
		return nil, false
	}
	o.Provenance = source.Provenance{Kind: source.Places, Path: path, Label: "Local (Places)", At: time.Now(), Side: tree.Local}
	if !check {
		use(o)
		return nil, true
	}
	done := make(chan []dbcheck.Damage, 1)
	go func() { done <- rawCheck(raw.Conn, path) }()
	use(o)
	damage = <-done
	if !raw.Unchanged() {
		damage = nil // the file changed under the check: it says nothing
	}
	return damage, true
}

// rawCheck runs SQLite's quick_check on c, the connection that has just
// read the file, so its pages are mapped already. A check that cannot run
// says nothing, as Source.Damage's caller takes it.
func rawCheck(c *sqlraw.Conn, file string) []dbcheck.Damage {
	var rows []string
	err := c.Query(`PRAGMA quick_check`, func(r *sqlraw.Row) error {
		s, _ := r.Text(0)
		rows = append(rows, s)
		return nil
	})
	if err != nil {
		if !dbcheck.IsCorrupt(err) {
			return nil
		}
		rows = append(rows, err.Error())
	}
	msgs := dbcheck.Parse(rows)
	if len(msgs) == 0 {
		return nil
	}
	l := dbcheck.Layout{Roots: map[int64]dbcheck.Object{1: {Type: "table", Name: "sqlite_schema"}}, Owners: map[int64]dbcheck.Object{}}
	c.Query(`SELECT type, name, rootpage FROM sqlite_schema WHERE rootpage > 0`, func(r *sqlraw.Row) error { //nolint:errcheck // a damaged schema names less
		typ, _ := r.Text(0)
		name, _ := r.Text(1)
		l.Roots[r.Int(2)] = dbcheck.Object{Type: typ, Name: name}
		return nil
	})
	return dbcheck.Group(file, msgs, l)
}

// span is a string in an outlineReader's text: offset and length.
type span struct{ off, n int32 }

// outlineRow is one moz_bookmarks row as the outline reads it.
type outlineRow struct {
	id, parent, position int64
	typ                  int64
	guid, title, url     span
	hasURL               bool
}

// outlineReader reads one Places outline: rows, their text in one buffer.
type outlineReader struct {
	rows []outlineRow
	text []byte
}

func (r *outlineReader) add(b []byte) span {
	s := span{int32(len(r.text)), int32(len(b))}
	r.text = appendDoubling(r.text, b)
	return s
}

// appendDoubling is append that doubles a full buffer: append grows a
// large one by a quarter at a time, copying (and faulting in) five times
// what it finally holds.
func appendDoubling(buf, b []byte) []byte {
	if len(buf)+len(b) > cap(buf) {
		grown := make([]byte, len(buf), 2*cap(buf)+len(b))
		copy(grown, buf)
		buf = grown
	}
	return append(buf, b...)
}

func (r *outlineReader) str(s span) string {
	if s.n == 0 {
		return ""
	}
	return unsafe.String(&r.text[s.off], int(s.n))
}

func (r *outlineReader) read(c *sqlraw.Conn) (*source.Outline, bool) {
	tables := map[string]bool{}
	if c.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`, func(f *sqlraw.Row) error {
		n, _ := f.Text(0)
		tables[n] = true
		return nil
	}) != nil {
		return nil, false
	}
	switch {
	case !tables["moz_bookmarks"] || !tables["moz_places"] || !tables["moz_bookmarks_deleted"]:
		return nil, false
	case tables["items"] && tables["structure"]: // a mirror (Open says so)
		return nil, false
	}
	if tables["moz_items_annos"] && tables["moz_anno_attributes"] {
		livemarks := false
		err := c.Query(`SELECT 1 FROM moz_items_annos a JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id
			WHERE n.name = '`+livemarkAnno+`' LIMIT 1`, func(*sqlraw.Row) error { livemarks = true; return nil })
		if err != nil || livemarks {
			return nil, false
		}
	}
	// Sized by the largest id (dense in Places) and a typical title and URL.
	var maxID int64
	if c.Query(`SELECT max(id) FROM moz_bookmarks`, func(f *sqlraw.Row) error { maxID = f.Int(0); return nil }) != nil {
		return nil, false
	}
	size := int(min(max(maxID+1, 64), 1<<22))
	r.rows = hugepages.Make[outlineRow](0, size)
	r.text = hugepages.Make[byte](0, 80*size)
	sorted, ok := true, true
	err := c.Query(`SELECT b.id, b.parent, b.position, b.type, b.guid, b.title, h.url
		FROM moz_bookmarks b LEFT JOIN moz_places h ON h.id = b.fk`, func(f *sqlraw.Row) error {
		var o outlineRow
		o.id, o.parent, o.position, o.typ = f.Int(0), f.Int(1), f.Int(2), f.Int(3)
		g, hasGUID := f.View(4)
		if !hasGUID || f.Null(1) {
			ok = false
		}
		o.guid = r.add(g)
		t, _ := f.View(5)
		o.title = r.add(t)
		u, hasURL := f.View(6)
		o.url, o.hasURL = r.add(u), hasURL
		if n := len(r.rows); n > 0 && r.rows[n-1].id >= o.id {
			sorted = false
		}
		r.rows = append(r.rows, o)
		return nil
	})
	if err != nil || !ok || len(r.rows) == 0 {
		return nil, false
	}
	if !sorted { // table order is id order; a damaged table may not keep it
		slices.SortStableFunc(r.rows, func(a, b outlineRow) int { return cmp.Compare(a.id, b.id) })
	}
	o := &source.Outline{}
	if !r.outline(o) {
		return nil, false
	}
	err = c.Query(`SELECT guid, dateRemoved FROM moz_bookmarks_deleted`, func(f *sqlraw.Row) error {
		g, ok := f.Text(0)
		if !ok {
			return errNullGUID
		}
		o.Tombstones = append(o.Tombstones, source.Tombstone{GUID: g, Deleted: time.UnixMicro(f.Int(1)).UTC()})
		return nil
	})
	if err != nil {
		return nil, false
	}
	return o, true
}

var errNullGUID = errors.New("tombstone without a GUID")

// outline orders the rows as ReadTree's tree walks them: the root, then
// each folder's children by (position, id), depth first. false: the rows
// need a repair of the tree builder (see ReadOutline).
func (r *outlineReader) outline(o *source.Outline) bool {
	rows := r.rows
	n := len(rows)
	// A row's parent by id: direct when ids are dense, as Places keeps them.
	maxID := rows[n-1].id
	var byID []int32
	if maxID >= 0 && maxID < int64(4*n+1024) && rows[0].id >= 0 {
		byID = make([]int32, maxID+1)
		for i := range byID {
			byID[i] = -1
		}
		for i := range rows {
			byID[rows[i].id] = int32(i)
		}
	}
	find := func(id int64) int32 {
		if byID != nil {
			if id < 0 || id > maxID {
				return -1
			}
			return byID[id]
		}
		i, found := slices.BinarySearchFunc(rows, id, func(x outlineRow, id int64) int { return cmp.Compare(x.id, id) })
		if !found {
			return -1
		}
		return int32(i)
	}
	root := int32(-1)
	guids := make(map[string]struct{}, n)
	for i := range rows {
		g := r.str(rows[i].guid)
		if _, dup := guids[g]; dup {
			return false
		}
		guids[g] = struct{}{}
		if g == tree.RootGUID {
			root = int32(i)
		}
	}
	if root < 0 || rows[root].typ != TypeFolder {
		return false
	}
	// Children by parent, in id order, then each folder's by position.
	parent := make([]int32, n)
	count := make([]int32, n+1)
	for i := range rows {
		if int32(i) == root {
			parent[i] = -1
			continue
		}
		row := &rows[i]
		p := find(row.parent)
		switch {
		case row.typ < TypeBookmark || row.typ > TypeSeparator:
			return false // Firefox refuses an unknown type
		case p < 0 || rows[p].typ != TypeFolder:
			return false // no parent row, or one that is not a folder
		case tree.IsBuiltInRoot(r.str(row.guid)) && p != root:
			return false // a misplaced root the builder moves back
		}
		parent[i] = p
		count[p+1]++
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	kids := make([]int32, n)
	next := slices.Clone(count[:n])
	for i := range rows {
		if p := parent[i]; p >= 0 {
			kids[next[p]] = int32(i)
			next[p]++
		}
	}
	for p := range n {
		ks := kids[count[p]:count[p+1]]
		if !slices.IsSortedFunc(ks, func(a, b int32) int { return cmp.Compare(rows[a].position, rows[b].position) }) {
			slices.SortStableFunc(ks, func(a, b int32) int { return cmp.Compare(rows[a].position, rows[b].position) })
		}
	}
	o.Items = hugepages.MakeWritten[source.OutlineItem](0, n)
	o.AppendPreOrder(root, parent, kids, count, next, func(i int32) source.OutlineItem {
		row := &rows[i]
		it := source.OutlineItem{GUID: r.str(row.guid), Kind: r.kindOf(row), Title: r.str(row.title)}
		if i != root {
			it.URL = r.str(row.url) // Firefox reads the root with NULL AS url
		}
		return it
	})
	// Rows the root does not reach are in a cycle: the builder breaks it.
	return len(o.Items) == n
}

// kindOf is a row's kind as localItem gives it (livemarks aside: ReadOutline
// declines a database that has any).
// A bookmark is a query when its URL parses with the place: scheme.
func (r *outlineReader) kindOf(row *outlineRow) tree.Kind {
	switch row.typ {
	case TypeFolder:
		return tree.KindFolder
	case TypeSeparator:
		return tree.KindSeparator
	}
	if url := r.str(row.url); row.hasURL && mayBePlace(url) {
		if s, ok := ParseURL(url); ok && s == "place" {
			return tree.KindQuery
		}
	}
	return tree.KindBookmark
}

// mayBePlace reports whether url could parse with the place: scheme: it
// is false only when url plainly starts with another scheme (no leading
// space or control character, no tab or newline, which the URL parser
// would remove).
func mayBePlace(url string) bool {
	if url == "" || url[0] <= ' ' || strings.ContainsAny(url, "\t\n\r") {
		return url != ""
	}
	i := strings.IndexByte(url, ':')
	if i <= 0 {
		return true
	}
	for k := 0; k < i; k++ {
		c := url[k] | 0x20
		ok := 'a' <= c && c <= 'z' || k > 0 && ('0' <= url[k] && url[k] <= '9' || url[k] == '+' || url[k] == '-' || url[k] == '.')
		if !ok {
			return true
		}
	}
	return strings.EqualFold(url[:i], "place")
}
