// Package backup writes and reads Firefox bookmark backups: the JSON tree
// that Firefox's PlacesBackups / BookmarkJSONUtils write from a Places
// database, wrapped in the mozLz40 container and stored in
// <profile>/bookmarkbackups/ under Firefox's file-name scheme, so that the
// Library window's "Restore" menu lists it and can restore from it
// (docs/formats.md#bookmark-backups).
//
// Export reproduces PlacesUtils.promiseBookmarksTree(rootGuid,
// {includeItemIds: true}) followed by JSON.stringify: the same SQL, the same
// per-row rules (which items are skipped, which keys appear and in which
// order) and the same string and number serialization, so that its output is
// byte-identical to a backup Firefox makes of the same database.
package backup

import (
	"bytes"
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/places/urls"
)

// The GUIDs and JSON names of the built-in roots (docs/formats.md#roots).
const (
	RootGUID    = "root________"
	MenuGUID    = "menu________"
	ToolbarGUID = "toolbar_____"
	TagsGUID    = "tags________"
	UnfiledGUID = "unfiled_____"
	MobileGUID  = "mobile______"
)

// The `type` strings of the JSON nodes (PlacesUtils.TYPE_X_MOZ_PLACE*).
const (
	TypePlace          = "text/x-moz-place"
	TypePlaceContainer = "text/x-moz-place-container"
	TypePlaceSeparator = "text/x-moz-place-separator"
)

// The moz_bookmarks.type values.
const (
	TypeCodeBookmark  = 1
	TypeCodeFolder    = 2
	TypeCodeSeparator = 3
)

// rootNames maps a root GUID to its JSON `root` value. The tags root is never
// exported.
var rootNames = map[string]string{
	RootGUID:    "placesRoot",
	MenuGUID:    "bookmarksMenuFolder",
	UnfiledGUID: "unfiledBookmarksFolder",
	ToolbarGUID: "toolbarFolder",
	MobileGUID:  "mobileFolder",
}

// The rows Export walks: every bookmark with its page, in table order,
// then the tags of each page and its character set, each read once (one
// scan of each table instead of promiseBookmarksTree's recursive query,
// whose sorting and per-row subqueries cost more than the whole tree).
// The tree is then walked in Go exactly as the recursive query does: from
// the Places root, level by level, each folder's children by position
// (then id, the order of the parent index), the tags root left out.
const (
	rowsQuery = `SELECT b.id, b.guid, b.parent, b.type, b.position, IFNULL(b.title, ''), b.dateAdded, b.lastModified,
	h.id, h.url FROM moz_bookmarks b LEFT JOIN moz_places h ON h.id = b.fk`
	tagsQuery = `SELECT b.fk, group_concat(p.title ORDER BY p.title)
	FROM moz_bookmarks b
	JOIN moz_bookmarks p ON p.id = b.parent
	JOIN moz_bookmarks g ON g.id = p.parent
	WHERE g.guid = 'tags________'
	GROUP BY b.fk`
	charsetQuery = `SELECT a.place_id, a.content FROM moz_annos a
	JOIN moz_anno_attributes n ON a.anno_attribute_id = n.id
	WHERE n.name = 'URIProperties/characterSet'`
)

// keywordQuery is the query that fills PlacesUtils.keywords' cache; its row
// order decides which keyword a URL with several gets (entries[0]).
const keywordQuery = `SELECT keyword, url, post_data
FROM moz_keywords k
JOIN moz_places h ON h.id = k.place_id`

// ErrNoRoot is returned by Export when the database has no Places root.
var ErrNoRoot = errors.New("backup: the database has no Places root (" + RootGUID + ")")

// field is one key/value of a JSON object, in insertion order. Values are
// nil (null), int64, float64, string (valid UTF-8) or []byte.
type field struct {
	key string
	val any
}

// item is one exported object. children is appended as the last key when
// non-empty, exactly as promiseBookmarksTree adds it on the first child.
type item struct {
	fields   []field
	children []*item
}

func (it *item) set(key string, val any) { it.fields = append(it.fields, field{key, val}) }

type keywordEntry struct {
	keyword  string
	postData any // string or nil
}

// Export serializes the bookmarks of a Places database the way Firefox
// writes a bookmarks backup (BookmarkJSONUtils.exportToFile /
// PlacesBackups.create): compact JSON, keys in Firefox's order, tags root
// and tag folders left out. It returns the JSON bytes and the node count
// Firefox puts in the file name (the root plus every exported folder,
// bookmark and separator).
//
// Like Firefox, it skips bookmarks whose URL does not parse (and anything
// whose parent was skipped or is not a folder). The read runs in one
// transaction so the tree is a consistent snapshot.
func Export(db *sql.DB) ([]byte, int, error) {
	tx, err := db.Begin()
	if err != nil {
		return nil, 0, fmt.Errorf("backup: begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return export(sqlReader{tx})
}

// ExportFile is Export of the Places database at path, read through a
// read-only connection of its own (sqlraw: one call a column, about half
// the time of database/sql), in one read transaction.
func ExportFile(path string) ([]byte, int, error) {
	return exportPath(path, false)
}

// ExportCopy is ExportFile of a private copy of a Places database that
// nobody changes while it is read and that has no write-ahead log beside
// it (a bmtui backup's copy): it is opened immutable, so no lock is taken
// and no -wal or -shm file is made next to it.
func ExportCopy(path string) ([]byte, int, error) {
	return exportPath(path, true)
}

func exportPath(path string, immutable bool) ([]byte, int, error) {
	c, err := sqlraw.Open(path, immutable)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer c.Close()
	if err := c.Exec(`BEGIN`); err != nil {
		return nil, 0, fmt.Errorf("backup: begin read: %w", err)
	}
	defer c.Exec(`ROLLBACK`) //nolint:errcheck // read-only
	return export(rawReader{c})
}

// reader runs a query and hands each row's values to fn, as database/sql
// scans them into an any (int64, float64, string, []byte or nil); vals is
// reused from row to row.
type reader interface {
	each(query string, columns int, fn func(vals []any) error) error
}

type sqlReader struct{ tx *sql.Tx }

func (r sqlReader) each(query string, columns int, fn func(vals []any) error) error {
	rows, err := r.tx.Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, columns)
	ptrs := make([]any, columns)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

type rawReader struct{ c *sqlraw.Conn }

func (r rawReader) each(query string, columns int, fn func(vals []any) error) error {
	vals := make([]any, columns)
	return r.c.Query(query, func(row *sqlraw.Row) error {
		for i := range vals {
			vals[i] = row.Value(i)
		}
		return fn(vals)
	})
}

// errStop ends a reader's loop early.
var errStop = errors.New("stop")

// first returns the first row's values of query, or nil when it has none.
func first(rd reader, query string, columns int) ([]any, error) {
	var out []any
	err := rd.each(query, columns, func(vals []any) error {
		out = append([]any(nil), vals...)
		return errStop
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return out, err
}

func export(rd reader) ([]byte, int, error) {
	// The recursive query would never end if the root were part of a
	// parent loop (the only way a loop can be reachable from it).
	rootRow, err := first(rd, `SELECT parent FROM moz_bookmarks WHERE guid = '`+RootGUID+`'`, 1)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: read the Places root: %w", err)
	}
	if rootRow == nil {
		return nil, 0, ErrNoRoot
	}
	if p, ok := sqlInt(rootRow[0]); ok {
		n, err := first(rd, fmt.Sprintf(`SELECT count(*) FROM moz_bookmarks WHERE id = %d`, p), 1)
		if err != nil {
			return nil, 0, fmt.Errorf("backup: read the Places root: %w", err)
		}
		if c, _ := n[0].(int64); c > 0 {
			return nil, 0, fmt.Errorf("backup: the Places root has a parent (id %d): the tree has a loop", p)
		}
	}
	var tagsID int64 // 0 without a tags root, as PlacesUtils.tagsFolderId
	tags, err := first(rd, `SELECT id FROM moz_bookmarks WHERE guid = '`+TagsGUID+`'`, 1)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: read the tags root: %w", err)
	}
	if tags != nil {
		tagsID, _ = sqlInt(tags[0])
	}

	keywords, err := readKeywords(rd)
	if err != nil {
		return nil, 0, err
	}

	all, err := readBookmarkRows(rd)
	if err != nil {
		return nil, 0, err
	}
	tagValues, err := readPlaceValues(rd, tagsQuery, "tags")
	if err != nil {
		return nil, 0, err
	}
	charsets, err := readPlaceValues(rd, charsetQuery, "character sets")
	if err != nil {
		return nil, 0, err
	}
	// Children by parent id, in the parent index's order.
	byID := make(map[int64]int, len(all))
	children := make(map[int64][]int, len(all)/8)
	rootIdx := -1
	for i := range all {
		r := &all[i]
		if id, ok := r.id.(int64); ok {
			if _, dup := byID[id]; !dup {
				byID[id] = i
			}
		}
		if g, ok := r.guid.(string); ok && g == RootGUID && rootIdx < 0 {
			rootIdx = i
		}
		if p, ok := sqlInt(r.parent); ok {
			// The recursive query's b2.id <> ?1 (0 without a tags root).
			if id, ok := r.id.(int64); !ok || id != tagsID {
				children[p] = append(children[p], i)
			}
		}
	}
	if rootIdx < 0 {
		return nil, 0, ErrNoRoot
	}
	for _, kids := range children {
		slices.SortFunc(kids, func(a, b int) int {
			if c := compareSQL(all[a].position, all[b].position); c != 0 {
				return c
			}
			return compareSQL(all[a].id, all[b].id)
		})
	}

	value := func(i int, parentGuid any) *treeRow {
		r := &all[i]
		t := &treeRow{id: r.id, guid: r.guid, parentGuid: parentGuid, typ: r.typ, position: r.position,
			title: r.title, dateAdded: r.dateAdded, lastModified: r.lastModified, url: r.url}
		if p, ok := r.placeID.(int64); ok {
			t.tags, t.charset = tagValues[p], charsets[p]
		}
		t.normalize()
		return t
	}
	var rootParentGuid any
	if p, ok := sqlInt(all[rootIdx].parent); ok {
		if j, ok := byID[p]; ok {
			rootParentGuid = all[j].guid
		}
	}
	root, isFolder, ok := makeItem(value(rootIdx, rootParentGuid), true, keywords)
	if !ok {
		return nil, 0, fmt.Errorf("backup: the Places root row is unusable")
	}
	count := 1
	parents := map[string]*item{} // folders by guid key, as the JS keeps them
	if isFolder {
		parents[guidKey(jsValue(all[rootIdx].guid))] = root
	}
	// The rows in the recursive query's order (ORDER BY level, parent,
	// position), each handled as promiseBookmarksTree handles it.
	level := []int{rootIdx}
	for len(level) > 0 {
		slices.SortStableFunc(level, func(a, b int) int { return compareSQL(all[a].id, all[b].id) })
		var next []int
		for _, p := range level {
			id, ok := sqlInt(all[p].id)
			if !ok {
				continue
			}
			for _, c := range children[id] {
				next = append(next, c)
				it, isFolder, ok := makeItem(value(c, all[p].guid), false, keywords)
				if !ok {
					continue // promiseBookmarksTree: "bogus child, report and skip it"
				}
				parent := parents[guidKey(jsValue(all[p].guid))]
				if parent == nil {
					continue // parent skipped or not a folder: the JS throws and skips
				}
				parent.children = append(parent.children, it)
				count++
				if isFolder {
					parents[guidKey(jsValue(all[c].guid))] = it
				}
			}
		}
		level = next
	}
	// Backups run about 230 bytes an item: allocating that up front saves
	// copying the growing buffer over and over.
	w := jsWriter{buf: make([]byte, 0, 256*(count+1))}
	w.item(root)
	return w.buf, count, nil
}

// bookmarkRow is one row of rowsQuery, as scanned.
type bookmarkRow struct {
	id, guid, parent, typ, position, title, dateAdded, lastModified, placeID, url any
}

func readBookmarkRows(rd reader) ([]bookmarkRow, error) {
	n, err := first(rd, `SELECT count(*) FROM moz_bookmarks`, 1)
	if err != nil {
		return nil, fmt.Errorf("backup: count bookmarks: %w", err)
	}
	size, _ := n[0].(int64)
	all := make([]bookmarkRow, 0, size)
	err = rd.each(rowsQuery, 10, func(v []any) error {
		all = append(all, bookmarkRow{id: v[0], guid: v[1], parent: v[2], typ: v[3], position: v[4], title: v[5],
			dateAdded: v[6], lastModified: v[7], placeID: v[8], url: v[9]})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: read the bookmarks: %w", err)
	}
	return all, nil
}

// readPlaceValues reads (page id, value) rows into a map; the value is
// kept as scanned (normalized later with the rest of the row).
func readPlaceValues(rd reader, query, what string) (map[int64]any, error) {
	out := map[int64]any{}
	err := rd.each(query, 2, func(v []any) error {
		if k, ok := sqlInt(v[0]); ok {
			if _, seen := out[k]; !seen {
				out[k] = v[1]
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: read %s: %w", what, err)
	}
	return out, nil
}

// sqlInt is v as an integer key when SQLite would compare it equal to one
// (an INTEGER, or a REAL with an integral value).
func sqlInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case float64:
		if i := int64(v); float64(i) == v {
			return i, true
		}
	}
	return 0, false
}

// compareSQL orders two values as an SQLite index does: NULL, numbers,
// text (bytewise), then BLOBs.
func compareSQL(a, b any) int {
	class := func(v any) int {
		switch v.(type) {
		case nil:
			return 0
		case int64, float64:
			return 1
		case string:
			return 2
		}
		return 3
	}
	if ca, cb := class(a), class(b); ca != cb {
		return cmp.Compare(ca, cb)
	}
	switch a := a.(type) {
	case int64:
		if b, ok := b.(int64); ok {
			return cmp.Compare(a, b)
		}
		return cmp.Compare(float64(a), b.(float64))
	case float64:
		if b, ok := b.(int64); ok {
			return cmp.Compare(a, float64(b))
		}
		return cmp.Compare(a, b.(float64))
	case string:
		return strings.Compare(a, b.(string))
	case []byte:
		return bytes.Compare(a, b.([]byte))
	}
	return 0
}

type treeRow struct {
	id, guid, parentGuid, typ, position, title, dateAdded, lastModified, url, tags, charset any
}

func (r *treeRow) normalize() {
	for _, p := range []*any{&r.id, &r.guid, &r.parentGuid, &r.typ, &r.position,
		&r.title, &r.dateAdded, &r.lastModified, &r.url, &r.tags, &r.charset} {
		*p = jsValue(*p)
	}
}

// guidKey turns a GUID value into a map key the way a JS Map would tell
// values apart; nil never matches anything (a folder with a NULL guid gets
// no children, as in Firefox).
func guidKey(v any) string {
	switch v := v.(type) {
	case string:
		return "s" + v
	case nil:
		return "\x00nil"
	default:
		return fmt.Sprintf("%T:%v", v, v)
	}
}

// makeItem is promiseBookmarksTree's createItemInfoObject. ok is false when
// Firefox would throw (a bookmark without a parsable URL).
func makeItem(r *treeRow, isRoot bool, keywords map[string]keywordEntry) (it *item, isFolder, ok bool) {
	it = &item{fields: make([]field, 0, 14)} // the most keys an item gets
	copyProp := func(key string, v any) {
		if v != nil {
			it.set(key, v)
		}
	}
	copyProp("guid", r.guid)
	copyProp("title", r.title)
	copyProp("index", r.position)
	copyProp("dateAdded", r.dateAdded)
	copyProp("lastModified", r.lastModified)
	if isRoot {
		copyProp("parentGuid", r.parentGuid)
	}
	it.set("id", r.id)
	it.set("typeCode", r.typ)

	typ, _ := r.typ.(int64)
	if typ == TypeCodeBookmark {
		copyProp("charset", r.charset)
		copyProp("tags", r.tags)
	}
	switch typ {
	case TypeCodeBookmark:
		it.set("type", TypePlace)
		raw, isString := r.url.(string)
		if !isString {
			return nil, false, false
		}
		href, err := urls.Canonical(raw)
		if err != nil {
			return nil, false, false
		}
		it.set("uri", href)
		if kw, found := keywords[href]; found {
			it.set("keyword", kw.keyword)
			it.set("postData", kw.postData)
		}
	case TypeCodeFolder:
		it.set("type", TypePlaceContainer)
		if g, isString := r.guid.(string); isString {
			if name, isRootGUID := rootNames[g]; isRootGUID {
				it.set("root", name)
			}
		}
		isFolder = true
	case TypeCodeSeparator:
		it.set("type", TypePlaceSeparator)
	default:
		// Firefox logs "Unexpected bookmark type" and keeps the item
		// without a `type`.
	}
	return it, isFolder, true
}

// readKeywords loads the keyword cache: for each URL href, the first entry
// in the cache query's row order, with postData "" / NULL as null.
func readKeywords(rd reader) (map[string]keywordEntry, error) {
	out := map[string]keywordEntry{}
	err := rd.each(keywordQuery, 3, func(v []any) error {
		kw, u, pd := jsValue(v[0]), jsValue(v[1]), jsValue(v[2])
		us, isString := u.(string)
		if !isString {
			return nil // URL.parse(null/number) fails: Firefox drops the keyword
		}
		href, err := urls.Canonical(us)
		if err != nil {
			return nil
		}
		if _, seen := out[href]; seen {
			return nil
		}
		if !isTruthy(pd) {
			pd = nil // `post_data || null`
		}
		out[href] = keywordEntry{keyword: jsString(kw), postData: pd}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: read keywords: %w", err)
	}
	return out, nil
}

// isTruthy is JavaScript's truthiness for the values a column can hold.
func isTruthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case int64:
		return v != 0
	case float64:
		return v != 0 && !math.IsNaN(v)
	}
	return true
}

// jsString is String(v) for the values a keyword can hold.
func jsString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "null"
	case int64:
		return jsNumber(float64(v))
	case float64:
		return jsNumber(v)
	default:
		return fmt.Sprint(v)
	}
}
