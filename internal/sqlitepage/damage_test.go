package sqlitepage

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// bigDB builds a 1 KiB-page database deep enough to have interior pages
// below the root, with some rows that overflow over several pages.
func bigDB(t testing.TB) (image []byte, want map[int64]string, db *sql.DB) {
	t.Helper()
	path := tempDB(t)
	db = openSQL(t, path)
	exec(t, db, `PRAGMA page_size=1024`,
		`CREATE TABLE big(id INTEGER PRIMARY KEY, guid TEXT NOT NULL, n INT, pad TEXT)`,
		`CREATE INDEX big_guid ON big(guid)`)
	tx, _ := db.Begin()
	for i := 1; i <= 5000; i++ {
		pad := fmt.Sprintf("row %d", i)
		if i%500 == 0 {
			pad = strings.Repeat("overflowing ", 400)
		}
		if _, err := tx.Exec(`INSERT INTO big VALUES (?, ?, ?, ?)`, i, fmt.Sprintf("guid-%07d", i), i*i, pad); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return readFile(t, path), sqlRows(t, db, "big"), db
}

// pagesOf lists the pages of a kind that belong to the tree rooted at
// root (any tree when root is 0).
func pagesOf(s *Survey, k PageKind, root uint32) []uint32 {
	var out []uint32
	for i, p := range s.Pages {
		if p.Kind == k && (root == 0 || p.Root == root) {
			out = append(out, uint32(i+1))
		}
	}
	return out
}

func pageBytes(img []byte, pg uint32, size int) []byte {
	return img[int(pg-1)*size : int(pg)*size]
}

// union merges reachable and orphan rows; a rowid in both must agree.
func union(t *testing.T, a, b map[int64]string) map[int64]string {
	out := map[int64]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if w, ok := out[k]; ok && w != v {
			t.Errorf("rowid %d differs between reachable and orphan rows", k)
		}
		out[k] = v
	}
	return out
}

// subset checks that every row got also is in want, with equal values.
func subset(t *testing.T, got, want map[int64]string) {
	t.Helper()
	for k, v := range got {
		if want[k] != v {
			t.Errorf("rowid %d: got %.60s, want %.60s", k, v, want[k])
			return
		}
	}
}

func TestDamage(t *testing.T) {
	clean, want, _ := bigDB(t)
	f := openBytes(t, clean, nil)
	s := f.Survey()
	big, err := f.Table("big")
	if err != nil {
		t.Fatal(err)
	}
	root := big.RootPage
	interior := pagesOf(s, KindTableInterior, root)
	leaves := pagesOf(s, KindTableLeaf, root)
	if len(interior) < 2 || len(leaves) < 10 {
		t.Fatalf("tree too shallow for the test: %s", s)
	}
	// Rows per leaf, to know what a damaged leaf takes away.
	onPage := map[uint32][]int64{}
	if _, err := f.TableRows(root, func(r Row) error {
		onPage[r.Page] = append(onPage[r.Page], r.Rowid)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A row with three or more overflow pages.
	var chain []uint32
	f.TableRows(root, func(r Row) error {
		if chain != nil {
			return nil
		}
		data, _ := f.page(r.Page)
		bp, _ := ParseBtreePage(data, r.Page, f.usable)
		c, _ := bp.Cell(data, bp.CellOffsets[r.Cell])
		if c.Overflow != 0 {
			f.followOverflow(c.Overflow, c.PayloadSize-int64(len(c.Payload)), func(pg uint32, _ []byte) { chain = append(chain, pg) })
			if len(chain) < 3 {
				chain = nil
			}
		}
		return nil
	})
	if chain == nil {
		t.Fatal("no row with a 3-page overflow chain")
	}
	ps := f.PageSize()
	nonRoot := interior[0]
	if nonRoot == root {
		nonRoot = interior[1]
	}
	leaf := leaves[len(leaves)/2]
	// A leaf below the interior page that is zeroed.
	ibp, idata, err := f.BtreePage(nonRoot)
	if err != nil {
		t.Fatal(err)
	}
	c0, err := ibp.Cell(idata, ibp.CellOffsets[0])
	if err != nil {
		t.Fatal(err)
	}
	under := c0.LeftChild

	for _, tc := range []struct {
		name   string
		damage func(img []byte) []byte
		// lost are rowids that may be missing; every other row must come
		// back (reachable or orphan) exactly.
		lost      []int64
		bad       int  // cells expected to fail
		truncated bool // only a subset can be asked for
	}{
		{"zeroed interior page", func(img []byte) []byte {
			clear(pageBytes(img, nonRoot, ps))
			return img
		}, nil, 0, false},
		{"zeroed interior page, damaged orphan below it", func(img []byte) []byte {
			clear(pageBytes(img, nonRoot, ps))
			binary.BigEndian.PutUint16(pageBytes(img, under, ps)[8:], 3) // cell 0 points into the header
			return img
		}, onPage[under][:1], 0, false},
		{"garbage leaf", func(img []byte) []byte {
			rng := rand.New(rand.NewPCG(1, 2))
			p := pageBytes(img, leaf, ps)
			for i := range p {
				p[i] = byte(rng.Uint32())
			}
			p[0] = 0x42 // not a b-tree flag
			return img
		}, onPage[leaf], 0, false},
		{"torn leaf (second half zeroed)", func(img []byte) []byte {
			clear(pageBytes(img, leaf, ps)[ps/2:])
			return img
		}, onPage[leaf], -1, false},
		{"cyclic overflow chain", func(img []byte) []byte {
			binary.BigEndian.PutUint32(pageBytes(img, chain[1], ps), chain[0])
			return img
		}, nil, 1, false},
		{"b-tree cycle through the root", func(img []byte) []byte {
			p := pageBytes(img, root, ps)
			binary.BigEndian.PutUint32(p[8:], root)
			return img
		}, nil, 0, false},
		{"truncated to 60%", func(img []byte) []byte {
			return img[:len(img)*6/10]
		}, nil, -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := tc.damage(bytes.Clone(clean))
			f := openBytes(t, img, nil)
			s := f.Survey()
			reach, orphan, bad, probs := readerRows(t, f, "big")
			got := union(t, reach, orphan)
			t.Logf("%s; %d reachable, %d orphan, %d bad cells, %d tree problems", s, len(reach), len(orphan), bad, len(probs))
			subset(t, got, want)
			if tc.bad >= 0 && bad != tc.bad {
				t.Errorf("%d damaged cells, want %d", bad, tc.bad)
			}
			if len(probs)+len(s.Problems)+bad == 0 {
				t.Error("damage went unreported")
			}
			if tc.truncated {
				if len(got) == 0 {
					t.Error("nothing read from the part that is left")
				}
				return
			}
			lost := map[int64]bool{}
			for _, id := range tc.lost {
				lost[id] = true
			}
			missing := 0
			for id := range want {
				if _, ok := got[id]; !ok {
					if !lost[id] {
						missing++
					}
				}
			}
			if missing > tc.bad && missing > 0 {
				t.Errorf("%d rows missing that the damage did not touch", missing)
			}
		})
	}
}

// TestLostSchemaPage zeroes page 1: the header and the schema are gone,
// yet the page size is guessed and every row is found on orphan leaves.
func TestLostSchemaPage(t *testing.T) {
	clean, want, _ := bigDB(t)
	img := bytes.Clone(clean)
	clear(img[:1024])
	f := openBytes(t, img, nil)
	if f.PageSize() != 1024 {
		t.Fatalf("page size %d, want 1024 (problems %v)", f.PageSize(), f.Problems)
	}
	if _, err := f.ReadTable("big", func(Row) error { return nil }); !errors.Is(err, ErrNoTable) {
		t.Errorf("ReadTable without a schema: %v", err)
	}
	got := map[int64]string{}
	if err := f.OrphanRows(func(r Row) error {
		if r.Err == nil && len(r.Values) == 4 {
			r.Values[0] = IntValue(r.Rowid)
			got[r.Rowid] = render(r.Values)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if d := diffRows(want, got); len(d) > 0 {
		t.Errorf("orphan rows differ: %v", d)
	}
}

func TestNotSQLite(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"short", []byte("hello")},
		{"text", bytes.Repeat([]byte("not a database at all\n"), 5000)},
		{"zeros", make([]byte, 1<<16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Open(bytes.NewReader(tc.data), int64(len(tc.data)), Options{})
			if err == nil {
				t.Fatalf("opened as SQLite: %d pages of %d, problems %v", f.PageCount(), f.PageSize(), f.Problems)
			}
			if !errors.Is(err, ErrNotSQLite) {
				t.Errorf("error %v does not say it is not SQLite", err)
			}
		})
	}
}

// TestBadPageSizeField: only the page size field is damaged; the size is
// guessed and every table still reads by name.
func TestBadPageSizeField(t *testing.T) {
	clean, want, _ := bigDB(t)
	for _, bad := range []uint16{0, 3, 1000, 0x8000 + 1} {
		img := bytes.Clone(clean)
		binary.BigEndian.PutUint16(img[16:], bad)
		f := openBytes(t, img, nil)
		if f.PageSize() != 1024 {
			t.Errorf("field %d: page size %d, want 1024", bad, f.PageSize())
			continue
		}
		reach, orphan, bad2, _ := readerRows(t, f, "big")
		if d := diffRows(want, reach); len(d) > 0 || len(orphan) > 0 || bad2 > 0 {
			t.Errorf("field %d: %d rows, %d orphan, %d bad; %v", bad, len(reach), len(orphan), bad2, d)
		}
	}
}

// TestRandomDamage zeroes, garbles or tears random pages, many times:
// whatever the reader returns without an error must be a row SQLite had.
// Overflow pages are only zeroed or torn: their content has no structure
// or checksum, so garbage there cannot be told from data (by .recover
// either).
func TestRandomDamage(t *testing.T) {
	clean, want, _ := bigDB(t)
	kinds := openBytes(t, clean, nil).Survey()
	rng := rand.New(rand.NewPCG(7, 7))
	const ps = 1024
	n := len(clean) / ps
	for iter := 0; iter < 60; iter++ {
		img := bytes.Clone(clean)
		for k := 0; k < 1+rng.IntN(4); k++ {
			pg := rng.IntN(n)
			p := img[pg*ps:][:ps]
			how := rng.IntN(3)
			if how == 1 && kinds.Pages[pg].Kind == KindOverflow {
				how = 0
			}
			switch how {
			case 0:
				clear(p)
			case 1:
				for i := range p {
					p[i] = byte(rng.Uint32())
				}
			case 2:
				clear(p[ps/2:])
			}
		}
		f, err := Open(bytes.NewReader(img), int64(len(img)), Options{})
		if err != nil {
			continue
		}
		got := map[int64]string{}
		f.Survey()
		if _, err := f.ReadTable("big", func(r Row) error {
			if r.Err == nil {
				got[r.Rowid] = render(r.Values)
			}
			return nil
		}); err != nil && !errors.Is(err, ErrNoTable) {
			t.Fatal(err)
		}
		subset(t, got, want)
	}
}
