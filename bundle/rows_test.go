package bundle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/bundle/redact"
	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
)

func encoded(t testing.TB, tb *Tables) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tb.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// dump is an SQLite file's user version and table's rows, "key=value"
// sorted.
func dump(t *testing.T, path, table string) string {
	t.Helper()
	conn, err := sqlraw.Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var version int64
	conn.Query(`PRAGMA user_version`, func(r *sqlraw.Row) error { version = r.Int(0); return nil })
	var rows []string
	err = conn.Query(`SELECT key, value FROM `+table, func(r *sqlraw.Row) error {
		k, _ := r.Text(0)
		v := fmt.Sprint(r.Value(1))
		if b, ok := r.Value(1).([]byte); ok {
			v = fmt.Sprintf("%q", b)
		}
		rows = append(rows, k+"="+v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rows)
	return fmt.Sprint(version, " ", strings.Join(rows, " "))
}

func TestTablesRoundTrip(t *testing.T) {
	in := &Tables{UserVersion: -1, Tables: []Table{
		{Name: "a", Create: "CREATE TABLE a (x)", Columns: []string{"x", "y"}, Rows: [][]any{
			{nil, int64(-1 << 62)}, {1.25, "text ✓"}, {[]byte{}, []byte{0, 255}}, {"", int64(0)}}},
		{Name: "empty", Create: "CREATE TABLE empty (x)", Columns: []string{"x"}},
	}}
	out, err := DecodeTables(encoded(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("decoded %#v\nwant %#v", out, in)
	}
	if err := (&Tables{Tables: []Table{{Name: "a", Columns: []string{"x"}, Rows: [][]any{{1}}}}}).Encode(&bytes.Buffer{}); err == nil {
		t.Error("an int (not int64) was encoded")
	}
}

func TestPlainCreate(t *testing.T) {
	for _, tc := range []struct {
		create string
		ok     bool
	}{
		{"CREATE TABLE moz_meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID", true},
		{`CREATE TABLE "moz_meta"(key)`, true},
		{"create table moz_meta\n(key DEFAULT 0)", true},
		{"CREATE TABLE moz_other (key)", false},
		{"CREATE TABLE moz_meta_x (key)", false},
		{"CREATE TABLE moz_meta AS SELECT 1", false},
		{"CREATE TABLE moz_meta (key); DROP TABLE x", false},
		{"CREATE TABLE moz_meta (key, v AS (randomblob(1000000000)))", false},
		{"CREATE TABLE moz_meta (key, v GENERATED ALWAYS AS (1))", false},
		{"CREATE TABLE moz_meta (key CHECK (key > 0))", false},
		{"CREATE VIEW moz_meta AS SELECT 1", false},
		{"CREATE INDEX moz_meta ON x (y)", false},
	} {
		if err := plainCreate(tc.create, "moz_meta"); (err == nil) != tc.ok {
			t.Errorf("plainCreate(%q) = %v, want ok %v", tc.create, err, tc.ok)
		}
	}
}

// TestStageMaterialize: the rows of every shared profile's databases, read
// and materialized, are the source's rows (the history columns aside),
// table for table; redacted, they have the same number of rows.
func TestStageMaterialize(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		if scenario == "large-40k" && testing.Short() {
			continue
		}
		t.Run(scenario, func(t *testing.T) {
			dir := testutil.Profile(t, scenario, "before")
			in := StageInput{Places: filepath.Join(dir, "places.sqlite"), Mirror: filepath.Join(dir, "weave", "bookmarks.sqlite"), Check: places.ParseURL}
			plain, err := Stage(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			in.Key = make([]byte, redact.KeySize)
			red, err := Stage(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range []struct {
				src        string
				plain, red []byte
				plan       dbPlan
			}{{in.Places, plain.Places, red.Places, placesPlan}, {in.Mirror, plain.Mirror, red.Mirror, mirrorPlan}} {
				out := filepath.Join(t.TempDir(), fmt.Sprint(i, ".sqlite"))
				tb, err := DecodeTables(f.plain)
				if err != nil {
					t.Fatal(err)
				}
				if err := materialize(out, f.plan, f.plain); err != nil {
					t.Fatal(err)
				}
				rt, err := DecodeTables(f.red)
				if err != nil {
					t.Fatal(err)
				}
				if len(rt.Tables) != len(tb.Tables) {
					t.Fatalf("%d redacted tables, %d plain", len(rt.Tables), len(tb.Tables))
				}
				for j, table := range tb.Tables {
					if got, want := tableRows(t, out, table.Name, ""), tableRows(t, f.src, table.Name, f.plan.tables[slices.IndexFunc(f.plan.tables, func(p tablePlan) bool { return p.name == table.Name })].where); got != want {
						t.Errorf("%s: %s: %d bytes of rows, want %d", f.plan.what, table.Name, len(got), len(want))
					}
					if len(rt.Tables[j].Rows) != len(table.Rows) {
						t.Errorf("%s: %s: %d redacted rows, %d plain", f.plan.what, table.Name, len(rt.Tables[j].Rows), len(table.Rows))
					}
				}
			}
		})
	}
}

// tableRows are a table's rows but the history columns, sorted (a copy
// may keep them in another order: a scan may read a covering index).
func tableRows(t *testing.T, path, table, where string) string {
	t.Helper()
	conn, err := sqlraw.Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cols, err := columnsOf(conn, table)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, c := range cols {
		switch placesPlan.tables[1].columns[c] {
		case history, zero:
			if table == "moz_places" {
				continue
			}
		}
		keep = append(keep, c)
	}
	q := `SELECT ` + joinIdents(keep) + ` FROM ` + quoteIdent(table) + ` AS s`
	if where != "" {
		q += ` WHERE ` + strings.ReplaceAll(where, "{src}", "")
	}
	var lines []string
	err = conn.Query(q, func(r *sqlraw.Row) error {
		var b strings.Builder
		for i := range keep {
			fmt.Fprintf(&b, "%#v|", r.Value(i))
		}
		lines = append(lines, b.String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// FuzzDecodeTables: any bytes decode to tables or give an error matching
// ErrDamaged, never a panic; what decodes encodes back to the same bytes.
func FuzzDecodeTables(f *testing.F) {
	s := smallTables(f)
	f.Add(s.Places)
	f.Add(s.Mirror)
	f.Add(s.Places[:len(s.Places)-3])
	f.Add([]byte(rowsMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := DecodeTables(data)
		if err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if again := encoded(t, tb); !bytes.Equal(again, data) {
			// Varints have one shortest form; any other is read alike.
			if _, err := DecodeTables(again); err != nil {
				t.Fatalf("re-encoded tables do not decode: %v", err)
			}
		}
	})
}

// TestMaterialize: rows go in batch after batch, all of them; a table
// that is not a bookmark table, or one given twice, is refused.
func TestMaterialize(t *testing.T) {
	meta := func(n int) Table {
		tb := Table{Name: "moz_meta", Create: "CREATE TABLE moz_meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID", Columns: []string{"key", "value"}}
		for i := range n {
			tb.Rows = append(tb.Rows, []any{fmt.Sprint("k", i), int64(i)})
		}
		return tb
	}
	path := filepath.Join(t.TempDir(), "places.sqlite")
	n := 2*batchRows + 3
	if err := materialize(path, placesPlan, encoded(t, &Tables{UserVersion: 86, Tables: []Table{meta(n)}})); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(dump(t, path, "moz_meta"), "="); got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
	for _, tc := range []struct {
		name   string
		tables []Table
		text   string
	}{
		{"not a bookmark table", []Table{{Name: "moz_historyvisits", Create: "CREATE TABLE moz_historyvisits (id)", Columns: []string{"id"}}}, "not a bookmark table"},
		{"twice", []Table{meta(1), meta(1)}, "twice"},
		{"other columns", []Table{{Name: "moz_meta", Create: "CREATE TABLE moz_meta (key, value, extra)", Columns: []string{"key", "value"}}}, "columns"},
		{"bad rows", []Table{{Name: "moz_meta", Create: "CREATE TABLE moz_meta (key TEXT PRIMARY KEY, value NOT NULL)", Columns: []string{"key", "value"}, Rows: [][]any{{"k", nil}}}}, "NOT NULL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "places.sqlite")
			err := materialize(path, placesPlan, encoded(t, &Tables{Tables: tc.tables}))
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("materialize: %v, want a damaged bundle saying %q", err, tc.text)
			}
		})
	}
}
