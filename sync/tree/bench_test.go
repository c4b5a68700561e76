package tree_test

import (
	"fmt"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// BenchmarkBuildBoth replays both sides of the synthetic workloads into the
// builder (JSON decoding outside the timer), as dogear's anchor does.
func BenchmarkBuildBoth(b *testing.B) {
	for _, size := range []string{"10k", "40k", "100k"} {
		b.Run(size, func(b *testing.B) {
			in, err := testutil.LoadReplays(testutil.Shared(b, "fixtures", "bench", fmt.Sprintf("synthetic_%s.json.gz", size)))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := in.Local.Build(); err != nil {
					b.Fatal(err)
				}
				if _, err := in.Remote.Build(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
