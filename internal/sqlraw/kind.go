package sqlraw

import (
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Storage classes of a column value (Row.Kind).
const (
	KindInt   = sqlite3.SQLITE_INTEGER
	KindFloat = sqlite3.SQLITE_FLOAT
	KindText  = sqlite3.SQLITE_TEXT
	KindBlob  = sqlite3.SQLITE_BLOB
	KindNull  = sqlite3.SQLITE_NULL
)

// Kind is column i's storage class (KindInt, …): with Int, Float, View
// and BlobView a bulk reader copies values without boxing each in an
// any, as Value does.
func (r *Row) Kind(i int) int {
	return int(sqlite3.Xsqlite3_column_type(r.tls, r.stmt, int32(i)))
}

// Float is column i as a float (SQLite's conversion).
func (r *Row) Float(i int) float64 {
	return sqlite3.Xsqlite3_column_double(r.tls, r.stmt, int32(i))
}

// BlobView is column i as a blob without a copy, valid only until the
// next row; nil for NULL or an empty blob.
func (r *Row) BlobView(i int) []byte {
	p := sqlite3.Xsqlite3_column_blob(r.tls, r.stmt, int32(i))
	n := sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, int32(i))
	if p == 0 || n == 0 {
		return nil
	}
	return libc.GoBytes(p, int(n))
}
