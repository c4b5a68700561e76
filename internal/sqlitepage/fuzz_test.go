package sqlitepage

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// smallDB builds a tiny database with 512-byte pages (overflow, index,
// free pages), one transaction per row, in WAL mode when wal is set, and
// returns its image and log.
func smallDB(f *testing.F, wal bool, rows int) (db, log []byte) {
	f.Helper()
	path := f.TempDir() + "/s.sqlite"
	conn := openSQL(f, path)
	exec(f, conn, `PRAGMA page_size=512`)
	if wal {
		exec(f, conn, `PRAGMA journal_mode=WAL`, `PRAGMA wal_autocheckpoint=0`)
	}
	exec(f, conn, `CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b)`, `CREATE INDEX t_a ON t(a)`)
	for i := 0; i < rows; i++ {
		exec(f, conn, `INSERT INTO t(a, b) VALUES ('row '||hex(randomblob(8)), CASE WHEN abs(random()) % 5 = 0 THEN randomblob(900) ELSE 3.5 END)`)
	}
	exec(f, conn, `DELETE FROM t WHERE id % 3 = 0`)
	db = readFile(f, path)
	if wal {
		log = readFile(f, path+"-wal")
	}
	return db, log
}

// exercise runs everything the reader offers on a file; the fuzzers
// check that none of it panics or loops.
func exercise(f *File) {
	f.Survey()
	schema, _ := f.Schema()
	for _, e := range schema {
		if e.Type == "table" {
			f.ReadTable(e.Name, func(r Row) error { return nil })
		}
		if e.RootPage > 0 {
			f.TableRows(e.RootPage, func(Row) error { return nil })
		}
	}
	f.OrphanRows(func(Row) error { return nil })
}

// allRows renders every table's rows and problems.
func allRows(f *File) string {
	var b strings.Builder
	schema, _ := f.Schema()
	for _, e := range schema {
		if e.Type != "table" {
			continue
		}
		probs, err := f.ReadTable(e.Name, func(r Row) error {
			fmt.Fprintf(&b, "%s %d/%d %d %v %v %s\n", e.Name, r.Page, r.Cell, r.Rowid, r.Orphan, r.Err, render(r.Values))
			return nil
		})
		fmt.Fprintf(&b, "%s: %v %v\n", e.Name, probs, err)
	}
	return b.String()
}

func FuzzHeader(f *testing.F) {
	db, _ := smallDB(f, false, 40)
	f.Add(db[:HeaderSize])
	f.Add(make([]byte, HeaderSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			return
		}
		if !ValidPageSize(h.PageSize) || h.UsableSize() < 480 {
			t.Fatalf("implausible header survived: page size %d, usable %d", h.PageSize, h.UsableSize())
		}
	})
}

func FuzzPage(f *testing.F) {
	db, _ := smallDB(f, false, 40)
	for pg := 0; pg*512 < len(db); pg++ {
		f.Add(db[pg*512:(pg+1)*512], uint32(pg+1))
	}
	f.Fuzz(func(t *testing.T, page []byte, pgno uint32) {
		bp, err := ParseBtreePage(page, pgno, len(page))
		if err != nil {
			return
		}
		bp.fillsPage(page)
		for _, off := range bp.CellOffsets {
			c, err := bp.Cell(page, off)
			if err != nil {
				continue
			}
			if c.PayloadOffset < 0 || c.PayloadOffset+len(c.Payload) > len(page) {
				t.Fatalf("payload %d+%d outside a %d-byte page", c.PayloadOffset, len(c.Payload), len(page))
			}
			DecodeRecord(c.Payload, UTF8)
		}
		zeroTail(page)
	})
}

func FuzzRecord(f *testing.F) {
	f.Add([]byte{0x03, 0x01, 0x0f, 0x2a, 'a'})
	f.Add([]byte{0x06, 0x00, 0x06, 0x07, 0x08, 0x81, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x02, 0x0a})
	f.Fuzz(func(t *testing.T, payload []byte) {
		var scratch []Value
		for _, enc := range []Encoding{UTF8, UTF16LE, UTF16BE} {
			vals, err := DecodeRecord(payload, enc)
			if err == nil && len(vals) > len(payload) {
				t.Fatalf("%d values from %d bytes", len(vals), len(payload))
			}
			// Sharing the payload's bytes and reusing a slice give the
			// same values as copying.
			shared, err2 := decodeRecord(scratch, payload, enc, true)
			if (err == nil) != (err2 == nil) || render(vals) != render(shared) {
				t.Fatalf("shared decoding differs: %v %s, copied: %v %s", err2, render(shared), err, render(vals))
			}
			scratch = shared
		}
		Varint(payload)
	})
}

func FuzzWAL(f *testing.F) {
	// Few commits: a small log mutates faster.
	db, wal := smallDB(f, true, 6)
	f.Add(wal)
	f.Add(wal[:WALHeaderSize])
	f.Fuzz(func(t *testing.T, log []byte) {
		w, err := ParseWAL(bytes.NewReader(log), int64(len(log)))
		if err == nil && len(w.Frames) > w.TotalFrames {
			t.Fatalf("%d frames of %d", len(w.Frames), w.TotalFrames)
		}
		file, err := Open(bytes.NewReader(db), int64(len(db)), Options{WAL: bytes.NewReader(log), WALSize: int64(len(log))})
		if err == nil {
			exercise(file)
		}
	})
}

func FuzzFile(f *testing.F) {
	// Few rows (still an interior root): the engine minimizes every input
	// it finds interesting, and a 17 KB one took it most of a minute.
	db, _ := smallDB(f, false, 16)
	f.Add(db)
	torn := bytes.Clone(db)
	clear(torn[len(torn)/2:])
	f.Add(torn)
	f.Add(db[:len(db)/3])
	walDB, _ := smallDB(f, true, 16)
	f.Add(walDB)
	// The table's root (an interior page) zeroed: its leaves are orphans.
	if file, err := Open(bytes.NewReader(db), int64(len(db)), Options{}); err == nil {
		if tab, err := file.Table("t"); err == nil {
			cut := bytes.Clone(db)
			clear(cut[int(tab.RootPage-1)*512:][:512])
			f.Add(cut)
		}
	}
	f.Fuzz(func(t *testing.T, image []byte) {
		// Held whole (the default) and read page by page through the
		// cache: the same rows either way.
		var got [2]string
		for i, whole := range []int64{0, 1} {
			file, err := Open(bytes.NewReader(image), int64(len(image)), Options{Limits: Limits{MaxPayload: 1 << 20, MaxWhole: whole}})
			if err != nil {
				return
			}
			exercise(file)
			got[i] = allRows(file)
		}
		if got[0] != got[1] {
			t.Fatalf("held whole:\n%s\npage by page:\n%s", got[0], got[1])
		}
	})
}

func FuzzCreateTable(f *testing.F) {
	f.Add(`CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, guid TEXT, UNIQUE(guid))`)
	f.Add(`CREATE TABLE "a""b" ([x y] VARCHAR(1,2), 'z' , PRIMARY KEY("x y")) WITHOUT ROWID`)
	f.Fuzz(func(t *testing.T, sql string) {
		tab, err := ParseCreateTable(sql)
		if err != nil {
			return
		}
		if tab.RowidAlias >= len(tab.Columns) {
			t.Fatalf("alias %d of %d columns", tab.RowidAlias, len(tab.Columns))
		}
		tab.Matches(make([]Value, len(tab.Columns)))
	})
}
