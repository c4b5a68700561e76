package apply

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/bmtui/bmtui/sync/merge"
)

// Field is one key of a record cleartext. Cleartexts keep Firefox's key
// order (the order fetchLocalChangeRecords builds the JS object in).
type Field struct {
	Key   string
	Value any
}

// Cleartext is a Sync record's decrypted payload (FORMATS.md §3.3).
type Cleartext []Field

// Get returns a field's value.
func (c Cleartext) Get(key string) (any, bool) {
	for _, f := range c {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

func (c *Cleartext) set(key string, v any) {
	for i := range *c {
		if (*c)[i].Key == key {
			(*c)[i].Value = v
			return
		}
	}
	*c = append(*c, Field{key, v})
}

// MarshalJSON writes the fields in order.
func (c Cleartext) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a cleartext, keeping its key order.
func (c *Cleartext) UnmarshalJSON(b []byte) error {
	v, err := parseOrdered(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// OutgoingRecord is one record Firefox would upload after this apply
// (SyncedBookmarksMirror BookmarkChangeRecord): the change counter it was
// staged with (tombstones 1; 0 marks a "weak" upload), and its cleartext.
type OutgoingRecord struct {
	ID        string    `json:"id"`
	Counter   int64     `json:"counter"`
	Tombstone bool      `json:"tombstone"`
	Synced    bool      `json:"synced"`
	Cleartext Cleartext `json:"cleartext"`
}

// RecordID is the Sync record id of a Places GUID
// (PlacesSyncUtils.bookmarks.guidToRecordId): roots have names.
func RecordID(guid string) string {
	switch guid {
	case "root________":
		return "places"
	case "menu________":
		return "menu"
	case "toolbar_____":
		return "toolbar"
	case "unfiled_____":
		return "unfiled"
	case "mobile______":
		return "mobile"
	case "tags________":
		return "tags"
	}
	return guid
}

// uploadItemsFragment is store.rs UploadItemsFragment.
const uploadItemsFragment = `SELECT b.id, b.guid, b.syncChangeCounter,
		p.guid AS parentGuid, p.title AS parentTitle,
		b.dateAdded / 1000 AS dateAdded, b.type, b.title,
		h.id AS placeId,
		IFNULL(substr(h.url, 1, 6) = 'place:', 0) AS isQuery,
		h.url,
		(SELECT keyword FROM moz_keywords WHERE place_id = h.id),
		b.position,
		(SELECT bmtui_get_query_param(substr(url, 7), 'tag') WHERE substr(h.url, 1, 6) = 'place:') AS tagFolderName,
		v.unknownFields
	FROM moz_bookmarks b
	JOIN moz_bookmarks p ON p.id = b.parent
	LEFT JOIN moz_places h ON h.id = b.fk
	LEFT JOIN mirror.items v ON v.guid = b.guid`

const uploadColumns = `INSERT OR IGNORE INTO itemsToUpload(id, guid, syncChangeCounter, parentGuid, parentTitle, dateAdded,
		type, title, placeId, isQuery, url, keyword, position, tagFolderName, unknownFields) `

// stageUploads is store.rs stage_items_to_upload, run inside the apply
// transaction after the writes.
func stageUploads(tx *sql.Tx, ops *merge.Ops) error {
	if _, err := tx.Exec(uploadColumns + uploadItemsFragment + `
		JOIN itemsToApply n ON n.mergedGuid = b.guid
		WHERE n.localDateAddedMicroseconds < n.remoteDateAddedMicroseconds`); err != nil {
		return fmt.Errorf("stage weak uploads: %w", err)
	}
	if err := execIn(tx, uploadColumns+uploadItemsFragment+` WHERE b.guid IN (%s)`, ops.UploadItems); err != nil {
		return fmt.Errorf("stage uploads: %w", err)
	}
	if _, err := tx.Exec(`INSERT OR IGNORE INTO tagsToUpload(id, tag)
		SELECT o.id, t.tag FROM localTags t JOIN itemsToUpload o ON o.placeId = t.placeId`); err != nil {
		return fmt.Errorf("stage tags: %w", err)
	}
	rows := make([][]any, len(ops.UploadTombstones))
	for i, g := range ops.UploadTombstones {
		rows[i] = []any{g, 1, 1} // syncChangeCounter 1, isDeleted
	}
	if err := insertRows(tx, `INSERT OR IGNORE INTO itemsToUpload(guid, syncChangeCounter, isDeleted)`, 3, rows); err != nil {
		return fmt.Errorf("stage tombstones: %w", err)
	}
	return nil
}

// fetchOutgoing is SyncedBookmarksMirror.fetchLocalChangeRecords: the
// cleartexts built from the staging tables, in staging order.
func fetchOutgoing(tx *sql.Tx) ([]OutgoingRecord, error) {
	// Firefox stages every child of a staged folder in structureToUpload
	// (42,000 rows on large-40k); one JSON array per folder reads the same
	// children in the same order for a fraction of the cost. CROSS JOIN
	// keeps the staged items as the outer loop, so children come from
	// moz_bookmarks_parentindex.
	children := make(map[int64][]string)
	rows, err := tx.Query(`SELECT o.id, json_group_array(b.guid ORDER BY b.position)
		FROM itemsToUpload o CROSS JOIN moz_bookmarks b ON b.parent = o.id
		WHERE o.type = ` + strconv.Itoa(typeFolder) + ` GROUP BY o.id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p int64
		var js string
		if err := rows.Scan(&p, &js); err != nil {
			rows.Close()
			return nil, err
		}
		var guids []string
		if err := json.Unmarshal([]byte(js), &guids); err != nil {
			rows.Close()
			return nil, fmt.Errorf("children of staged folder %d: %w", p, err)
		}
		for i, g := range guids {
			guids[i] = RecordID(g)
		}
		children[p] = guids
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	tags := make(map[int64][]string)
	rows, err = tx.Query(`SELECT id, tag FROM tagsToUpload`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			rows.Close()
			return nil, err
		}
		tags[id] = append(tags[id], tag)
	}
	rows.Close()

	rows, err = tx.Query(`SELECT id, syncChangeCounter, guid, isDeleted, type, isQuery, tagFolderName, keyword, url,
			IFNULL(title, ''), position, parentGuid, unknownFields, IFNULL(parentTitle, ''), dateAdded
		FROM itemsToUpload`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutgoingRecord
	for rows.Next() {
		var id, counter int64
		var guid, title, parentTitle string
		var isDeleted, isQuery bool
		var typ, position, dateAdded sql.NullInt64
		var tagFolder, keyword, url, parentGUID, unknown sql.NullString
		if err := rows.Scan(&id, &counter, &guid, &isDeleted, &typ, &isQuery, &tagFolder, &keyword, &url, &title,
			&position, &parentGUID, &unknown, &parentTitle, &dateAdded); err != nil {
			return nil, err
		}
		rec := OutgoingRecord{ID: RecordID(guid), Counter: counter}
		if isDeleted {
			rec.Tombstone = true
			rec.Cleartext = Cleartext{{"id", rec.ID}, {"deleted", true}}
			out = append(out, rec)
			continue
		}
		var unknownFields Cleartext
		if unknown.Valid && unknown.String != "" {
			unknownFields, err = parseOrdered(unknown.String)
			if err != nil {
				return nil, fmt.Errorf("unknownFields of %s: %w", guid, err)
			}
		}
		c := Cleartext{{"id", rec.ID}}
		common := func(kind string) {
			c.set("type", kind)
			c.set("parentid", RecordID(parentGUID.String))
			c.set("hasDupe", true)
			c.set("parentName", parentTitle)
			if dateAdded.Valid && dateAdded.Int64 != 0 {
				c.set("dateAdded", dateAdded.Int64)
			}
		}
		spread := func() {
			for _, f := range unknownFields {
				c.set(f.Key, f.Value)
			}
		}
		switch typ.Int64 {
		case typeBookmark:
			if isQuery {
				common("query")
				c.set("bmkUri", url.String)
				c.set("title", title)
				if tagFolder.Valid && tagFolder.String != "" {
					c.set("folderName", tagFolder.String)
				}
				spread()
				break
			}
			common("bookmark")
			c.set("bmkUri", url.String)
			c.set("title", title)
			spread()
			if keyword.Valid && keyword.String != "" {
				c.set("keyword", keyword.String)
			}
			if t := tags[id]; len(t) > 0 {
				c.set("tags", t)
			}
		case typeFolder:
			common("folder")
			c.set("title", title)
			spread()
			kids := children[id]
			if kids == nil {
				kids = []string{}
			}
			c.set("children", kids)
		case typeSeparator:
			common("separator")
			c.set("pos", position.Int64)
			spread()
		default:
			return nil, fmt.Errorf("cannot create a record for %s of unknown type %d", guid, typ.Int64)
		}
		rec.Cleartext = c
		out = append(out, rec)
	}
	return out, rows.Err()
}

// parseOrdered decodes a JSON object keeping its key order.
func parseOrdered(s string) (Cleartext, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	var c Cleartext
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		c.set(kt.(string), v)
	}
	return c, nil
}

// WriteOutgoing writes records as a JSON object keyed by record id (the
// shape of expected.json's "outgoing"), in staging order.
func WriteOutgoing(path string, recs []OutgoingRecord) error {
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, r := range recs {
		k, _ := json.Marshal(r.ID)
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		b.WriteString("  ")
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
		if i < len(recs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return writeFileSync(path, b.Bytes())
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
