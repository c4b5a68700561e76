package sqlitepage

import (
	"bytes"
	"encoding/binary"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestLargeDamagedVsRecover damages a copy of the 40,000-bookmark
// profile (an interior page of moz_bookmarks and of moz_places zeroed, a
// moz_places leaf garbled) and compares what the reader gets with what
// SQLite's .recover gets, rows and time. It needs the CLI that
// ../shared/tools/sqlite-recover/build.sh builds, named by
// $SQLITE_RECOVER_CLI.
func TestLargeDamagedVsRecover(t *testing.T) {
	cli := os.Getenv("SQLITE_RECOVER_CLI")
	if cli == "" || testing.Short() {
		t.Skip("set SQLITE_RECOVER_CLI to a sqlite3 with .recover")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "places.sqlite")
	testutil.Gunzip(t, testutil.Shared(t, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), path)
	img := readFile(t, path)
	f := openBytes(t, img, nil)
	s := f.Survey()
	ps := f.PageSize()
	damaged := map[string]uint32{}
	for _, table := range []string{"moz_bookmarks", "moz_places"} {
		tab, err := f.Table(table)
		if err != nil {
			t.Fatal(err)
		}
		var interior []uint32
		for _, pg := range pagesOf(s, KindTableInterior, tab.RootPage) {
			if pg != tab.RootPage {
				interior = append(interior, pg)
			}
		}
		leaves := pagesOf(s, KindTableLeaf, tab.RootPage)
		if len(interior) > 0 {
			damaged[table+" interior (zeroed)"] = interior[0]
		} else {
			// Two levels: cut the root's first child pointer instead.
			damaged[table+" root's first child pointer"] = tab.RootPage
		}
		if table == "moz_places" {
			damaged[table+" leaf (garbled)"] = leaves[len(leaves)/3]
		}
	}
	for what, pg := range damaged {
		p := img[int(pg-1)*ps:][:ps]
		switch {
		case strings.Contains(what, "zeroed"):
			clear(p)
		case strings.Contains(what, "garbled"):
			for i := range p {
				p[i] = byte(i*7 + 3)
			}
		default:
			bp, _ := ParseBtreePage(p, pg, ps)
			binary.BigEndian.PutUint32(p[bp.CellOffsets[0]:], 0xfffffff0)
		}
		t.Logf("damaged page %d: %s", pg, what)
	}
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	files, err := OpenPath(path, true, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	ours := map[string]int{}
	for _, table := range []string{"moz_bookmarks", "moz_places"} {
		seen := map[int64]bool{}
		if _, err := files.ReadTable(table, func(r Row) error {
			if r.Err == nil {
				seen[r.Rowid] = true
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		ours[table] = len(seen)
	}
	ourTime := time.Since(start)

	start = time.Now()
	sqlOut, err := osexec.Command(cli, path, ".recover").Output()
	if err != nil {
		t.Fatalf(".recover: %v", err)
	}
	recovered := filepath.Join(dir, "recovered.sqlite")
	load := osexec.Command(cli, recovered)
	load.Stdin = bytes.NewReader(sqlOut)
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("loading .recover's SQL: %v\n%s", err, out)
	}
	recTime := time.Since(start)
	for _, table := range []string{"moz_bookmarks", "moz_places"} {
		out, err := osexec.Command(cli, recovered, "SELECT count(*) FROM "+table).Output()
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		t.Logf("%s: reader %d rows, .recover %d", table, ours[table], n)
		if ours[table] < n {
			t.Errorf("%s: fewer rows than .recover", table)
		}
	}
	t.Logf("reader %v (survey, schema, two tables); .recover %v (SQL out and loaded)", ourTime, recTime)
}
