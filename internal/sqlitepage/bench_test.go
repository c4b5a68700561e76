package sqlitepage

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// BenchmarkLarge40k surveys every page of the 40,000-bookmark profile's
// places.sqlite and reads moz_bookmarks and moz_places (or every table,
// to compare with .recover, which reads them all), from a fresh open
// each time (the OS page cache stays warm).
func BenchmarkLarge40k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "places.sqlite")
	testutil.Gunzip(b, testutil.Shared(b, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), path)
	for _, bc := range []struct {
		name   string
		tables func(*File) []string
	}{
		{"bookmarks+places", func(*File) []string { return []string{"moz_bookmarks", "moz_places"} }},
		{"every-table", func(f *File) []string {
			var out []string
			schema, _ := f.Schema()
			for _, e := range schema {
				if e.Type == "table" && e.RootPage > 0 {
					out = append(out, e.Name)
				}
			}
			return out
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var rows int
			cpu0 := cpuTime()
			for b.Loop() {
				files, err := OpenPath(path, true, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				s := files.Survey()
				if len(s.Problems) > 0 {
					b.Fatalf("problems in an intact file: %v", s.Problems[0])
				}
				rows = 0
				for _, table := range bc.tables(files.File) {
					if _, err := files.ReadTable(table, func(r Row) error {
						if r.Err != nil {
							b.Fatalf("%s: %v", table, r.Err)
						}
						rows++
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(files.PageCount()), "pages")
				files.Close()
			}
			b.ReportMetric(float64(rows), "rows")
			// CPU time as well as wall time: the machine is shared, and
			// CPU time is what compares with another program's user+sys.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// cpuTime is the process's user+system time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
