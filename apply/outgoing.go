package apply

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"

	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/record"
)

// uploadItemsFragment is store.rs UploadItemsFragment. unknownFields is
// v.unknownFields, or NULL when no mirror item has any (mirror.items is
// then left out: the same rows without a lookup of every item).
func uploadItemsFragment(unknownFields bool) string {
	unknown, join := "NULL", ""
	if unknownFields {
		unknown, join = "v.unknownFields", `
	LEFT JOIN mirror.items v ON v.guid = b.guid`
	}
	return `SELECT b.id, b.guid, b.syncChangeCounter,
		p.guid AS parentGuid, p.title AS parentTitle,
		b.dateAdded / 1000 AS dateAdded, b.type, b.title,
		h.id AS placeId,
		IFNULL(substr(h.url, 1, 6) = 'place:', 0) AS isQuery,
		h.url,
		(SELECT keyword FROM moz_keywords WHERE place_id = h.id),
		b.position,
		(SELECT bmtui_get_query_param(substr(url, 7), 'tag') WHERE substr(h.url, 1, 6) = 'place:') AS tagFolderName,
		` + unknown + `
	FROM moz_bookmarks b
	JOIN moz_bookmarks p ON p.id = b.parent
	LEFT JOIN moz_places h ON h.id = b.fk` + join
}

// stagedUpload is one row of Firefox's itemsToUpload, with its rows of
// tagsToUpload and, for a folder, its children.
type stagedUpload struct {
	id, counter                                                      int64
	guid                                                             string
	deleted, isQuery                                                 bool
	parentGUID, parentTitle, title, url, keyword, tagFolder, unknown sql.NullString
	dateAdded, typ, placeID, position                                sql.NullInt64
	tags, children                                                   []string
}

// uploads is Firefox's itemsToUpload, kept in Go: rows in the table's
// order (items by Places id, then tombstones) and the GUIDs staged.
type uploads struct {
	byID  map[int64]*stagedUpload
	guids map[string]bool
	list  []*stagedUpload
}

// add is INSERT OR IGNORE: a row whose id or GUID is staged already is
// dropped.
func (u *uploads) add(r *stagedUpload) {
	if u.guids[r.guid] {
		return
	}
	if !r.deleted {
		if _, dup := u.byID[r.id]; dup {
			return
		}
		u.byID[r.id] = r
	}
	u.guids[r.guid] = true
	u.list = append(u.list, r)
}

func (u *uploads) scanItems(rows *sql.Rows) error {
	_, err := u.scanCounted(rows)
	return err
}

// scanCounted is scanItems, and says how many rows it read.
func (u *uploads) scanCounted(rows *sql.Rows) (int, error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		r := &stagedUpload{}
		if err := rows.Scan(&r.id, &r.guid, &r.counter, &r.parentGUID, &r.parentTitle, &r.dateAdded, &r.typ, &r.title,
			&r.placeID, &r.isQuery, &r.url, &r.keyword, &r.position, &r.tagFolder, &r.unknown); err != nil {
			return n, err
		}
		n++
		u.add(r)
	}
	return n, rows.Err()
}

// stageUploads is store.rs stage_items_to_upload, run inside the apply
// transaction after the writes. Firefox inserts the rows into TEMP tables
// (itemsToUpload, tagsToUpload, structureToUpload) and reads them back;
// the same SELECTs feed Go maps here, with the tables' rules: INSERT OR
// IGNORE by id and GUID, rows in id order with tombstones last, tags per
// item in the order of tagsToUpload's key, without repeats.
func stageUploads(tx *sql.Tx, ops *merge.Ops) (*uploads, error) {
	u := &uploads{byID: map[int64]*stagedUpload{}, guids: map[string]bool{}}
	var unknownFields bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM mirror.items WHERE unknownFields NOT NULL)`).Scan(&unknownFields); err != nil {
		return nil, fmt.Errorf("stage uploads: %w", err)
	}
	fragment := uploadItemsFragment(unknownFields)
	// Firefox joins the weak uploads by GUID. Only items that existed
	// here have a localDateAdded, and the upsert left each with its
	// local id and its merged GUID, so the row is found by id (one
	// lookup instead of two); the count proves every one was.
	var weak int
	if err := tx.QueryRow(`SELECT count(*) FROM itemsToApply
		WHERE localDateAddedMicroseconds < remoteDateAddedMicroseconds`).Scan(&weak); err != nil {
		return nil, fmt.Errorf("stage weak uploads: %w", err)
	}
	rows, err := tx.Query(fragment + `
		JOIN itemsToApply n ON n.localId = b.id AND n.mergedGuid = b.guid
		WHERE n.localDateAddedMicroseconds < n.remoteDateAddedMicroseconds`)
	read := 0
	if err == nil {
		read, err = u.scanCounted(rows)
	}
	if err == nil && read != weak {
		err = fmt.Errorf("%d of %d applied items found by their local id", read, weak)
	}
	if err != nil {
		return nil, fmt.Errorf("stage weak uploads: %w", err)
	}
	// Rows staged as weak uploads would be ignored: not read again.
	var rest []string
	for _, g := range ops.UploadItems {
		if !u.guids[g] {
			rest = append(rest, g)
		}
	}
	if err := queryIn(tx, fragment+` WHERE b.guid IN (%s)`, rest, u.scanItems); err != nil {
		return nil, fmt.Errorf("stage uploads: %w", err)
	}
	sort.SliceStable(u.list, func(i, j int) bool { return u.list[i].id < u.list[j].id })
	for _, g := range ops.UploadTombstones {
		u.add(&stagedUpload{guid: g, counter: 1, deleted: true})
	}

	// Tags of the staged places (localTags: tag entries in tag folders).
	byPlace := map[int64][]*stagedUpload{}
	var folders [][]any
	for _, r := range u.list {
		if r.placeID.Valid {
			byPlace[r.placeID.Int64] = append(byPlace[r.placeID.Int64], r)
		}
		if !r.deleted && r.typ.Int64 == typeFolder {
			folders = append(folders, []any{r.id})
		}
	}
	if len(byPlace) > 0 {
		rows, err := tx.Query(`SELECT placeId, tag FROM localTags WHERE tag NOT NULL`)
		if err != nil {
			return nil, fmt.Errorf("stage tags: %w", err)
		}
		for rows.Next() {
			var place int64
			var tag string
			if err := rows.Scan(&place, &tag); err != nil {
				rows.Close()
				return nil, fmt.Errorf("stage tags: %w", err)
			}
			for _, r := range byPlace[place] {
				r.tags = append(r.tags, tag)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("stage tags: %w", err)
		}
		for _, rs := range byPlace {
			for _, r := range rs {
				sort.Strings(r.tags)
				r.tags = slices.Compact(r.tags)
			}
		}
	}

	// Children of the staged folders. Firefox stages every one of them in
	// structureToUpload (42,000 rows on large-40k); one JSON array per
	// folder reads the same children in the same order. CROSS JOIN keeps
	// the folders as the outer loop, so children come from
	// moz_bookmarks_parentindex.
	if len(folders) > 0 {
		if err := stage(tx, 1, folders); err != nil {
			return nil, err
		}
		rows, err := tx.Query(`SELECT s.c0, json_group_array(b.guid ORDER BY b.position)
			FROM staged s CROSS JOIN moz_bookmarks b ON b.parent = s.c0 GROUP BY s.c0`)
		if err != nil {
			return nil, fmt.Errorf("stage structure: %w", err)
		}
		for rows.Next() {
			var id int64
			var js string
			if err := rows.Scan(&id, &js); err != nil {
				rows.Close()
				return nil, err
			}
			var guids []string
			if err := json.Unmarshal([]byte(js), &guids); err != nil {
				rows.Close()
				return nil, fmt.Errorf("children of staged folder %d: %w", id, err)
			}
			for i, g := range guids {
				guids[i] = record.ID(g)
			}
			u.byID[id].children = guids
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// fetchOutgoing is SyncedBookmarksMirror.fetchLocalChangeRecords: the
// cleartexts built from the staged rows, in staging order.
func fetchOutgoing(u *uploads) ([]record.Outgoing, error) {
	out := make([]record.Outgoing, 0, len(u.list))
	for _, r := range u.list {
		rec := record.Outgoing{ID: record.ID(r.guid), Counter: r.counter}
		if r.deleted {
			rec.Tombstone = true
			rec.Cleartext = record.Cleartext{{Key: "id", Value: rec.ID}, {Key: "deleted", Value: true}}
			out = append(out, rec)
			continue
		}
		var unknownFields record.Cleartext
		if r.unknown.Valid && r.unknown.String != "" {
			var err error
			if unknownFields, err = record.Parse(r.unknown.String); err != nil {
				return nil, fmt.Errorf("unknownFields of %s: %w", r.guid, err)
			}
		}
		// Room for every key a record gets (a bookmark's nine and its
		// unknown fields): one allocation per cleartext.
		c := make(record.Cleartext, 1, 10+len(unknownFields))
		c[0] = record.Field{Key: "id", Value: rec.ID}
		common := func(kind string) {
			c.Set("type", kind)
			c.Set("parentid", record.ID(r.parentGUID.String))
			c.Set("hasDupe", true)
			c.Set("parentName", r.parentTitle.String)
			if r.dateAdded.Valid && r.dateAdded.Int64 != 0 {
				c.Set("dateAdded", r.dateAdded.Int64)
			}
		}
		spread := func() {
			for _, f := range unknownFields {
				c.Set(f.Key, f.Value)
			}
		}
		switch r.typ.Int64 {
		case typeBookmark:
			if r.isQuery {
				common("query")
				c.Set("bmkUri", r.url.String)
				c.Set("title", r.title.String)
				if r.tagFolder.Valid && r.tagFolder.String != "" {
					c.Set("folderName", r.tagFolder.String)
				}
				spread()
				break
			}
			common("bookmark")
			c.Set("bmkUri", r.url.String)
			c.Set("title", r.title.String)
			spread()
			if r.keyword.Valid && r.keyword.String != "" {
				c.Set("keyword", r.keyword.String)
			}
			if len(r.tags) > 0 {
				c.Set("tags", r.tags)
			}
		case typeFolder:
			common("folder")
			c.Set("title", r.title.String)
			spread()
			kids := r.children
			if kids == nil {
				kids = []string{}
			}
			c.Set("children", kids)
		case typeSeparator:
			common("separator")
			c.Set("pos", r.position.Int64)
			spread()
		default:
			return nil, fmt.Errorf("cannot create a record for %s of unknown type %d", r.guid, r.typ.Int64)
		}
		rec.Cleartext = c
		out = append(out, rec)
	}
	return out, nil
}

// WriteOutgoing writes records as a JSON object keyed by record id (the
// shape of expected.json's "outgoing"), in staging order.
func WriteOutgoing(path string, recs []record.Outgoing) error {
	b := make([]byte, 0, 64+len(recs)*320)
	b = append(b, "{\n"...)
	for i, r := range recs {
		k, _ := json.Marshal(r.ID) // a string always marshals
		b = append(b, "  "...)
		b = append(b, k...)
		b = append(b, ": "...)
		var err error
		if b, err = r.AppendJSON(b); err != nil {
			return err
		}
		if i < len(recs)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	b = append(b, "}\n"...)
	return writeFileSync(path, b)
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
