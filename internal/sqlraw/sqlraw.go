// Package sqlraw reads query results from an SQLite file through
// modernc.org/sqlite's C API directly. database/sql costs about twice as
// much per column as the query itself (a type probe, two mutexes and a
// boxed value per column, then a conversion in Scan), which dominated
// reading a 40,000-bookmark profile; here a column is one call.
//
// It is for bulk reads of private snapshot copies: files are opened
// read-only and immutable (no locks, no journal), and a Conn is not safe
// for concurrent use.
package sqlraw

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Conn is one read-only connection.
type Conn struct {
	tls *libc.TLS
	db  uintptr
}

// Open opens the database file at path read-only. immutable promises
// SQLite that nobody changes the file while it is open (true for private
// snapshots): no locks are taken and no journal is looked for.
func Open(path string, immutable bool) (*Conn, error) {
	c := &Conn{tls: libc.NewTLS()}
	uri := "file:" + (&url.URL{Path: path}).EscapedPath()
	if immutable {
		uri += "?immutable=1"
	}
	name, err := libc.CString(uri)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	out := c.tls.Alloc(int(unsafe.Sizeof(uintptr(0))))
	defer c.tls.Free(int(unsafe.Sizeof(uintptr(0))))
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, out,
		sqlite3.SQLITE_OPEN_READONLY|sqlite3.SQLITE_OPEN_URI|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	c.db = readPointer(out)
	if rc != sqlite3.SQLITE_OK {
		err := c.err(rc)
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the connection; it may be called more than once.
func (c *Conn) Close() error {
	if c.tls == nil {
		return nil
	}
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.err(rc)
		}
		c.db = 0
	}
	c.tls.Close()
	c.tls = nil
	return err
}

// Exec runs statements that return no rows (pragmas).
func (c *Conn) Exec(sql string) error {
	return c.Query(sql, func(*Row) error { return nil })
}

// Query runs one statement and calls fn for each row. The Row is valid
// only during the call.
func (c *Conn) Query(sql string, fn func(r *Row) error) error {
	if c.tls == nil {
		return errors.New("sqlraw: connection is closed")
	}
	stmt, err := c.prepare(sql)
	if err != nil {
		return err
	}
	defer sqlite3.Xsqlite3_finalize(c.tls, stmt)
	r := Row{tls: c.tls, stmt: stmt}
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc {
		case sqlite3.SQLITE_ROW:
			if err := fn(&r); err != nil {
				return err
			}
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return c.err(rc)
		}
	}
}

func (c *Conn) err(rc int32) error {
	msg := ""
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	if msg == "" {
		msg = libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	}
	return &Error{Code: int(rc), Msg: msg}
}

// Error is an SQLite error: its result code and message.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s (%d)", e.Msg, e.Code) }

// Row is the current row of a Query.
type Row struct {
	tls  *libc.TLS
	stmt uintptr
}

// Int is column i as an integer (SQLite's conversion: NULL is 0, REAL is
// truncated, text is parsed).
func (r *Row) Int(i int) int64 {
	return sqlite3.Xsqlite3_column_int64(r.tls, r.stmt, int32(i))
}

// Null reports whether column i is NULL.
func (r *Row) Null(i int) bool {
	return sqlite3.Xsqlite3_column_type(r.tls, r.stmt, int32(i)) == sqlite3.SQLITE_NULL
}

// Text is column i as text (SQLite's conversion); ok is false for NULL.
func (r *Row) Text(i int) (s string, ok bool) {
	p := sqlite3.Xsqlite3_column_text(r.tls, r.stmt, int32(i))
	if p == 0 {
		return "", false // NULL (or out of memory, which SQLite reports as NULL)
	}
	n := sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, int32(i))
	if n == 0 {
		return "", true
	}
	return string(libc.GoBytes(p, int(n))), true // GoBytes is a view of SQLite's buffer: copy
}

// Value is column i as database/sql scans it into an any: int64,
// float64, string, []byte (a copy) or nil.
func (r *Row) Value(i int) any {
	switch sqlite3.Xsqlite3_column_type(r.tls, r.stmt, int32(i)) {
	case sqlite3.SQLITE_INTEGER:
		return r.Int(i)
	case sqlite3.SQLITE_FLOAT:
		return sqlite3.Xsqlite3_column_double(r.tls, r.stmt, int32(i))
	case sqlite3.SQLITE_TEXT:
		s, _ := r.Text(i)
		return s
	case sqlite3.SQLITE_BLOB:
		p := sqlite3.Xsqlite3_column_blob(r.tls, r.stmt, int32(i))
		n := sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, int32(i))
		if p == 0 || n == 0 {
			return []byte{}
		}
		return append([]byte(nil), libc.GoBytes(p, int(n))...)
	}
	return nil
}

// readPointer reads the pointer SQLite stored at p (an out parameter in C
// memory).
func readPointer(p uintptr) uintptr {
	b := libc.GoBytes(p, int(unsafe.Sizeof(p)))
	if len(b) == 4 {
		return uintptr(binary.NativeEndian.Uint32(b))
	}
	return uintptr(binary.NativeEndian.Uint64(b))
}

// prepare compiles one statement; the caller finalizes it.
func (c *Conn) prepare(sql string) (stmt uintptr, err error) {
	q, err := libc.CString(sql)
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, q)
	out := c.tls.Alloc(int(unsafe.Sizeof(uintptr(0))))
	defer c.tls.Free(int(unsafe.Sizeof(uintptr(0))))
	if rc := sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, q, -1, out, 0); rc != sqlite3.SQLITE_OK {
		return 0, c.err(rc)
	}
	return readPointer(out), nil
}

// View is column i as text without a copy: a view of SQLite's buffer,
// valid only until the next row (or column conversion); ok is false for
// NULL. A bulk reader appends it to a buffer of its own instead of
// allocating a string per value.
func (r *Row) View(i int) (b []byte, ok bool) {
	p := sqlite3.Xsqlite3_column_text(r.tls, r.stmt, int32(i))
	if p == 0 {
		return nil, false
	}
	n := sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, int32(i))
	if n == 0 {
		return nil, true
	}
	return libc.GoBytes(p, int(n)), true
}
