package serverdump_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/internal/testutil/dumptest"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/serverdump"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// clocks are the times Firefox merged a scenario with (expected.json).
func clocks(tb testing.TB, scenario string) tree.Clocks {
	var e struct {
		LocalTime, RemoteTime float64
	}
	b := readFile(tb, testutil.Shared(tb, "fixtures", "profiles", scenario, "expected.json"))
	if err := json.Unmarshal(b, &e); err != nil {
		tb.Fatal(err)
	}
	at := func(s float64) time.Time { return time.UnixMilli(int64(s * 1000)) }
	return tree.Clocks{Local: at(e.LocalTime), Remote: at(e.RemoteTime)}
}

// TestEncryptedMirrorMergesAlike is the proof of the server-dump road: for
// every shared profile, the records of its mirror, encrypted with a test
// key into a raw-BSO dump and read back as the remote side, merge with
// the local tree exactly as the mirror does, item for item: the merged
// tree (GUIDs, order, states, both sides' items), the ops, the counts and
// the deletions; and the remote trees have the same problems.
func TestEncryptedMirrorMergesAlike(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		t.Run(scenario, func(t *testing.T) {
			if testing.Short() && scenario == "large-40k" {
				t.Skip("large fixture in -short mode")
			}
			dir := testutil.Profile(t, scenario, "before")
			clk := clocks(t, scenario)
			local := openLocal(t, dir, clk)

			ms, err := mirror.OpenSource(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ms.Close()
			fromMirror, err := ms.Load(clk.Remote)
			if err != nil {
				t.Fatal(err)
			}
			items, err := ms.DB().Items()
			if err != nil {
				t.Fatal(err)
			}
			structure, err := ms.DB().Structure()
			if err != nil {
				t.Fatal(err)
			}
			recs, err := dumptest.MirrorRecords(items, structure)
			if err != nil {
				t.Fatal(err)
			}
			dump, keyFile, cryptoKeys, err := dumptest.EncryptDump(t.TempDir(), recs)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := serverdump.Open(dump, serverdump.Options{
				Keys:     serverdump.Keys{Key: readFile(t, keyFile), CryptoKeys: readFile(t, cryptoKeys)},
				LastSync: ms.DB().LastModified(),
			})
			if err != nil {
				t.Fatal(err)
			}
			fromDump, err := ds.Load(clk.Remote)
			if err != nil {
				t.Fatal(err)
			}
			if fromDump.Provenance.Kind != serverdump.ServerRecords || fromDump.Provenance.Side != tree.Remote {
				t.Errorf("provenance %+v", fromDump.Provenance)
			}
			if got, want := fromDump.Tree.ProblemCounts(), fromMirror.Tree.ProblemCounts(); got != want {
				t.Errorf("problems: dump %+v, mirror %+v", got, want)
			}
			if got, want := len(fromDump.Tombstones), len(fromMirror.Tombstones); got != want {
				t.Errorf("tombstones: dump %d, mirror %d", got, want)
			}
			want := mergeLines(t, local.Tree, fromMirror.Tree)
			got := mergeLines(t, local.Tree, fromDump.Tree)
			if d := firstDiff(got, want); d != "" {
				t.Fatalf("the dump's merge differs from the mirror's (%d vs %d lines): %s", len(got), len(want), d)
			}
			t.Logf("%d records, %d merged lines alike", len(recs), len(want))
		})
	}
}

func openLocal(tb testing.TB, dir string, clk tree.Clocks) *sourceResult {
	ps, err := places.OpenSource(filepath.Join(dir, "places.sqlite"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ps.Close() })
	r, err := ps.Load(clk.Local)
	if err != nil {
		tb.Fatal(err)
	}
	return &sourceResult{Tree: r.Tree}
}

type sourceResult struct{ Tree *tree.Tree }

// mergeLines merges and prints everything a merge decides, one line each.
func mergeLines(tb testing.TB, local, remote *tree.Tree) []string {
	tb.Helper()
	res, err := merge.Merge(context.Background(), local, remote, merge.Options{NewGUID: fixedGUIDs()})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	res.Walk(func(n, parent *merge.Node, pos int) bool {
		p := ""
		if parent != nil {
			p = parent.GUID
		}
		out = append(out, fmt.Sprintf("node %s in %s at %d: %s local %s remote %s", n.GUID, p, pos, n.State, side(local, n.Local), side(remote, n.Remote)))
		return true
	})
	ops := res.Ops()
	out = append(out, fmt.Sprintf("ops %+v", ops), fmt.Sprintf("counts %+v", res.Counts),
		fmt.Sprintf("deletions %v local %v remote %v", res.Deletions, res.LocalDeletions, res.RemoteDeletions))
	return out
}

// side prints what the merge reads of an item.
func side(t *tree.Tree, n *tree.Node) string {
	if n == nil {
		return "-"
	}
	c := "no content"
	if n.Content != nil {
		c = fmt.Sprintf("%d %q %q", n.Content.Kind, n.Content.Title, n.Content.URL)
	}
	return fmt.Sprintf("{%s %s age %d merge %v %s %s children %d diverged %v}", n.GUID, n.Kind, n.Age, n.NeedsMerge, n.Validity, c, len(t.ChildrenOf(n)), n.Diverged)
}

// fixedGUIDs replaces invalid GUIDs deterministically.
func fixedGUIDs() func(string) (string, error) {
	n := 0
	return func(string) (string, error) {
		n++
		return fmt.Sprintf("newGUID%05d", n), nil
	}
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("line %d:\n dump:   %s\n mirror: %s", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return "lengths differ"
	}
	return ""
}
