package sqlitepage

import (
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// BenchmarkLarge40k scans every page of the 40,000-bookmark profile's
// places.sqlite and reads moz_bookmarks and moz_places, from a fresh
// open each time (the OS page cache stays warm).
func BenchmarkLarge40k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "places.sqlite")
	testutil.Gunzip(b, testutil.Shared(b, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), path)
	var rows int
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
		for _, table := range []string{"moz_bookmarks", "moz_places"} {
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
}
