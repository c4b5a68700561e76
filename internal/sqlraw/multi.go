package sqlraw

import (
	"errors"
	"fmt"
	"strings"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// InsertMulti is InsertValues with up to perStmt rows per statement:
// sql's VALUES tuple is repeated, so SQLite opens its cursors and starts
// its statement once per perStmt rows instead of once per row. The rows
// go in in the same order, one after the other, as with InsertValues.
// sql must end with its one VALUES tuple, whose parameters are ? (not
// numbered); every row must give as many values as the tuple has.
func (c *Conn) InsertMulti(sql string, perStmt, n int, row func(i int, dst []Value) []Value) error {
	if c.tls == nil {
		return errors.New("sqlraw: connection is closed")
	}
	at := strings.LastIndex(strings.ToUpper(sql), "VALUES")
	if at < 0 {
		return fmt.Errorf("sqlraw: no VALUES in %.40s", sql)
	}
	head, tuple := sql[:at+len("VALUES")], strings.TrimSpace(sql[at+len("VALUES"):])
	perStmt = max(1, min(perStmt, n))
	if n == 0 {
		return nil
	}
	prepare := func(k int) (uintptr, error) {
		return c.prepare(head + " " + strings.Repeat(tuple+",", k-1) + tuple)
	}
	stmt, err := prepare(perStmt)
	if err != nil {
		return err
	}
	defer func() { sqlite3.Xsqlite3_finalize(c.tls, stmt) }()
	buf := cText{tls: c.tls}
	defer buf.free()
	var vals []Value
	for start := 0; start < n; start += perStmt {
		k := min(perStmt, n-start)
		if k != perStmt {
			// The last, shorter statement.
			sqlite3.Xsqlite3_finalize(c.tls, stmt)
			if stmt, err = prepare(k); err != nil {
				stmt = 0
				return err
			}
		}
		vals = vals[:0]
		width := -1
		for i := range k {
			before := len(vals)
			vals = row(start+i, vals)
			if w := len(vals) - before; width < 0 {
				width = w
			} else if w != width {
				return fmt.Errorf("sqlraw: row %d has %d values, row %d has %d", start+i, w, start, width)
			}
		}
		if err := c.bindAll(stmt, vals, &buf); err != nil {
			return err
		}
		if err := c.stepReset(stmt); err != nil {
			return err
		}
	}
	return nil
}

// cText is C memory holding a statement's text and blobs, which stays put
// until the statement is stepped: SQLite need not copy them again.
type cText struct {
	tls  *libc.TLS
	p    uintptr
	size int
}

// fit makes room for vals' text and blobs.
func (b *cText) fit(vals []Value) error {
	need := 0
	for _, v := range vals {
		need += len(v.s)
	}
	if need <= b.size && b.p != 0 {
		return nil
	}
	b.free()
	size := max(need, 2*b.size, 4096)
	if b.p = libc.Xmalloc(b.tls, libc.Tsize_t(size)); b.p == 0 {
		return errors.New("sqlraw: out of memory")
	}
	b.size = size
	return nil
}

func (b *cText) free() {
	if b.p != 0 {
		libc.Xfree(b.tls, b.p)
		b.p, b.size = 0, 0
	}
}

// bindAll binds vals to parameters 1..len(vals) of stmt, copying text and
// blobs into buf.
func (c *Conn) bindAll(stmt uintptr, vals []Value, buf *cText) error {
	if err := buf.fit(vals); err != nil {
		return err
	}
	mem := libc.GoBytes(buf.p, buf.size) // a view of the C buffer
	off := 0
	var rc int32
	for j, v := range vals {
		col := int32(j + 1)
		switch v.kind {
		case sqlite3.SQLITE_INTEGER:
			rc = sqlite3.Xsqlite3_bind_int64(c.tls, stmt, col, v.n)
		case sqlite3.SQLITE_FLOAT:
			rc = sqlite3.Xsqlite3_bind_double(c.tls, stmt, col, v.f)
		case sqlite3.SQLITE_TEXT, sqlite3.SQLITE_BLOB:
			copy(mem[off:], v.s)
			p := buf.p + uintptr(off)
			off += len(v.s)
			if v.kind == sqlite3.SQLITE_TEXT {
				rc = sqlite3.Xsqlite3_bind_text(c.tls, stmt, col, p, int32(len(v.s)), 0)
			} else {
				rc = sqlite3.Xsqlite3_bind_blob(c.tls, stmt, col, p, int32(len(v.s)), 0)
			}
		default:
			rc = sqlite3.Xsqlite3_bind_null(c.tls, stmt, col)
		}
		if rc != sqlite3.SQLITE_OK {
			return c.err(rc)
		}
	}
	return nil
}
