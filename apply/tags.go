package apply

import (
	"database/sql"
	"fmt"
)

// Firefox changes tags through the localTags view, whose INSTEAD OF
// triggers look tag folders up by title and count their children once per
// row: quadratic in the size of the tags tree (1.7 s of a 40k first sync).
// removeOldTags and insertTags compute the same rows in Go from one read
// of the tags tree and write them in one statement each. The rows are
// visited in the order SQLite would fire the triggers (the same SELECT), so
// positions, ids and stale positions come out as Firefox's. Where the tags
// tree is unusual (no tags root, two children of it with one title, a
// child that is not a folder), the triggers themselves run instead.

// The rows whose tags an applied item replaces (store.rs: old and new
// place of every applied item).
const oldTagsWhere = `placeId IN (SELECT oldPlaceId FROM itemsToApply WHERE oldPlaceId NOT NULL) OR
	placeId IN (SELECT newPlaceId FROM itemsToApply WHERE newPlaceId NOT NULL)`

const newTagsSelect = `SELECT t.tag, n.newPlaceId, n.lastModifiedMicroseconds
	FROM itemsToApply n JOIN mirror.tags t ON t.itemId = n.remoteId`

// tagChild is a child of the tags root or of a tag folder.
type tagChild struct {
	id, parent int64
	position   sql.NullInt64
	typ        sql.NullInt64
	fk         sql.NullInt64
	title      sql.NullString
}

// tagsTree is the tags root's children and theirs.
type tagsTree struct {
	rootID   int64
	folders  []tagChild           // children of the tags root, by (position, id)
	children map[int64][]tagChild // tag folder id -> its children, in no order
}

// readTagsTree reads the tags tree; ok is false when the triggers must run
// instead (an unusual tags tree, or triggers asked for by a test).
func readTagsTree(tx *sql.Tx, triggers bool) (*tagsTree, bool, error) {
	if triggers {
		return nil, false, nil
	}
	t := &tagsTree{children: map[int64][]tagChild{}}
	err := tx.QueryRow(`SELECT id FROM moz_bookmarks WHERE guid = 'tags________'`).Scan(&t.rootID)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	for _, q := range []string{
		`SELECT id, parent, position, type, fk, title FROM moz_bookmarks WHERE parent = ? ORDER BY position, id`,
		`SELECT id, parent, position, type, fk, title FROM moz_bookmarks
			WHERE parent IN (SELECT id FROM moz_bookmarks WHERE parent = ?)`,
	} {
		rows, err := tx.Query(q, t.rootID)
		if err != nil {
			return nil, false, err
		}
		for rows.Next() {
			var c tagChild
			if err := rows.Scan(&c.id, &c.parent, &c.position, &c.typ, &c.fk, &c.title); err != nil {
				rows.Close()
				return nil, false, err
			}
			if c.parent == t.rootID {
				t.folders = append(t.folders, c)
			} else {
				t.children[c.parent] = append(t.children[c.parent], c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, err
		}
	}
	titles := map[string]bool{}
	for _, f := range t.folders {
		if f.typ.Int64 != typeFolder || !f.typ.Valid {
			return nil, false, nil
		}
		if f.title.Valid {
			if titles[f.title.String] {
				return nil, false, nil
			}
			titles[f.title.String] = true
		}
	}
	return t, true, nil
}

// removeOldTags is Firefox's DELETE FROM localTags WHERE oldTagsWhere: for
// each matching entry, in the order SQLite materializes the view, delete
// it and move its folder's later children up by one, with the position
// the entry had before the statement began.
func removeOldTags(tx *sql.Tx, triggers bool) error {
	t, ok, err := readTagsTree(tx, triggers)
	if err != nil {
		return err
	}
	if !ok {
		_, err := tx.Exec(`DELETE FROM localTags WHERE ` + oldTagsWhere)
		return err
	}
	rows, err := tx.Query(`SELECT * FROM localTags WHERE ` + oldTagsWhere)
	if err != nil {
		return err
	}
	type untag struct {
		entry, folder int64
		position      sql.NullInt64
	}
	var untags []untag
	for rows.Next() {
		var u untag
		var guid, folderGUID, tag sql.NullString
		var typ, placeID, lastModified sql.NullInt64
		if err := rows.Scan(&u.entry, &guid, &u.folder, &folderGUID, &u.position, &typ, &tag, &placeID, &lastModified); err != nil {
			rows.Close()
			return err
		}
		untags = append(untags, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(untags) == 0 {
		return nil
	}
	// Current positions of every child of the folders touched.
	pos := map[int64]*tagChild{}
	for _, u := range untags {
		for i := range t.children[u.folder] {
			c := &t.children[u.folder][i]
			pos[c.id] = c
		}
	}
	orig := make(map[int64]sql.NullInt64, len(pos))
	for id, c := range pos {
		orig[id] = c.position
	}
	deleted := make([][]any, 0, len(untags))
	for _, u := range untags {
		delete(pos, u.entry)
		deleted = append(deleted, []any{u.entry})
		if !u.position.Valid {
			continue
		}
		for _, c := range t.children[u.folder] {
			if p, live := pos[c.id]; live && p.position.Valid && p.position.Int64 > u.position.Int64 {
				p.position.Int64--
			}
		}
	}
	if err := stage(tx, 1, deleted); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM moz_bookmarks WHERE id IN (SELECT c0 FROM staged)`); err != nil {
		return err
	}
	var moved [][]any
	for id, c := range pos {
		if c.position != orig[id] {
			moved = append(moved, []any{id, c.position.Int64})
		}
	}
	return updatePositions(tx, moved)
}

// insertTags is Firefox's INSERT INTO localTags(tag, placeId,
// lastModifiedMicroseconds) newTagsSelect through tagLocalPlace: per row,
// the tag folder titled tag is created at the end of the tags root if
// missing, then an entry for the place at the end of it unless one is
// there. Ids are the ones SQLite would give (the next rowid, row by row).
func insertTags(tx *sql.Tx, triggers bool) error {
	t, ok, err := readTagsTree(tx, triggers)
	if err != nil {
		return err
	}
	if !ok {
		// Not OR FAIL: an outer conflict clause overrides the trigger's
		// OR IGNORE.
		_, err := tx.Exec(`INSERT INTO localTags(tag, placeId, lastModifiedMicroseconds) ` + newTagsSelect)
		return err
	}
	type folder struct {
		id    int64
		count int64
		fks   map[int64]bool
	}
	byTitle := map[string]*folder{}
	for _, f := range t.folders {
		if !f.title.Valid {
			continue
		}
		fo := &folder{id: f.id, fks: map[int64]bool{}}
		for _, c := range t.children[f.id] {
			fo.count++
			if c.fk.Valid {
				fo.fks[c.fk.Int64] = true
			}
		}
		byTitle[f.title.String] = fo
	}
	rootCount := int64(len(t.folders))
	var nextID int64
	if err := tx.QueryRow(`SELECT IFNULL(MAX(id), 0) + 1 FROM moz_bookmarks`).Scan(&nextID); err != nil {
		return err
	}
	rows, err := tx.Query(newTagsSelect)
	if err != nil {
		return err
	}
	var inserts [][]any
	for rows.Next() {
		var tag string
		var placeID sql.NullInt64
		var lm int64
		if err := rows.Scan(&tag, &placeID, &lm); err != nil {
			rows.Close()
			return err
		}
		f := byTitle[tag]
		if f == nil {
			f = &folder{id: nextID, fks: map[int64]bool{}}
			nextID++
			inserts = append(inserts, []any{f.id, NewGUID(), t.rootID, rootCount, typeFolder, nil, tag, lm, lm})
			rootCount++
			byTitle[tag] = f
		}
		if !placeID.Valid || f.fks[placeID.Int64] {
			continue
		}
		inserts = append(inserts, []any{nextID, NewGUID(), f.id, f.count, typeBookmark, placeID.Int64, nil, lm, lm})
		nextID++
		f.count++
		f.fks[placeID.Int64] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(inserts) == 0 {
		return nil
	}
	if err := stage(tx, 9, inserts); err != nil {
		return err
	}
	// The ids are left to SQLite, which gives each new row the next one,
	// as computed above: naming them would make SQLite keep a statement
	// journal (an id that is not an integer aborts the statement).
	if _, err = tx.Exec(`INSERT OR FAIL INTO moz_bookmarks(guid, parent, position, type, fk, title, dateAdded, lastModified)
		SELECT c1, c2, c3, c4, c5, c6, c7, c8 FROM staged ORDER BY rowid`); err != nil {
		return err
	}
	var lastID int64
	if err := tx.QueryRow(`SELECT MAX(id) FROM moz_bookmarks`).Scan(&lastID); err != nil {
		return err
	}
	if lastID != nextID-1 {
		return fmt.Errorf("tag entries got ids up to %d, not %d", lastID, nextID-1)
	}
	return nil
}

// updatePositions sets position by id: rows of [id, position].
func updatePositions(tx *sql.Tx, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if err := stage(tx, 2, rows); err != nil {
		return err
	}
	_, err := tx.Exec(`UPDATE OR FAIL moz_bookmarks SET position = s.c1 FROM staged s WHERE moz_bookmarks.id = s.c0`)
	return err
}
