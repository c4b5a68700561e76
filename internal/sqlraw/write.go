package sqlraw

import (
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
	return openWrite("file:" + (&url.URL{Path: path}).EscapedPath())
}

// OpenMemory opens (creating it if need be) the in-memory database name,
// which every connection of this process that opens or attaches
// MemoryURI(name) shares while one of them has it open.
func OpenMemory(name string) (*Conn, error) {
	return openWrite(MemoryURI(name))
}

// MemoryURI is the URI of the shared in-memory database name (SQLite's
// memdb VFS), for OpenMemory or ATTACH.
func MemoryURI(name string) string {
	return "file:/" + url.PathEscape(name) + "?vfs=memdb"
}

func openWrite(uri string) (*Conn, error) {
	c := &Conn{tls: libc.NewTLS()}
	name, err := libc.CString(uri)
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
// each row of rows (n values each, what ValueOf takes). A value it cannot
// bind is refused before any row is written.
func (c *Conn) Insert(sql string, rows [][]any) error {
	for _, row := range rows {
		for _, v := range row {
			if _, err := ValueOf(v); err != nil {
				return err
			}
		}
	}
	return c.InsertValues(sql, len(rows), func(i int, dst []Value) []Value {
		for _, v := range rows[i] {
			val, _ := ValueOf(v) // checked above
			dst = append(dst, val)
		}
		return dst
	})
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
