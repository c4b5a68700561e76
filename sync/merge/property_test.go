package merge_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// guidGen returns a fresh generator of valid replacement GUIDs.
func guidGen() func(string) (string, error) {
	n := 0
	return func(string) (string, error) {
		n++
		return fmt.Sprintf("gen%09d", n), nil
	}
}

// dump serializes everything a merge returns, for determinism checks.
func dump(res *merge.Result) string {
	var b strings.Builder
	res.Walk(func(n, _ *merge.Node, _ int) bool {
		l, r := "-", "-"
		if n.Local != nil {
			l = n.Local.GUID
		}
		if n.Remote != nil {
			r = n.Remote.GUID
		}
		fmt.Fprintf(&b, "%s %s %s %s %d|", n.GUID, n.State, l, r, len(n.Children))
		return true
	})
	fmt.Fprintf(&b, "\n%v\n%v\n%v\n%+v\n", res.Deletions, res.LocalDeletions, res.RemoteDeletions, res.Counts)
	for _, e := range res.Events {
		fmt.Fprintf(&b, "%+v\n", e)
	}
	fmt.Fprintf(&b, "%+v\n", res.Ops())
	return b.String()
}

func randomOverrides(seed uint64, p *testutil.RandomPair) merge.Overrides {
	rng := rand.New(rand.NewPCG(seed, 7))
	var o merge.Overrides
	if len(p.GUIDs) == 0 {
		return o
	}
	o.Value = map[string]tree.Side{}
	o.Structure = map[string]tree.Side{}
	o.Deletion = map[string]merge.Resolution{}
	o.RefuseDedupe = map[merge.DedupePair]bool{}
	for range len(p.GUIDs) / 3 {
		g := p.GUIDs[rng.IntN(len(p.GUIDs))]
		switch rng.IntN(3) {
		case 0:
			o.Value[g] = tree.Side(rng.IntN(3))
		case 1:
			o.Structure[g] = tree.Side(rng.IntN(3))
		default:
			o.Deletion[g] = merge.Resolution(rng.IntN(3))
		}
	}
	for _, c := range p.DedupeCandidates {
		if rng.IntN(2) == 0 {
			o.RefuseDedupe[merge.DedupePair{Local: c[0], Remote: c[1]}] = true
		}
	}
	return o
}

// checkRandom merges a random pair and asserts the invariants: no panic, no
// error, a consistent tree with nothing lost, and determinism.
func checkRandom(t *testing.T, seed uint64, items int, flags uint8) {
	t.Helper()
	o := testutil.RandomPairOptions{Items: items, InvalidGUIDs: flags&1 != 0, Divergent: flags&2 != 0}
	p := testutil.RandomTreePair(seed, o)
	opts := merge.Options{NewGUID: guidGen(), Explain: flags&4 != 0}
	if flags&8 != 0 {
		opts.Overrides = randomOverrides(seed, p)
	}
	res, err := merge.Merge(context.Background(), p.Local, p.Remote, opts)
	if err != nil {
		t.Fatalf("seed %d flags %d: %v", seed, flags, err)
	}
	if msg := consistencyError(p.Local, p.Remote, res); msg != "" {
		t.Fatalf("seed %d flags %d: %s", seed, flags, msg)
	}
	ops := res.Ops()
	for _, op := range ops.ApplyNewLocalStructure {
		if op.Position < 0 {
			t.Fatalf("seed %d: negative position", seed)
		}
	}
	// Same inputs, fresh trees: identical result and events.
	p2 := testutil.RandomTreePair(seed, o)
	opts2 := opts
	opts2.NewGUID = guidGen()
	opts2.Explain = true
	if flags&8 != 0 {
		opts2.Overrides = randomOverrides(seed, p2)
	}
	opts.NewGUID = guidGen()
	opts.Explain = true
	res1, err := merge.Merge(context.Background(), p.Local, p.Remote, opts)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := merge.Merge(context.Background(), p2.Local, p2.Remote, opts2)
	if err != nil {
		t.Fatal(err)
	}
	if d1, d2 := dump(res1), dump(res2); d1 != d2 {
		t.Fatalf("seed %d flags %d: not deterministic", seed, flags)
	}
	// Explain must not change the outcome.
	if flags&4 == 0 {
		res1.Events = nil
		if d0, d1 := dump(res), dump(res1); d0 != d1 {
			t.Fatalf("seed %d flags %d: Explain changed the result", seed, flags)
		}
	}
}

func TestPropertyRandomPairs(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 100
	}
	for seed := range uint64(n) {
		for _, flags := range []uint8{0, 1, 2, 3, 7, 8, 11, 15} {
			checkRandom(t, seed, 10+int(seed%60), flags)
		}
	}
	for seed := uint64(1000); seed < 1010; seed++ {
		checkRandom(t, seed, 1500, 15)
	}
}

func FuzzMerge(f *testing.F) {
	f.Add(uint64(1), uint8(40), uint8(0))
	f.Add(uint64(2), uint8(80), uint8(3))
	f.Add(uint64(3), uint8(20), uint8(15))
	f.Fuzz(func(t *testing.T, seed uint64, items uint8, flags uint8) {
		checkRandom(t, seed, int(items)+1, flags&15)
	})
}
