package places

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

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

type localRow struct {
	guid, parentGUID string
	typ              int64
	changeCounter    int64
	syncStatus       int64
	lastModified     int64 // µs
	dateAdded        int64 // µs
	title            string
	url              sql.NullString
	fk               sql.NullInt64
	inTagFolder      bool
	isLivemark       bool
	id               int64
	guidValid        bool // guid is not NULL
	parent, position int64
	hasParentID      bool // parent is not NULL
	hasParent        bool // the parent row exists
}

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
	all, err := d.localRows()
	if err != nil {
		return nil, err
	}
	tombstones, err := d.readTombstones()
	if err != nil {
		return nil, err
	}
	return d.buildTree(all, keywords, tags, tombstones, localNowMs, prefer)
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
	all := hugepages.Make[localRow](len(rows.Bookmarks), len(rows.Bookmarks))
	for i, b := range rows.Bookmarks {
		all[i] = localRow{
			guid: b.GUID, guidValid: b.HasGUID, id: b.ID, typ: b.Type,
			changeCounter: b.ChangeCounter, syncStatus: b.SyncStatus,
			lastModified: b.LastModified, dateAdded: b.DateAdded, title: b.Title,
			url: sql.NullString{String: b.URL, Valid: b.HasURL},
			fk:  sql.NullInt64{Int64: b.FK, Valid: b.HasFK}, isLivemark: b.IsLivemark && d.hasAnnos,
			parent: b.Parent, hasParentID: b.HasParent, position: b.Position,
		}
	}
	t, err := d.buildTree(all, rows.Keywords, rows.Tags, rows.Tombstones, localNowMs, prefer)
	if err != nil {
		if _, isTreeErr := err.(*tree.Error); isTreeErr {
			return t, err
		}
		return nil, dbsnap.QueryError(What, d.Path(), err)
	}
	return t, nil
}

// buildTree builds the tree from the rows ReadTree's queries read.
func (d *DB) buildTree(all []localRow, keywords map[int64]string, tags map[int64][]string, tombstones []source.Tombstone, localNowMs int64, prefer map[string]string) (*tree.Tree, error) {
	byID := make(map[int64]int32, len(all))
	rootIdx, tagsID, haveTags := -1, int64(0), false
	for i := range all {
		byID[all[i].id] = int32(i)
		switch all[i].guid {
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
	for i := range all {
		r := &all[i]
		if j, ok := byID[r.parent]; ok && r.hasParentID {
			p := &all[j]
			r.parentGUID, r.hasParent = p.guid, p.guidValid // a NULL GUID counts as no parent, as in a JOIN on it
			r.inTagFolder = haveTags && p.hasParentID && p.parent == tagsID
		}
	}
	rootRow := all[rootIdx]
	rootRow.url = sql.NullString{} // Firefox reads the root with NULL AS url
	rootRow.parentGUID, rootRow.hasParent, rootRow.inTagFolder = "", false, false
	root, _ := d.localItem(&rootRow, localNowMs, keywords, tags)
	all = slices.DeleteFunc(all, func(r localRow) bool { return r.guid == tree.RootGUID })

	// ORDER BY b.parent, b.position, done in Go: reading in table order
	// and sorting is much cheaper than walking the index. The stable sort
	// keeps rowid order among equal keys, as the index does.
	// Rows whose parent row does not exist: Firefox's JOIN leaves them
	// out; we report them.
	rows := all[:0]
	for _, r := range all {
		if !r.hasParent {
			d.skipped = append(d.skipped, dbsnap.SkippedRecord{GUID: r.guid, Reason: fmt.Sprintf("its parent row (id %d) does not exist", r.parent)})
			continue
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b localRow) int {
		if c := cmp.Compare(a.parent, b.parent); c != 0 {
			return c
		}
		return cmp.Compare(a.position, b.position)
	})

	b := tree.NewBuilderSized(root, len(rows))
	b.ReparentOrphansTo("") // Firefox's local builder keeps dogear's default: the Places root
	for child, folder := range prefer {
		b.PreferParent(child, folder)
	}
	added := make([]bool, len(rows))
	for i := range rows {
		r := &rows[i]
		it, ok := d.localItem(r, localNowMs, keywords, tags)
		if !ok {
			continue
		}
		if err := b.Item(it); err != nil {
			d.skip(r.guid, r.parentGUID, err)
			continue
		}
		added[i] = true
	}
	// Structure after every item exists: a child row may come before its
	// parent folder's row (Firefox does the same, store.rs).
	for i := range rows {
		if !added[i] {
			continue
		}
		r := &rows[i]
		if err := b.Structure(r.guid, r.parentGUID); err != nil {
			d.skip(r.guid, r.parentGUID, err)
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

func (d *DB) skip(guid, parent string, err error) {
	d.skipped = append(d.skipped, dbsnap.SkippedRecord{GUID: guid, Parent: parent, Reason: err.Error(), Err: err})
}

func (d *DB) localRows() ([]localRow, error) {
	livemark := "0"
	if d.hasAnnos {
		livemark = `EXISTS(SELECT 1 FROM moz_items_annos a JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id
			WHERE a.item_id = b.id AND n.name = '` + livemarkAnno + `')`
	}
	n, err := d.RowCount()
	if err != nil {
		return nil, err
	}
	out := make([]localRow, 0, n)
	err = d.Scan(`SELECT b.guid, b.id, IFNULL(b.type, -1), b.syncChangeCounter, b.syncStatus,
			b.lastModified, b.dateAdded, b.title, h.url, b.fk, `+livemark+`, b.parent, b.position
		FROM moz_bookmarks b LEFT JOIN moz_places h ON h.id = b.fk`,
		func(f *sqlraw.Row) error {
			var r localRow
			r.guid, r.guidValid = f.Text(0)
			r.id = f.Int(1)
			r.typ, r.changeCounter, r.syncStatus = f.Int(2), f.Int(3), f.Int(4)
			r.lastModified, r.dateAdded = f.Int(5), f.Int(6)
			r.title, _ = f.Text(7)
			r.url.String, r.url.Valid = f.Text(8)
			r.fk = sql.NullInt64{Int64: f.Int(9), Valid: !f.Null(9)}
			r.isLivemark = f.Int(10) == 1
			r.parent, r.hasParentID = f.Int(11), !f.Null(11)
			r.position = f.Int(12)
			out = append(out, r)
			return nil
		})
	return out, err
}

// localItem converts a row (store.rs local_row_to_item). ok is false when
// Firefox would refuse the row (unknown type); it is then recorded.
func (d *DB) localItem(r *localRow, nowMs int64, keywords map[int64]string, tags map[int64][]string) (tree.Item, bool) {
	validity := tree.Valid
	scheme := ""
	if r.url.Valid {
		s, ok := ParseURL(r.url.String)
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
		if validity == tree.Valid && r.url.Valid && scheme == "place" {
			kind = tree.KindQuery
		}
	case TypeFolder:
		kind = tree.KindFolder
		if r.isLivemark {
			kind = tree.KindLivemark
		}
	case TypeSeparator:
		kind = tree.KindSeparator
	default:
		d.skipped = append(d.skipped, dbsnap.SkippedRecord{GUID: r.guid, Parent: r.parentGUID,
			Reason: fmt.Sprintf("unknown item type %d (Firefox refuses to merge)", r.typ)})
		return tree.Item{}, false
	}
	it := tree.Item{
		GUID:       r.guid,
		Kind:       kind,
		Age:        max(nowMs-r.lastModified/1000, 0),
		NeedsMerge: r.changeCounter > 0,
		Validity:   validity,
	}
	if validity != tree.Replace && r.guid != tree.RootGUID && r.syncStatus != tree.SyncStatusNormal {
		switch kind {
		case tree.KindBookmark, tree.KindQuery:
			if r.url.Valid {
				it.Content = &tree.Content{Kind: tree.ContentBookmark, Title: r.title, URL: r.url.String}
			}
		case tree.KindFolder, tree.KindLivemark:
			it.Content = &tree.Content{Kind: tree.ContentFolder, Title: r.title}
		case tree.KindSeparator:
			it.Content = &tree.Content{Kind: tree.ContentSeparator}
		}
	}
	info := &tree.Info{
		Title:             r.title,
		URL:               r.url.String,
		DateAdded:         r.dateAdded,
		LastModified:      r.lastModified,
		SyncStatus:        int(r.syncStatus),
		SyncChangeCounter: int(r.changeCounter),
	}
	if r.typ == TypeBookmark && r.fk.Valid && !r.inTagFolder {
		info.Keyword = keywords[r.fk.Int64]
		info.Tags = tags[r.fk.Int64]
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
