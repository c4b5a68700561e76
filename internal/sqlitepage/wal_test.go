package sqlitepage

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// appendFrame appends a frame holding data for page pg to a log,
// continuing the checksum chain so that SQLite would accept it.
func appendFrame(t *testing.T, wal []byte, pg, dbSize uint32, data []byte) []byte {
	t.Helper()
	w, err := ParseWAL(bytes.NewReader(wal), int64(len(wal)))
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := w.Header.Sum1, w.Header.Sum2
	if n := len(w.Frames); n > 0 {
		hdr := wal[w.Frames[n-1].Offset-WALFrameHeaderSize:]
		s1, s2 = binary.BigEndian.Uint32(hdr[16:]), binary.BigEndian.Uint32(hdr[20:])
	}
	fh := make([]byte, WALFrameHeaderSize)
	be := binary.BigEndian
	be.PutUint32(fh, pg)
	be.PutUint32(fh[4:], dbSize)
	be.PutUint32(fh[8:], w.Header.Salt1)
	be.PutUint32(fh[12:], w.Header.Salt2)
	s1, s2 = walChecksum(fh[:8], w.Header.BigEndianSums, s1, s2)
	s1, s2 = walChecksum(data, w.Header.BigEndianSums, s1, s2)
	be.PutUint32(fh[16:], s1)
	be.PutUint32(fh[20:], s2)
	out := append(bytes.Clone(wal[:WALHeaderSize+len(w.Frames)*(WALFrameHeaderSize+w.Header.PageSize)]), fh...)
	return append(out, data...)
}

func TestWAL(t *testing.T) {
	path := tempDB(t)
	db := openSQL(t, path)
	exec(t, db, `PRAGMA journal_mode=WAL`, `PRAGMA wal_autocheckpoint=0`)
	fillDB(t, db, 300)
	exec(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
	before := sqlRows(t, db, "items")
	// Commits that stay in the log: inserts, an update, deletes, a new
	// table.
	exec(t, db, `INSERT INTO items(id, title) VALUES (5000, 'only in the wal'), (5001, 'also')`,
		`UPDATE items SET title = 'changed in the wal' WHERE id = 30`,
		`DELETE FROM items WHERE id BETWEEN 100 AND 400`,
		`CREATE TABLE walonly(x)`, `INSERT INTO walonly VALUES ('w')`)
	after := sqlRows(t, db, "items")
	dbImg, walImg := readFile(t, path), readFile(t, path+"-wal")
	if len(walImg) == 0 {
		t.Fatal("the log is empty")
	}

	check := func(t *testing.T, f *File, want map[int64]string) {
		t.Helper()
		reach, orphan, bad, probs := readerRows(t, f, "items")
		if d := diffRows(want, reach); len(d) > 0 || len(orphan) > 0 || bad > 0 || len(probs) > 0 {
			t.Errorf("%d rows, %d orphan, %d bad, problems %v; diff %v", len(reach), len(orphan), bad, probs, d)
		}
	}
	t.Run("as of the log", func(t *testing.T) {
		f := openBytes(t, dbImg, walImg)
		w := f.WAL()
		if w == nil || w.Commits < 5 || w.StopReason != "" {
			t.Fatalf("wal: %+v, problems %v", w, f.Problems)
		}
		check(t, f, after)
		if tab, err := f.Table("walonly"); err != nil {
			t.Errorf("table created in the log: %v", err)
		} else if !f.InWAL(tab.RootPage) || f.InWAL(f.PageCount()+1) {
			t.Errorf("InWAL(%d) false for a page only the log has", tab.RootPage)
		}
	})
	t.Run("main file only", func(t *testing.T) {
		check(t, openBytes(t, dbImg, nil), before)
	})

	t.Run("frames SQLite spilled from an open transaction", func(t *testing.T) {
		// A transaction larger than the page cache writes frames before
		// its commit; a crash then leaves them without a commit frame.
		exec(t, db, `PRAGMA cache_spill=ON`, `PRAGMA cache_size=10`, `BEGIN`, `UPDATE items SET title = 'uncommitted ' || id`,
			`INSERT INTO items(title, data) SELECT 'spill', randomblob(3000) FROM items, items AS i2 LIMIT 2000`)
		dbNow, walNow := readFile(t, path), readFile(t, path+"-wal")
		exec(t, db, `ROLLBACK`)
		f := openBytes(t, dbNow, walNow)
		uncommitted := 0
		for _, fr := range f.WAL().Frames {
			if !fr.Committed {
				uncommitted++
			}
		}
		if uncommitted == 0 {
			t.Fatal("SQLite wrote no uncommitted frames: the test is broken")
		}
		t.Logf("%d uncommitted frames ignored", uncommitted)
		check(t, f, after)
	})

	f := openBytes(t, dbImg, walImg)
	items, _ := f.Table("items")
	zero := make([]byte, f.PageSize())
	t.Run("uncommitted trailing frame ignored", func(t *testing.T) {
		wal := appendFrame(t, walImg, items.RootPage, 0, zero)
		f := openBytes(t, dbImg, wal)
		if n := len(f.WAL().Frames); n != len(openBytes(t, dbImg, walImg).WAL().Frames)+1 {
			t.Fatalf("the appended frame is not valid (%d frames): the test is broken", n)
		}
		check(t, f, after)
	})
	t.Run("committed frame with a bad checksum ignored", func(t *testing.T) {
		wal := appendFrame(t, walImg, items.RootPage, f.PageCount(), zero)
		wal[len(wal)-1] ^= 0xff
		f := openBytes(t, dbImg, wal)
		if f.WAL().StopReason == "" {
			t.Error("bad checksum not noticed")
		}
		check(t, f, after)
	})
	t.Run("valid committed frame applies", func(t *testing.T) {
		// The control: the same frame, committed and intact, replaces the
		// root, so the table reads empty.
		wal := appendFrame(t, walImg, items.RootPage, f.PageCount(), zero)
		reach, _, _, probs := readerRows(t, openBytes(t, dbImg, wal), "items")
		if len(reach) != 0 || len(probs) == 0 {
			t.Errorf("zeroed root from the log: %d rows, problems %v", len(reach), probs)
		}
	})
	t.Run("salt from an older log ends it", func(t *testing.T) {
		wal := bytes.Clone(walImg)
		// Frame 3's salt no longer matches: frames from 3 on are stale.
		off := WALHeaderSize + 2*(WALFrameHeaderSize+f.PageSize())
		wal[off+8] ^= 1
		w, err := ParseWAL(bytes.NewReader(wal), int64(len(wal)))
		if err != nil || len(w.Frames) != 2 {
			t.Errorf("frames %d, err %v", len(w.Frames), err)
		}
	})
}

// TestWALFarPage: a valid commit naming page 4,000,000,000 must not make
// the reader size its bookkeeping for that many pages.
func TestWALFarPage(t *testing.T) {
	path := tempDB(t)
	db := openSQL(t, path)
	exec(t, db, `PRAGMA journal_mode=WAL`, `PRAGMA wal_autocheckpoint=0`, `CREATE TABLE t(x)`, `INSERT INTO t VALUES (1)`)
	dbImg, walImg := readFile(t, path), readFile(t, path+"-wal")
	f0 := openBytes(t, dbImg, walImg)
	wal := appendFrame(t, walImg, 4_000_000_000, 4_000_000_000, make([]byte, f0.PageSize()))
	f := openBytes(t, dbImg, wal)
	if f.WAL().DBSize != 4_000_000_000 {
		t.Fatalf("the crafted commit was not accepted (db size %d): the test is broken", f.WAL().DBSize)
	}
	if n := f.PageCount(); n > f0.PageCount()+uint32(len(f.WAL().Frames)) {
		t.Errorf("page count %d from a far frame", n)
	}
	if s := f.Survey(); len(s.Pages) > 100 {
		t.Errorf("survey of %d pages", len(s.Pages))
	}
}
