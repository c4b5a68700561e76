package sqlitepage

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// SchemaEntry is one row of sqlite_schema.
type SchemaEntry struct {
	Type     string // table, index, view, trigger
	Name     string
	TblName  string
	RootPage uint32
	SQL      string
	// Page is where the row was found; Orphan marks rows found on a page
	// the schema b-tree no longer reaches.
	Page   uint32
	Orphan bool
}

// schemaEntry reads a sqlite_schema record, ok when it has the shape.
func schemaEntry(vals []Value) (SchemaEntry, bool) {
	if len(vals) != 5 {
		return SchemaEntry{}, false
	}
	typ, ok1 := vals[0].Text()
	name, ok2 := vals[1].Text()
	tbl, ok3 := vals[2].Text()
	root, ok4 := vals[3].Int()
	sql, ok5 := vals[4].Text()
	if vals[4].IsNull() {
		ok5 = true
	}
	if !ok1 || !ok2 || !ok3 || !ok5 || (!ok4 && !vals[3].IsNull()) || root < 0 || root > 0xffffffff {
		return SchemaEntry{}, false
	}
	switch typ {
	case "table", "index", "view", "trigger":
	default:
		return SchemaEntry{}, false
	}
	return SchemaEntry{Type: typ, Name: name, TblName: tbl, RootPage: uint32(root), SQL: sql}, true
}

// Schema returns the rows of sqlite_schema (page 1's b-tree), with the
// problems met reading it. After Survey it also holds schema rows found
// on orphan pages.
func (f *File) Schema() ([]SchemaEntry, []Problem) {
	if f.schema != nil {
		return f.schema, f.schemaProbs
	}
	var out []SchemaEntry
	probs, _ := f.TableRows(1, func(r Row) error {
		if r.Err != nil {
			return nil
		}
		if e, ok := schemaEntry(r.Values); ok {
			e.Page = r.Page
			out = append(out, e)
		}
		return nil
	})
	f.schema, f.schemaProbs = out, probs
	if f.schema == nil {
		f.schema = []SchemaEntry{}
	}
	return f.schema, probs
}

// orphanSchema returns schema-shaped rows on orphan table leaves whose
// names the schema does not have yet.
func (f *File) orphanSchema(s *Survey) []SchemaEntry {
	known := map[string]bool{}
	for _, e := range f.schema {
		known[e.Type+" "+e.Name] = true
	}
	var out []SchemaEntry
	for i, p := range s.Pages {
		if p.Kind != KindTableLeaf || p.Reachable() || p.Free {
			continue
		}
		f.orphanLeafRows(uint32(i+1), func(r Row) error {
			if r.Err != nil {
				return nil
			}
			if e, ok := schemaEntry(r.Values); ok && !known[e.Type+" "+e.Name] && strings.HasPrefix(strings.ToUpper(e.SQL), "CREATE") {
				known[e.Type+" "+e.Name] = true
				e.Page, e.Orphan = r.Page, true
				out = append(out, e)
			}
			return nil
		})
	}
	return out
}

// orphanLeafRows decodes the rows of one table leaf page.
func (f *File) orphanLeafRows(pgno uint32, fn func(Row) error) error {
	data, err := f.page(pgno)
	if err != nil {
		return nil
	}
	bp, err := ParseBtreePage(data, pgno, f.usable)
	if err != nil || bp.Kind != KindTableLeaf {
		return nil
	}
	return f.leafRows(treePage{pgno: pgno, data: data, bp: bp}, func(r Row) error {
		r.Orphan = true
		return fn(r)
	})
}

// OrphanRows calls fn with every row on orphan table leaf pages (see
// Survey), whatever table they came from.
func (f *File) OrphanRows(fn func(Row) error) error {
	for _, pg := range f.Survey().Orphans {
		if err := f.orphanLeafRows(pg, fn); err != nil {
			return err
		}
	}
	return nil
}

// Table describes a table from its CREATE TABLE statement.
type Table struct {
	SchemaEntry
	Columns []Column
	// RowidAlias is the index of the INTEGER PRIMARY KEY column, whose
	// value is the rowid (stored as NULL), or -1.
	RowidAlias   int
	WithoutRowid bool
	// PrimaryKey lists the primary key's columns in key order.
	PrimaryKey []int
}

// recordOrder maps the position of each value in a WITHOUT ROWID
// table's record (key columns first, then the others as declared) to
// its column.
func (t *Table) recordOrder() []int {
	order := append([]int(nil), t.PrimaryKey...)
	for i := range t.Columns {
		if !slices.Contains(t.PrimaryKey, i) {
			order = append(order, i)
		}
	}
	return order
}

// Column is one declared column.
type Column struct {
	Name     string
	Type     string
	Affinity Affinity
}

// Affinity is a column's type affinity.
type Affinity uint8

// Column affinities.
const (
	AffinityBlob Affinity = iota
	AffinityText
	AffinityNumeric
	AffinityInteger
	AffinityReal
)

// affinityOf applies SQLite's rules to a declared type.
func affinityOf(decl string) Affinity {
	t := strings.ToUpper(decl)
	switch {
	case strings.Contains(t, "INT"):
		return AffinityInteger
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return AffinityText
	case t == "", strings.Contains(t, "BLOB"):
		return AffinityBlob
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return AffinityReal
	}
	return AffinityNumeric
}

// ErrNoTable is returned for a table name the schema does not have.
var ErrNoTable = errors.New("no such table in the schema")

// Table returns the description of the named table.
func (f *File) Table(name string) (*Table, error) {
	schema, _ := f.Schema()
	for _, e := range schema {
		if e.Type == "table" && strings.EqualFold(e.Name, name) {
			t, err := ParseCreateTable(e.SQL)
			if err != nil {
				return nil, fmt.Errorf("table %s: %w", name, err)
			}
			t.SchemaEntry = e
			return t, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", name, ErrNoTable)
}

// Matches reports whether a record has this table's shape: one value
// per column, NULL in the rowid alias, and values of a storage class the
// column's affinity keeps. Records written before an ALTER TABLE ADD
// COLUMN are shorter and do not match; OrphanRows offers them all.
func (t *Table) Matches(vals []Value) bool {
	if len(vals) != len(t.Columns) {
		return false
	}
	for i, v := range vals {
		if i == t.RowidAlias {
			if !v.IsNull() {
				return false
			}
			continue
		}
		switch v.Kind() {
		case Null:
		case Integer, Real:
			if t.Columns[i].Affinity == AffinityText {
				return false
			}
		case Text:
			// Numeric columns keep text only when it is not a number; a
			// text value in an INTEGER column is rare enough to reject.
			if a := t.Columns[i].Affinity; a == AffinityInteger || a == AffinityReal {
				return false
			}
		case Blob:
			if t.Columns[i].Affinity != AffinityBlob && t.Columns[i].Affinity != AffinityText {
				return false
			}
		}
	}
	return true
}

// fill pads a short record (ALTER TABLE ADD COLUMN) with NULLs and puts
// the rowid in its alias column.
func (t *Table) fill(r *Row) {
	if r.Values == nil {
		return
	}
	for len(r.Values) < len(t.Columns) {
		r.Values = append(r.Values, Value{})
	}
	if t.RowidAlias >= 0 && t.RowidAlias < len(r.Values) && r.Values[t.RowidAlias].IsNull() {
		r.Values[t.RowidAlias] = IntValue(r.Rowid)
	}
}

// ReadTable calls fn with every row of the named table: first the rows
// its b-tree reaches (in rowid order, damaged cells with Err set), then
// rows on orphan leaf pages that have its shape (Orphan set). WITHOUT
// ROWID tables give their reachable rows (Rowid 0), in column order. Values
// are padded to the column count and the rowid alias column holds the
// rowid. It returns the problems met on the table's b-tree. The first
// call surveys the whole file (see Survey) to find the orphans.
func (f *File) ReadTable(name string, fn func(Row) error) ([]Problem, error) {
	t, err := f.Table(name)
	if err != nil {
		return nil, err
	}
	if t.RootPage == 0 {
		return nil, fmt.Errorf("table %s: no root page", name)
	}
	if t.WithoutRowid {
		// Stored as an index b-tree of whole rows; orphans are not
		// attributed (they are index pages).
		order := t.recordOrder()
		return f.IndexRows(t.RootPage, func(r Row) error {
			r.Rowid = 0
			if r.Err == nil {
				vals := make([]Value, len(t.Columns))
				for i, v := range r.Values {
					if i < len(order) {
						vals[order[i]] = v
					}
				}
				r.Values = vals
			}
			return fn(r)
		})
	}
	probs, err := f.TableRows(t.RootPage, func(r Row) error {
		t.fill(&r)
		return fn(r)
	})
	if err != nil {
		return probs, err
	}
	err = f.OrphanRows(func(r Row) error {
		if r.Err != nil || !t.Matches(r.Values) {
			return nil
		}
		t.fill(&r)
		return fn(r)
	})
	return probs, err
}
