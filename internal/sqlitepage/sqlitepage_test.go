package sqlitepage

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// fillDB creates tables of every value kind, with a rowid alias, rows
// that overflow, an index, and deleted rows that leave free pages.
func fillDB(t testing.TB, db *sql.DB, rows int) {
	t.Helper()
	exec(t, db,
		`CREATE TABLE items(id INTEGER PRIMARY KEY, title TEXT, data BLOB, score REAL, anything, "quoted col" VARCHAR(10) DEFAULT 'x')`,
		`CREATE INDEX items_title ON items(title)`,
		`CREATE TABLE plain(a, b)`,
	)
	ints := []int64{0, 1, -1, 127, -128, 128, 32767, -32768, 1 << 23, -(1 << 23), 1 << 31, -(1 << 31), 1 << 47, -(1 << 47), 1<<63 - 1, -1 << 63}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO items(id, title, data, score, anything, "quoted col") VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= rows; i++ {
		title := fmt.Sprintf("title %d ünï ✓", i)
		var data any = []byte{byte(i), 0, 0xff}
		switch {
		case i%97 == 0:
			title = strings.Repeat("long title ", 1000+i) // several overflow pages
		case i%89 == 0:
			data = make([]byte, 70000) // more overflow than 64 KiB pages hold
		case i%13 == 0:
			data = nil
		}
		var anything any = ints[i%len(ints)]
		if i%5 == 0 {
			anything = float64(i) / 7
		}
		if i%7 == 0 {
			anything = "text"
		}
		if _, err := ins.Exec(i*3, title, data, float64(i)+0.5, anything, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `INSERT INTO plain VALUES (1, 2), (NULL, 'x'), (x'00', 2.5)`,
		`CREATE TABLE meta(a, b INTEGER, c TEXT, PRIMARY KEY(c, b)) WITHOUT ROWID`,
		`INSERT INTO meta VALUES (1, 2, 'k1'), ('x', 3, 'k0'), (NULL, 2, 'k0')`)
}

func TestReadTableMatchesSQL(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pragma []string
	}{
		{"4k", nil},
		{"512", []string{"PRAGMA page_size=512"}},
		{"64k", []string{"PRAGMA page_size=65536"}},
		{"utf16le", []string{"PRAGMA encoding='UTF-16le'"}},
		{"utf16be", []string{"PRAGMA encoding='UTF-16be'"}},
		{"autovacuum", []string{"PRAGMA auto_vacuum=INCREMENTAL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tempDB(t)
			db := openSQL(t, path)
			exec(t, db, tc.pragma...)
			fillDB(t, db, 600)
			exec(t, db, `DELETE FROM items WHERE id % 4 = 0 OR (id > 900 AND id < 1500)`)
			var free int
			if err := db.QueryRow(`PRAGMA freelist_count`).Scan(&free); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tc.name, "autovacuum") {
				free = -1
			} else if free == 0 {
				t.Fatal("no free pages: the test needs some")
			}
			f := openBytes(t, readFile(t, path), nil)
			s := f.Survey()
			if len(s.Problems) > 0 {
				t.Errorf("problems on an intact file: %v", s.Problems)
			}
			if free >= 0 && (s.FreePages != free || !s.FreelistComplete) {
				t.Errorf("free pages %d (complete %v), SQLite says %d", s.FreePages, s.FreelistComplete, free)
			}
			withFreeblocks := 0
			for _, pg := range pagesOf(s, KindTableLeaf, 0) {
				if bp, _, err := f.BtreePage(pg); err == nil && len(bp.Freeblocks) > 0 {
					withFreeblocks++
				}
			}
			if withFreeblocks == 0 {
				t.Error("no leaf with freeblocks: deleted cells are not exercised")
			}
			if len(s.Orphans) != 0 {
				t.Errorf("orphans on an intact file: %v", s.Orphans)
			}
			if c := s.Counts(); c[KindUnknown] != 0 || c[KindOverflow] == 0 || c[KindIndexLeaf] == 0 {
				t.Errorf("page kinds: %v", s)
			}
			// The index holds one entry per row, with the row's title.
			schema, _ := f.Schema()
			for _, e := range schema {
				if e.Name != "items_title" {
					continue
				}
				entries := map[int64]string{}
				if _, err := f.IndexRows(e.RootPage, func(r Row) error {
					if r.Err != nil || len(r.Values) != 2 {
						t.Errorf("index entry %+v", r)
					} else {
						entries[r.Rowid] = render(r.Values[:1])
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				want := map[int64]string{}
				rows, _ := db.Query(`SELECT id, title FROM items`)
				for rows.Next() {
					var id int64
					var title string
					rows.Scan(&id, &title)
					want[id] = render([]Value{TextValue(title)})
				}
				rows.Close()
				if d := diffRows(want, entries); len(d) > 0 {
					t.Errorf("index entries: %v", d)
				}
			}
			checkWithoutRowid(t, db, f, "meta")
			for _, table := range []string{"items", "plain"} {
				want := sqlRows(t, db, table)
				reach, orphan, bad, probs := readerRows(t, f, table)
				t.Logf("%s: %s; %d rows", table, s, len(want))
				if d := diffRows(want, reach); len(d) > 0 || len(orphan) > 0 || bad > 0 || len(probs) > 0 {
					t.Errorf("%s: %d rows, %d orphan, %d bad, problems %v; diff %v", table, len(reach), len(orphan), bad, probs, d)
				}
			}
		})
	}
}

// TestSurveyKindsMatchDBStat compares the page classification with
// SQLite's own dbstat table.
func TestSurveyKindsMatchDBStat(t *testing.T) {
	path := tempDB(t)
	db := openSQL(t, path)
	fillDB(t, db, 400)
	rows, err := db.Query(`SELECT pageno, pagetype, name FROM dbstat`)
	if err != nil {
		t.Skipf("no dbstat in this SQLite: %v", err)
	}
	defer rows.Close()
	f := openBytes(t, readFile(t, path), nil)
	s := f.Survey()
	n := 0
	for rows.Next() {
		var pg uint32
		var typ, name string
		if err := rows.Scan(&pg, &typ, &name); err != nil {
			t.Fatal(err)
		}
		k := s.Info(pg).Kind
		ok := map[string]bool{
			"leaf":     k == KindTableLeaf || k == KindIndexLeaf,
			"internal": k == KindTableInterior || k == KindIndexInterior,
			"overflow": k == KindOverflow,
		}[typ]
		if !ok {
			t.Errorf("page %d (%s): dbstat says %s, survey %s", pg, name, typ, k)
		}
		n++
	}
	if n == 0 {
		t.Fatal("dbstat listed no pages")
	}
}

func TestVarint(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want uint64
		n    int
	}{
		{[]byte{0x00}, 0, 1},
		{[]byte{0x7f}, 127, 1},
		{[]byte{0x81, 0x00}, 128, 2},
		{[]byte{0xff, 0x7f}, 1<<14 - 1, 2},
		{[]byte{0x81, 0x80, 0x00}, 1 << 14, 3},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1<<64 - 1, 9},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 1, 9},
		{[]byte{0x81}, 0, 0},
		{nil, 0, 0},
	} {
		if v, n := Varint(tc.in); v != tc.want || n != tc.n {
			t.Errorf("Varint(%x) = %d, %d; want %d, %d", tc.in, v, n, tc.want, tc.n)
		}
	}
}

func TestParseCreateTable(t *testing.T) {
	for _, tc := range []struct {
		sql     string
		cols    string
		alias   int
		without bool
	}{
		{`CREATE TABLE t(a, b)`, "a: b:", -1, false},
		{`CREATE TABLE moz_bookmarks (  id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER DEFAULT NULL, title LONGVARCHAR, guid TEXT UNIQUE, CHECK (id > 0))`,
			"id:INTEGER type:INTEGER fk:INTEGER title:LONGVARCHAR guid:TEXT", 0, false},
		{`CREATE TABLE "we ""ird"" t" ([a b] VARCHAR(10, 2) NOT NULL, "c,d" integer, PRIMARY KEY("c,d"))`, "a b:VARCHAR (10, 2) c,d:integer", 1, false},
		{`CREATE TABLE t(id INTEGER PRIMARY KEY DESC, x)`, "id:INTEGER x:", -1, false},
		{`CREATE TABLE t(k TEXT PRIMARY KEY, v) WITHOUT ROWID`, "k:TEXT v:", -1, true},
		{`CREATE TABLE t(a, b INTEGER, c, PRIMARY KEY(c, b)) WITHOUT ROWID`, "a: b:INTEGER c:", -1, true},
		{`CREATE TABLE t(x INT PRIMARY KEY)`, "x:INT", -1, false},
		// Comments stay in sqlite_schema (the Sync mirror's items table).
		{"CREATE TABLE items(\n id INTEGER PRIMARY KEY,\n /* The \"parentid\" from the record. */\n parentGuid TEXT, -- a, comment\n t TEXT DEFAULT '/* no */', `--x` INT)",
			"id:INTEGER parentGuid:TEXT t:TEXT --x:INT", 0, false},
	} {
		tab, err := ParseCreateTable(tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		var cols []string
		for _, c := range tab.Columns {
			cols = append(cols, c.Name+":"+c.Type)
		}
		if got := strings.Join(cols, " "); got != tc.cols || tab.RowidAlias != tc.alias || tab.WithoutRowid != tc.without {
			t.Errorf("%s: columns %q alias %d without %v; want %q %d %v", tc.sql, got, tab.RowidAlias, tab.WithoutRowid, tc.cols, tc.alias, tc.without)
		}
	}
}

// checkWithoutRowid compares a WITHOUT ROWID table's rows, in key order.
func checkWithoutRowid(t *testing.T, db *sql.DB, f *File, table string) {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM ` + table + ` ORDER BY c, b`)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for rows.Next() {
		vals := make([]any, 3)
		rows.Scan(&vals[0], &vals[1], &vals[2])
		want = append(want, renderAny(vals))
	}
	rows.Close()
	var got []string
	if _, err := f.ReadTable(table, func(r Row) error {
		if r.Err != nil {
			t.Errorf("%s: %v", table, r.Err)
		}
		got = append(got, render(r.Values))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", table, got, want)
	}
}
