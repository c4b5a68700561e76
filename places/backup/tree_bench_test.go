package backup

import (
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// BenchmarkParseTree40k is one backup of a 40k-bookmark tree: decompress,
// parse, build.
func BenchmarkParseTree40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	js, _, err := ExportFile(filepath.Join(dir, "places.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	lz, err := EncodeLZ4(js)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(js)))
	for b.Loop() {
		n, err := Parse(lz)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := Tree(n, 1700000000000); err != nil {
			b.Fatal(err)
		}
	}
}
