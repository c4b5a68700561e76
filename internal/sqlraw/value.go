package sqlraw

import (
	"errors"
	"fmt"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// A Value is one column value to bind or compare, without the interface
// boxing (an allocation per integer and string) that a []any row costs:
// a bulk write binds hundreds of thousands of them. The zero Value is
// NULL.
type Value struct {
	kind int32 // an SQLITE_* storage class; 0 is NULL
	n    int64
	f    float64
	s    string
}

// Int, Real, Text and Blob make Values; Null is NULL.
func Int(n int64) Value    { return Value{kind: sqlite3.SQLITE_INTEGER, n: n} }
func Real(f float64) Value { return Value{kind: sqlite3.SQLITE_FLOAT, f: f} }
func Text(s string) Value  { return Value{kind: sqlite3.SQLITE_TEXT, s: s} }
func Blob(b []byte) Value  { return Value{kind: sqlite3.SQLITE_BLOB, s: string(b)} }

// Null is the NULL Value.
var Null = Value{}

// ValueOf converts what Insert binds (nil, int, int64, float64, string,
// []byte) to a Value.
func ValueOf(v any) (Value, error) {
	switch v := v.(type) {
	case nil:
		return Null, nil
	case int:
		return Int(int64(v)), nil
	case int64:
		return Int(v), nil
	case float64:
		return Real(v), nil
	case string:
		return Text(v), nil
	case []byte:
		return Blob(v), nil
	}
	return Null, fmt.Errorf("sqlraw: cannot bind a %T", v)
}

// Any is v as Row.Value reads it: int64, float64, string, []byte or nil.
func (v Value) Any() any {
	switch v.kind {
	case sqlite3.SQLITE_INTEGER:
		return v.n
	case sqlite3.SQLITE_FLOAT:
		return v.f
	case sqlite3.SQLITE_TEXT:
		return v.s
	case sqlite3.SQLITE_BLOB:
		return []byte(v.s)
	}
	return nil
}

// InsertValues runs the statement sql, whose parameters are ?1…?k, for
// rows 0..n-1; row appends row i's values to dst (empty, reused from row
// to row) and returns it. Text and blobs are copied once, into one C
// buffer per row that SQLite reads in place (SQLITE_STATIC).
func (c *Conn) InsertValues(sql string, n int, row func(i int, dst []Value) []Value) error {
	if c.tls == nil {
		return errors.New("sqlraw: connection is closed")
	}
	stmt, err := c.prepare(sql)
	if err != nil {
		return err
	}
	defer sqlite3.Xsqlite3_finalize(c.tls, stmt)
	buf := cText{tls: c.tls}
	defer buf.free()
	var vals []Value
	for i := range n {
		vals = row(i, vals[:0])
		if err := c.bindAll(stmt, vals, &buf); err != nil {
			return err
		}
		if err := c.stepReset(stmt); err != nil {
			return err
		}
	}
	return nil
}

// Equal reports whether column i holds v: the same storage class and
// value, read without a copy.
func (r *Row) Equal(i int, v Value) bool {
	col := int32(i)
	kind := v.kind
	if kind == 0 {
		kind = sqlite3.SQLITE_NULL
	}
	if sqlite3.Xsqlite3_column_type(r.tls, r.stmt, col) != kind {
		return false
	}
	switch v.kind {
	case sqlite3.SQLITE_INTEGER:
		return sqlite3.Xsqlite3_column_int64(r.tls, r.stmt, col) == v.n
	case sqlite3.SQLITE_FLOAT:
		return sqlite3.Xsqlite3_column_double(r.tls, r.stmt, col) == v.f
	case sqlite3.SQLITE_TEXT, sqlite3.SQLITE_BLOB:
		var p uintptr
		if v.kind == sqlite3.SQLITE_TEXT {
			p = sqlite3.Xsqlite3_column_text(r.tls, r.stmt, col)
		} else {
			p = sqlite3.Xsqlite3_column_blob(r.tls, r.stmt, col)
		}
		n := int(sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, col))
		if n != len(v.s) {
			return false
		}
		return n == 0 || string(libc.GoBytes(p, n)) == v.s // compared in place: no copy
	}
	return true
}
