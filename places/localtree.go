package places

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
	"unsafe"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// Places item types (nsINavBookmarksService); the sync statuses are
// tree.SyncStatus*.
const (
	TypeBookmark  = 1
	TypeFolder    = 2
	TypeSeparator = 3
)

// livemarkAnno is the annotation that marked a folder as a livemark
// (LMANNO_FEEDURI); ESR 153 keeps moz_items_annos empty, but Firefox's
// merger still asks.
const livemarkAnno = "livemark/feedURI"

// localRow is one moz_bookmarks row as read. It holds no pointers: its
// texts are spans of the read's arena (localRows.text), so 372k rows are
// one allocation the collector never scans, not three strings each.
type localRow struct {
	id, parent, position int64
	typ                  int64
	changeCounter        int64
	syncStatus           int64
	lastModified         int64 // µs
	dateAdded            int64 // µs
	fk                   int64
	guid, title, url     span
	flags                rowFlags
}

type rowFlags uint8

const (
	guidValid   rowFlags = 1 << iota // guid is not NULL
	urlValid                         // the joined page has a URL
	fkValid                          // fk is not NULL
	hasParentID                      // parent is not NULL
	isLivemark
)

func (r *localRow) has(f rowFlags) bool { return r.flags&f != 0 }

// localRows are every moz_bookmarks row in table order, with their texts.
type localRows struct {
	rows []localRow
	text string // the arena: every row's texts, back to back
}

func (l *localRows) str(s span) string { return l.text[s.off : s.off+s.n] }

// ReadTree builds the local tree exactly as Firefox's merger does
// (docs/formats.md#local-tree, store.rs fetch_local_tree): the root row
// first, then every other moz_bookmarks row that has a parent row, tags
// subtree included, ordered by (parent, position), each fed as a
// consistent (structure) parent; then every moz_bookmarks_deleted GUID as
// a tombstone. localNowMs is the local clock in ms.
//
// Per item: type 1 with a URL whose scheme parses as "place" is a query,
// other type 1 rows bookmarks, type 2 folders (livemarks when annotated),
// type 3 separators; a URL that does not parse (WHATWG, see ParseURL)
// makes the item validity Replace; NeedsMerge = syncChangeCounter > 0;
// Age = max(localNowMs − lastModified/1000, 0); Content only for valid,
// non-root items whose syncStatus is not NORMAL.
//
// Rows Firefox would refuse (unknown type, a parent that is not a folder,
// no parent row) are left out and listed by Skipped. A cycle in the parent
// links returns the (usable, cycle-broken) tree together with the builder's
// *tree.Error.
func (d *DB) ReadTree(localNowMs int64) (*tree.Tree, error) {
	return d.ReadTreeWith(localNowMs, nil)
}

// ReadTreeWith is ReadTree with the user's choice of parent for items
// whose parents disagree: prefer maps a child GUID to the folder that keeps
// it (tree.Builder.PreferParent). Places itself is always consistent, so
// this matters only for damaged databases.
func (d *DB) ReadTreeWith(localNowMs int64, prefer map[string]string) (*tree.Tree, error) {
	d.skipped = nil
	t, err := d.readTree(localNowMs, prefer)
	if err != nil {
		if _, isTreeErr := err.(*tree.Error); isTreeErr {
			return t, err
		}
		return nil, dbsnap.QueryError(What, d.Path(), err)
	}
	return t, nil
}

// rowIndex finds a row by its id: a slice when the ids are dense (Places
// hands them out in order), a map otherwise.
type rowIndex struct {
	dense  []int32 // id -> row index + 1
	sparse map[int64]int32
}

func newRowIndex(rows []localRow) rowIndex {
	var maxID int64
	dense := true
	for i := range rows {
		if id := rows[i].id; id < 0 {
			dense = false
		} else {
			maxID = max(maxID, id)
		}
	}
	if dense && maxID < int64(2*len(rows)+1024) {
		x := rowIndex{dense: make([]int32, maxID+1)}
		for i := range rows {
			x.dense[rows[i].id] = int32(i) + 1
		}
		return x
	}
	x := rowIndex{sparse: make(map[int64]int32, len(rows))}
	for i := range rows {
		x.sparse[rows[i].id] = int32(i)
	}
	return x
}

func (x *rowIndex) get(id int64) (int32, bool) {
	if x.sparse != nil {
		i, ok := x.sparse[id]
		return i, ok
	}
	if id < 0 || id >= int64(len(x.dense)) || x.dense[id] == 0 {
		return 0, false
	}
	return x.dense[id] - 1, true
}

func (d *DB) readTree(localNowMs int64, prefer map[string]string) (*tree.Tree, error) {
	keywords, err := d.keywordsByPlace()
	if err != nil {
		return nil, err
	}
	tags, err := d.tagsByPlace()
	if err != nil {
		return nil, err
	}

	// Every row in one read, table order; parents are resolved in Go,
	// which costs less than joining moz_bookmarks to itself per row.
	lr, err := d.localRows()
	if err != nil {
		return nil, err
	}
	tombstones, err := d.readTombstones()
	if err != nil {
		return nil, err
	}
	return d.buildTree(&lr, keywords, tags, tombstones, localNowMs, prefer)
}

// BookmarkRow is one moz_bookmarks row as the local tree reads it, with
// its page's URL (moz_places joined on fk). NULL integers read as 0.
type BookmarkRow struct {
	ID                        int64
	GUID                      string
	HasGUID                   bool  // guid is not NULL
	Type                      int64 // -1 when NULL
	ChangeCounter, SyncStatus int64
	LastModified, DateAdded   int64 // µs
	Title                     string
	URL                       string
	HasURL                    bool // the page exists and its url is not NULL
	FK                        int64
	HasFK                     bool // fk is not NULL
	IsLivemark                bool // annotated livemark/feedURI
	Parent                    int64
	HasParent                 bool // parent is not NULL
	Position                  int64
}

// TreeRows are the rows the local tree is built from, as ReadTree's
// queries read them: for a reader that has read the same tables another
// way (bmtui bundle builds the tree from the rows it copies).
type TreeRows struct {
	Bookmarks  []BookmarkRow      // moz_bookmarks in table (rowid) order
	Keywords   map[int64]string   // page id → its alphabetically first keyword
	Tags       map[int64][]string // page id → the titles of its tag folders, sorted, without repeats
	Tombstones []source.Tombstone // moz_bookmarks_deleted in table order
}

// ReadTreeRows is ReadTreeWith from rows read elsewhere instead of the
// snapshot's tables; the rows must be this database's (or a redacted
// copy of them).
func (d *DB) ReadTreeRows(rows *TreeRows, localNowMs int64, prefer map[string]string) (*tree.Tree, error) {
	d.skipped = nil
	lr := localRowsOf(rows.Bookmarks, d.hasAnnos)
	t, err := d.buildTree(&lr, rows.Keywords, rows.Tags, rows.Tombstones, localNowMs, prefer)
	if err != nil {
		if _, isTreeErr := err.(*tree.Error); isTreeErr {
			return t, err
		}
		return nil, dbsnap.QueryError(What, d.Path(), err)
	}
	return t, nil
}

// localRowsOf are rows read elsewhere as ReadTree's own read holds them.
func localRowsOf(bookmarks []BookmarkRow, hasAnnos bool) localRows {
	n := 0
	for i := range bookmarks {
		b := &bookmarks[i]
		n += len(b.GUID) + len(b.Title) + len(b.URL)
	}
	arena := make([]byte, 0, n)
	text := func(s string) span {
		sp := span{int32(len(arena)), int32(len(s))}
		arena = append(arena, s...)
		return sp
	}
	rows := hugepages.Make[localRow](len(bookmarks), len(bookmarks))
	for i := range bookmarks {
		b := &bookmarks[i]
		r := &rows[i]
		*r = localRow{
			id: b.ID, typ: b.Type, changeCounter: b.ChangeCounter, syncStatus: b.SyncStatus,
			lastModified: b.LastModified, dateAdded: b.DateAdded, fk: b.FK,
			parent: b.Parent, position: b.Position,
			guid: text(b.GUID), title: text(b.Title), url: text(b.URL),
		}
		for _, f := range []struct {
			on   bool
			flag rowFlags
		}{{b.HasGUID, guidValid}, {b.HasURL, urlValid}, {b.HasFK, fkValid}, {b.HasParent, hasParentID}, {b.IsLivemark && hasAnnos, isLivemark}} {
			if f.on {
				r.flags |= f.flag
			}
		}
	}
	return localRows{rows: rows, text: unsafe.String(unsafe.SliceData(arena), len(arena))} // never written again
}

// buildTree builds the tree from the rows ReadTree's queries read.
func (d *DB) buildTree(lr *localRows, keywords map[int64]string, tags map[int64][]string, tombstones []source.Tombstone, localNowMs int64, prefer map[string]string) (*tree.Tree, error) {
	all := lr.rows
	byID := newRowIndex(all)
	rootIdx, tagsID, haveTags := -1, int64(0), false
	for i := range all {
		if !all[i].has(guidValid) {
			continue
		}
		switch lr.str(all[i].guid) {
		case tree.RootGUID:
			if rootIdx < 0 {
				rootIdx = i
			}
		case tree.TagsGUID:
			tagsID, haveTags = all[i].id, true
		}
	}
	if rootIdx < 0 {
		return nil, dbsnap.NewError(What, d.Path(), dbsnap.ErrCorrupt, nil, "has no Places root (%s)", tree.RootGUID)
	}
	// parentOf[i] is the row of row i's parent, -1 for none: Firefox's
	// JOIN on the parent's id leaves those out (a NULL GUID counts as no
	// parent, as in a JOIN on it); we report them.
	parentOf := make([]int32, len(all))
	inTags := make([]bool, len(all))
	for i := range all {
		r := &all[i]
		parentOf[i] = -1
		if j, ok := byID.get(r.parent); ok && r.has(hasParentID) && all[j].has(guidValid) {
			parentOf[i] = j
			p := &all[j]
			inTags[i] = haveTags && p.has(hasParentID) && p.parent == tagsID
		}
	}
	rootRow := all[rootIdx]
	rootRow.flags &^= urlValid // Firefox reads the root with NULL AS url
	rootRow.url = span{}
	root, _ := d.localItem(lr, &rootRow, "", false, localNowMs, keywords, tags, &tree.Info{})

	order := make([]int32, 0, len(all))
	for i := range all {
		r := &all[i]
		if r.has(guidValid) && lr.str(r.guid) == tree.RootGUID {
			continue
		}
		if parentOf[i] < 0 {
			d.skipped = append(d.skipped, dbsnap.SkippedRecord{GUID: lr.str(r.guid), Reason: fmt.Sprintf("its parent row (id %d) does not exist", r.parent)})
			continue
		}
		order = append(order, int32(i))
	}
	sortByParent(all, order)

	b := tree.NewBuilderSized(root, len(order))
	b.ReparentOrphansTo("") // Firefox's local builder keeps dogear's default: the Places root
	for child, folder := range prefer {
		b.PreferParent(child, folder)
	}
	// One slab for every item's Info: the tree keeps them all.
	infos := hugepages.Make[tree.Info](len(order), len(order))
	added := make([]bool, len(order))
	for k, i := range order {
		r := &all[i]
		parentGUID := lr.str(all[parentOf[i]].guid)
		it, ok := d.localItem(lr, r, parentGUID, inTags[i], localNowMs, keywords, tags, &infos[k])
		if !ok {
			continue
		}
		if err := b.Item(it); err != nil {
			d.skip(it.GUID, parentGUID, err)
			continue
		}
		added[k] = true
	}
	// Structure after every item exists: a child row may come before its
	// parent folder's row (Firefox does the same, store.rs).
	for k, i := range order {
		if !added[k] {
			continue
		}
		guid, parentGUID := lr.str(all[i].guid), lr.str(all[parentOf[i]].guid)
		if err := b.Structure(guid, parentGUID); err != nil {
			d.skip(guid, parentGUID, err)
		}
	}

	d.tombstones = tombstones
	for _, ts := range tombstones {
		b.Tombstone(ts.GUID)
	}
	return b.Build()
}

// readTombstones reads moz_bookmarks_deleted in table order.
func (d *DB) readTombstones() ([]source.Tombstone, error) {
	trows, err := d.SQL().Query(`SELECT guid, dateRemoved FROM moz_bookmarks_deleted`)
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	var out []source.Tombstone
	for trows.Next() {
		var g string
		var removed sql.NullInt64 // µs
		if err := trows.Scan(&g, &removed); err != nil {
			return nil, err
		}
		out = append(out, source.Tombstone{GUID: g, Deleted: time.UnixMicro(removed.Int64).UTC()})
	}
	return out, trows.Err()
}

// sortByParent orders the rows named by order as ORDER BY b.parent,
// b.position would, keeping table (rowid) order among equal keys as the
// index does. Reading in table order and sorting is much cheaper than
// walking the index; the rows are bucketed by parent id, and a bucket
// is sorted only when its positions are not in order already (they
// nearly always are).
func sortByParent(all []localRow, order []int32) {
	if len(order) < 2 {
		return
	}
	// Parents' ids, as the buckets' keys, in ascending order.
	minP, maxP := all[order[0]].parent, all[order[0]].parent
	for _, i := range order {
		minP, maxP = min(minP, all[i].parent), max(maxP, all[i].parent)
	}
	if span := maxP - minP; span < 0 || span >= int64(2*len(order)+1024) {
		slices.SortStableFunc(order, func(a, b int32) int { return compareRows(&all[a], &all[b]) })
		return
	}
	start := make([]int32, maxP-minP+2)
	for _, i := range order {
		start[all[i].parent-minP+1]++
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	sorted := make([]int32, len(order))
	next := slices.Clone(start[:len(start)-1])
	for _, i := range order {
		p := all[i].parent - minP
		sorted[next[p]] = i
		next[p]++
	}
	for k := 0; k+1 < len(start); k++ {
		bucket := sorted[start[k]:start[k+1]]
		if !slices.IsSortedFunc(bucket, func(a, b int32) int { return cmp.Compare(all[a].position, all[b].position) }) {
			slices.SortStableFunc(bucket, func(a, b int32) int { return cmp.Compare(all[a].position, all[b].position) })
		}
	}
	copy(order, sorted)
}

func compareRows(a, b *localRow) int {
	if c := cmp.Compare(a.parent, b.parent); c != 0 {
		return c
	}
	return cmp.Compare(a.position, b.position)
}

func (d *DB) skip(guid, parent string, err error) {
	d.skipped = append(d.skipped, dbsnap.SkippedRecord{GUID: guid, Parent: parent, Reason: err.Error(), Err: err})
}

// errArenaFull is localRows' error for texts past 2 GiB, which no Places
// file holds.
var errArenaFull = errors.New("moz_bookmarks texts exceed 2 GiB")

func (d *DB) localRows() (localRows, error) {
	livemarks, err := d.livemarkItems()
	if err != nil {
		return localRows{}, err
	}
	n, err := d.RowCount()
	if err != nil {
		return localRows{}, err
	}
	// Fresh memory in huge pages: faulting in 4 KB pages one at a time
	// cost more than the copying (see internal/hugepages).
	rows := hugepages.Make[localRow](0, n)
	arena := hugepages.Make[byte](0, n*64)
	text := func(f *sqlraw.Row, i int) (span, bool, error) {
		b, ok := f.View(i)
		if len(arena)+len(b) > math.MaxInt32 {
			return span{}, false, errArenaFull
		}
		s := span{int32(len(arena)), int32(len(b))}
		arena = appendDoubling(arena, b)
		return s, ok, nil
	}
	err = d.Scan(`SELECT b.guid, b.id, IFNULL(b.type, -1), b.syncChangeCounter, b.syncStatus,
			b.lastModified, b.dateAdded, b.title, h.url, b.fk, b.parent, b.position
		FROM moz_bookmarks b LEFT JOIN moz_places h ON h.id = b.fk`,
		func(f *sqlraw.Row) error {
			rows = append(rows, localRow{})
			r := &rows[len(rows)-1]
			var ok bool
			var err error
			if r.guid, ok, err = text(f, 0); ok {
				r.flags |= guidValid
			}
			r.id = f.Int(1)
			r.typ, r.changeCounter, r.syncStatus = f.Int(2), f.Int(3), f.Int(4)
			r.lastModified, r.dateAdded = f.Int(5), f.Int(6)
			if err == nil {
				r.title, _, err = text(f, 7)
			}
			if err == nil {
				if r.url, ok, err = text(f, 8); ok {
					r.flags |= urlValid
				}
			}
			if r.fk = f.Int(9); !f.Null(9) {
				r.flags |= fkValid
			}
			if r.parent = f.Int(10); !f.Null(10) {
				r.flags |= hasParentID
			}
			r.position = f.Int(11)
			if livemarks[r.id] {
				r.flags |= isLivemark
			}
			return err
		})
	if err != nil {
		return localRows{}, err
	}
	// The arena is never written again: its strings can share it.
	return localRows{rows: rows, text: unsafe.String(unsafe.SliceData(arena), len(arena))}, nil
}

// livemarkItems are the ids of the items annotated as livemarks: one
// read of the (nearly always empty) annotations instead of a subquery per
// row.
func (d *DB) livemarkItems() (map[int64]bool, error) {
	if !d.hasAnnos {
		return nil, nil
	}
	var m map[int64]bool
	err := d.Scan(`SELECT a.item_id FROM moz_items_annos a JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id
		WHERE n.name = '`+livemarkAnno+`' AND a.item_id NOT NULL`,
		func(f *sqlraw.Row) error {
			if m == nil {
				m = map[int64]bool{}
			}
			m[f.Int(0)] = true
			return nil
		})
	return m, err
}

// localItem converts a row (store.rs local_row_to_item) into an item
// whose Info is info. ok is false when Firefox would refuse the row
// (unknown type); it is then recorded.
func (d *DB) localItem(lr *localRows, r *localRow, parentGUID string, inTagFolder bool, nowMs int64,
	keywords map[int64]string, tags map[int64][]string, info *tree.Info) (tree.Item, bool) {
	guid, title, url := lr.str(r.guid), lr.str(r.title), lr.str(r.url)
	hasURL := r.has(urlValid)
	validity := tree.Valid
	scheme := ""
	if hasURL {
		s, ok := ParseURL(url)
		if ok {
			scheme = s
		} else {
			validity = tree.Replace
		}
	}
	var kind tree.Kind
	switch r.typ {
	case TypeBookmark:
		kind = tree.KindBookmark
		if validity == tree.Valid && hasURL && scheme == "place" {
			kind = tree.KindQuery
		}
	case TypeFolder:
		kind = tree.KindFolder
		if r.has(isLivemark) {
			kind = tree.KindLivemark
		}
	case TypeSeparator:
		kind = tree.KindSeparator
	default:
		d.skipped = append(d.skipped, dbsnap.SkippedRecord{GUID: guid, Parent: parentGUID,
			Reason: fmt.Sprintf("unknown item type %d (Firefox refuses to merge)", r.typ)})
		return tree.Item{}, false
	}
	it := tree.Item{
		GUID:       guid,
		Kind:       kind,
		Age:        max(nowMs-r.lastModified/1000, 0),
		NeedsMerge: r.changeCounter > 0,
		Validity:   validity,
	}
	if validity != tree.Replace && guid != tree.RootGUID && r.syncStatus != tree.SyncStatusNormal {
		switch kind {
		case tree.KindBookmark, tree.KindQuery:
			if hasURL {
				it.Content = &tree.Content{Kind: tree.ContentBookmark, Title: title, URL: url}
			}
		case tree.KindFolder, tree.KindLivemark:
			it.Content = &tree.Content{Kind: tree.ContentFolder, Title: title}
		case tree.KindSeparator:
			it.Content = &tree.Content{Kind: tree.ContentSeparator}
		}
	}
	*info = tree.Info{
		Title:             title,
		URL:               url,
		DateAdded:         r.dateAdded,
		LastModified:      r.lastModified,
		SyncStatus:        int(r.syncStatus),
		SyncChangeCounter: int(r.changeCounter),
	}
	if r.typ == TypeBookmark && r.has(fkValid) && !inTagFolder {
		info.Keyword = keywords[r.fk]
		info.Tags = tags[r.fk]
	}
	it.Info = info
	return it, true
}

// keywordsByPlace maps a page id to its keyword (the alphabetically first
// when a page has several, one per POST data).
func (d *DB) keywordsByPlace() (map[int64]string, error) {
	m := make(map[int64]string)
	err := d.Scan(`SELECT place_id, keyword FROM moz_keywords WHERE place_id NOT NULL AND keyword NOT NULL ORDER BY keyword DESC`,
		func(f *sqlraw.Row) error {
			m[f.Int(0)], _ = f.Text(1)
			return nil
		})
	return m, err
}

// tagsByPlace maps a page id to the titles of the tag folders holding an
// entry for it, sorted and without repeats.
func (d *DB) tagsByPlace() (map[int64][]string, error) {
	m := make(map[int64][]string)
	err := d.Scan(`SELECT e.fk, f.title FROM moz_bookmarks e
		JOIN moz_bookmarks f ON f.id = e.parent
		JOIN moz_bookmarks r ON r.id = f.parent
		WHERE r.guid = '`+tree.TagsGUID+`' AND e.fk NOT NULL`,
		func(f *sqlraw.Row) error {
			id := f.Int(0)
			tag, _ := f.Text(1)
			m[id] = append(m[id], tag)
			return nil
		})
	if err != nil {
		return nil, err
	}
	for id, ts := range m {
		if len(ts) > 1 {
			sort.Strings(ts)
			m[id] = compactStrings(ts)
		}
	}
	return m, nil
}

func compactStrings(s []string) []string {
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}
