package demo

import (
	"cmp"
	"slices"
	"strings"
)

// mrec is one row of the mirror's items table with its structure and tags.
type mrec struct {
	guid, parent string
	kind         int
	title        string
	url          string
	keyword      string
	tags         []string
	children     []string
	isFolder     bool
	deleted      bool
	modified     int64 // serverModified, ms
	dateAdded    int64 // record dateAdded before the ratchet, ms
	needsMerge   bool
	validity     int
	order        int // DFS order of the base tree, for unchanged rows
}

// earliestBookmarkTimestamp is Date.UTC(1993, 0, 23) (docs/formats.md#incoming-record-rules).
const earliestBookmarkTimestamp = 727747200000

// ratchet is the mirror's dateAdded: the smallest of the record's
// dateAdded and its server time above the earliest bookmark timestamp.
func ratchet(dateAdded, modified int64) int64 {
	best := int64(0)
	for _, v := range []int64{dateAdded, modified} {
		if v > earliestBookmarkTimestamp && (best == 0 || v < best) {
			best = v
		}
	}
	return best
}

// mirrorRecords turns the remote tree into mirror rows: every item as last
// synced (needsMerge 0), items changed remotely since then (needsMerge 1),
// remote tombstones, and the corruptions of Expect.
func mirrorRecords(remote *tree, tm Times) []*mrec {
	last := tm.LastSync.UnixMilli()
	recs := map[string]*mrec{}
	var list []*mrec
	put := func(r *mrec) {
		if old, ok := recs[r.guid]; ok {
			*old = *r
			return
		}
		recs[r.guid] = r
		r.order = len(list)
		list = append(list, r)
	}
	var visit func(n *node)
	visit = func(n *node) {
		r := &mrec{guid: n.guid, kind: n.kind, title: n.title, url: n.url, keyword: n.keyword,
			tags: n.tags, isFolder: n.kind == kindFolder, validity: 1,
			modified: last, dateAdded: n.dateAdded}
		if n.parent != nil {
			r.parent = n.parent.guid
		}
		if at, ok := remote.changed[n.guid]; ok {
			r.modified, r.needsMerge = at, true
		}
		for _, c := range n.children {
			r.children = append(r.children, c.guid)
		}
		put(r)
		for _, c := range n.children {
			visit(c)
		}
	}
	// root________ as createMirrorRoots left it; user roots in mirror order.
	put(&mrec{guid: "root________", parent: "root________", kind: kindFolder, isFolder: true, validity: 1,
		children: append([]string(nil), userRoots...)})
	for _, g := range userRoots {
		visit(remote.get(g))
	}
	for _, g := range remote.tombOrder {
		put(&mrec{guid: g, kind: -1, deleted: true, modified: remote.tombs[g], needsMerge: true, validity: 1})
	}

	// Corruptions, stored the way a buggy client's records would be.
	h := int64(3600 * 1000)
	at := last + 56*h
	touch := func(g string) *mrec {
		r := recs[g]
		r.modified, r.needsMerge = max(r.modified, at), true
		return r
	}
	put(&mrec{guid: Expect.Orphan, parent: Expect.OrphanMissingParent, kind: kindBookmark,
		title: "Orphan: lost bookmark", url: "https://orphan.example.com/1",
		modified: at, dateAdded: at, needsMerge: true, validity: 1})
	news := touch(Expect.GhostListedBy)
	news.children = append(news.children, Expect.GhostChild)
	japan := touch(Expect.MultiParents[1])
	japan.children = append(japan.children, Expect.MultiParentItem)
	mis := touch(Expect.Misparented)
	mis.parent, mis.title = Expect.MisparentedClaims, "Read later: SQLite WAL mode"
	put(&mrec{guid: Expect.ChildOfBookmark, parent: Expect.BookmarkParent, kind: kindBookmark,
		title: "Child of a bookmark", url: "https://weird.example.com/child",
		modified: at, dateAdded: at, needsMerge: true, validity: 1})
	put(&mrec{guid: Expect.BadURL, parent: Expect.BadURLParent, kind: kindBookmark,
		title: "Broken link", url: BadURL, modified: at, dateAdded: at, needsMerge: true, validity: 3})
	tb := touch(Expect.BadURLParent)
	tb.children = append(tb.children, Expect.BadURL)

	// Row ids: rows untouched since the last sync keep their old ids; every
	// record stored since got a new id (REPLACE) in server-time order.
	slices.SortStableFunc(list, func(a, b *mrec) int {
		ka, kb := int64(0), int64(0)
		if a.needsMerge {
			ka = a.modified
		}
		if b.needsMerge {
			kb = b.modified
		}
		return cmp.Or(cmp.Compare(ka, kb), cmp.Compare(a.order, b.order))
	})
	// The mirror's root rows: serverModified 0 and no date for root________.
	r := recs["root________"]
	r.modified, r.dateAdded = 0, 0
	return list
}

func normKeyword(k string) string { return strings.ToLower(strings.TrimSpace(k)) }
