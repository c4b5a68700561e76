package testutil

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"os"
	"testing"
)

// LeafPage returns a leaf page of the table or index name in the SQLite
// file at path (found through the dbstat table; the test binary must link
// the "sqlite" driver; the file is opened immutable, so that no -wal or
// -shm is left beside it). which picks among the leaves: 0 is the first.
func LeafPage(tb testing.TB, path, name string, which int) int64 {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var page int64
	err = db.QueryRow(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET ?`, name, which).Scan(&page)
	if err != nil {
		tb.Fatalf("leaf page %d of %s in %s: %v", which, name, path, err)
	}
	return page
}

// DamagePage overwrites the last 512 bytes of page (numbered from 1) of
// the SQLite file at path, where a b-tree page keeps its first cells: they
// then run off the page or out of order, which SQLite's check reports.
func DamagePage(tb testing.TB, path string, page int64) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	size := int64(binary.BigEndian.Uint16(b[16:18]))
	if size == 1 {
		size = 65536
	}
	end := page * size
	if page < 1 || end > int64(len(b)) {
		tb.Fatalf("%s has no page %d", path, page)
	}
	copy(b[end-512:end], bytes.Repeat([]byte{0x5a}, 512))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}
