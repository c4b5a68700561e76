package sqlitepage

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// openSQL opens a database with modernc's SQLite on one connection, so
// that PRAGMAs stick.
func openSQL(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// sqlRows returns "rowid|values" strings for every row of a table, as
// SQLite reads it, keyed by rowid.
func sqlRows(t testing.TB, db *sql.DB, table string) map[int64]string {
	t.Helper()
	rows, err := db.Query(fmt.Sprintf(`SELECT rowid, * FROM "%s"`, table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := map[int64]string{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out[vals[0].(int64)] = renderAny(vals[1:])
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// render prints the reader's values as renderAny prints SQL's.
func render(vals []Value) string {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v.Any()
	}
	return renderAny(out)
}

// renderAny prints values so that SQL's and the reader's can be compared.
func renderAny(vals []any) string {
	var b bytes.Buffer
	for i, v := range vals {
		if i > 0 {
			b.WriteByte('|')
		}
		switch x := v.(type) {
		case []byte:
			fmt.Fprintf(&b, "x'%x'", x)
		case string:
			fmt.Fprintf(&b, "%q", x)
		default:
			fmt.Fprintf(&b, "%T:%v", x, x)
		}
	}
	return b.String()
}

// readerRows reads a table with the page reader: reachable rows and
// orphan rows separately, plus rows whose cell was damaged.
func readerRows(t testing.TB, f *File, table string) (reach, orphan map[int64]string, bad int, probs []Problem) {
	t.Helper()
	reach, orphan = map[int64]string{}, map[int64]string{}
	probs, err := f.ReadTable(table, func(r Row) error {
		if r.Err != nil {
			bad++
			return nil
		}
		if r.Orphan {
			orphan[r.Rowid] = render(r.Values)
		} else {
			reach[r.Rowid] = render(r.Values)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return reach, orphan, bad, probs
}

// openBytes opens a database image held in memory.
func openBytes(t testing.TB, db, wal []byte) *File {
	t.Helper()
	opts := Options{}
	if wal != nil {
		opts.WAL, opts.WALSize = bytes.NewReader(wal), int64(len(wal))
	}
	f, err := Open(bytes.NewReader(db), int64(len(db)), opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tempDB(t testing.TB) string { return filepath.Join(t.TempDir(), "t.sqlite") }

// diffRows lists the differences between two row sets (at most 5).
func diffRows(want, got map[int64]string) []string {
	var out []string
	for id, w := range want {
		if g, ok := got[id]; !ok {
			out = append(out, fmt.Sprintf("rowid %d missing", id))
		} else if g != w {
			out = append(out, fmt.Sprintf("rowid %d: got %.80s, want %.80s", id, g, w))
		}
		if len(out) >= 5 {
			return out
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			out = append(out, fmt.Sprintf("rowid %d not in SQL", id))
		}
		if len(out) >= 5 {
			break
		}
	}
	return out
}
