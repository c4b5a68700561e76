package dbsnap

import (
	"database/sql"
	"sort"
	"strings"
)

// Schema describes the tables and columns an opened database has.
type Schema struct {
	UserVersion int
	Tables      map[string]map[string]bool // table -> column set
}

// ReadSchema reads PRAGMA user_version and every table's columns.
func ReadSchema(db *sql.DB) (*Schema, error) {
	s := &Schema{Tables: make(map[string]map[string]bool)}
	if err := db.QueryRow("PRAGMA user_version").Scan(&s.UserVersion); err != nil {
		return nil, err
	}
	rows, err := db.Query(`SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			return nil, err
		}
		cols := s.Tables[table]
		if cols == nil {
			cols = make(map[string]bool)
			s.Tables[table] = cols
		}
		cols[col] = true
	}
	return s, rows.Err()
}

// Has reports whether table exists.
func (s *Schema) Has(table string) bool { return s.Tables[table] != nil }

// Missing lists "table" or "table.column" names from want that the schema
// lacks, sorted. want maps a table to the columns needed.
func (s *Schema) Missing(want map[string][]string) []string {
	var out []string
	for table, cols := range want {
		have := s.Tables[table]
		if have == nil {
			out = append(out, table)
			continue
		}
		for _, c := range cols {
			if !have[c] {
				out = append(out, table+"."+c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// LooksLikeMirror reports whether the schema is a Sync bookmarks mirror.
func (s *Schema) LooksLikeMirror() bool {
	return s.Has("items") && s.Has("structure") && s.Has("urls") && s.Has("meta") && !s.Has("moz_bookmarks")
}

// LooksLikePlaces reports whether the schema is a Places database.
func (s *Schema) LooksLikePlaces() bool {
	return s.Has("moz_bookmarks") && s.Has("moz_places")
}

func joinMax(names []string, max int) string {
	if len(names) > max {
		return strings.Join(names[:max], ", ") + ", …"
	}
	return strings.Join(names, ", ")
}
