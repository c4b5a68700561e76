package bundle

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/bmtui/bmtui/internal/sqlraw"
)

// materialize builds the SQLite file at path from the encoded rows of
// one database (raw, Tables.Encode's format), as the plan of that
// database allows: only its tables, each once, created by a plain CREATE
// TABLE statement, with exactly the columns the rows have. Rows are
// inserted a batch at a time as they are decoded, so that a hostile
// member cannot make the reader hold more than one batch of values. It is
// what opening a case of version 2 costs (inserting the rows is most of
// it), paid by the reader, not by the user making the bundle.
func materialize(path string, plan dbPlan, raw []byte) (err error) {
	conn, err := sqlraw.OpenWrite(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	for _, q := range []string{`PRAGMA journal_mode = OFF`, `PRAGMA synchronous = OFF`, `PRAGMA temp_store = MEMORY`, `BEGIN`} {
		if err := conn.Exec(q); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	var name, insert string
	version, err := walkTables(raw, func(tb *Table) error {
		name = tb.Name
		if !slices.ContainsFunc(plan.tables, func(p tablePlan) bool { return p.name == tb.Name }) {
			return fmt.Errorf("%w: %s has a table %q that is not a bookmark table", ErrDamaged, plan.what, tb.Name)
		}
		if seen[tb.Name] {
			return fmt.Errorf("%w: %s has the table %s twice", ErrDamaged, plan.what, tb.Name)
		}
		seen[tb.Name] = true
		if err := plainCreate(tb.Create, tb.Name); err != nil {
			return fmt.Errorf("%w: %s: %s: %v", ErrDamaged, plan.what, tb.Name, err)
		}
		if err := conn.Exec(tb.Create); err != nil {
			return fmt.Errorf("%w: %s: %s: %v", ErrDamaged, plan.what, tb.Name, err)
		}
		cols, err := columnsOf(conn, tb.Name)
		if err != nil {
			return err
		}
		if !slices.Equal(cols, tb.Columns) {
			return fmt.Errorf("%w: %s: %s: its rows' columns are not its table's", ErrDamaged, plan.what, tb.Name)
		}
		marks := make([]string, len(cols))
		for i := range marks {
			marks[i] = fmt.Sprintf("?%d", i+1)
		}
		insert = fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`, quoteIdent(tb.Name), joinIdents(cols), strings.Join(marks, ", "))
		return nil
	}, func(rows [][]any) error {
		if err := conn.Insert(insert, rows); err != nil {
			return fmt.Errorf("%w: %s: %s: %v", ErrDamaged, plan.what, name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := conn.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, version)); err != nil {
		return err
	}
	return conn.Exec(`COMMIT`)
}

// plainCreate checks that create is `CREATE TABLE name (…)` and nothing
// that runs code as rows go in: no second statement, no AS SELECT, no
// generated column and no CHECK (a hostile case could make each insert
// allocate a gigabyte). Firefox's bookmark tables use none of them.
func plainCreate(create, name string) error {
	rest, ok := cutPrefixFold(create, "CREATE TABLE")
	if !ok {
		return fmt.Errorf("not a CREATE TABLE statement")
	}
	rest = strings.TrimLeft(rest, " \t\r\n")
	switch {
	case rest == "":
		return fmt.Errorf("no table name")
	case rest[0] == '"' || rest[0] == '`' || rest[0] == '[':
		end := map[byte]byte{'"': '"', '`': '`', '[': ']'}[rest[0]]
		i := strings.IndexByte(rest[1:], end)
		if i < 0 || !strings.EqualFold(rest[1:1+i], name) {
			return fmt.Errorf("creates another table")
		}
		rest = rest[2+i:]
	default:
		n, ok := cutPrefixFold(rest, name)
		if !ok {
			return fmt.Errorf("creates another table")
		}
		rest = n
	}
	if !strings.HasPrefix(strings.TrimLeft(rest, " \t\r\n"), "(") {
		return fmt.Errorf("creates another table")
	}
	if strings.ContainsRune(create, ';') {
		return fmt.Errorf("more than one statement")
	}
	for _, w := range strings.FieldsFunc(strings.ToUpper(create), func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) {
		switch w {
		case "AS", "GENERATED", "CHECK", "SELECT":
			return fmt.Errorf("%s is not allowed", w)
		}
	}
	return nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
