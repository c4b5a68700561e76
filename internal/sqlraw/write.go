package sqlraw

import (
	"errors"
	"fmt"
	"net/url"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// OpenWrite opens the database file at path for reading and writing,
// creating it if need be: for bulk writes of new private files (a
// support bundle's copies), where binding each value through
// database/sql would cost more than the write itself.
func OpenWrite(path string) (*Conn, error) {
	c := &Conn{tls: libc.NewTLS()}
	name, err := libc.CString("file:" + (&url.URL{Path: path}).EscapedPath())
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	out := c.tls.Alloc(int(unsafe.Sizeof(uintptr(0))))
	defer c.tls.Free(int(unsafe.Sizeof(uintptr(0))))
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, out,
		sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE|sqlite3.SQLITE_OPEN_URI|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	c.db = readPointer(out)
	if rc != sqlite3.SQLITE_OK {
		err := c.err(rc)
		c.Close()
		return nil, err
	}
	return c, nil
}

// Insert runs the statement sql, whose parameters are ?1…?n, once for
// each row of rows (n values each: string, int64, float64, []byte or nil: what
// Row.Value reads).
func (c *Conn) Insert(sql string, rows [][]any) error {
	if c.tls == nil {
		return errors.New("sqlraw: connection is closed")
	}
	stmt, err := c.prepare(sql)
	if err != nil {
		return err
	}
	defer sqlite3.Xsqlite3_finalize(c.tls, stmt)
	// One C buffer, grown as needed, carries each value's bytes; SQLite
	// copies them (SQLITE_TRANSIENT).
	var buf uintptr
	var size int
	defer func() {
		if buf != 0 {
			libc.Xfree(c.tls, buf)
		}
	}()
	cbytes := func(s string) (uintptr, error) {
		if len(s) > size || buf == 0 {
			if buf != 0 {
				libc.Xfree(c.tls, buf)
			}
			size = max(len(s), 2*size, 4096)
			if buf = libc.Xmalloc(c.tls, libc.Tsize_t(size)); buf == 0 {
				size = 0
				return 0, errors.New("sqlraw: out of memory")
			}
		}
		if len(s) > 0 {
			copy(libc.GoBytes(buf, len(s)), s) // GoBytes is a view of the C buffer
		}
		return buf, nil
	}
	const transient = ^uintptr(0) // SQLITE_TRANSIENT, (void*)-1
	var rc int32
	for _, row := range rows {
		for i, v := range row {
			col := int32(i + 1)
			switch v := v.(type) {
			case nil:
				rc = sqlite3.Xsqlite3_bind_null(c.tls, stmt, col)
			case int64:
				rc = sqlite3.Xsqlite3_bind_int64(c.tls, stmt, col, v)
			case float64:
				rc = sqlite3.Xsqlite3_bind_double(c.tls, stmt, col, v)
			case string:
				p, err := cbytes(v)
				if err != nil {
					return err
				}
				rc = sqlite3.Xsqlite3_bind_text(c.tls, stmt, col, p, int32(len(v)), transient)
			case []byte:
				p, err := cbytes(string(v))
				if err != nil {
					return err
				}
				rc = sqlite3.Xsqlite3_bind_blob(c.tls, stmt, col, p, int32(len(v)), transient)
			default:
				return fmt.Errorf("sqlraw: cannot bind a %T", v)
			}
			if rc != sqlite3.SQLITE_OK {
				return c.err(rc)
			}
		}
		if err := c.stepReset(stmt); err != nil {
			return err
		}
	}
	return nil
}

// stepReset runs an insert prepared with bound values, then readies it for
// the next row.
func (c *Conn) stepReset(stmt uintptr) error {
	if rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc != sqlite3.SQLITE_DONE {
		return c.err(rc)
	}
	if rc := sqlite3.Xsqlite3_reset(c.tls, stmt); rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}
