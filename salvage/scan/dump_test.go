package scan

import (
	"fmt"
	"os"
	"testing"
)

func TestDumpTmp(t *testing.T) {
	dir := os.Getenv("DUMPDIR")
	if dir == "" {
		t.Skip()
	}
	in, err := Profile(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := in.Places
	fmt.Println("err", p.Err, "wal", p.WAL, p.WALFrames, "pages", p.Pages, "freelist", p.FreelistComplete)
	fmt.Println("bookmarks", len(p.Bookmarks), p.BookmarksComplete, "idx", len(p.GUIDIndex), p.GUIDIndexComplete, "tables", p.Tables, "bad", p.BadCells)
	for _, d := range p.Damage {
		fmt.Println(" dmg", d)
	}
	orph := 0
	for _, b := range p.Bookmarks {
		if b.Orphan {
			orph++
		}
	}
	fmt.Println("orphan bm", orph, "tomb", p.Tombstones, "meta", p.Meta)
	for _, b := range in.Backups {
		fmt.Println("backup", b.Name, b.Err, b.Time, b.Root.Count())
	}
	fmt.Println("mirror", in.Mirror.Err, len(in.Mirror.Items), in.Mirror.Time, len(in.Mirror.Damage))
}
