package apply

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bmtui/bmtui/places/urls"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// Places item types (nsINavBookmarksService).
const (
	typeBookmark  = 1
	typeFolder    = 2
	typeSeparator = 3
)

// isPlaceQuery is Places' IS_PLACE_QUERY over moz_places.url_hash:
// url_hash BETWEEN hash('place', 'prefix_lo') AND hash('place', 'prefix_hi').
var isPlaceQuery = fmt.Sprintf(" url_hash BETWEEN %d AND %d ", urls.PrefixLo("place"), urls.PrefixHi("place"))

// tempSchema creates, on the apply's own connection, what Firefox has on
// its Places connection while the mirror is attached: Places' TEMP
// triggers (nsPlacesTriggers.h: foreign_count, frecency and recalc flags,
// hidden, origins), the mirror's TEMP staging tables, and the triggers and
// the localTags view through which SyncedBookmarksMirror applies GUID
// changes, structure and tags. Observer-notification tables are left out:
// there is no observer. Everything is TEMP: nothing reaches either file.
//
// Two ESR 153 corrections (docs/formats.md#the-apply, #firefox-esr-153-behaviour) differ from older
// upstream sources: moving an item does not touch its lastModified, and an
// applied item's lastModified is its server time.
func tempSchema() []string {
	q := isPlaceQuery
	return []string{
		// Places' TEMP triggers.
		// Places' AFTER INSERT trigger on moz_places (origins) is done
		// by insertPages instead.
		`CREATE TEMP TABLE newPages(placeId INTEGER PRIMARY KEY, prefix TEXT, host TEXT, frecency INTEGER)`,
		`CREATE TEMP TRIGGER bmtui_places_afterupdate_frecency AFTER UPDATE OF frecency ON main.moz_places FOR EACH ROW BEGIN
			UPDATE OR FAIL moz_places SET recalc_frecency = 0 WHERE id = NEW.id;
			UPDATE OR FAIL moz_origins SET recalc_frecency = 1, recalc_alt_frecency = 1 WHERE id = NEW.origin_id;
		END`,
		`CREATE TEMP TRIGGER bmtui_bookmarks_afterdelete AFTER DELETE ON main.moz_bookmarks FOR EACH ROW BEGIN
			UPDATE OR FAIL moz_places SET foreign_count = foreign_count - 1,
				recalc_frecency = NOT ` + q + `, recalc_alt_frecency = NOT ` + q + `
			WHERE id = OLD.fk;
		END`,
		`CREATE TEMP TRIGGER bmtui_bookmarks_afterinsert AFTER INSERT ON main.moz_bookmarks FOR EACH ROW BEGIN
			UPDATE OR FAIL moz_places SET frecency = (CASE WHEN ` + q + ` THEN 0 ELSE 1 END) WHERE frecency = -1 AND id = NEW.fk;
			UPDATE OR FAIL moz_places SET foreign_count = foreign_count + 1, hidden = ` + q + `,
				recalc_frecency = NOT ` + q + `, recalc_alt_frecency = NOT ` + q + `
			WHERE id = NEW.fk;
		END`,
		`CREATE TEMP TRIGGER bmtui_bookmarks_afterupdate AFTER UPDATE OF fk ON main.moz_bookmarks FOR EACH ROW BEGIN
			UPDATE OR FAIL moz_places SET frecency = (CASE WHEN ` + q + ` THEN 0 ELSE 1 END) WHERE frecency = -1 AND id = NEW.fk AND OLD.fk <> NEW.fk;
			UPDATE OR FAIL moz_places SET foreign_count = foreign_count + 1, hidden = ` + q + `,
				recalc_frecency = NOT ` + q + `, recalc_alt_frecency = NOT ` + q + `
			WHERE OLD.fk <> NEW.fk AND id = NEW.fk;
			UPDATE OR FAIL moz_places SET foreign_count = foreign_count - 1,
				recalc_frecency = NOT ` + q + `, recalc_alt_frecency = NOT ` + q + `
			WHERE OLD.fk <> NEW.fk AND id = OLD.fk;
		END`,
		`CREATE TEMP TRIGGER bmtui_keywords_afterdelete AFTER DELETE ON main.moz_keywords FOR EACH ROW BEGIN
			UPDATE OR FAIL moz_places SET foreign_count = foreign_count - 1 WHERE id = OLD.place_id;
		END`,
		`CREATE TEMP TRIGGER bmtui_keywords_afterinsert AFTER INSERT ON main.moz_keywords FOR EACH ROW BEGIN
			UPDATE OR FAIL moz_places SET foreign_count = foreign_count + 1 WHERE id = NEW.place_id;
		END`,
		`CREATE TEMP TRIGGER bmtui_keywords_afterupdate AFTER UPDATE OF place_id ON main.moz_keywords FOR EACH ROW BEGIN
			UPDATE OR FAIL moz_places SET foreign_count = foreign_count + 1 WHERE id = NEW.place_id;
			UPDATE OR FAIL moz_places SET foreign_count = foreign_count - 1 WHERE id = OLD.place_id;
		END`,

		// The mirror's staging tables and triggers.
		// applyOps and changeGuidOps are plain rowid tables filled in their
		// key order (Firefox's have that key as primary key): appending is
		// cheap, and they are only ever scanned.
		`CREATE TEMP TABLE applyOps(mergedGuid TEXT, localGuid TEXT, remoteGuid TEXT NOT NULL, level INTEGER NOT NULL,
			renamed INTEGER NOT NULL, merged INTEGER NOT NULL)`,
		// Firefox's itemsToApply also has mergedGuid as primary key and
		// localId and remoteGuid unique (no statement here looks them up);
		// the merge's GUIDs are unique, and Verify reads every row back.
		`CREATE TEMP TABLE itemsToApply(
			mergedGuid TEXT NOT NULL,
			localId INTEGER,
			remoteId INTEGER UNIQUE NOT NULL,
			remoteGuid TEXT NOT NULL,
			newLevel INTEGER NOT NULL,
			newType INTEGER NOT NULL,
			localDateAddedMicroseconds INTEGER,
			remoteDateAddedMicroseconds INTEGER NOT NULL,
			lastModifiedMicroseconds INTEGER NOT NULL,
			oldTitle TEXT,
			newTitle TEXT,
			oldPlaceId INTEGER,
			newPlaceId INTEGER,
			newKeyword TEXT,
			newDateAddedMicroseconds INTEGER NOT NULL,
			newLastModifiedMicroseconds INTEGER NOT NULL,
			renamed INTEGER NOT NULL,
			merged INTEGER NOT NULL)`,
		`CREATE INDEX temp.oldPlaceIds ON itemsToApply(oldPlaceId) WHERE oldPlaceId NOT NULL`,
		`CREATE INDEX temp.newPlaceIds ON itemsToApply(newPlaceId) WHERE newPlaceId NOT NULL`,
		`CREATE INDEX temp.newKeywords ON itemsToApply(newKeyword) WHERE newKeyword NOT NULL`,
		`CREATE TEMP TABLE staged(c0, c1, c2, c3, c4, c5, c6, c7, c8)`,
		`CREATE TEMP TABLE newStructure(guid TEXT NOT NULL, parentGuid TEXT NOT NULL, position INTEGER NOT NULL)`,
		`CREATE TEMP TABLE changeGuidOps(
			localGuid TEXT NOT NULL,
			mergedGuid TEXT NOT NULL,
			syncStatus INTEGER,
			level INTEGER NOT NULL,
			lastModifiedMicroseconds INTEGER NOT NULL)`,
		`CREATE TEMP VIEW localTags(tagEntryId, tagEntryGuid, tagFolderId, tagFolderGuid, tagEntryPosition, tagEntryType,
				tag, placeId, lastModifiedMicroseconds) AS
			SELECT b.id, b.guid, p.id, p.guid, b.position, b.type, p.title, b.fk, b.lastModified
			FROM main.moz_bookmarks b
			JOIN main.moz_bookmarks p ON p.id = b.parent
			WHERE b.type = 1 AND p.parent = (SELECT id FROM main.moz_bookmarks WHERE guid = 'tags________')`,
		`CREATE TEMP TRIGGER untagLocalPlace INSTEAD OF DELETE ON localTags BEGIN
			DELETE FROM moz_bookmarks WHERE id = OLD.tagEntryId;
			UPDATE OR FAIL moz_bookmarks SET position = position - 1
			WHERE parent = OLD.tagFolderId AND position > OLD.tagEntryPosition;
		END`,
		`CREATE TEMP TRIGGER tagLocalPlace INSTEAD OF INSERT ON localTags BEGIN
			INSERT OR IGNORE INTO moz_bookmarks(guid, parent, position, type, title, dateAdded, lastModified)
			VALUES(IFNULL((SELECT b.guid FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent
						WHERE b.title = NEW.tag AND p.guid = 'tags________'), bmtui_generate_guid()),
				(SELECT id FROM moz_bookmarks WHERE guid = 'tags________'),
				(SELECT COUNT(*) FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent WHERE p.guid = 'tags________'),
				2, NEW.tag, NEW.lastModifiedMicroseconds, NEW.lastModifiedMicroseconds);
			INSERT OR IGNORE INTO moz_bookmarks(guid, parent, position, type, fk, dateAdded, lastModified)
			SELECT IFNULL((SELECT b.guid FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent
						WHERE b.fk = NEW.placeId AND p.title = NEW.tag
						AND p.parent = (SELECT id FROM moz_bookmarks WHERE guid = 'tags________')), bmtui_generate_guid()),
				(SELECT b.id FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent
					WHERE p.guid = 'tags________' AND b.title = NEW.tag),
				(SELECT COUNT(*) FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent
					WHERE p.title = NEW.tag AND p.parent = (SELECT id FROM moz_bookmarks WHERE guid = 'tags________')),
				1, NEW.placeId, NEW.lastModifiedMicroseconds, NEW.lastModifiedMicroseconds
			WHERE NEW.placeId NOT NULL;
		END`,
	}
}

// Bulk values travel as one JSON text per statement, read back with
// json_each: binding them one by one through database/sql costs about
// 1.5 µs per value (80 ms for the 55,000 values of large-40k's moves).
// Rows of several values are arrays, converted once to JSONB and walked
// with jsonb_each, so that reading each column does not parse the row's
// text again (a third less time than json_each).
// JSON cannot carry every string SQLite can (invalid UTF-8 becomes
// U+FFFD), so lists with such a string are bound value by value instead.

// stage puts rows (of up to 9 values) into the TEMP table staged, as
// columns c0…c8, replacing what it held, for a statement that then reads
// them without calling any SQL function (JSON's included): SQLite keeps a
// statement journal, a copy of every page the statement changes, for a
// multi-row statement that calls a function or may abort on a
// constraint, since either may fail half-way. Our writes say OR FAIL
// instead (the whole transaction rolls back on any error anyway).
func stage(tx *sql.Tx, n int, rows [][]any) error {
	if _, err := tx.Exec(`DELETE FROM staged`); err != nil {
		return err
	}
	cols := make([]string, n)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d", i)
	}
	return insertRows(tx, "INSERT INTO staged("+strings.Join(cols, ", ")+")", n, rows)
}

// chunkRows is the rows per multi-row statement when binding.
const chunkRows = 400

// jsonSafe reports whether every string in vals survives a round trip
// through JSON into SQLite unchanged.
func jsonSafe[T any](vals []T) bool {
	for _, v := range vals {
		if s, ok := any(v).(string); ok && !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// insertRows runs insert ("INSERT OR FAIL INTO t(a, b, c)") over rows of n
// values each, in order.
func insertRows(tx *sql.Tx, insert string, n int, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	safe := true
	for _, r := range rows {
		if safe = jsonSafe(r); !safe {
			break
		}
	}
	if !safe {
		return insertBound(tx, insert, n, rows)
	}
	cols := make([]string, n)
	for i := range cols {
		cols[i] = fmt.Sprintf("j.value ->> %d", i)
	}
	js, err := appendJSONRows(make([]byte, 0, len(rows)*(2+n*16)), rows)
	if err != nil {
		return err
	}
	_, err = tx.Exec(insert+" SELECT "+strings.Join(cols, ", ")+" FROM jsonb_each(jsonb(?)) AS j ORDER BY j.key", string(js))
	return err
}

// appendJSONRows appends rows to b as a JSON array of arrays. It writes
// the value types the steps stage directly (encoding/json's reflection
// cost more than a tenth of the staging on a first sync) and leaves any
// other to encoding/json. Strings must be valid UTF-8 (jsonSafe).
func appendJSONRows(b []byte, rows [][]any) ([]byte, error) {
	b = append(b, '[')
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, v := range r {
			if j > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSONValue(b, v); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	}
	js, err := json.Marshal(v)
	return append(b, js...), err
}

// appendJSONString appends s, valid UTF-8, as a JSON string: quote,
// backslash and control characters escaped, everything else as is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func insertBound(tx *sql.Tx, insert string, n int, rows [][]any) error {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	for start := 0; start < len(rows); start += chunkRows {
		end := min(start+chunkRows, len(rows))
		var sb strings.Builder
		sb.WriteString(insert + " VALUES ")
		args := make([]any, 0, (end-start)*n)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteString(tuple)
			args = append(args, rows[i]...)
		}
		if _, err := tx.Exec(sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// execIn runs a statement whose "%s" (inside "IN (%s)") stands for the
// list of guids.
func execIn(tx *sql.Tx, format string, guids []string) error {
	return inList(guids, func(list string, args []any) error {
		_, err := tx.Exec(fmt.Sprintf(format, list), args...)
		return err
	})
}

// queryIn runs a query whose "%s" (inside "IN (%s)") stands for the
// list of guids, and hands each result to scan, which closes it.
func queryIn(tx *sql.Tx, format string, guids []string, scan func(*sql.Rows) error) error {
	return inList(guids, func(list string, args []any) error {
		rows, err := tx.Query(fmt.Sprintf(format, list), args...)
		if err != nil {
			return err
		}
		return scan(rows)
	})
}

// inList calls f with the SQL that stands for guids inside "IN (...)" and
// its arguments: one JSON text read by json_each, or, when a GUID cannot
// travel as JSON, chunks of bound values.
func inList(guids []string, f func(list string, args []any) error) error {
	if len(guids) == 0 {
		return nil
	}
	if !jsonSafe(guids) {
		for start := 0; start < len(guids); start += chunkRows {
			end := min(start+chunkRows, len(guids))
			args := make([]any, 0, end-start)
			for _, g := range guids[start:end] {
				args = append(args, g)
			}
			if err := f(strings.TrimSuffix(strings.Repeat("?,", end-start), ","), args); err != nil {
				return err
			}
		}
		return nil
	}
	js := []byte{'['}
	for i, g := range guids {
		if i > 0 {
			js = append(js, ',')
		}
		js = appendJSONString(js, g)
	}
	js = append(js, ']')
	return f("SELECT value FROM json_each(?)", []any{string(js)})
}

// applyOps writes the merge into Places and the mirror, in the order and
// with the statements of Firefox's store.rs update_local_items_in_places,
// with the ESR 153 corrections of docs/formats.md#firefox-esr-153-behaviour. nowUs is the local time
// truncated to whole seconds, in µs. hooks (tests only, nil otherwise)
// are called between steps.
func writeOps(tx *sql.Tx, res *merge.Result, ops *merge.Ops, reupload []string, nowUs int64, hooks *testHooks) error {
	run := func(name string, f func() error) error {
		if err := f(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return hooks.Step(name)
	}
	tagTriggers := hooks != nil && hooks.tagTriggers
	levels := make(map[string]int, len(ops.ApplyRemoteItems))
	localGUID := make(map[string]string, len(ops.ApplyRemoteItems))
	res.Walk(func(n, _ *merge.Node, _ int) bool {
		if n.State.ShouldApplyItem() && n.Local != nil {
			localGUID[n.GUID] = n.Local.GUID
		}
		return true
	})
	for _, op := range ops.ApplyRemoteItems {
		levels[op.Merged] = op.Level
	}
	// An applied item whose GUID changes is renamed by the upsert itself:
	// Firefox's GUID change sets lastModified and syncStatus, which the
	// upsert then overwrites, so one write of the row gives the same.
	renamed := make(map[string]bool)
	for _, op := range ops.ChangeGUIDs {
		if localGUID[op.Merged] == op.Local {
			renamed[op.Merged] = true
		}
	}
	// Likewise an applied item whose change counter is reset gets its 0
	// from the upsert, and the reset leaves it out.
	merged := make(map[string]bool)
	for _, g := range ops.SetLocalMerged {
		if _, ok := localGUID[g]; ok {
			merged[g] = true
		}
	}
	remoteGUIDs := make([]string, len(ops.ApplyRemoteItems))
	for i, op := range ops.ApplyRemoteItems {
		remoteGUIDs[i] = op.Remote
	}

	steps := []struct {
		name string
		f    func() error
	}{
		{"prepare mirror", func() error {
			// Store::prepare, which Firefox runs before every merge as one
			// UPDATE over every row; the mirror reader applied the same
			// rule when the plan was made (TestApplyFlagsReupload compares
			// the two).
			return execIn(tx, fmt.Sprintf(`UPDATE OR FAIL mirror.items SET validity = %d WHERE validity = %d AND guid IN (%%s)`,
				mirrorReupload, mirrorValid), reupload)
		}},
		{"stage items to apply", func() error {
			rows := make([][]any, len(ops.ApplyRemoteItems))
			for i, op := range ops.ApplyRemoteItems {
				var lg any
				if g, ok := localGUID[op.Merged]; ok {
					lg = g
				}
				rows[i] = []any{op.Merged, lg, op.Remote, op.Level, renamed[op.Merged], merged[op.Merged]}
			}
			sortByFirst(rows)
			if err := insertRows(tx, `INSERT OR FAIL INTO applyOps(mergedGuid, localGuid, remoteGuid, level, renamed, merged)`, 6, rows); err != nil {
				return err
			}
			_, err := tx.Exec(fmt.Sprintf(`INSERT OR FAIL INTO itemsToApply(mergedGuid, localId, remoteId, remoteGuid, newLevel, newType,
					localDateAddedMicroseconds, remoteDateAddedMicroseconds, lastModifiedMicroseconds,
					oldTitle, newTitle, oldPlaceId, newPlaceId, newKeyword,
					newDateAddedMicroseconds, newLastModifiedMicroseconds, renamed, merged)
				SELECT n.mergedGuid, b.id, v.id, v.guid, n.level,
					(CASE WHEN v.kind IN (1, 2) THEN %d WHEN v.kind IN (3, 4) THEN %d ELSE %d END),
					b.dateAdded, v.dateAdded * 1000, v.serverModified * 1000,
					b.title, v.title, b.fk,
					(SELECT h.id FROM moz_places h JOIN mirror.urls u ON u.hash = h.url_hash WHERE u.id = v.urlId AND u.url = h.url),
					v.keyword,
					MIN(IFNULL(b.dateAdded, v.dateAdded * 1000), v.dateAdded * 1000),
					MAX(v.serverModified * 1000, v.dateAdded * 1000),
					n.renamed, n.merged
				FROM applyOps n
				JOIN mirror.items v ON v.guid = n.remoteGuid
				LEFT JOIN moz_bookmarks b ON b.guid = n.localGuid`, typeBookmark, typeFolder, typeSeparator))
			return err
		}},
		{"insert pages", func() error { return insertMissingPages(tx, remoteGUIDs) }},
		{"stage GUID changes", func() error {
			rows := make([][]any, 0, len(ops.ChangeGUIDs))
			remoteChanged := make(map[string]bool)
			res.Walk(func(n, _ *merge.Node, _ int) bool {
				if n.RemoteGUIDChanged() {
					remoteChanged[n.GUID] = true
				}
				return true
			})
			for _, op := range ops.ChangeGUIDs {
				if renamed[op.Merged] {
					continue
				}
				var status any = tree.SyncStatusNormal
				if remoteChanged[op.Merged] {
					status = nil
				}
				rows = append(rows, []any{op.Local, op.Merged, status, op.Level, nowUs})
			}
			sortByFirst(rows)
			return insertRows(tx, `INSERT OR FAIL INTO changeGuidOps(localGuid, mergedGuid, syncStatus, level, lastModifiedMicroseconds)`, 5, rows)
		}},
		{"delete tombstones of revived items", func() error {
			return execIn(tx, `DELETE FROM moz_bookmarks_deleted WHERE guid IN (%s)`, ops.DeleteLocalTombstones)
		}},
		{"insert tombstones", func() error {
			rows := make([][]any, len(ops.InsertLocalTombstones))
			for i, g := range ops.InsertLocalTombstones {
				rows[i] = []any{g, nowUs}
			}
			return insertRows(tx, `INSERT OR FAIL INTO moz_bookmarks_deleted(guid, dateRemoved)`, 2, rows)
		}},
		{"remove local items", func() error {
			for _, f := range []string{
				`UPDATE OR FAIL moz_places SET recalc_frecency = 1, recalc_alt_frecency = 1
					WHERE id IN (SELECT b.fk FROM moz_bookmarks b WHERE b.guid IN (%s)) AND frecency <> 0`,
				`DELETE FROM moz_items_annos WHERE item_id IN (SELECT b.id FROM moz_bookmarks b WHERE b.guid IN (%s))`,
				`DELETE FROM moz_keywords WHERE place_id IN (SELECT b.fk FROM moz_bookmarks b WHERE b.guid IN (%s))`,
				`DELETE FROM moz_bookmarks WHERE guid IN (%s)`,
			} {
				if err := execIn(tx, f, ops.DeleteLocalItems); err != nil {
					return err
				}
			}
			return nil
		}},
		{"change GUIDs", func() error {
			// Firefox deletes the rows of changeGuidOps, whose trigger
			// updates each item in turn; one UPDATE does the same.
			_, err := tx.Exec(`UPDATE OR FAIL moz_bookmarks SET guid = c.mergedGuid, lastModified = c.lastModifiedMicroseconds,
					syncStatus = IFNULL(c.syncStatus, moz_bookmarks.syncStatus)
				FROM changeGuidOps c WHERE moz_bookmarks.guid = c.localGuid`)
			return err
		}},
		{"remove old keywords", func() error {
			_, err := tx.Exec(`DELETE FROM moz_keywords
				WHERE place_id IN (SELECT oldPlaceId FROM itemsToApply WHERE oldPlaceId NOT NULL) OR
					place_id IN (SELECT newPlaceId FROM itemsToApply WHERE newPlaceId NOT NULL) OR
					keyword IN (SELECT newKeyword FROM itemsToApply WHERE newKeyword NOT NULL)`)
			return err
		}},
		{"remove old tags", func() error { return removeOldTags(tx, tagTriggers) }},
		{"upsert items", func() error {
			// Firefox's upsert (INSERT … ON CONFLICT(id) DO UPDATE), as an
			// UPDATE of the rows that exist and an INSERT of the others,
			// in the same order (new rows get the same ids).
			// Renamed items take their new GUID here; the others keep
			// theirs, and their GUID index entries are left alone.
			// Likewise fk and dateAdded are set only on the rows where
			// they change: a column left out of SET costs no index
			// update and, for fk, no trigger (whose statements change
			// nothing when the place is the same); a first sync keeps
			// both on every row. Each row is updated once either way.
			var updated int64
			for _, u := range upsertShapes() {
				res, err := tx.Exec(fmt.Sprintf(`UPDATE OR FAIL moz_bookmarks SET %s
						title = n.newTitle,%s
						lastModified = n.newLastModifiedMicroseconds,
						syncStatus = %d,
						syncChangeCounter = CASE n.merged WHEN 1 THEN 0 ELSE moz_bookmarks.syncChangeCounter END
					FROM itemsToApply n WHERE moz_bookmarks.id = n.localId AND n.renamed = %d AND %s`,
					u.setGUID, u.setPlaceAndDate, tree.SyncStatusNormal, u.renamed, u.where))
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				updated += n
			}
			// New rows take the next ids. A local id whose row is gone
			// is kept, as Firefox's upsert keeps it; only then are ids
			// named, since naming them makes SQLite keep a statement
			// journal. The UPDATEs found every local id's row exactly
			// when they updated as many rows as there are local ids
			// (local ids are distinct): no lookup per row to find out.
			var local int64
			if err := tx.QueryRow(`SELECT count(*) FROM itemsToApply NOT INDEXED WHERE localId NOT NULL`).Scan(&local); err != nil {
				return err
			}
			id, idCol, newRows := "", "", "localId IS NULL"
			if updated != local {
				id, idCol = "localId, ", "id, "
				newRows = "localId IS NULL OR NOT EXISTS (SELECT 1 FROM moz_bookmarks b WHERE b.id = localId)"
			}
			_, err := tx.Exec(fmt.Sprintf(`INSERT OR FAIL INTO moz_bookmarks(%sguid, parent, position, type, fk, title,
					dateAdded, lastModified, syncStatus, syncChangeCounter)
				SELECT %smergedGuid, -1, -1, newType, newPlaceId, newTitle,
					newDateAddedMicroseconds, newLastModifiedMicroseconds, %d, 0
				FROM itemsToApply
				WHERE %s
				ORDER BY rowid`, idCol, id, tree.SyncStatusNormal, newRows))
			return err
		}},
		{"roots", func() error {
			_, err := tx.Exec(fmt.Sprintf(`UPDATE OR FAIL moz_bookmarks SET syncStatus = %d
				WHERE guid IN ('menu________', 'mobile______', 'tags________', 'toolbar_____', 'unfiled_____') OR guid = 'root________'`, tree.SyncStatusNormal))
			return err
		}},
		{"flag frecencies", func() error {
			// Only items whose place changes have places to flag; a
			// first sync of the profile's own bookmarks has none, and
			// one scan of itemsToApply says so (NOT INDEXED: walking
			// the partial index reads every row through it).
			var changed bool
			if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM itemsToApply NOT INDEXED WHERE oldPlaceId <> newPlaceId)`).Scan(&changed); err != nil || !changed {
				return err
			}
			_, err := tx.Exec(`UPDATE OR FAIL moz_places SET recalc_frecency = 1, recalc_alt_frecency = 1
				WHERE frecency <> 0 AND (
					id IN (SELECT oldPlaceId FROM itemsToApply WHERE oldPlaceId <> newPlaceId) OR
					id IN (SELECT newPlaceId FROM itemsToApply WHERE newPlaceId <> oldPlaceId))`)
			return err
		}},
		{"insert keywords", func() error {
			_, err := tx.Exec(`INSERT OR IGNORE INTO moz_keywords(keyword, place_id, post_data)
				SELECT newKeyword, newPlaceId, '' FROM itemsToApply WHERE newKeyword NOT NULL`)
			return err
		}},
		{"insert tags", func() error { return insertTags(tx, tagTriggers) }},
		{"apply new structure", func() error {
			// Firefox stages these ops in applyNewLocalStructureOps and
			// applies them with a per-row trigger; each op sets absolute
			// values (the parent's id looked up now, after new folders
			// were inserted), so one UPDATE over all of them is the same.
			rows := make([][]any, len(ops.ApplyNewLocalStructure))
			for i, op := range ops.ApplyNewLocalStructure {
				rows[i] = []any{op.GUID, op.Parent, op.Position}
			}
			if err := insertRows(tx, `INSERT OR FAIL INTO newStructure(guid, parentGuid, position)`, 3, rows); err != nil {
				return err
			}
			_, err := tx.Exec(`UPDATE OR FAIL moz_bookmarks SET parent = p.id, position = s.position
				FROM newStructure s JOIN moz_bookmarks p ON p.guid = s.parentGuid
				WHERE moz_bookmarks.guid = s.guid`)
			return err
		}},
		{"reset change counters", func() error {
			var rest []string
			for _, g := range ops.SetLocalMerged {
				if !merged[g] {
					rest = append(rest, g)
				}
			}
			return execIn(tx, `UPDATE OR FAIL moz_bookmarks SET syncChangeCounter = 0 WHERE guid IN (%s)`, rest)
		}},
		{"bump change counters", func() error {
			return execIn(tx, `UPDATE OR FAIL moz_bookmarks SET syncChangeCounter = 1 WHERE guid IN (%s)`, ops.SetLocalUnmerged)
		}},
		{"flag remote items merged", func() error {
			return execIn(tx, `UPDATE OR FAIL mirror.items SET needsMerge = 0 WHERE guid IN (%s)`, ops.SetRemoteMerged)
		}},
	}
	for _, s := range steps {
		if err := run(s.name, s.f); err != nil {
			return err
		}
	}
	return nil
}

// upsertShape is one UPDATE of the upsert: the GUID set for renamed items
// only, fk and dateAdded only on the rows where they change.
type upsertShape struct {
	setGUID, setPlaceAndDate, where string
	renamed                         int
}

// upsertShapes are the upsert's UPDATEs: renamed items first, as before,
// and for each, the rows whose place and dateAdded stay, then the others.
// The conditions read the row as it is, so every row matches exactly one.
func upsertShapes() []upsertShape {
	const same = `moz_bookmarks.fk IS n.newPlaceId AND moz_bookmarks.dateAdded IS n.newDateAddedMicroseconds`
	const setBoth = `
						dateAdded = n.newDateAddedMicroseconds,
						fk = n.newPlaceId,`
	var shapes []upsertShape
	for _, r := range []struct {
		set     string
		renamed int
	}{{"guid = n.mergedGuid,", 1}, {"", 0}} {
		shapes = append(shapes,
			upsertShape{setGUID: r.set, where: same, renamed: r.renamed},
			upsertShape{setGUID: r.set, setPlaceAndDate: setBoth, where: "NOT (" + same + ")", renamed: r.renamed})
	}
	return shapes
}

// repairCoherence is the one place where we deliberately write something
// other than Firefox's apply. Firefox leaves tag folders emptied by step
// 11.2 and, when one statement untags several entries of a folder, gapped
// or duplicate tag-entry positions (docs/formats.md#the-apply, #tags), and it keeps
// rows whose dateAdded is later than their lastModified (the toolbar and
// mobile roots of large-40k, already so before the merge). Its own
// PlacesDBUtils.checkCoherence repairs all three later, as "benign" fixes
// that fforacle --strict rejects. We make the same repairs in the same
// transaction, after the outgoing records are staged (so the records are
// exactly Firefox's), and the files need no repair:
//
//   - empty tag folders are deleted (tags are not synced: no tombstone);
//   - the children of the tags root and of every tag folder are renumbered
//     0..n-1 in (position, id) order;
//   - dateAdded = lastModified where dateAdded > lastModified.
//
// Change counters and sync statuses are left alone; ordinary folders are
// already contiguous and untouched.
func repairCoherence(tx *sql.Tx) error {
	_, err := tx.Exec(`DELETE FROM moz_bookmarks
		WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'tags________') AND type = 2
			AND NOT EXISTS (SELECT 1 FROM moz_bookmarks c WHERE c.parent = moz_bookmarks.id)`)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE OR FAIL moz_bookmarks SET position = r.pos
		FROM (SELECT b.id, row_number() OVER (PARTITION BY b.parent ORDER BY b.position, b.id) - 1 AS pos
			FROM moz_bookmarks b
			WHERE b.parent = (SELECT id FROM moz_bookmarks WHERE guid = 'tags________')
				OR b.parent IN (SELECT f.id FROM moz_bookmarks f
					WHERE f.parent = (SELECT id FROM moz_bookmarks WHERE guid = 'tags________'))) AS r
		WHERE r.id = moz_bookmarks.id AND moz_bookmarks.position IS NOT r.pos`)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE OR FAIL moz_bookmarks SET dateAdded = lastModified WHERE dateAdded > lastModified`)
	return err
}

// sortByFirst orders rows by their first value, a string: the order in
// which Firefox's tables keyed by it are scanned.
func sortByFirst(rows [][]any) {
	sort.Slice(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
}

// opsEmpty is dogear's CompletionOps::is_empty: Firefox opens no
// transaction at all then.
func opsEmpty(o *merge.Ops) bool {
	return len(o.ChangeGUIDs) == 0 && len(o.ApplyRemoteItems) == 0 && len(o.ApplyNewLocalStructure) == 0 &&
		len(o.SetLocalUnmerged) == 0 && len(o.SetLocalMerged) == 0 && len(o.SetRemoteMerged) == 0 &&
		len(o.DeleteLocalTombstones) == 0 && len(o.InsertLocalTombstones) == 0 && len(o.DeleteLocalItems) == 0 &&
		len(o.UploadItems) == 0 && len(o.UploadTombstones) == 0
}
