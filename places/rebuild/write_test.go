package rebuild

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/urls"
)

var testNow = time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)

const (
	t0 = int64(1700000000000000)
	t1 = int64(1700000100000000)
)

func root(guid, title string, pos int) Bookmark {
	return Bookmark{GUID: guid, ParentGUID: RootGUID, Type: TypeFolder, Title: title, Position: pos, DateAdded: t0, LastModified: t0, SyncStatus: 2}
}

// sampleDB has every kind of row, and positions with gaps.
func sampleDB() *Database {
	return &Database{
		Bookmarks: []Bookmark{
			{GUID: RootGUID, Type: TypeFolder, DateAdded: t0, LastModified: t0, SyncStatus: 2, SyncChangeCounter: 1},
			root(MenuGUID, "menu", 0), root(ToolbarGUID, "toolbar", 1), root(TagsGUID, "tags", 2),
			root(UnfiledGUID, "unfiled", 3), root(MobileGUID, "mobile", 4),
			{GUID: "fldWork_____", ParentGUID: MenuGUID, Type: TypeFolder, Title: "Work", Position: 5, DateAdded: t0, LastModified: t1, SyncStatus: 2},
			{GUID: "bmkA________", ParentGUID: "fldWork_____", Type: TypeBookmark, Title: "A", URL: "https://a.example.com:8080/x", Position: 7,
				DateAdded: t0, LastModified: t1, SyncStatus: 2, Tags: []string{"work", " docs "}},
			{GUID: "sepWork1____", ParentGUID: "fldWork_____", Type: TypeSeparator, Title: "ignored", Position: 9, DateAdded: t0, LastModified: t0, SyncStatus: 1, SyncChangeCounter: 1},
			{GUID: "bmkA2_______", ParentGUID: "fldWork_____", Type: TypeBookmark, Title: "", URL: "https://a.example.com:8080/x", Position: 20,
				DateAdded: t1, LastModified: t0, SyncStatus: 0, SyncChangeCounter: 1, Tags: []string{"work", ""}},
			{GUID: "qryRecent___", ParentGUID: ToolbarGUID, Type: TypeBookmark, Title: "Recent", URL: "place:sort=8&maxResults=10", DateAdded: t0, LastModified: t0},
			{GUID: "bmkHist_____", ParentGUID: UnfiledGUID, Type: TypeBookmark, Title: "Hist", URL: "https://hist.example.com/", DateAdded: t0, LastModified: t0, Tags: []string{"Work"}},
		},
		Places: []Place{
			{URL: "https://hist.example.com/", Title: "History page", GUID: "pageHist____", Frecency: 250, VisitCount: 99, LastVisitDate: 5},
			{URL: "https://only-history.example.org/p?q=1", GUID: "bad guid", Frecency: 120, Typed: 1, RevHost: "gro.elpmaxe.yrotsih-ylno."},
		},
		Visits: []Visit{
			{URL: "https://hist.example.com/", VisitDate: t0, VisitType: 1},
			{URL: "https://hist.example.com/", VisitDate: t1, VisitType: 9}, // RELOAD: not counted
			{URL: "https://only-history.example.org/p?q=1", VisitDate: t0 + 5, VisitType: 2, Source: 1},
			{URL: "http://visit-only.example.net/", VisitDate: t1, VisitType: 1},
		},
		Keywords: []Keyword{
			{Keyword: "  AK ", URL: "https://a.example.com:8080/x"},
			{Keyword: "kwonly", URL: "https://keyword-only.example/s?q=%s", PostData: "q=%s"},
		},
		ItemAnnos:  []ItemAnno{{GUID: "bmkA________", Name: "bookmarkProperties/description", Content: "desc", Type: 3, DateAdded: t0, LastModified: t0}},
		PageAnnos:  []PageAnno{{URL: "https://a.example.com:8080/x", Name: "URIProperties/characterSet", Content: "UTF-8", Type: 3, DateAdded: t0, LastModified: t0}},
		Tombstones: []Tombstone{{GUID: "bmkGone_____", DateRemoved: t1}, {GUID: "bmkGone_____", DateRemoved: t1}},
		Meta:       map[string]any{"sync/bookmarks/syncId": "abcdefghijkl", "sync/bookmarks/lastSync": 1700007201000.0, "flag": true, "gone": nil},
	}
}

func writeSample(t *testing.T, db *Database) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "places.sqlite")
	if err := Write(context.Background(), path, db, testNow); err != nil {
		t.Fatal(err)
	}
	if err := Verify(context.Background(), path, db, testNow); err != nil {
		t.Fatal(err)
	}
	sdb, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	return sdb, path
}

func TestWriteDerivedValues(t *testing.T) {
	sdb, _ := writeSample(t, sampleDB())
	cases := []struct{ name, query, want string }{
		// Two bookmarks, one tag entry per tag ("work", "docs"), a keyword.
		{"foreign_count shared URL", `SELECT foreign_count FROM moz_places WHERE url = 'https://a.example.com:8080/x'`, "i5"},
		{"bookmarked page placeholder", `SELECT frecency, recalc_frecency, recalc_alt_frecency, hidden FROM moz_places WHERE url = 'https://a.example.com:8080/x'`, "i1|i1|i1|i0"},
		{"JS rev_host keeps the port", `SELECT rev_host FROM moz_places WHERE url = 'https://a.example.com:8080/x'`, `t"0808:moc.elpmaxe.a."`},
		{"given rev_host kept", `SELECT rev_host FROM moz_places WHERE url LIKE 'https://only-history%'`, `t"gro.elpmaxe.yrotsih-ylno."`},
		{"url_hash", `SELECT url_hash FROM moz_places WHERE url = 'https://a.example.com:8080/x'`, "i" + itoa(int64(hashOf("https://a.example.com:8080/x")))},
		{"query page", `SELECT frecency, hidden, recalc_frecency, recalc_alt_frecency, foreign_count FROM moz_places WHERE url LIKE 'place:%'`, "i0|i1|i0|i0|i1"},
		{"query origin", `SELECT prefix, host, frecency FROM moz_origins WHERE prefix = 'place:'`, `t"place:"|t"sort=8&maxResults=10"|i0`},
		{"origin of a port", `SELECT o.prefix, o.host, o.frecency, o.recalc_frecency, o.recalc_alt_frecency FROM moz_origins o JOIN moz_places h ON h.origin_id = o.id WHERE h.url = 'https://a.example.com:8080/x'`, `t"https://"|t"a.example.com:8080"|i-1|i1|i1`},
		{"visits derive visit_count, not the given 99", `SELECT visit_count, last_visit_date, frecency, recalc_frecency, title FROM moz_places WHERE guid = 'pageHist____'`, `i1|i1700000100000000|i250|i1|t"History page"`},
		{"history-only page", `SELECT visit_count, typed, frecency, recalc_frecency, foreign_count, length(guid) FROM moz_places WHERE url LIKE 'https://only-history%'`, "i1|i1|i120|i1|i0|i12"},
		{"visit-only page created", `SELECT visit_count, frecency, recalc_frecency, hidden, title FROM moz_places WHERE url = 'http://visit-only.example.net/'`, "i1|i-1|i1|i0|NULL"},
		{"keyword-only page", `SELECT foreign_count, frecency, recalc_frecency FROM moz_places WHERE url LIKE 'https://keyword-only%'`, "i1|i-1|i1"},
		{"keywords trimmed and lowercased", `SELECT group_concat(keyword || '=' || post_data, ',') FROM (SELECT * FROM moz_keywords ORDER BY id)`, `t"ak=,kwonly=q=%s"`},
		{"sqlite_sequence", `SELECT seq FROM sqlite_sequence WHERE name = 'moz_keywords'`, "i2"},
		{"positions renumbered", `SELECT group_concat(guid || ':' || position, ',') FROM (SELECT * FROM moz_bookmarks WHERE parent = (SELECT id FROM moz_bookmarks WHERE guid = 'fldWork_____') ORDER BY position)`, `t"bmkA________:0,sepWork1____:1,bmkA2_______:2"`},
		{"separator title NULL", `SELECT title FROM moz_bookmarks WHERE guid = 'sepWork1____'`, "NULL"},
		{"empty title NULL", `SELECT title FROM moz_bookmarks WHERE guid = 'bmkA2_______'`, "NULL"},
		{"root title ''", `SELECT title, parent, position FROM moz_bookmarks WHERE guid = 'root________'`, `t""|i0|i0`},
		{"dateAdded <= lastModified", `SELECT dateAdded, lastModified FROM moz_bookmarks WHERE guid = 'bmkA2_______'`, "i1700000000000000|i1700000000000000"},
		{"tag folders by exact title", `SELECT group_concat(title || ':' || position, ',') FROM (SELECT b.* FROM moz_bookmarks b JOIN moz_bookmarks t ON t.id = b.parent WHERE t.guid = 'tags________' ORDER BY b.position)`, `t"work:0,docs:1,Work:2"`},
		{"one entry per tag and URL", `SELECT count(*) FROM moz_bookmarks e JOIN moz_bookmarks f ON f.id = e.parent WHERE f.title = 'work'`, "i1"},
		{"tag entry", `SELECT e.type, e.title, e.syncStatus, e.syncChangeCounter, e.dateAdded = e.lastModified FROM moz_bookmarks e JOIN moz_bookmarks f ON f.id = e.parent WHERE f.title = 'docs'`, "i1|NULL|i0|i1|i1"},
		{"item annos not written", `SELECT (SELECT count(*) FROM moz_items_annos), (SELECT group_concat(name) FROM moz_anno_attributes)`, `i0|t"URIProperties/characterSet"`},
		{"page anno", `SELECT a.content FROM moz_annos a JOIN moz_places h ON h.id = a.place_id WHERE h.url = 'https://a.example.com:8080/x'`, `t"UTF-8"`},
		{"tombstones once", `SELECT count(*), min(dateRemoved) FROM moz_bookmarks_deleted`, "i1|i1700000100000000"},
		{"meta types", `SELECT group_concat(key || '=' || typeof(value) || ':' || value, ',') FROM (SELECT * FROM moz_meta ORDER BY key)`,
			`t"flag=integer:1,sync/bookmarks/lastsync=real:1700007201000.0,sync/bookmarks/syncid=text:abcdefghijkl"`},
		{"user_version", `PRAGMA user_version`, "i86"},
		{"stat1 only", `SELECT group_concat(name) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'`, `t"sqlite_stat1"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := dumpRows(context.Background(), sdb, c.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("%s\ngot  %v\nwant %s", c.query, got, c.want)
			}
		})
	}
}

func TestWriteAddsMissingRoots(t *testing.T) {
	db := &Database{Bookmarks: []Bookmark{
		{GUID: RootGUID, Type: TypeFolder, DateAdded: t0, LastModified: t0},
		root(ToolbarGUID, "toolbar", 1),
		{GUID: "bmkX________", ParentGUID: ToolbarGUID, Type: TypeBookmark, URL: "https://x.example/", DateAdded: t0, LastModified: t0},
	}}
	sdb, _ := writeSample(t, db)
	got, err := dumpRows(context.Background(), sdb, `SELECT group_concat(guid || ':' || title || ':' || position || ':' || syncStatus, ',') FROM (SELECT * FROM moz_bookmarks WHERE parent = 1 ORDER BY position)`)
	if err != nil {
		t.Fatal(err)
	}
	want := `t"menu________:menu:0:0,toolbar_____:toolbar:1:2,tags________:tags:2:0,unfiled_____:unfiled:3:0,mobile______:mobile:4:0"`
	if got[0] != want {
		t.Errorf("roots: got %s, want %s", got[0], want)
	}
}

func TestWriteRejects(t *testing.T) {
	base := func() *Database { return sampleDB() }
	cases := []struct {
		name   string
		mutate func(*Database)
		want   string
	}{
		{"invalid GUID", func(d *Database) { d.Bookmarks[7].GUID = "short" }, "invalid GUID"},
		{"duplicate GUID", func(d *Database) { d.Bookmarks[8].GUID = "bmkA________" }, "listed twice"},
		{"missing parent", func(d *Database) { d.Bookmarks[7].ParentGUID = "nowhere_____" }, "not listed before it"},
		{"parent not a folder", func(d *Database) { d.Bookmarks[8].ParentGUID = "bmkA________" }, "not a folder"},
		{"bookmark without URL", func(d *Database) { d.Bookmarks[7].URL = "" }, "has no URL"},
		{"folder with URL", func(d *Database) { d.Bookmarks[6].URL = "https://x/" }, "has a URL"},
		{"bad type", func(d *Database) { d.Bookmarks[7].Type = 4 }, "type 4"},
		{"item in tags root", func(d *Database) { d.Bookmarks[7].ParentGUID = TagsGUID }, "tags root"},
		{"root moved", func(d *Database) { d.Bookmarks[2].ParentGUID = MenuGUID }, "not a child of the Places root"},
		{"page twice", func(d *Database) { d.Places = append(d.Places, d.Places[0]) }, "listed twice"},
		{"keyword on two URLs", func(d *Database) { d.Keywords = append(d.Keywords, Keyword{Keyword: "ak", URL: "https://b/"}) }, "two URLs"},
		{"two keywords one URL", func(d *Database) {
			d.Keywords = append(d.Keywords, Keyword{Keyword: "ak2", URL: "https://a.example.com:8080/x"})
		}, "share URL"},
		{"anno on missing item", func(d *Database) { d.ItemAnnos[0].GUID = "nowhere_____" }, "missing item"},
		{"tombstone for a live item", func(d *Database) { d.Tombstones[0].GUID = "bmkA________" }, "live item"},
		{"meta type", func(d *Database) { d.Meta["x"] = []int{1} }, "unsupported"},
		{"meta key in two cases", func(d *Database) { d.Meta["FLAG"] = 0 }, "given twice"},
		{"page annotation twice", func(d *Database) { d.PageAnnos = append(d.PageAnnos, d.PageAnnos[0]) }, "given twice"},
		{"empty keyword", func(d *Database) { d.Keywords[0].Keyword = "  " }, "empty keyword"},
		{"invalid tombstone", func(d *Database) { d.Tombstones[0].GUID = "x" }, "invalid GUID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := base()
			c.mutate(d)
			path := filepath.Join(t.TempDir(), "places.sqlite")
			err := Write(context.Background(), path, d, testNow)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Write: %v, want an error containing %q", err, c.want)
			}
		})
	}
	t.Run("existing file", func(t *testing.T) {
		_, path := writeSample(t, sampleDB())
		if err := Write(context.Background(), path, sampleDB(), testNow); err == nil || !strings.Contains(err.Error(), "exists") {
			t.Fatalf("Write over an existing file: %v", err)
		}
	})
}

func TestVerifyCatchesChanges(t *testing.T) {
	for _, c := range []struct{ name, stmt, want string }{
		{"foreign_count", `UPDATE moz_places SET foreign_count = foreign_count + 1 WHERE id = 1`, "moz_places row 1"},
		{"lost bookmark", `DELETE FROM moz_bookmarks WHERE guid = 'sepWork1____'`, "moz_bookmarks"},
		{"title", `UPDATE moz_bookmarks SET title = 'B' WHERE guid = 'bmkA________'`, "moz_bookmarks row"},
		{"meta", `UPDATE moz_meta SET value = 'x' WHERE key = 'flag'`, "moz_meta"},
		{"storage class", `UPDATE moz_bookmarks SET title = CAST(title AS BLOB) WHERE guid = 'bmkA________'`, "moz_bookmarks row"},
		{"extra row", `INSERT INTO moz_bookmarks_deleted(guid, dateRemoved) VALUES ('extraRow____', 1)`, "moz_bookmarks_deleted: 2 rows"},
		{"user_version", `PRAGMA user_version = 85`, "user_version"},
		{"row in a table Write leaves empty", `INSERT INTO moz_places_extra(place_id, sync_json) VALUES (1, '{}')`, "leaves empty hold 1 rows"},
		{"origin", `UPDATE moz_places SET origin_id = 999 WHERE id = 1`, "moz_places row 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "places.sqlite")
			db := sampleDB()
			if err := Write(context.Background(), path, db, testNow); err != nil {
				t.Fatal(err)
			}
			sdb, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sdb.Exec(c.stmt); err != nil {
				t.Fatal(err)
			}
			sdb.Close()
			err = Verify(context.Background(), path, db, testNow)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Verify: %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestForeignKeysCovered: Verify proves the schema's foreign keys without
// SQLite's foreign_key_check only while every table with one is left empty
// by Write, but moz_places (whose origin_id checkInvariants checks).
func TestForeignKeysCovered(t *testing.T) {
	unwritten := map[string]bool{}
	for _, name := range unwrittenTables() {
		unwritten[name] = true
	}
	if len(unwritten) == 0 || unwritten["moz_places"] || unwritten["moz_bookmarks"] {
		t.Fatalf("unwritten tables: %v", unwrittenTables())
	}
	for _, s := range demo.PlacesSchema() {
		rest, ok := strings.CutPrefix(s, "CREATE TABLE ")
		if !ok || !strings.Contains(s, "REFERENCES") {
			continue
		}
		name := strings.TrimSuffix(strings.Fields(rest)[0], "(")
		if name != "moz_places" && !unwritten[name] {
			t.Errorf("%s has a foreign key and is written: Verify does not check it", name)
		}
	}
}

func hashOf(u string) uint64 { return urls.Hash(u) }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestWriteSideOrNot: moz_places built apart (in memory) and copied in,
// or written in line, the file holds exactly the derived rows, and
// nothing but the new database is left beside it.
func TestWriteSideOrNot(t *testing.T) {
	p, err := Prepare(sampleDB(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, side := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "places.sqlite")
		if err := writeTables(context.Background(), path, p.t, side); err != nil {
			t.Fatalf("side %v: %v", side, err)
		}
		if err := verifyFile(context.Background(), path, p.t, checkInvariantsAsync(p.t)); err != nil {
			t.Errorf("side %v: %v", side, err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if len(names) != 1 || names[0] != "places.sqlite" {
			t.Errorf("side %v: files after the write: %v, want only places.sqlite", side, names)
		}
	}
}

// TestSplitSchema: the whole schema is the side table's statements and
// the rest, each once, and the side's indexes are all on that table.
func TestSplitSchema(t *testing.T) {
	tables, indexes := splitSchema("")
	sideTables, sideIndexes := splitSchema(sideTable)
	if got, want := len(tables)+len(indexes), len(demo.PlacesSchema()); got != want {
		t.Fatalf("whole schema: %d statements, want %d", got, want)
	}
	if len(sideTables) != 1 || !strings.HasPrefix(sideTables[0], "CREATE TABLE "+sideTable+" ") {
		t.Errorf("side tables: %q", sideTables)
	}
	if len(sideIndexes) != 8 {
		t.Errorf("%d indexes on %s, want Firefox's 8", len(sideIndexes), sideTable)
	}
	for _, s := range sideIndexes {
		if !strings.Contains(s, " ON "+sideTable+" (") || !slices.Contains(indexes, s) {
			t.Errorf("side index %q is not one of the schema's on %s", s, sideTable)
		}
	}
}

// TestSideCopyIsTransferred checks that the copy of moz_places built apart
// (writeSide) takes SQLite's transfer optimization (cells and index
// entries copied as they are), which is what makes building it apart pay.
// SQLite falls back to decoding and re-encoding every row, silently, when
// the two schemas stop matching; the statement's program shows whether it
// can transfer. A side table missing one index must not, or the check
// proves nothing.
func TestSideCopyIsTransferred(t *testing.T) {
	name := "bmtui-rebuild-test-" + t.Name()
	side, err := writeSide(context.Background(), name, &tables{})
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	if !transfers(t, sqlraw.MemoryURI(name)) {
		t.Errorf("copying %s from writeSide's database does not transfer", sideTable)
	}

	tables, indexes := splitSchema(sideTable)
	short := filepath.Join(t.TempDir(), "short.sqlite")
	testutil.ExecSQL(t, short, append(tables, indexes[1:]...)...)
	if transfers(t, short) {
		t.Errorf("copying %s with an index short transfers: the check cannot tell", sideTable)
	}
}

// transfers reports whether SQLite's program for copying moz_places from
// the database at side into one made as writeTables makes it has the
// transfer path (whole records read with RowData, not rebuilt column by
// column).
func transfers(t *testing.T, side string) bool {
	mainPath := filepath.Join(t.TempDir(), "main.sqlite")
	tables, indexes := splitSchema("")
	testutil.ExecSQL(t, mainPath, append(tables, indexes...)...)
	db, err := sql.Open("sqlite", mainPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // ATTACH holds for one connection
	if _, err := db.Exec("ATTACH ? AS side", side); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("EXPLAIN INSERT INTO main." + sideTable + " SELECT * FROM side." + sideTable)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	rowData := false
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rowData = rowData || fmt.Sprint(vals[1]) == "RowData" // addr, opcode, p1, ...
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return rowData
}
