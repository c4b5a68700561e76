package backup

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// referenceQuery is PlacesUtils.promiseBookmarksTree's query (ESR 153) for the
// Places root, minus the iconUri column: favicons live in favicons.sqlite,
// which Firefox attaches and we do not (the profile fixtures have none).
// ?1 is the tags root's id (PlacesUtils.tagsFolderId).
const referenceQuery = `
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

// exportByQuery is Export as it was written first: Firefox's recursive
// query, each row handled in its order. Export must give the same bytes.
func exportByQuery(t *testing.T, db *sql.DB) ([]byte, int) {
	t.Helper()
	var tagsID sql.NullInt64
	db.QueryRow(`SELECT id FROM moz_bookmarks WHERE guid = ?`, TagsGUID).Scan(&tagsID)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	keywords, err := readKeywords(sqlReader{tx})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(referenceQuery, tagsID.Int64)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var root *item
	count := 0
	parents := map[string]*item{}
	for rows.Next() {
		var r treeRow
		if err := rows.Scan(&r.id, &r.guid, &r.parentGuid, &r.typ, &r.position,
			&r.title, &r.dateAdded, &r.lastModified, &r.url, &r.tags, &r.charset); err != nil {
			t.Fatal(err)
		}
		r.normalize()
		it, isFolder, ok := makeItem(&r, root == nil, keywords)
		if root == nil {
			root, count = it, 1
		} else {
			if !ok {
				continue
			}
			parent := parents[guidKey(r.parentGuid)]
			if parent == nil {
				continue
			}
			parent.children = append(parent.children, it)
			count++
		}
		if isFolder {
			parents[guidKey(r.guid)] = it
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var w jsWriter
	w.item(root)
	return w.buf, count
}

// TestExportMatchesRecursiveQuery compares Export with Firefox's own
// query on every fixture and on damaged trees (repeated positions, NULL
// and repeated GUIDs, NULL positions, no tags root, children of a
// separator, a tags subtree to leave out).
func TestExportMatchesRecursiveQuery(t *testing.T) {
	same := func(t *testing.T, profile string, db *sql.DB) {
		t.Helper()
		got, n, err := Export(db)
		if err != nil {
			t.Fatal(err)
		}
		want, wn := exportByQuery(t, db)
		raw, rn, err := ExportFile(filepath.Join(profile, "places.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(raw, got) || rn != n {
			t.Errorf("ExportFile differs from Export (%d and %d bytes)", len(raw), len(got))
		}
		if !bytes.Equal(got, want) || n != wn {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			lo := max(i-80, 0)
			t.Fatalf("export differs from the recursive query at byte %d (count %d, want %d):\n got %.200s\nwant %.200s", i, n, wn, got[lo:], want[lo:])
		}
	}
	for _, tc := range []struct{ scenario, state string }{
		{"small-clean", "before"}, {"small-first-sync", "before"}, {"twoway", "before"}, {"twoway", "after"},
		{"dupes", "before"}, {"corrupt-remote", "before"}, {"large-40k", "before"}, {"large-40k", "after"},
	} {
		t.Run(tc.scenario+"/"+tc.state, func(t *testing.T) {
			if tc.scenario == "large-40k" && testing.Short() {
				t.Skip("large fixture")
			}
			profile, db := openPlaces(t, tc.scenario, tc.state, false)
			same(t, profile, db)
		})
	}
	for _, tc := range []struct{ name, damage string }{
		{"repeated positions", `UPDATE moz_bookmarks SET position = 0 WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'menu________')`},
		{"NULL positions", `UPDATE moz_bookmarks SET position = NULL WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'toolbar_____')`},
		{"NULL GUID folders", `UPDATE moz_bookmarks SET guid = NULL WHERE type = 2 AND parent = (SELECT id FROM moz_bookmarks WHERE guid = 'menu________')`},
		{"no tags root", `DELETE FROM moz_bookmarks WHERE guid = 'tags________'`},
		{"child of a separator", `UPDATE moz_bookmarks SET parent = (SELECT id FROM moz_bookmarks WHERE type = 3 LIMIT 1) WHERE id = (SELECT max(id) FROM moz_bookmarks WHERE type = 1)`},
		{"text and real values", `UPDATE moz_bookmarks SET position = 'x', dateAdded = 1.5 WHERE id = (SELECT min(id) FROM moz_bookmarks WHERE type = 1)`},
		{"tag folder moved out", `UPDATE moz_bookmarks SET parent = (SELECT id FROM moz_bookmarks WHERE guid = 'unfiled_____') WHERE id = (SELECT min(id) FROM moz_bookmarks WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'tags________'))`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			profile, db := openPlaces(t, "twoway", "before", true)
			db.Exec(`PRAGMA foreign_keys = OFF`)
			if _, err := db.Exec(`DROP INDEX IF EXISTS moz_bookmarks_guid_uniqueindex`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.damage); err != nil {
				t.Fatal(err)
			}
			same(t, profile, db)
		})
	}
}

// BenchmarkExportFile is BenchmarkExport through ExportFile (sqlraw), the
// road the apply takes.
func BenchmarkExportFile(b *testing.B) {
	profile := testutil.Profile(b, "large-40k", "before")
	for b.Loop() {
		if _, _, err := ExportFile(filepath.Join(profile, "places.sqlite")); err != nil {
			b.Fatal(err)
		}
	}
}
