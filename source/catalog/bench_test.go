package catalog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/catalog"
)

// profileWithBackups is large-40k with n Firefox backups of its tree
// (made by backup.Export, as Firefox would), dated a day apart.
func profileWithBackups(tb testing.TB, n int) string {
	tb.Helper()
	dir := testutil.Profile(tb, "large-40k", "before")
	js, count, err := backup.ExportFile(filepath.Join(dir, "places.sqlite"))
	if err != nil {
		tb.Fatal(err)
	}
	lz, err := backup.EncodeLZ4(js)
	if err != nil {
		tb.Fatal(err)
	}
	bdir := filepath.Join(dir, backup.FolderName)
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		day := time.Date(2026, 11, 1+i, 12, 0, 0, 0, time.Local)
		if err := os.WriteFile(filepath.Join(bdir, backup.FileName(day, count, append(js, byte(i)))), lz, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// BenchmarkLoadAll15Backups loads 15 backups of a 40k-bookmark tree
// (600k items): list, decompress, parse and build, one per core.
func BenchmarkLoadAll15Backups(b *testing.B) {
	dir := profileWithBackups(b, 15)
	all, err := catalog.List(dir)
	if err != nil {
		b.Fatal(err)
	}
	var backups []source.Entry
	for _, e := range all {
		if strings.HasPrefix(e.ID, "backup:") {
			backups = append(backups, e)
		}
	}
	if len(backups) != 15 {
		b.Fatalf("%d backups listed", len(backups))
	}
	start := cpuTime()
	for b.Loop() {
		rs, err := catalog.LoadAll(context.Background(), backups)
		if err != nil {
			b.Fatal(err)
		}
		items := 0
		for _, r := range rs {
			items += r.Tree.Len()
		}
		if items < 15*40000 {
			b.Fatalf("%d items", items)
		}
	}
	// CPU time is what the other programs on a shared machine do not
	// change: wall time is at best this divided by the cores.
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoadAllProfile is every source of that profile: Places, the
// mirror and the 15 backups.
func BenchmarkLoadAllProfile(b *testing.B) {
	dir := profileWithBackups(b, 15)
	for b.Loop() {
		all, err := catalog.List(dir)
		if err != nil {
			b.Fatal(err)
		}
		rs, err := catalog.LoadAll(context.Background(), all)
		if err != nil || len(rs) != 17 {
			b.Fatal(err, fmt.Sprint(len(rs)))
		}
	}
}
