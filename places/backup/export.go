// Package backup writes and reads Firefox bookmark backups: the JSON tree
// that Firefox's PlacesBackups / BookmarkJSONUtils write from a Places
// database, wrapped in the mozLz40 container and stored in
// <profile>/bookmarkbackups/ under Firefox's file-name scheme, so that the
// Library window's "Restore" menu lists it and can restore from it
// (FORMATS.md §5).
//
// Export reproduces PlacesUtils.promiseBookmarksTree(rootGuid,
// {includeItemIds: true}) followed by JSON.stringify: the same SQL, the same
// per-row rules (which items are skipped, which keys appear and in which
// order) and the same string and number serialization, so that its output is
// byte-identical to a backup Firefox makes of the same database.
package backup

import (
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/bmtui/bmtui/places/urls"
)

// The GUIDs and JSON names of the built-in roots (FORMATS.md §1.2).
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

// treeQuery is PlacesUtils.promiseBookmarksTree's query (ESR 153) for the
// Places root, minus the iconUri column: favicons live in favicons.sqlite,
// which Firefox attaches and we do not (the profile fixtures have none).
// ?1 is the tags root's id (PlacesUtils.tagsFolderId).
const treeQuery = `
WITH RECURSIVE
descendants(fk, level, type, id, guid, parent, parentGuid, position,
            title, dateAdded, lastModified) AS (
  SELECT b1.fk, 0, b1.type, b1.id, b1.guid, b1.parent,
         (SELECT guid FROM moz_bookmarks WHERE id = b1.parent),
         b1.position, b1.title, b1.dateAdded, b1.lastModified
  FROM moz_bookmarks b1 WHERE b1.guid = 'root________'
  UNION ALL
  SELECT b2.fk, level + 1, b2.type, b2.id, b2.guid, b2.parent,
         descendants.guid, b2.position, b2.title, b2.dateAdded,
         b2.lastModified
  FROM moz_bookmarks b2
  JOIN descendants ON b2.parent = descendants.id AND b2.id <> ?1),
tagged(place_id, tags) AS MATERIALIZED (
  SELECT b.fk, group_concat(p.title ORDER BY p.title)
  FROM moz_bookmarks b
  JOIN moz_bookmarks p ON p.id = b.parent
  JOIN moz_bookmarks g ON g.id = p.parent
  WHERE g.guid = 'tags________'
  GROUP BY b.fk
)
SELECT d.id, d.guid, d.parentGuid, d.type, d.position,
       IFNULL(d.title, '') AS title, d.dateAdded, d.lastModified, h.url,
       (SELECT tags FROM tagged WHERE place_id = h.id) AS tags,
       (SELECT a.content FROM moz_annos a
        JOIN moz_anno_attributes n ON a.anno_attribute_id = n.id
        WHERE place_id = h.id AND n.name = 'URIProperties/characterSet'
       ) AS charset
FROM descendants d
LEFT JOIN moz_bookmarks b3 ON b3.id = d.parent
LEFT JOIN moz_places h ON h.id = d.fk
ORDER BY d.level, d.parent, d.position`

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

	// The recursive query would never end if the root were part of a
	// parent loop (the only way a loop can be reachable from it).
	var rootParent, tagsID sql.NullInt64
	err = tx.QueryRow(`SELECT parent FROM moz_bookmarks WHERE guid = ?`, RootGUID).Scan(&rootParent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNoRoot
	}
	if err != nil {
		return nil, 0, fmt.Errorf("backup: read the Places root: %w", err)
	}
	if rootParent.Valid {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM moz_bookmarks WHERE id = ?`, rootParent.Int64).Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("backup: read the Places root: %w", err)
		}
		if n > 0 {
			return nil, 0, fmt.Errorf("backup: the Places root has a parent (id %d): the tree has a loop", rootParent.Int64)
		}
	}
	err = tx.QueryRow(`SELECT id FROM moz_bookmarks WHERE guid = ?`, TagsGUID).Scan(&tagsID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("backup: read the tags root: %w", err)
	}

	keywords, err := readKeywords(tx)
	if err != nil {
		return nil, 0, err
	}

	rows, err := tx.Query(treeQuery, tagsID.Int64)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: query the bookmarks tree: %w", err)
	}
	defer rows.Close()

	var (
		root    *item
		count   int
		parents = map[string]*item{} // folders by guid key
	)
	for rows.Next() {
		var r treeRow
		if err := rows.Scan(&r.id, &r.guid, &r.parentGuid, &r.typ, &r.position,
			&r.title, &r.dateAdded, &r.lastModified, &r.url, &r.tags, &r.charset); err != nil {
			return nil, 0, fmt.Errorf("backup: read a bookmark row: %w", err)
		}
		r.normalize()
		it, isFolder, ok := makeItem(&r, root == nil, keywords)
		if root == nil {
			if !ok {
				return nil, 0, fmt.Errorf("backup: the Places root row is unusable")
			}
			root = it
			count = 1
		} else {
			if !ok {
				continue // promiseBookmarksTree: "bogus child, report and skip it"
			}
			parent := parents[guidKey(r.parentGuid)]
			if parent == nil {
				continue // parent skipped or not a folder: the JS throws and skips
			}
			parent.children = append(parent.children, it)
			count++
		}
		if isFolder {
			parents[guidKey(r.guid)] = it
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("backup: read the bookmarks tree: %w", err)
	}
	if root == nil {
		return nil, 0, ErrNoRoot
	}
	// Backups run about 230 bytes an item: allocating that up front saves
	// copying the growing buffer over and over.
	w := jsWriter{buf: make([]byte, 0, 256*(count+1))}
	w.item(root)
	return w.buf, count, nil
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
func readKeywords(tx *sql.Tx) (map[string]keywordEntry, error) {
	rows, err := tx.Query(keywordQuery)
	if err != nil {
		return nil, fmt.Errorf("backup: read keywords: %w", err)
	}
	defer rows.Close()
	out := map[string]keywordEntry{}
	for rows.Next() {
		var kw, u, pd any
		if err := rows.Scan(&kw, &u, &pd); err != nil {
			return nil, fmt.Errorf("backup: read keywords: %w", err)
		}
		kw, u, pd = jsValue(kw), jsValue(u), jsValue(pd)
		us, isString := u.(string)
		if !isString {
			continue // URL.parse(null/number) fails: Firefox drops the keyword
		}
		href, err := urls.Canonical(us)
		if err != nil {
			continue
		}
		if _, seen := out[href]; seen {
			continue
		}
		if !isTruthy(pd) {
			pd = nil // `post_data || null`
		}
		out[href] = keywordEntry{keyword: jsString(kw), postData: pd}
	}
	if err := rows.Err(); err != nil {
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
