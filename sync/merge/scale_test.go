package merge_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/bmtui/bmtui/internal/benchscale"
	"github.com/bmtui/bmtui/internal/replay"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// placed is where a merged node ended up.
type placed struct {
	state  merge.State
	parent string
	pos    int // among the parent's children; -1 under a built-in root, where copies interleave
}

func placements(res *merge.Result) map[string]placed {
	out := map[string]placed{}
	res.Walk(func(n, p *merge.Node, pos int) bool {
		pl := placed{state: n.State, pos: pos}
		if p != nil {
			pl.parent = p.GUID
			if p.GUID == tree.RootGUID || tree.IsBuiltInRoot(p.GUID) {
				pl.pos = -1
			}
		}
		out[n.GUID] = pl
		return true
	})
	return out
}

// TestScaledWorkload checks the scaled workloads against the fixture's
// own merge: k copies merge into k copies of the result, node by node
// (state, parent, position), with k times the counts and deletions.
func TestScaledWorkload(t *testing.T) {
	const k = 3
	in := inputs(t, "10k")
	one := mergeReplays(t, in)
	scaled, err := benchscale.Replicate(in, k)
	if err != nil {
		t.Fatal(err)
	}
	many := mergeReplays(t, scaled)

	roots := 0
	for g := range placements(one) {
		if g == tree.RootGUID || tree.IsBuiltInRoot(g) {
			roots++
		}
	}
	c1, ck := one.Counts, many.Counts
	if want := k*(c1.MergedNodes-roots+1) + roots - 1; ck.MergedNodes != want {
		t.Errorf("merged nodes %d, want %d", ck.MergedNodes, want)
	}
	if ck.Dupes != k*c1.Dupes || ck.LocalDeletes != k*c1.LocalDeletes || ck.RemoteDeletes != k*c1.RemoteDeletes ||
		ck.LocalRevives != k*c1.LocalRevives || ck.RemoteRevives != k*c1.RemoteRevives {
		t.Errorf("counts %+v, want %d times %+v", ck, k, c1)
	}
	if len(many.Deletions) != k*len(one.Deletions) || len(many.RemoteDeletions) != k*len(one.RemoteDeletions) {
		t.Errorf("%d deletions (%d remote), want %d times %d (%d)", len(many.Deletions), len(many.RemoteDeletions), k, len(one.Deletions), len(one.RemoteDeletions))
	}
	want, got := placements(one), placements(many)
	if len(got) != k*(len(want)-roots)+roots {
		t.Errorf("%d merged nodes in the tree, want %d", len(got), k*(len(want)-roots)+roots)
	}
	for c := range k {
		for g, w := range want {
			if w.parent != "" {
				w.parent = benchscale.RenameGUID(w.parent, c)
			}
			if p := got[benchscale.RenameGUID(g, c)]; p != w {
				t.Fatalf("copy %d of %s: %+v, want %+v", c, g, p, w)
			}
		}
	}
}

func mergeReplays(tb testing.TB, in *testutil.Replays) *merge.Result {
	tb.Helper()
	local, remote := buildInputs(tb, in)
	res, err := merge.Merge(context.Background(), local, remote, merge.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// BenchmarkBuildAndMergeScaled builds and merges k copies of the 100k
// workload (benchscale): 1, 4 and 9 copies are about 110k, 440k and 990k
// items a side. ns/nlogn is the time over n log2 n, n the items of both
// sides: flat or falling means the cost grows no faster than n log n.
// Each repetition starts, as a bmtui command does, with no garbage from an
// earlier one. Left to the collector inside the timer, the last
// repetition's trees would be collected during the next, which would
// allocate before they are freed: at 1M hundreds of megabytes of fresh
// memory (0.4–2 ms a megabyte on the project's VM), at 100k
// a few the runtime kept and the caches still hold.
func BenchmarkBuildAndMergeScaled(b *testing.B) {
	base := inputs(b, "100k")
	for _, k := range []int{1, 4, 9} {
		b.Run(fmt.Sprintf("100k_x%d", k), func(b *testing.B) {
			local, remote := packScaled(b, base, k)
			n := float64(local.Items() + remote.Items())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				l, r := buildPair(b, local.Build, remote.Build)
				if _, err := merge.Merge(context.Background(), l, r, merge.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(n*math.Log2(n)), "ns/nlogn")
			b.ReportMetric(n, "items")
		})
	}
}

// packScaled packs k copies of both sides (replay.Pack), as mergebench
// holds its input: GUIDs in one block of text and records as plain
// numbers, which the collector need not trace in every collection of the
// timed loop (unpacked, the 1M input is 2 million items of pointers).
func packScaled(b *testing.B, in *testutil.Replays, k int) (local, remote *replay.Packed) {
	copies, err := benchscale.Replicate(in, k)
	if err != nil {
		b.Fatal(err)
	}
	if local, err = replay.Pack(copies.Local); err == nil {
		remote, err = replay.Pack(copies.Remote)
	}
	if err != nil {
		b.Fatal(err)
	}
	return local, remote
}
