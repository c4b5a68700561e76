// Package dbcheck runs SQLite's own structural check on an open database
// and says what is damaged: which file, which tables and indexes, which
// pages, in SQLite's words. It takes a database/sql handle and does not
// link a driver itself.
package dbcheck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Querier is what the check needs of a database: *sql.DB, *sql.Conn and
// *sql.Tx all do.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Check runs PRAGMA quick_check on schema ("main", or the name a file is
// attached under) and returns what is damaged, or nil for a sound file.
// quick_check verifies every b-tree page, cell and free-list entry and the
// row counts of indexes; it does not compare index entries with their
// rows (CheckFull does, several times slower). file names the database in
// the findings. A check SQLite cannot finish because the file is too
// damaged is reported as damage, not as an error.
func Check(ctx context.Context, q Querier, schema, file string) ([]Damage, error) {
	return run(ctx, q, "quick_check", schema, file)
}

// CheckFull is Check with PRAGMA integrity_check.
func CheckFull(ctx context.Context, q Querier, schema, file string) ([]Damage, error) {
	return run(ctx, q, "integrity_check", schema, file)
}

func run(ctx context.Context, q Querier, pragma, schema, file string) ([]Damage, error) {
	if !identifier(schema) {
		return nil, fmt.Errorf("check %s: bad schema name %q", file, schema)
	}
	rows, err := queryStrings(ctx, q, "PRAGMA "+schema+"."+pragma)
	if err != nil {
		if !IsCorrupt(err) {
			return nil, fmt.Errorf("check %s: %w", file, err)
		}
		// What SQLite reported before it gave up still says where.
		rows = append(rows, err.Error())
	}
	msgs := Parse(rows)
	if len(msgs) == 0 {
		return nil, nil
	}
	return Group(file, msgs, readLayout(ctx, q, schema, msgs)), nil
}

// IsCorrupt reports whether err is SQLite saying the file is damaged
// (SQLITE_CORRUPT or SQLITE_NOTADB), whichever driver returned it.
func IsCorrupt(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 11, 26:
			return true
		}
	}
	return err != nil && strings.Contains(err.Error(), malformed)
}

func identifier(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// queryStrings returns the first column of every row, and the rows read
// before an error.
func queryStrings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			return out, err
		}
		out = append(out, s.String)
	}
	return out, rows.Err()
}

// readLayout names the b-trees through sqlite_schema, and the owners of
// the pages no root names through the dbstat table. Either may fail on a
// badly damaged file; the findings then name less.
func readLayout(ctx context.Context, q Querier, schema string, msgs []Message) Layout {
	l := Layout{Roots: map[int64]Object{}, Owners: map[int64]Object{}}
	if rows, err := q.QueryContext(ctx, `SELECT type, name, rootpage FROM `+schema+`.sqlite_schema WHERE rootpage > 0`); err == nil {
		for rows.Next() {
			var o Object
			var root int64
			if rows.Scan(&o.Type, &o.Name, &root) == nil {
				l.Roots[root] = o
			}
		}
		rows.Close()
	}
	l.Roots[1] = Object{Type: "table", Name: "sqlite_schema"}
	// Pages no root names, at most 100 (quick_check stops at 100 lines).
	var pages []string
	seen := map[int64]bool{}
	for _, m := range msgs {
		for _, p := range []int64{m.Root, m.Page} {
			if _, isRoot := l.Roots[p]; p > 0 && !isRoot && !seen[p] && len(pages) < 100 {
				seen[p] = true
				pages = append(pages, strconv.FormatInt(p, 10))
			}
		}
	}
	if len(pages) == 0 {
		return l
	}
	rows, err := q.QueryContext(ctx, `SELECT pageno, name FROM dbstat(?) WHERE pageno IN (`+strings.Join(pages, ",")+`)`, schema)
	if err != nil {
		return l
	}
	defer rows.Close()
	for rows.Next() {
		var p int64
		var name string
		if rows.Scan(&p, &name) == nil {
			if o, ok := l.byName(name); ok {
				l.Owners[p] = o
			}
		}
	}
	return l
}
