package rebuild

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// large40k reads the large-40k fixture (before/) into a Database and
// returns it with the unpacked file.
func large40k(b *testing.B) (*Database, string) {
	b.Helper()
	orig := filepath.Join(b.TempDir(), "places.sqlite")
	gunzipTo(b, testutil.Shared(b, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), orig)
	return readDatabase(b, orig), orig
}

// BenchmarkWriteVerify40k writes and verifies a Database the size of
// large-40k (about 43k bookmarks and 42k pages).
func BenchmarkWriteVerify40k(b *testing.B) {
	db, _ := large40k(b)
	dir := b.TempDir()
	b.ReportMetric(float64(len(db.Bookmarks)), "bookmarks")
	b.ResetTimer()
	cpu0 := cpuTime(syscall.RUSAGE_SELF)
	for b.Loop() {
		path := filepath.Join(dir, "places.sqlite")
		if _, _, err := WriteVerified(context.Background(), path, db, testNow); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(path)
		b.StartTimer()
	}
	b.ReportMetric(float64(cpuTime(syscall.RUSAGE_SELF)-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkPrepare40k is the derivation alone: the rows Write inserts,
// from a Database the size of large-40k.
func BenchmarkPrepare40k(b *testing.B) {
	db, _ := large40k(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Prepare(db, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite40k is the write alone (rows derived once): SQLite's
// inserts and index builds.
func BenchmarkWrite40k(b *testing.B) {
	db, _ := large40k(b)
	p, err := Prepare(db, testNow)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	b.ResetTimer()
	cpu0 := cpuTime(syscall.RUSAGE_SELF)
	for b.Loop() {
		path := filepath.Join(dir, "places.sqlite")
		if err := writeFile(context.Background(), path, p.t); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(path)
		b.StartTimer()
	}
	b.ReportMetric(float64(cpuTime(syscall.RUSAGE_SELF)-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// cpuTime is the user+system CPU time of this process or of its waited-for
// children, in ns.
func cpuTime(who int) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// recoverCLI is SQLite's shell with .recover (../shared/tools/sqlite-recover),
// named by BMTUI_SQLITE_RECOVER or at the path the pages helper built it.
func recoverCLI(b *testing.B) string {
	for _, p := range []string{os.Getenv("BMTUI_SQLITE_RECOVER"), "/tmp/pages-recover/bin/sqlite3-recover-cli"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	b.Skip("no sqlite3 CLI with .recover: build it with ../shared/tools/sqlite-recover/build.sh and set BMTUI_SQLITE_RECOVER")
	return ""
}

// damagedCopy copies path and overwrites one moz_bookmarks leaf page in
// the middle of that table with garbage, as the a-bookmarks-leaf fixture
// does on a small file.
func damagedCopy(b *testing.B, path string) string {
	b.Helper()
	sdb, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
	if err != nil {
		b.Fatal(err)
	}
	var pageSize, page int64
	if err := sdb.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		b.Fatal(err)
	}
	err = sdb.QueryRow(`SELECT pageno FROM dbstat WHERE name = 'moz_bookmarks' AND pagetype = 'leaf'
		ORDER BY pageno LIMIT 1 OFFSET (SELECT count(*) / 2 FROM dbstat WHERE name = 'moz_bookmarks' AND pagetype = 'leaf')`).Scan(&page)
	sdb.Close()
	if err != nil {
		b.Fatalf("finding a moz_bookmarks leaf page: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	off := (page - 1) * pageSize
	for i := int64(0); i < pageSize; i++ {
		data[off+i] = byte(i*131 + 7)
	}
	out := filepath.Join(b.TempDir(), "damaged.sqlite")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkRecover40k is the bar: SQLite's .recover on a damaged copy of
// large-40k piped into a new database, the way recover_report.py does it.
func BenchmarkRecover40k(b *testing.B) {
	cli := recoverCLI(b)
	_, orig := large40k(b)
	damaged := damagedCopy(b, orig)
	dir := b.TempDir()
	b.ResetTimer()
	cpu0 := cpuTime(syscall.RUSAGE_CHILDREN)
	for b.Loop() {
		out := filepath.Join(dir, "recovered.db")
		cmd := exec.Command("sh", "-c", `"$0" "$1" .recover | "$0" "$2"`, cli, damaged, out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, msg)
		}
		b.StopTimer()
		os.Remove(out)
		b.StartTimer()
	}
	b.ReportMetric(float64(cpuTime(syscall.RUSAGE_CHILDREN)-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}
