package sqlitepage

import (
	"bytes"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Limits bound the work and memory spent on one file. Zero fields take
// the defaults.
type Limits struct {
	MaxPayload  int64 // largest record payload assembled (default 64 MiB)
	MaxDepth    int   // deepest b-tree walked (default 64; SQLite needs at most 20)
	CachePages  int   // pages kept in memory (default 256)
	MaxProblems int   // problems kept per list (default 10000; the rest are counted)
	// MaxWhole is the largest file read whole into memory with one read
	// (default 256 MiB) rather than page by page through the cache: a
	// survey and the table walks read most pages two or three times.
	MaxWhole int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxPayload <= 0 {
		l.MaxPayload = 64 << 20
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 64
	}
	if l.CachePages <= 0 {
		l.CachePages = 256
	}
	if l.MaxProblems <= 0 {
		l.MaxProblems = 10000
	}
	if l.MaxWhole <= 0 {
		l.MaxWhole = 256 << 20
	}
	return l
}

// Options configure Open.
type Options struct {
	// WAL, when set, is the database's write-ahead log: pages are read
	// as of its last committed transaction.
	WAL     io.ReaderAt
	WALSize int64
	Limits  Limits
}

// Problem is damage found at a page (and cell, or -1).
type Problem struct {
	Page uint32
	Cell int
	Err  string
}

func (p Problem) String() string {
	if p.Cell >= 0 {
		return fmt.Sprintf("page %d cell %d: %s", p.Page, p.Cell, p.Err)
	}
	return fmt.Sprintf("page %d: %s", p.Page, p.Err)
}

// File is an SQLite database opened for page-level reading.
type File struct {
	r        io.ReaderAt
	size     int64
	hdr      Header
	pageSize int
	usable   int
	nPages   uint32
	wal      *WAL
	walR     io.ReaderAt
	limits   Limits
	cache    *pageCache
	whole    []byte // the whole database file, when it was read at once; never written

	// Problems found while opening (header, WAL, size).
	Problems []string

	survey      *Survey
	schema      []SchemaEntry
	schemaProbs []Problem
}

// ErrNotSQLite is returned when nothing in the file looks like SQLite.
var ErrNotSQLite = errors.New("not an SQLite database")

// Open reads the header of the database in r (size bytes) and, when
// opts.WAL is set, its write-ahead log. A damaged header is tolerated:
// the page size then comes from the WAL or from the layout of the pages.
func Open(r io.ReaderAt, size int64, opts Options) (*File, error) {
	f := &File{r: r, size: size, limits: opts.Limits.withDefaults()}
	f.cache = newPageCache(f.limits.CachePages)
	if size <= 0 {
		return nil, fmt.Errorf("%w: empty file", ErrNotSQLite)
	}
	if size <= f.limits.MaxWhole {
		// One read instead of one per page visit; a file that does not
		// read whole (an I/O error on a bad sector) is read page by page,
		// so that the readable pages still come back.
		buf := make([]byte, size)
		if n, err := r.ReadAt(buf, 0); n == len(buf) && (err == nil || err == io.EOF) {
			f.whole = buf
			r = bytes.NewReader(buf)
			f.r = r
		}
	}
	if opts.WAL != nil && opts.WALSize > 0 {
		w, err := ParseWAL(opts.WAL, opts.WALSize)
		if err != nil {
			f.Problems = append(f.Problems, "wal ignored: "+err.Error())
		} else {
			f.wal, f.walR = w, opts.WAL
			if w.StopReason != "" {
				f.Problems = append(f.Problems, "wal: "+w.StopReason)
			}
		}
	}
	hb := make([]byte, HeaderSize)
	n, err := r.ReadAt(hb, 0)
	if n < HeaderSize && f.wal == nil {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%w: reading header: %v", ErrNotSQLite, err)
	}
	f.hdr, _ = ParseHeader(hb)
	if f.wal != nil {
		if f.hdr.PageSizeOK && f.hdr.PageSize != f.wal.Header.PageSize {
			f.Problems = append(f.Problems, fmt.Sprintf("wal ignored: page size %d, database %d", f.wal.Header.PageSize, f.hdr.PageSize))
			f.wal, f.walR = nil, nil
		} else if off, ok := f.wal.PageOffset(1); ok {
			// The newest header is the one in the log.
			if _, err := f.walR.ReadAt(hb, off); err == nil {
				f.hdr, _ = ParseHeader(hb)
			}
		}
	}
	for _, p := range f.hdr.Problems {
		f.Problems = append(f.Problems, "header: "+p)
	}
	switch {
	case f.wal != nil:
		f.pageSize = f.wal.Header.PageSize
	case f.hdr.PageSizeOK:
		f.pageSize = f.hdr.PageSize
	default:
		ps, ok := guessPageSize(r, size)
		if !ok && !f.hdr.MagicOK {
			return nil, fmt.Errorf("%w: no header and no b-tree pages", ErrNotSQLite)
		}
		f.pageSize = ps
		f.Problems = append(f.Problems, fmt.Sprintf("page size guessed from the page layout: %d", ps))
	}
	f.usable = f.pageSize - f.hdr.ReservedBytes
	if f.usable < 480 {
		f.usable = f.pageSize
	}
	f.nPages = f.pageCount()
	return f, nil
}

// pageCount decides how many pages the database has: the WAL's last
// commit, else the header's count when SQLite vouches for it (a file
// may be longer than the database: Firefox grows it in chunks), else the
// file size.
func (f *File) pageCount() uint32 {
	// Never more pages than the file and the log can hold, so that
	// per-page bookkeeping is bounded by the input's size.
	filePages := uint64((f.size + int64(f.pageSize) - 1) / int64(f.pageSize))
	avail := filePages
	if f.wal != nil {
		// A log grows a database by appending pages, one frame each at
		// least; a frame numbered beyond that is not believed.
		bound := filePages + uint64(len(f.wal.Frames))
		for _, fr := range f.wal.Frames {
			if fr.Committed && uint64(fr.Page) > avail && uint64(fr.Page) <= bound {
				avail = uint64(fr.Page)
			}
		}
	}
	if avail > 0xfffffffe {
		avail = 0xfffffffe
	}
	n := avail
	switch {
	case f.wal != nil && f.wal.DBSize > 0:
		n = uint64(f.wal.DBSize)
	case f.hdr.MagicOK && f.hdr.PageCountValid():
		n = uint64(f.hdr.PageCount)
	}
	if n > avail {
		f.Problems = append(f.Problems, fmt.Sprintf("file truncated: the database has %d pages, the file holds %d", n, avail))
		n = avail
	}
	return uint32(n)
}

// guessPageSize picks the page size under which the most pages near the
// start of the file parse as b-tree pages whose content reaches the end
// of the page, as SQLite lays it out (a smaller page read with a larger
// size ends early; 4096 wins ties).
func guessPageSize(r io.ReaderAt, size int64) (int, bool) {
	best, bestScore := 4096, 0
	buf := make([]byte, 65536)
	for ps := 512; ps <= 65536; ps *= 2 {
		score := 0
		for pg := uint32(2); pg <= 33; pg++ {
			off := int64(pg-1) * int64(ps)
			if off+int64(ps) > size {
				break
			}
			b := buf[:ps]
			if _, err := r.ReadAt(b, off); err != nil {
				break
			}
			if bp, err := ParseBtreePage(b, pg, ps); err == nil && len(bp.Problems) == 0 && bp.fillsPage(b) {
				score++
			}
		}
		if score > bestScore || (score == bestScore && ps == 4096 && score > 0) {
			best, bestScore = ps, score
		}
	}
	return best, bestScore > 0
}

// Header returns the database header (as of the WAL when one is used).
func (f *File) Header() Header { return f.hdr }

// PageSize is the page size in use.
func (f *File) PageSize() int { return f.pageSize }

// UsableSize is the page size less reserved bytes.
func (f *File) UsableSize() int { return f.usable }

// PageCount is the number of pages of the database.
func (f *File) PageCount() uint32 { return f.nPages }

// WAL returns the parsed write-ahead log, or nil.
func (f *File) WAL() *WAL { return f.wal }

// InWAL reports whether page pgno is read from the log rather than the
// database file (damage to the file does not reach such a page).
func (f *File) InWAL(pgno uint32) bool {
	_, ok := f.wal.PageOffset(pgno)
	return ok
}

// BtreePage parses page pgno as a b-tree page (its cells, freeblocks and
// the damage noticed on it) and returns it with the page's bytes.
func (f *File) BtreePage(pgno uint32) (*BtreePage, []byte, error) {
	data, err := f.Page(pgno)
	if err != nil {
		return nil, nil, err
	}
	bp, err := ParseBtreePage(data, pgno, f.usable)
	return bp, data, err
}

// Page returns a copy of page pgno, as of the WAL's last commit.
func (f *File) Page(pgno uint32) ([]byte, error) {
	p, err := f.page(pgno)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), p...), nil
}

// page returns page pgno from the cache or the file; callers must not
// modify it.
func (f *File) page(pgno uint32) ([]byte, error) {
	if pgno == 0 || pgno > f.nPages {
		return nil, fmt.Errorf("page %d out of range 1..%d", pgno, f.nPages)
	}
	walOff, inWAL := f.wal.PageOffset(pgno)
	if f.whole != nil && !inWAL {
		off := int64(pgno-1) * int64(f.pageSize)
		switch {
		case off >= f.size:
			return nil, fmt.Errorf("page %d: past the end of the file (truncated)", pgno)
		case off+int64(f.pageSize) > int64(len(f.whole)):
			// Worded as when the page is read on its own.
			return nil, fmt.Errorf("reading page %d: page %d: cut short by the end of the file (truncated)", pgno, pgno)
		}
		end := off + int64(f.pageSize)
		return f.whole[off:end:end], nil
	}
	if p, ok := f.cache.get(pgno); ok {
		return p, nil
	}
	// A fresh buffer each time: callers may hold a page while others are
	// read and evicted.
	buf := make([]byte, f.pageSize)
	var err error
	if inWAL {
		_, err = f.walR.ReadAt(buf, walOff)
	} else {
		off := int64(pgno-1) * int64(f.pageSize)
		if off >= f.size {
			return nil, fmt.Errorf("page %d: past the end of the file (truncated)", pgno)
		}
		var n int
		n, err = f.r.ReadAt(buf, off)
		if n < len(buf) && err == io.EOF {
			err = fmt.Errorf("page %d: cut short by the end of the file (truncated)", pgno)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading page %d: %w", pgno, err)
	}
	f.cache.put(pgno, buf)
	return buf, nil
}

// pageCache is a small LRU cache of pages.
type pageCache struct {
	max   int
	items map[uint32]*list.Element
	order *list.List // front: most recent
}

type cachedPage struct {
	pgno uint32
	data []byte
}

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, items: map[uint32]*list.Element{}, order: list.New()}
}

func (c *pageCache) get(pgno uint32) ([]byte, bool) {
	if e, ok := c.items[pgno]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cachedPage).data, true
	}
	return nil, false
}

func (c *pageCache) put(pgno uint32, data []byte) {
	if c.order.Len() >= c.max {
		e := c.order.Back()
		cp := e.Value.(*cachedPage)
		delete(c.items, cp.pgno)
		c.order.Remove(e)
	}
	c.items[pgno] = c.order.PushFront(&cachedPage{pgno, data})
}

// be32 reads a big-endian uint32 at off, 0 when out of range.
func be32(b []byte, off int) uint32 {
	if off < 0 || off+4 > len(b) {
		return 0
	}
	return binary.BigEndian.Uint32(b[off:])
}

// Files holds an opened database and its WAL.
type Files struct {
	*File
	db, wal *os.File
}

// Close closes the files.
func (f *Files) Close() error {
	err := f.db.Close()
	if f.wal != nil {
		if e := f.wal.Close(); err == nil {
			err = e
		}
	}
	return err
}

// OpenPath opens the database file at path read-only, with path+"-wal"
// when useWAL is set and that file exists.
func OpenPath(path string, useWAL bool, limits Limits) (*Files, error) {
	db, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := db.Stat()
	if err != nil {
		db.Close()
		return nil, err
	}
	out := &Files{db: db}
	opts := Options{Limits: limits}
	if useWAL {
		if w, err := os.Open(path + "-wal"); err == nil {
			if wi, err := w.Stat(); err == nil {
				out.wal = w
				opts.WAL, opts.WALSize = w, wi.Size()
			} else {
				w.Close()
			}
		}
	}
	out.File, err = Open(db, fi.Size(), opts)
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
