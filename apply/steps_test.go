package apply

import (
	"database/sql"
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// TestBulkValuesExact checks that the bulk helpers pass every string to
// SQLite unchanged, including invalid UTF-8 (which JSON cannot carry,
// so it is bound instead) and NUL, and keep row order.
func TestBulkValuesExact(t *testing.T) {
	for _, tc := range []struct {
		name  string
		guids []string
	}{
		{"plain", []string{"aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"}},
		{"unicode", []string{"héllo✓", "日本語", "z"}},
		{"invalid UTF-8", []string{"ok__________", "bad\xff\xfeguid", "zz"}},
		{"NUL", []string{"a\x00b", "c"}},
		{"escapes", []string{`q"uo\te`, "tab\tnl\n\x01", "<&>'\u2028"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.sqlite"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			if _, err := db.Exec(`CREATE TABLE t(guid BLOB, n INTEGER, note TEXT)`); err != nil {
				t.Fatal(err)
			}
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			rows := make([][]any, len(tc.guids))
			for i, g := range tc.guids {
				rows[i] = []any{g, i, nil}
			}
			// Stored as text, compared as bytes.
			if err := insertRows(tx, `INSERT INTO t(guid, n, note)`, 3, rows); err != nil {
				t.Fatal(err)
			}
			read := func() (guids []string, ns []int64) {
				r, err := tx.Query(`SELECT CAST(guid AS BLOB), n, note IS NULL FROM t ORDER BY rowid`)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				for r.Next() {
					var g []byte
					var n int64
					var null bool
					if err := r.Scan(&g, &n, &null); err != nil {
						t.Fatal(err)
					}
					if !null {
						t.Errorf("note of %q is not NULL", g)
					}
					guids, ns = append(guids, string(g)), append(ns, n)
				}
				return guids, ns
			}
			got, ns := read()
			if !slices.Equal(got, tc.guids) || !slices.Equal(ns, []int64{0, 1, 2}[:len(ns)]) {
				t.Fatalf("inserted %q %v, want %q in order", got, ns, tc.guids)
			}
			// Read back through an IN list.
			var found []string
			if err := queryIn(tx, `SELECT CAST(guid AS BLOB) FROM t WHERE guid IN (%s) ORDER BY rowid`, tc.guids, func(r *sql.Rows) error {
				defer r.Close()
				for r.Next() {
					var g []byte
					if err := r.Scan(&g); err != nil {
						return err
					}
					found = append(found, string(g))
				}
				return r.Err()
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(found, tc.guids) {
				t.Fatalf("queryIn found %q, want %q", found, tc.guids)
			}
			// Staged for a statement without functions, twice (the second
			// replaces the first).
			if _, err := tx.Exec(`CREATE TEMP TABLE staged(c0, c1, c2, c3, c4, c5, c6, c7, c8)`); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := stage(tx, 3, rows); err != nil {
					t.Fatal(err)
				}
			}
			var staged []string
			r, err := tx.Query(`SELECT CAST(c0 AS BLOB) FROM staged ORDER BY rowid`)
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
				var g []byte
				if err := r.Scan(&g); err != nil {
					t.Fatal(err)
				}
				staged = append(staged, string(g))
			}
			r.Close()
			if !slices.Equal(staged, tc.guids) {
				t.Fatalf("staged %q, want %q", staged, tc.guids)
			}
			// Delete all but the first through an IN list.
			if err := execIn(tx, `DELETE FROM t WHERE guid IN (%s)`, tc.guids[1:]); err != nil {
				t.Fatal(err)
			}
			if got, _ := read(); !slices.Equal(got, tc.guids[:1]) {
				t.Fatalf("after deleting %q: %q left, want %q", tc.guids[1:], got, tc.guids[:1])
			}
		})
	}
}

// TestBulkNumbersExact checks that integers at the ends of int64's range
// and booleans come back from staged rows as the same SQL values.
func TestBulkNumbersExact(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE t(n INTEGER, b INTEGER)`); err != nil {
		t.Fatal(err)
	}
	want := []int64{0, -1, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64}
	rows := make([][]any, len(want))
	for i, n := range want {
		rows[i] = []any{n, i%2 == 0}
	}
	if err := insertRows(tx, `INSERT INTO t(n, b)`, 2, rows); err != nil {
		t.Fatal(err)
	}
	r, err := tx.Query(`SELECT n, typeof(n), b FROM t ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	i := 0
	for ; r.Next(); i++ {
		var n, b int64
		var typ string
		if err := r.Scan(&n, &typ, &b); err != nil {
			t.Fatal(err)
		}
		wantB := int64(0)
		if i%2 == 0 {
			wantB = 1
		}
		if n != want[i] || typ != "integer" || b != wantB {
			t.Errorf("row %d: %d (%s), %d; want %d (integer), %d", i, n, typ, b, want[i], wantB)
		}
	}
	if i != len(want) {
		t.Errorf("%d rows, want %d", i, len(want))
	}
}
