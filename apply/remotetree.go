package apply

import (
	"database/sql"
	"fmt"
	"sort"

	"github.com/bmtui/bmtui/sync/tree"
)

// Mirror item kinds (mozISyncedBookmarksMerger KIND_*). They coincide with
// tree.Kind's values.
const (
	mirrorKindBookmark  = 1
	mirrorKindQuery     = 2
	mirrorKindFolder    = 3
	mirrorKindLivemark  = 4
	mirrorKindSeparator = 5
)

// Mirror validity values (mozISyncedBookmarksMerger VALIDITY_*).
const (
	mirrorValid    = 1
	mirrorReupload = 2
	mirrorReplace  = 3
)

// ReadRemoteTree builds the remote tree from a Sync mirror exactly as
// Firefox's merger does (store.rs fetch_remote_tree, FORMATS.md §2.6): the
// root row, then every other items row ordered by GUID (a tombstone with
// needsMerge becomes a deletion, one without is ignored; every other row is
// an item whose parentid is recorded), then every structure row ordered by
// (parentGuid, position) as a "children" parent. Orphans go to unfiled.
// remoteNowMs is the server clock in ms; age = max(remoteNowMs −
// serverModified, 0).
//
// db may be a connection to the mirror file itself or to Places with the
// mirror attached; schema names the mirror's schema ("main" or "mirror").
//
// Info carries the title and URL of items that need merging (what Verify
// compares), the server time and the record's parentid.
//
// The sync/mirror package is meant to own this (it did not exist yet when
// this was written); apply keeps its own copy so that it can read the
// mirror inside its own transaction.
func ReadRemoteTree(db Queryer, schema string, remoteNowMs int64) (*tree.Tree, error) {
	s := schema + "."
	var rootItem tree.Item
	{
		var guid string
		var serverModified, kind, needsMerge, validity int64
		err := db.QueryRow(`SELECT guid, serverModified, kind, needsMerge, validity FROM `+s+`items WHERE guid = ?`, tree.RootGUID).
			Scan(&guid, &serverModified, &kind, &needsMerge, &validity)
		if err == sql.ErrNoRows {
			return nil, fmt.Errorf("the mirror has no root item (%s)", tree.RootGUID)
		}
		if err != nil {
			return nil, err
		}
		it, err := remoteItem(guid, kind, serverModified, needsMerge, validity, "", sql.NullString{}, remoteNowMs)
		if err != nil {
			return nil, err
		}
		rootItem = it
	}

	type row struct {
		guid   string
		parent sql.NullString
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + s + `items`).Scan(&n); err != nil {
		return nil, err
	}
	b := tree.NewBuilderSized(rootItem, n)
	b.ReparentOrphansTo(tree.UnfiledGUID)

	// Title and URL are only read where the merge uses them (items that
	// need merging): every column read costs, and there are 40,000 rows
	// in a large mirror.
	rows, err := db.Query(`SELECT v.guid, v.parentGuid, v.serverModified, v.kind,
			CASE WHEN v.needsMerge THEN IFNULL(v.title, '') END, v.needsMerge,
			CASE WHEN v.validity = ` + fmt.Sprint(mirrorValid) + ` AND (` + reuploadCondition(s) + `)
				THEN ` + fmt.Sprint(mirrorReupload) + ` ELSE v.validity END,
			v.isDeleted,
			CASE WHEN v.needsMerge THEN (SELECT u.url FROM ` + s + `urls u WHERE u.id = v.urlId) END
		FROM ` + s + `items v WHERE v.guid <> '` + tree.RootGUID + `'`)
	if err != nil {
		return nil, err
	}
	// Rows come in table order (a GUID-ordered scan would seek the table
	// once per row) and are sorted here: the order decides where
	// reparented items are appended, and Firefox adds them by GUID.
	type itemRow struct {
		guid                                                string
		parent, title, url                                  sql.NullString
		serverModified, kind, needsMerge, validity, deleted int64
	}
	all := make([]itemRow, 0, n)
	for rows.Next() {
		var r itemRow
		if err := rows.Scan(&r.guid, &r.parent, &r.serverModified, &r.kind, &r.title, &r.needsMerge, &r.validity, &r.deleted, &r.url); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].guid < all[j].guid })
	var parents []row
	for i := range all {
		r := &all[i]
		if r.deleted == 1 {
			if r.needsMerge == 1 {
				b.Tombstone(r.guid)
			}
			continue
		}
		it, err := remoteItem(r.guid, r.kind, r.serverModified, r.needsMerge, r.validity, r.title.String, r.url, remoteNowMs)
		if err != nil {
			return nil, err
		}
		it.Info.ParentGUID = r.parent.String
		if err := b.Item(it); err != nil {
			return nil, err
		}
		if r.parent.Valid {
			parents = append(parents, row{r.guid, r.parent})
		}
	}
	for _, r := range parents {
		if err := b.ParentID(r.guid, r.parent.String); err != nil {
			return nil, err
		}
	}

	srows, err := db.Query(`SELECT guid, parentGuid FROM ` + s + `structure WHERE guid <> '` + tree.RootGUID + `' ORDER BY parentGuid, position`)
	if err != nil {
		return nil, err
	}
	defer srows.Close()
	for srows.Next() {
		var guid, parent string
		if err := srows.Scan(&guid, &parent); err != nil {
			return nil, err
		}
		if err := b.ChildOf(guid, parent); err != nil {
			return nil, err
		}
	}
	if err := srows.Err(); err != nil {
		return nil, err
	}
	return b.Build()
}

// reuploadCondition is the condition of Firefox's Store::prepare (store.rs),
// which flags for reupload every valid item whose URL carries more than
// one distinct keyword (NULL counting as one) or whose keyword names more
// than one URL. Firefox writes the flag into the mirror before building
// the remote tree; ReadRemoteTree applies it while reading (the preview
// never writes), and the apply writes it as Firefox does (prepareMirror).
func reuploadCondition(s string) string {
	return `v.urlId IN (SELECT urlId FROM ` + s + `items GROUP BY urlId
			HAVING COUNT(DISTINCT keyword) + COUNT(DISTINCT CASE WHEN keyword IS NULL THEN 1 END) > 1)
		OR v.keyword IN (SELECT keyword FROM ` + s + `items WHERE keyword NOT NULL GROUP BY keyword
			HAVING COUNT(DISTINCT urlId) > 1)`
}

// remoteItem is store.rs remote_row_to_item.
func remoteItem(guid string, kind, serverModified, needsMerge, validity int64, title string, url sql.NullString, nowMs int64) (tree.Item, error) {
	var k tree.Kind
	switch kind {
	case mirrorKindBookmark:
		k = tree.KindBookmark
	case mirrorKindQuery:
		k = tree.KindQuery
	case mirrorKindFolder:
		k = tree.KindFolder
	case mirrorKindLivemark:
		k = tree.KindLivemark
	case mirrorKindSeparator:
		k = tree.KindSeparator
	default:
		return tree.Item{}, fmt.Errorf("mirror item %s has unknown kind %d", guid, kind)
	}
	var v tree.Validity
	switch validity {
	case mirrorValid:
		v = tree.Valid
	case mirrorReupload:
		v = tree.Reupload
	case mirrorReplace:
		v = tree.Replace
	default:
		return tree.Item{}, fmt.Errorf("mirror item %s has unknown validity %d", guid, validity)
	}
	it := tree.Item{
		GUID:       guid,
		Kind:       k,
		Age:        max(nowMs-serverModified, 0),
		NeedsMerge: needsMerge == 1,
		Validity:   v,
		Info:       &tree.Info{Title: title, URL: url.String, ServerModified: serverModified},
	}
	if v != tree.Replace && guid != tree.RootGUID && it.NeedsMerge {
		switch k {
		case tree.KindBookmark, tree.KindQuery:
			if url.Valid {
				it.Content = &tree.Content{Kind: tree.ContentBookmark, Title: title, URL: url.String}
			}
		case tree.KindFolder, tree.KindLivemark:
			it.Content = &tree.Content{Kind: tree.ContentFolder, Title: title}
		case tree.KindSeparator:
			it.Content = &tree.Content{Kind: tree.ContentSeparator}
		}
	}
	return it, nil
}

// Queryer is what ReadRemoteTree and the fingerprints need: *sql.DB and
// *sql.Tx qualify.
type Queryer interface {
	Query(query string, args ...any) (*sql.Rows, error)
	QueryRow(query string, args ...any) *sql.Row
}
