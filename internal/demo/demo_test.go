package demo

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bmtui/bmtui/places/urls"
)

var testNow = time.Date(2026, 11, 23, 12, 34, 56, 789_000_000, time.UTC)

func create(t *testing.T) string {
	t.Helper()
	dir, err := Create(filepath.Join(t.TempDir(), "profile"), testNow)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func open(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func one[T any](t *testing.T, db *sql.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// zero runs a query that must return no rows and reports the first one.
func zero(t *testing.T, db *sql.DB, what, q string) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	if rows.Next() {
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		rows.Scan(vals...)
		var out []any
		for _, v := range vals {
			out = append(out, *(v.(*any)))
		}
		t.Errorf("%s: %v", what, out)
	}
}

func TestFiles(t *testing.T) {
	dir := create(t)
	if _, err := os.Stat(filepath.Join(dir, PlacesFile+"-wal")); err == nil {
		t.Errorf("a -wal file was left behind")
	}
	places := open(t, filepath.Join(dir, PlacesFile))
	mirror := open(t, filepath.Join(dir, MirrorFile))
	for _, c := range []struct {
		db      *sql.DB
		name    string
		version int
		journal string
	}{{places, "places", 86, "wal"}, {mirror, "mirror", 9, "delete"}} {
		if got := one[string](t, c.db, "PRAGMA integrity_check"); got != "ok" {
			t.Errorf("%s integrity_check: %s", c.name, got)
		}
		zero(t, c.db, c.name+" foreign_key_check", "PRAGMA foreign_key_check")
		if got := one[int](t, c.db, "PRAGMA user_version"); got != c.version {
			t.Errorf("%s user_version = %d", c.name, got)
		}
		if got := one[int](t, c.db, "PRAGMA page_size"); got != PageSize {
			t.Errorf("%s page_size = %d", c.name, got)
		}
		if got := one[string](t, c.db, "PRAGMA journal_mode"); got != c.journal {
			t.Errorf("%s journal_mode = %s", c.name, got)
		}
	}
	// The file header says WAL (2/2) for places, rollback (1/1) for the mirror.
	for file, want := range map[string]byte{PlacesFile: 2, MirrorFile: 1} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if b[18] != want || b[19] != want {
			t.Errorf("%s header bytes 18-19 = %d/%d, want %d", file, b[18], b[19], want)
		}
	}
	// The schema is Firefox's, statement for statement.
	for _, c := range []struct {
		db     *sql.DB
		schema []string
	}{{places, placesSchema}, {mirror, mirrorSchema}} {
		want := map[string]bool{}
		for _, s := range c.schema {
			want[s[:len(s)-1]] = true
		}
		n := one[int](t, c.db, "SELECT count(*) FROM sqlite_master WHERE sql IS NOT NULL AND name NOT IN ('sqlite_sequence', 'sqlite_stat1')")
		if n != len(want) {
			t.Errorf("sqlite_master has %d statements, want %d", n, len(want))
		}
		rows, _ := c.db.Query("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT IN ('sqlite_sequence', 'sqlite_stat1')")
		for rows.Next() {
			var s string
			rows.Scan(&s)
			if !want[s] {
				t.Errorf("unexpected schema statement %q", s)
			}
		}
		rows.Close()
	}
}

func TestPlaces(t *testing.T) {
	dir := create(t)
	db := open(t, filepath.Join(dir, PlacesFile))

	// Roots exactly as docs/formats.md#roots.
	rows, err := db.Query(`SELECT id, guid, parent, position, title, type, syncStatus FROM moz_bookmarks WHERE id <= 6 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; rows.Next(); i++ {
		var id, parent, pos, typ, status int
		var guid string
		var title sql.NullString
		rows.Scan(&id, &guid, &parent, &pos, &title, &typ, &status)
		wantParent, wantPos := 1, i-1
		if i == 0 {
			wantParent, wantPos = 0, 0
		}
		if guid != rootGUIDs[i] || id != i+1 || parent != wantParent || pos != wantPos ||
			!title.Valid || title.String != rootTitles[guid] || typ != 2 || status != 2 {
			t.Errorf("root row %d %s parent %d pos %d title %v type %d status %d", id, guid, parent, pos, title, typ, status)
		}
	}
	rows.Close()
	if n := one[int](t, db, `SELECT syncChangeCounter FROM moz_bookmarks WHERE guid = 'root________'`); n != 1 {
		t.Errorf("places root counter = %d", n)
	}
	if n := one[int](t, db, `SELECT count(*) FROM moz_bookmarks WHERE guid IN ('menu________','toolbar_____','unfiled_____','mobile______','tags________') AND dateAdded = (SELECT dateAdded FROM moz_bookmarks WHERE id = 1) - CASE guid WHEN 'mobile______' THEN -7000 ELSE 0 END`); n != 5 {
		t.Errorf("root dates: %d match", n)
	}

	n := one[int](t, db, `SELECT count(*) FROM moz_bookmarks b WHERE b.parent <> (SELECT id FROM moz_bookmarks WHERE guid='tags________') AND b.parent NOT IN (SELECT id FROM moz_bookmarks WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid='tags________')) AND b.id > 6`)
	if n < 60 || n > 120 {
		t.Errorf("%d user items, want 60-120", n)
	}

	zero(t, db, "positions not contiguous", `SELECT parent, count(*), min(position), max(position), count(DISTINCT position)
		FROM moz_bookmarks WHERE id > 1 GROUP BY parent
		HAVING min(position) <> 0 OR max(position) <> count(*) - 1 OR count(DISTINCT position) <> count(*)`)
	zero(t, db, "parent missing or not a folder", `SELECT b.guid FROM moz_bookmarks b LEFT JOIN moz_bookmarks p ON p.id = b.parent
		WHERE b.id > 1 AND (p.id IS NULL OR p.type <> 2)`)
	zero(t, db, "bookmark fk missing", `SELECT guid FROM moz_bookmarks WHERE type = 1 AND (fk IS NULL OR fk NOT IN (SELECT id FROM moz_places))`)
	zero(t, db, "folder/separator with fk", `SELECT guid FROM moz_bookmarks WHERE type IN (2, 3) AND fk IS NOT NULL`)
	zero(t, db, "bad GUID", `SELECT guid FROM moz_bookmarks WHERE length(guid) <> 12 OR guid GLOB '*[^A-Za-z0-9_-]*'
		UNION ALL SELECT guid FROM moz_places WHERE length(guid) <> 12 OR guid GLOB '*[^A-Za-z0-9_-]*'`)
	zero(t, db, "dates", `SELECT guid FROM moz_bookmarks WHERE dateAdded > lastModified OR dateAdded % 1000 <> 0 OR lastModified % 1000 <> 0
		OR lastModified > `+itoa(testNow.UnixMicro()))
	zero(t, db, "empty-string titles", `SELECT guid FROM moz_bookmarks WHERE title = '' AND guid <> 'root________'`)
	zero(t, db, "tombstone of a live item", `SELECT guid FROM moz_bookmarks_deleted WHERE guid IN (SELECT guid FROM moz_bookmarks)`)
	zero(t, db, "foreign_count", `SELECT p.url, p.foreign_count FROM moz_places p WHERE p.foreign_count <>
		(SELECT count(*) FROM moz_bookmarks WHERE fk = p.id) + (SELECT count(*) FROM moz_keywords WHERE place_id = p.id)`)
	zero(t, db, "frecency flags", `SELECT url FROM moz_places WHERE
		CASE WHEN url LIKE 'place:%' THEN hidden <> 1 OR frecency <> 0 OR recalc_frecency <> 0 OR recalc_alt_frecency <> 0
		ELSE hidden <> 0 OR frecency <> 1 OR recalc_frecency <> 1 OR recalc_alt_frecency <> 1 END`)
	zero(t, db, "keyword post_data", `SELECT keyword FROM moz_keywords WHERE post_data IS NOT '' OR keyword <> lower(trim(keyword))`)
	zero(t, db, "tag entries", `SELECT e.guid FROM moz_bookmarks e JOIN moz_bookmarks f ON f.id = e.parent
		JOIN moz_bookmarks r ON r.id = f.parent WHERE r.guid = 'tags________' AND (e.type <> 1 OR e.title IS NOT NULL)`)
	zero(t, db, "origins without pages", `SELECT id FROM moz_origins WHERE id NOT IN (SELECT origin_id FROM moz_places)`)

	// Derived URL columns.
	prow, err := db.Query(`SELECT p.url, p.url_hash, p.rev_host, o.prefix, o.host FROM moz_places p JOIN moz_origins o ON o.id = p.origin_id`)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for prow.Next() {
		var u, rev, prefix, host string
		var hash int64
		prow.Scan(&u, &hash, &rev, &prefix, &host)
		pages++
		if uint64(hash) != urls.Hash(u) || rev != urls.RevHost(u) || prefix != urls.Prefix(u) || host != urls.HostAndPort(u) {
			t.Errorf("page %q: hash %d rev %q origin %q %q", u, hash, rev, prefix, host)
		}
		if c, err := urls.Canonical(u); err != nil || c != u {
			t.Errorf("page URL %q is not canonical: %q %v", u, c, err)
		}
	}
	prow.Close()
	if pages != one[int](t, db, "SELECT count(*) FROM moz_places") {
		t.Errorf("pages without origin")
	}

	// Sync metadata.
	if got := one[string](t, db, `SELECT value FROM moz_meta WHERE key = 'sync/bookmarks/syncid'`); got != SyncID {
		t.Errorf("syncid %q", got)
	}
	if got := one[string](t, db, `SELECT typeof(value) FROM moz_meta WHERE key = 'sync/bookmarks/lastsync'`); got != "real" {
		t.Errorf("lastsync stored as %s", got)
	}
	if got := one[int64](t, db, `SELECT CAST(value AS INTEGER) FROM moz_meta WHERE key = 'sync/bookmarks/lastsync'`); got != TimesFor(testNow).LastSync.UnixMilli() {
		t.Errorf("lastsync %d", got)
	}
	for _, g := range Expect.LocalNew {
		if st := one[int](t, db, `SELECT syncStatus FROM moz_bookmarks WHERE guid = ?`, g); st != 1 {
			t.Errorf("%s status %d, want NEW", g, st)
		}
		if c := one[int](t, db, `SELECT syncChangeCounter FROM moz_bookmarks WHERE guid = ?`, g); c < 1 {
			t.Errorf("%s counter %d", g, c)
		}
	}
	zero(t, db, "synced items not NORMAL", `SELECT guid FROM moz_bookmarks WHERE guid GLOB '[bfs][mle][kdp]*' AND guid NOT IN ('`+join(Expect.LocalNew)+`') AND syncStatus <> 2`)
	var tombs []string
	trows, _ := db.Query(`SELECT guid FROM moz_bookmarks_deleted ORDER BY rowid`)
	for trows.Next() {
		var g string
		trows.Scan(&g)
		tombs = append(tombs, g)
	}
	trows.Close()
	if join(tombs) != join(Expect.LocalTombstones) {
		t.Errorf("tombstones %v, want %v", tombs, Expect.LocalTombstones)
	}
	checks := map[string]string{
		"value conflict local title": `SELECT title = '` + Expect.ValueLocalTitle + `' AND syncChangeCounter > 0 FROM moz_bookmarks WHERE guid = '` + Expect.ValueConflict + `'`,
		"move conflict local parent": `SELECT p.guid = '` + Expect.MoveLocalParent + `' FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent WHERE b.guid = '` + Expect.MoveConflict + `'`,
		"changed locally":            `SELECT syncChangeCounter > 0 FROM moz_bookmarks WHERE guid = '` + Expect.ChangedLocallyDeletedRemotely + `'`,
		"deleted folder gone":        `SELECT count(*) = 0 FROM moz_bookmarks WHERE guid = '` + Expect.DeletedLocally + `'`,
		"dedupe local":               `SELECT p.guid = '` + Expect.DedupeParent + `' AND b.syncStatus = 1 FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent WHERE b.guid = '` + Expect.DedupeLocal + `'`,
		"local reorder":              `SELECT group_concat(guid) = '` + join2(Expect.LocalOrder) + `' FROM (SELECT guid FROM moz_bookmarks WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = '` + Expect.ReorderConflict + `') ORDER BY position)`,
	}
	for what, q := range checks {
		if !one[bool](t, db, q) {
			t.Errorf("local side: %s", what)
		}
	}
}

func TestMirror(t *testing.T) {
	dir := create(t)
	db := open(t, filepath.Join(dir, MirrorFile))
	if got := one[string](t, db, `SELECT value FROM meta WHERE key = 'collection/syncId'`); got != SyncID {
		t.Errorf("syncId %q", got)
	}
	// Roots (docs/formats.md#mirror-roots).
	zero(t, db, "root rows", `SELECT guid FROM items WHERE guid = 'root________' AND NOT (parentGuid = guid AND kind = 3 AND needsMerge = 0 AND serverModified = 0 AND dateAdded = 0 AND title IS NULL)`)
	if got := one[string](t, db, `SELECT group_concat(guid || ':' || position) FROM (SELECT guid, position FROM structure WHERE parentGuid = 'root________' ORDER BY position)`); got != "root________:-1,toolbar_____:0,menu________:1,unfiled_____:2,mobile______:3" {
		t.Errorf("root structure %s", got)
	}
	zero(t, db, "tags root in mirror", `SELECT guid FROM items WHERE guid = 'tags________'`)
	zero(t, db, "structure positions", `SELECT parentGuid FROM structure WHERE parentGuid <> 'root________' GROUP BY parentGuid
		HAVING min(position) <> 0 OR max(position) <> count(*) - 1`)
	zero(t, db, "url columns", `SELECT url FROM urls WHERE length(guid) <> 12`)
	urows, _ := db.Query(`SELECT url, hash, revHost FROM urls`)
	for urows.Next() {
		var u, rev string
		var h int64
		urows.Scan(&u, &h, &rev)
		if uint64(h) != urls.Hash(u) || rev != urls.RevHost(u) {
			t.Errorf("mirror url %q: hash %d revHost %q", u, h, rev)
		}
	}
	urows.Close()
	zero(t, db, "tombstones", `SELECT guid FROM items WHERE isDeleted = 1 AND NOT (kind = -1 AND parentGuid IS NULL AND title IS NULL AND urlId IS NULL AND dateAdded = 0)`)
	zero(t, db, "bookmarks without URL", `SELECT guid FROM items WHERE kind IN (1, 2) AND isDeleted = 0 AND urlId IS NULL AND validity <> 3`)
	zero(t, db, "tags on non-bookmarks", `SELECT itemId FROM tags WHERE itemId NOT IN (SELECT id FROM items WHERE kind = 1)`)
	zero(t, db, "dates", `SELECT guid FROM items WHERE isDeleted = 0 AND guid <> 'root________' AND (dateAdded > serverModified OR dateAdded < 727747200000)`)

	for _, g := range Expect.RemoteNew {
		if !one[bool](t, db, `SELECT needsMerge = 1 AND isDeleted = 0 FROM items WHERE guid = ?`, g) {
			t.Errorf("remote new %s", g)
		}
	}
	// The intended corruptions, and nothing else dangling.
	listedBy := func(g string) string {
		return one[string](t, db, `SELECT coalesce(group_concat(parentGuid), '') FROM (SELECT parentGuid FROM structure WHERE guid = ? ORDER BY parentGuid)`, g)
	}
	parentOf := func(g string) string {
		return one[string](t, db, `SELECT coalesce(parentGuid, '') FROM items WHERE guid = ?`, g)
	}
	exists := func(g string) bool { return one[bool](t, db, `SELECT count(*) > 0 FROM items WHERE guid = ?`, g) }
	e := Expect
	if parentOf(e.Orphan) != e.OrphanMissingParent || exists(e.OrphanMissingParent) || listedBy(e.Orphan) != "" {
		t.Errorf("orphan %s", e.Orphan)
	}
	if exists(e.GhostChild) || listedBy(e.GhostChild) != e.GhostListedBy {
		t.Errorf("ghost child %s", e.GhostChild)
	}
	if listedBy(e.MultiParentItem) != join2(slices.Sorted(slices.Values(e.MultiParents))) {
		t.Errorf("multi-parent %s listed by %q", e.MultiParentItem, listedBy(e.MultiParentItem))
	}
	if parentOf(e.Misparented) != e.MisparentedClaims || listedBy(e.Misparented) != e.MisparentedBy {
		t.Errorf("misparented %s", e.Misparented)
	}
	if parentOf(e.ChildOfBookmark) != e.BookmarkParent || listedBy(e.ChildOfBookmark) != "" ||
		one[int](t, db, `SELECT kind FROM items WHERE guid = ?`, e.BookmarkParent) != 1 {
		t.Errorf("child of bookmark %s", e.ChildOfBookmark)
	}
	if !one[bool](t, db, `SELECT validity = 3 AND urlId IS NULL AND needsMerge = 1 FROM items WHERE guid = ?`, e.BadURL) ||
		listedBy(e.BadURL) != e.BadURLParent {
		t.Errorf("bad URL %s", e.BadURL)
	}
	if _, err := urls.Canonical(BadURL); err == nil {
		t.Errorf("BadURL parses")
	}
	// No other structural problem: every other listed child has a record
	// whose parentGuid is the listing folder, and every live non-root
	// record is listed by its parent.
	zero(t, db, "unexpected dangling child", `SELECT s.guid FROM structure s LEFT JOIN items i ON i.guid = s.guid
		WHERE s.position >= 0 AND s.guid NOT IN ('`+e.GhostChild+`','`+e.MultiParentItem+`','`+e.Misparented+`')
		AND (i.guid IS NULL OR i.parentGuid <> s.parentGuid)`)
	zero(t, db, "unexpected unlisted record", `SELECT i.guid FROM items i WHERE i.isDeleted = 0 AND i.guid <> 'root________'
		AND i.guid NOT IN ('`+e.Orphan+`','`+e.ChildOfBookmark+`','`+e.Misparented+`')
		AND NOT EXISTS (SELECT 1 FROM structure s WHERE s.guid = i.guid AND s.parentGuid = i.parentGuid)`)

	// Both-sides facts.
	if !one[bool](t, db, `SELECT title = ? AND needsMerge = 1 FROM items WHERE guid = ?`, e.ValueRemTitle, e.ValueConflict) {
		t.Errorf("remote rename")
	}
	if parentOf(e.MoveConflict) != e.MoveRemoteParent {
		t.Errorf("remote move")
	}
	if !one[bool](t, db, `SELECT isDeleted = 1 AND needsMerge = 1 FROM items WHERE guid = ?`, e.ChangedLocallyDeletedRemotely) {
		t.Errorf("remote tombstone")
	}
	if parentOf(e.RemoteChildOfDeleted) != e.DeletedLocally || listedBy(e.RemoteChildOfDeleted) != e.DeletedLocally {
		t.Errorf("remote child of locally deleted folder")
	}
	if parentOf(e.DedupeRemote) != e.DedupeParent {
		t.Errorf("dedupe remote")
	}
	if got := one[string](t, db, `SELECT group_concat(guid) FROM (SELECT guid FROM structure WHERE parentGuid = ? ORDER BY position)`, e.ReorderConflict); got != join2(e.RemoteOrder) {
		t.Errorf("remote order %s", got)
	}
	zero(t, db, "unchanged rows must be merged", `SELECT guid FROM items WHERE needsMerge = 0 AND guid <> 'root________' AND serverModified <> `+itoa(TimesFor(testNow).LastSync.UnixMilli()))
}

func TestRefusesExisting(t *testing.T) {
	dir := create(t)
	before, _ := os.ReadFile(filepath.Join(dir, PlacesFile))
	if _, err := Create(dir, testNow.Add(time.Hour)); !errors.Is(err, ErrExists) {
		t.Fatalf("second Create into %s: %v, want ErrExists", dir, err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, PlacesFile))
	if !bytes.Equal(before, after) {
		t.Errorf("existing profile was modified")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "prefs.js"), nil, 0o644)
	if _, err := Create(other, testNow); !errors.Is(err, ErrExists) {
		t.Errorf("Create into a non-empty dir: %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	a, b := create(t), create(t)
	for _, f := range []string{PlacesFile, MirrorFile} {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", f)
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += "','"
		}
		out += v
	}
	return out
}

func join2(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}
