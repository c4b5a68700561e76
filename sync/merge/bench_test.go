package merge_test

import (
	"context"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

var benchSizes = []string{"10k", "40k", "100k"}

func benchPath(tb testing.TB, size string) string {
	return testutil.Shared(tb, "fixtures", "bench", "synthetic_"+size+".json.gz")
}

// TestBenchFixtures merges the synthetic workloads and compares the whole
// result with dogear's.
func TestBenchFixtures(t *testing.T) {
	for _, size := range benchSizes {
		t.Run(size, func(t *testing.T) {
			if size == "100k" && testing.Short() {
				t.Skip("100k skipped with -short")
			}
			f, err := testutil.LoadDogear(benchPath(t, size))
			if err != nil {
				t.Fatal(err)
			}
			local, remote := buildSides(t, f)
			for _, explain := range []bool{false, true} {
				res, err := merge.Merge(context.Background(), local, remote, merge.Options{Explain: explain})
				if err != nil {
					t.Fatal(err)
				}
				checkExpect(t, f, res)
				checkConsistent(t, local, remote, res)
			}
		})
	}
}

// inputs decodes a workload's builder inputs.
func inputs(tb testing.TB, size string) *testutil.Replays {
	in, err := testutil.LoadReplays(benchPath(tb, size))
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

// buildInputs builds both trees at once, as bmtui does when it opens a
// profile (internal/load reads and builds each side on its own goroutine).
func buildInputs(tb testing.TB, in *testutil.Replays) (*tree.Tree, *tree.Tree) {
	return buildPair(tb, in.Local.Build, in.Remote.Build)
}

// buildPair runs both builds at once.
func buildPair(tb testing.TB, local, remote func() (*tree.Tree, error)) (*tree.Tree, *tree.Tree) {
	var l *tree.Tree
	var lErr error
	done := make(chan struct{})
	go func() {
		l, lErr = local()
		close(done)
	}()
	r, err := remote()
	<-done
	if err == nil {
		err = lErr
	}
	if err != nil {
		tb.Fatal(err)
	}
	return l, r
}

func BenchmarkBuildAndMerge(b *testing.B) {
	for _, size := range benchSizes {
		for _, explain := range []bool{false, true} {
			name := size
			if explain {
				name += "_explain"
			}
			b.Run(name, func(b *testing.B) {
				in := inputs(b, size)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					local, remote := buildInputs(b, in)
					if _, err := merge.Merge(context.Background(), local, remote, merge.Options{Explain: explain}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkMerge(b *testing.B) {
	for _, size := range benchSizes {
		for _, explain := range []bool{false, true} {
			name := size
			if explain {
				name += "_explain"
			}
			b.Run(name, func(b *testing.B) {
				local, remote := buildInputs(b, inputs(b, size))
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if _, err := merge.Merge(context.Background(), local, remote, merge.Options{Explain: explain}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkOps(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			local, remote := buildInputs(b, inputs(b, size))
			res, err := merge.Merge(context.Background(), local, remote, merge.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = res.Ops()
			}
		})
	}
}
