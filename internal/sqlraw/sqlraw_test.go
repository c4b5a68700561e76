package sqlraw

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	_ "modernc.org/sqlite"
)

func newDB(t *testing.T, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.sqlite")
	testutil.ExecSQL(t, path, stmts...)
	return path
}

func TestValues(t *testing.T) {
	path := newDB(t, `CREATE TABLE v(k INTEGER PRIMARY KEY, x)`,
		`INSERT INTO v VALUES (1, 42), (2, NULL), (3, ''), (4, 'héllo ✓'), (5, 2.75), (6, -9223372036854775808),
			(7, x'00ff41'), (8, '12abc'), (9, 'a'||char(0)||'b')`)
	type want struct {
		i    int64
		s    string
		ok   bool
		null bool
	}
	wants := map[int64]want{
		1: {42, "42", true, false},
		2: {0, "", false, true},
		3: {0, "", true, false},
		4: {0, "héllo ✓", true, false},
		5: {2, "2.75", true, false},
		6: {-9223372036854775808, "-9223372036854775808", true, false},
		7: {0, "\x00\xffA", true, false},
		8: {12, "12abc", true, false},
		9: {0, "a\x00b", true, false},
	}
	for _, immutable := range []bool{false, true} {
		c, err := Open(path, immutable)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		// Three reads of x: integer, null probe, text (SQLite converts in
		// place, so text after int must still be exact).
		err = c.Query(`SELECT k, x, x, x FROM v ORDER BY k`, func(r *Row) error {
			k := r.Int(0)
			w := wants[k]
			if got := r.Int(1); got != w.i {
				t.Errorf("row %d: Int = %d, want %d", k, got, w.i)
			}
			if got := r.Null(2); got != w.null {
				t.Errorf("row %d: Null = %v, want %v", k, got, w.null)
			}
			if s, ok := r.Text(3); s != w.s || ok != w.ok {
				t.Errorf("row %d: Text = %q %v, want %q %v", k, s, ok, w.s, w.ok)
			}
			seen++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen != len(wants) {
			t.Errorf("saw %d rows, want %d", seen, len(wants))
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal("second Close:", err)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "text.sqlite")
	os.WriteFile(notDB, []byte(strings.Repeat("not a database ", 100)), 0o644)
	good := newDB(t, `CREATE TABLE v(x)`)
	for _, tc := range []struct {
		name, path, query, want string
	}{
		{"missing file", filepath.Join(dir, "nope.sqlite"), "SELECT 1", "unable to open"},
		{"not a database", notDB, "SELECT * FROM sqlite_master", "not a database"},
		{"bad SQL", good, "SELEKT 1", "syntax error"},
		{"no such table", good, "SELECT * FROM w", "no such table: w"},
		{"read-only", good, "INSERT INTO v VALUES (1)", "readonly"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Open(tc.path, false)
			if err == nil {
				defer c.Close()
				err = c.Query(tc.query, func(*Row) error { return nil })
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	c, err := Open(good, true)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := c.Query("SELECT 1", func(*Row) error { return nil }); err == nil {
		t.Error("Query on a closed connection succeeded")
	}
}

func TestCallbackErrorStops(t *testing.T) {
	path := newDB(t, `CREATE TABLE v(x)`, `INSERT INTO v VALUES (1), (2), (3)`)
	c, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := os.ErrClosed
	n := 0
	err = c.Query(`SELECT x FROM v`, func(*Row) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d rows, want %v after 1", err, n, stop)
	}
}

// TestValue: Value gives what database/sql scans into an any.
func TestValue(t *testing.T) {
	path := newDB(t, `CREATE TABLE v(k INTEGER PRIMARY KEY, x)`,
		`INSERT INTO v VALUES (1, 42), (2, NULL), (3, 'héllo'), (4, 2.75), (5, x'00ff41'), (6, x'')`)
	want := map[int64]any{1: int64(42), 2: nil, 3: "héllo", 4: 2.75, 5: []byte{0, 0xff, 'A'}, 6: []byte{}}
	c, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Query(`SELECT k, x FROM v`, func(r *Row) error {
		k := r.Int(0)
		if got := r.Value(1); fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", want[k], want[k]) {
			t.Errorf("row %d: Value = %T %v, want %T %v", k, got, got, want[k], want[k])
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenWriteInsert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.sqlite")
	c, err := OpenWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(`CREATE TABLE t (a, b, c)`); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{{"x", int64(1), nil}, {"", int64(-2), []byte{0, 1}}, {"日本語 🚀", int64(1) << 40, "\xff"}}
	if err := c.Insert(`INSERT INTO t VALUES (?1, ?2, ?3)`, rows); err != nil {
		t.Fatal(err)
	}
	// A value it cannot bind refuses the whole call: no row is written.
	if err := c.Insert(`INSERT INTO t VALUES (?1, ?2, ?3)`, [][]any{{"y", int64(3), nil}, {"z", true, nil}}); err == nil || !strings.Contains(err.Error(), "cannot bind a bool") {
		t.Errorf("a bool was bound: %v", err)
	}
	var got [][]any
	err = c.Query(`SELECT a, b, c FROM t ORDER BY rowid`, func(r *Row) error {
		got = append(got, []any{r.Value(0), r.Value(1), r.Value(2)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if fmt.Sprint(got) != fmt.Sprint(rows) {
		t.Errorf("read back %v, want %v", got, rows)
	}
}

// TestInsertValuesEqual writes every kind of Value, reads each back
// with Equal, and checks that Equal tells storage classes and values
// apart (NULL from empty text, text from blob, 1 from 1.0).
func TestInsertValuesEqual(t *testing.T) {
	path := newDB(t, `CREATE TABLE v(k INTEGER PRIMARY KEY, x)`)
	c, err := OpenWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	vals := []Value{Null, Int(0), Int(-9223372036854775808), Real(1), Real(2.75), Text(""), Text("héllo ✓"),
		Text("a\x00b"), Blob(nil), Blob([]byte{0, 0xff, 'A'}), Text(strings.Repeat("long ", 2000))}
	err = c.InsertValues(`INSERT INTO v(k, x) VALUES (?, ?)`, len(vals), func(i int, r []Value) []Value {
		return append(r, Int(int64(i)), vals[i])
	})
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	err = r.Query(`SELECT k, x FROM v ORDER BY k`, func(row *Row) error {
		k := int(row.Int(0))
		for j, v := range vals {
			if got, want := row.Equal(1, v), j == k; got != want {
				t.Errorf("row %d (%#v): Equal(%#v) = %v, want %v", k, vals[k], v, got, want)
			}
		}
		if got, want := fmt.Sprintf("%#v", row.Value(1)), fmt.Sprintf("%#v", vals[k].Any()); got != want {
			t.Errorf("row %d: Value %s, want %s", k, got, want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(vals) {
		t.Fatalf("%d rows read, want %d", n, len(vals))
	}
}

// TestInsertMulti inserts through multi-row statements (a full one, then
// a shorter last one) and reads back exactly what one row per statement
// would have written; a row of the wrong width is refused.
func TestInsertMulti(t *testing.T) {
	vals := []Value{Null, Int(0), Int(-9223372036854775808), Real(1), Real(2.75), Text(""), Text("héllo ✓"),
		Text("a\x00b"), Blob(nil), Blob([]byte{0, 0xff, 'A'}), Text(strings.Repeat("long ", 2000))}
	for _, per := range []int{1, 4, len(vals), 100} {
		path := newDB(t, `CREATE TABLE v(k INTEGER PRIMARY KEY, x, c)`)
		c, err := OpenWrite(path)
		if err != nil {
			t.Fatal(err)
		}
		err = c.InsertMulti(`INSERT INTO v(k, x, c) VALUES (?, ?, 7)`, per, len(vals), func(i int, r []Value) []Value {
			return append(r, Int(int64(i)), vals[i])
		})
		if cerr := c.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatalf("%d per statement: %v", per, err)
		}
		r, err := Open(path, true)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = r.Query(`SELECT k, x, c FROM v ORDER BY k`, func(row *Row) error {
			k := int(row.Int(0))
			if k != n || !row.Equal(1, vals[k]) || !row.Equal(2, Int(7)) {
				t.Errorf("%d per statement: row %d is k=%d %#v c=%v, want %#v", per, n, k, row.Value(1), row.Value(2), vals[n].Any())
			}
			n++
			return nil
		})
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n != len(vals) {
			t.Fatalf("%d per statement: %d rows read, want %d", per, n, len(vals))
		}
	}
	path := newDB(t, `CREATE TABLE v(k INTEGER PRIMARY KEY, x)`)
	c, err := OpenWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.InsertMulti(`INSERT INTO v(k, x) VALUES (?, ?)`, 4, 3, func(i int, r []Value) []Value {
		if i == 1 {
			return append(r, Int(int64(i)))
		}
		return append(r, Int(int64(i)), Int(0))
	})
	if err == nil {
		t.Fatal("a row of one value among rows of two was accepted")
	}
	if err := c.InsertMulti(`INSERT INTO v(k, x) SELECT 1, 2`, 4, 3, nil); err == nil {
		t.Fatal("a statement without VALUES was accepted")
	}
}

// TestOpenMemoryShared: a connection to a file attaches the in-memory
// database another connection holds, by MemoryURI, and copies from it;
// the database is gone once its last connection closes.
func TestOpenMemoryShared(t *testing.T) {
	name := "sqlraw-test/" + t.Name()
	mem, err := OpenMemory(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)", "INSERT INTO t VALUES (1, 'x'), (2, 'y')"} {
		if err := mem.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "f.sqlite")
	f, err := OpenWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	attach := "ATTACH '" + strings.ReplaceAll(MemoryURI(name), "'", "''") + "' AS m"
	for _, s := range []string{"CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)", attach, "INSERT INTO main.t SELECT * FROM m.t", "DETACH m"} {
		if err := f.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var got []string
	if err := f.Query("SELECT a || b FROM t ORDER BY a", func(r *Row) error {
		s, _ := r.Text(0)
		got = append(got, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "1x,2y" {
		t.Errorf("copied rows %v, want 1x,2y", got)
	}
	if err := mem.Close(); err != nil {
		t.Fatal(err)
	}
	// Gone with its last connection: attaching it again finds it empty.
	if err := f.Exec(attach); err != nil {
		t.Fatal(err)
	}
	n := -1
	if err := f.Query("SELECT count(*) FROM m.sqlite_master", func(r *Row) error { n = int(r.Int(0)); return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("after its last connection closed, the in-memory database still has %d schema rows", n)
	}
}
