// Package sqlmem gives SQLite's page cache memory backed by huge pages.
//
// modernc's SQLite allocates through modernc.org/memory, which maps its
// memory from the kernel in 4 KB pages and gives large blocks back at once.
// Every page SQLite caches (Firefox's databases use 32 KiB pages) therefore
// costs eight first-touch faults, and on a virtual machine each costs tens
// of µs: the largest share of apply's kernel time. SQLITE_CONFIG_PAGECACHE
// hands SQLite one buffer to cut its cache lines from instead; this package
// maps that buffer in huge pages, so the whole cache faults in a few dozen
// 2 MB pages, once per process.
package sqlmem

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// hugePage is the huge page size of x86-64 and of arm64 with 4 KB pages.
const hugePage = 2 << 20

// firefoxPageSize is the page size of every database Firefox writes.
const firefoxPageSize = 32768

// cacheLines is how many pages the buffer holds: 48 MiB of 32 KiB pages,
// half as much again as apply keeps cached at once for large-40k (at most
// 990 lines, with places.sqlite, the Sync mirror and the temporary tables;
// bundle, 243). Each line costs resident memory from the first open on, and
// SQLite touches all of them then (~10-20 ms for 32 MiB here), so it is no
// bigger. Past it SQLite recycles clean pages first, then allocates as
// before; a page larger than a line is allocated as before too.
const cacheLines = 1536

// ErrRefused is returned by Configure when SQLite will not take the buffer,
// as it will not once a connection has been opened; SQLite then keeps its
// own allocator, which works as before.
var ErrRefused = errors.New("sqlmem: SQLite refused the page cache buffer")

// Configure gives SQLite a page cache buffer of huge pages. Call it once,
// first thing in main, before any database is opened. The buffer is
// SQLite's for the life of the process, all of it resident (SQLite threads
// a free list through every line when it initialises). It does nothing
// where huge pages are not to be had, and on error SQLite keeps its
// defaults: both leave every database working as before.
func Configure() error {
	return configure(cacheLines)
}

func configure(lines int) error {
	tls := libc.NewTLS()
	defer tls.Close()
	header, err := headerSize(tls)
	if err != nil {
		return err
	}
	line := (firefoxPageSize + header + 7) &^ 7 // SQLite wants 8-byte multiples
	buf := mapBuffer(line * lines)
	if buf == nil {
		return nil // no huge pages: a 4 KB buffer would fault as much as malloc does
	}
	args := tls.Alloc(3 * 8)
	defer tls.Free(3 * 8)
	rc := sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_PAGECACHE,
		libc.VaList(args, uintptr(unsafe.Pointer(unsafe.SliceData(buf))), int32(line), int32(lines)))
	if rc != sqlite3.SQLITE_OK {
		unmapBuffer(buf)
		return fmt.Errorf("%w (code %d)", ErrRefused, rc)
	}
	return nil
}

// headerSize is what SQLite adds to each page in a page cache line.
func headerSize(tls *libc.TLS) (int, error) {
	p := tls.Alloc(16)
	defer tls.Free(16)
	out := p + 8
	if rc := sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_PCACHE_HDRSZ, libc.VaList(p, out)); rc != sqlite3.SQLITE_OK {
		return 0, fmt.Errorf("%w: no page header size (code %d)", ErrRefused, rc)
	}
	return int(int32(binary.NativeEndian.Uint32(libc.GoBytes(out, 4)))), nil
}

// PageCacheUsed reports how many lines of the configured buffer hold pages
// now, and the most that ever did; both are 0 when SQLite has no buffer.
func PageCacheUsed() (now, most int) { return status(sqlite3.SQLITE_STATUS_PAGECACHE_USED) }

// PageCacheOverflow reports how many bytes of cached pages SQLite holds
// outside the buffer now, and the most it ever did.
func PageCacheOverflow() (now, most int) { return status(sqlite3.SQLITE_STATUS_PAGECACHE_OVERFLOW) }

// status is sqlite3_status(op): the figure now and its high-water mark;
// zeros when SQLite refuses.
func status(op int32) (now, most int) {
	tls := libc.NewTLS()
	defer tls.Close()
	p := tls.Alloc(8)
	defer tls.Free(8)
	if sqlite3.Xsqlite3_status(tls, op, p, p+4, 0) != sqlite3.SQLITE_OK {
		return 0, 0
	}
	return pair(libc.GoBytes(p, 8))
}

// pair reads the two C ints sqlite3_status writes.
func pair(b []byte) (int, int) {
	return int(int32(binary.NativeEndian.Uint32(b))), int(int32(binary.NativeEndian.Uint32(b[4:])))
}
