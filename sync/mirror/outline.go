package mirror

import (
	"cmp"
	"slices"
	"time"
	"unsafe"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// ReadOutline reads what a search needs of the mirror at path
// (source.Outline: every item in the order ReadTree's tree walks them,
// with its folder, depth, kind, title and URL, and every deleted record
// as a tombstone dated by its server time) and calls use with it and
// meta's collection/lastModified (ms, 0 when absent), without the
// snapshot, the tree, the reupload rule or the problem check that Load
// runs. The file is read in place when that is safe (dbsnap.OpenRaw).
//
// It takes that road only for a mirror whose tree needs none of the
// builder's repairs: every live item of a known kind and validity, listed
// once by a folder that its parentGuid names too, reachable from the
// root, the built-in roots under the root. For anything else, and on any
// error, ok is false and nothing was called: the caller loads the source
// instead. The outline and its strings are valid only during use.
func ReadOutline(path string, use func(o *source.Outline, lastModified int64)) (ok bool) {
	raw, err := dbsnap.OpenRaw(What, ResolvePath(path))
	if err != nil {
		return false
	}
	defer raw.Close()
	var r outlineReader
	o, lastModified, ok := r.read(raw.Conn)
	if !ok || !raw.Unchanged() {
		return false
	}
	o.Provenance = source.Provenance{Kind: source.Mirror, Path: path, Label: "Remote (Sync mirror)", At: time.Now(), Side: tree.Remote}
	use(o, lastModified)
	return true
}

type span struct{ off, n int32 }

// outlineItem is one items row as the outline reads it.
type outlineItem struct {
	guid, parent, title, url span
	kind, validity           int64
	hasParent, deleted       bool
	serverModified           int64
}

// outlineChild is one structure row.
type outlineChild struct {
	guid, parent span
	position     int64
}

type outlineReader struct {
	items []outlineItem
	kids  []outlineChild
	text  []byte
}

func (r *outlineReader) add(b []byte) span {
	s := span{int32(len(r.text)), int32(len(b))}
	if len(r.text)+len(b) > cap(r.text) { // double: append grows a large buffer by a quarter
		grown := make([]byte, len(r.text), 2*cap(r.text)+len(b))
		copy(grown, r.text)
		r.text = grown
	}
	r.text = append(r.text, b...)
	return s
}

func (r *outlineReader) str(s span) string {
	if s.n == 0 {
		return ""
	}
	return unsafe.String(&r.text[s.off], int(s.n))
}

func (r *outlineReader) read(c *sqlraw.Conn) (o *source.Outline, lastModified int64, ok bool) {
	tables := map[string]bool{}
	if c.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`, func(f *sqlraw.Row) error {
		n, _ := f.Text(0)
		tables[n] = true
		return nil
	}) != nil {
		return nil, 0, false
	}
	for _, t := range []string{"items", "structure", "urls", "meta"} {
		if !tables[t] {
			return nil, 0, false
		}
	}
	if tables["moz_bookmarks"] && tables["moz_places"] { // Places (Open says so)
		return nil, 0, false
	}
	if c.Query(`SELECT value FROM meta WHERE key = 'collection/lastModified'`, func(f *sqlraw.Row) error {
		if v, ok := f.Text(0); ok {
			lastModified = dbsnap.AsInt64(v) // REAL, INTEGER or numeric text, as readMeta takes it
		}
		return nil
	}) != nil {
		return nil, 0, false
	}
	// Sized by the largest id and a typical GUID, title and URL.
	var maxID int64
	if c.Query(`SELECT max(id) FROM items`, func(f *sqlraw.Row) error { maxID = f.Int(0); return nil }) != nil {
		return nil, 0, false
	}
	size := int(min(max(maxID+1, 64), 1<<22))
	r.items = hugepages.Make[outlineItem](0, size)
	r.text = hugepages.Make[byte](0, 120*size)
	ok = true
	err := c.Query(`SELECT v.guid, v.parentGuid, v.isDeleted, v.kind, v.validity, v.title, u.url, v.serverModified
		FROM items v LEFT JOIN urls u ON u.id = v.urlId`, func(f *sqlraw.Row) error {
		var it outlineItem
		g, _ := f.View(0)
		it.guid = r.add(g)
		p, hasParent := f.View(1)
		it.parent, it.hasParent = r.add(p), hasParent
		it.deleted, it.kind, it.validity = f.Int(2) == 1, f.Int(3), f.Int(4)
		t, _ := f.View(5)
		it.title = r.add(t)
		u, _ := f.View(6)
		it.url = r.add(u)
		it.serverModified = f.Int(7)
		r.items = append(r.items, it)
		return nil
	})
	if err != nil || !ok {
		return nil, 0, false
	}
	r.kids = make([]outlineChild, 0, len(r.items))
	err = c.Query(`SELECT guid, parentGuid, position FROM structure`, func(f *sqlraw.Row) error {
		g, _ := f.View(0)
		p, _ := f.View(1)
		r.kids = append(r.kids, outlineChild{guid: r.add(g), parent: r.add(p), position: f.Int(2)})
		return nil
	})
	if err != nil {
		return nil, 0, false
	}
	o = &source.Outline{}
	if !r.outline(o) {
		return nil, 0, false
	}
	return o, lastModified, true
}

// outline orders the live items as ReadTree's tree walks them. false: the
// rows need a repair of the tree builder (see ReadOutline).
func (r *outlineReader) outline(o *source.Outline) bool {
	items := r.items
	n := len(items)
	byGUID := make(map[string]int32, n)
	root := int32(-1)
	live := 0
	for i := range items {
		it := &items[i]
		g := r.str(it.guid)
		if _, dup := byGUID[g]; dup {
			return false
		}
		byGUID[g] = int32(i)
		if g == tree.RootGUID {
			root = int32(i)
		}
		if it.deleted {
			if g == tree.RootGUID {
				return false
			}
			o.Tombstones = append(o.Tombstones, source.Tombstone{GUID: g, Deleted: time.UnixMilli(it.serverModified).UTC()})
			continue
		}
		if _, known := treeKinds[int(it.kind)]; !known {
			return false
		}
		if _, known := treeValidity[int(it.validity)]; !known {
			return false
		}
		live++
	}
	if root < 0 || treeKinds[int(items[root].kind)] != tree.KindFolder {
		return false
	}
	// Each live item but the root: listed once, by the folder its
	// parentGuid names (a consistent parent, which the builder keeps).
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = -1
	}
	// Structure rows by folder (counting sort, so table order among
	// equals), then each folder's by position: ORDER BY parentGuid,
	// position, as Structure reads them, without comparing GUIDs.
	kid := make([]int32, len(r.kids)) // structure row → its live child, -1 for none
	count := make([]int32, n+1)
	for k := range r.kids {
		s := &r.kids[k]
		kid[k] = -1
		ci, found := byGUID[r.str(s.guid)]
		if found && ci == root {
			continue // the root's row of itself
		}
		pi, pfound := byGUID[r.str(s.parent)]
		if !pfound || items[pi].deleted || !isFolder(items[pi].kind) {
			return false // a parent the builder refuses
		}
		if !found || items[ci].deleted {
			continue // a missing or deleted child: left out of the folder
		}
		if parent[ci] >= 0 {
			return false // listed twice
		}
		parent[ci], kid[k] = pi, ci
		count[pi+1]++
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	kids := make([]int32, count[n])
	pos := make([]int64, count[n])
	next := slices.Clone(count[:n])
	for k, ci := range kid {
		if ci >= 0 {
			p := parent[ci]
			kids[next[p]], pos[next[p]] = ci, r.kids[k].position
			next[p]++
		}
	}
	for p := range n {
		lo, hi := count[p], count[p+1]
		if hi-lo > 1 && !slices.IsSorted(pos[lo:hi]) {
			ks := kids[lo:hi]
			order := make([]int32, len(ks))
			for k := range order {
				order[k] = int32(k)
			}
			ps := pos[lo:hi]
			slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(ps[a], ps[b]) })
			sorted := make([]int32, len(ks))
			for k, o := range order {
				sorted[k] = ks[o]
			}
			copy(ks, sorted)
		}
	}
	for i := range items {
		it := &items[i]
		if it.deleted || int32(i) == root {
			continue
		}
		switch {
		case parent[i] < 0, !it.hasParent:
			return false // an orphan, or no parentid to agree
		case r.str(it.parent) != r.str(items[parent[i]].guid):
			return false // parents that disagree
		case tree.IsBuiltInRoot(r.str(it.guid)) && parent[i] != root:
			return false
		}
	}
	o.Items = hugepages.MakeWritten[source.OutlineItem](0, live)
	o.AppendPreOrder(root, parent, kids, count, next, func(i int32) source.OutlineItem {
		it := &items[i]
		return source.OutlineItem{GUID: r.str(it.guid), Kind: treeKinds[int(it.kind)], Title: r.str(it.title), URL: r.str(it.url)}
	})
	// Live items the root does not reach are in a cycle: the builder breaks it.
	return len(o.Items) == live
}

func isFolder(kind int64) bool { return kind == KindFolder } // a livemark has no children for the builder
