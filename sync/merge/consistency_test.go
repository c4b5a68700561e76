package merge_test

import (
	"testing"

	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// checkConsistent asserts the result is a tree (each merged GUID once, no
// shared nodes, built-in roots under the root) and that nothing is lost:
// every item of either side is merged (under its own GUID, or a
// replacement) or deleted.
func checkConsistent(t testing.TB, local, remote *tree.Tree, res *merge.Result) {
	t.Helper()
	if err := consistencyError(local, remote, res); err != "" {
		t.Fatal(err)
	}
}

func consistencyError(local, remote *tree.Tree, res *merge.Result) string {
	seen := map[string]bool{}
	nodes := map[*merge.Node]bool{}
	mergedLocal := map[string]bool{}
	mergedRemote := map[string]bool{}
	var bad string
	res.Walk(func(n, p *merge.Node, _ int) bool {
		if nodes[n] {
			bad = "node visited twice: " + n.GUID
			return false
		}
		nodes[n] = true
		if seen[n.GUID] {
			bad = "merged GUID twice: " + n.GUID
			return false
		}
		seen[n.GUID] = true
		if n.Local != nil {
			if mergedLocal[n.Local.GUID] {
				bad = "local item merged twice: " + n.Local.GUID
				return false
			}
			mergedLocal[n.Local.GUID] = true
		}
		if n.Remote != nil {
			if mergedRemote[n.Remote.GUID] {
				bad = "remote item merged twice: " + n.Remote.GUID
				return false
			}
			mergedRemote[n.Remote.GUID] = true
		}
		if n.Local == nil && n.Remote == nil {
			bad = "node without items: " + n.GUID
			return false
		}
		if tree.IsBuiltInRoot(n.GUID) && (p == nil || p != res.Root) {
			bad = "built-in root not under the root: " + n.GUID
			return false
		}
		if !tree.IsValidGUID(n.GUID) {
			bad = "invalid merged GUID: " + n.GUID
			return false
		}
		if n.Local != nil && n.Remote != nil && !tree.CompatibleKinds(n.Local.Kind, n.Remote.Kind) {
			bad = "incompatible kinds merged: " + n.GUID
			return false
		}
		return true
	})
	if bad != "" {
		return bad
	}
	deleted := map[string]bool{}
	for _, g := range res.Deletions {
		deleted[g] = true
	}
	for _, g := range res.LocalDeletions {
		if !deleted[g] {
			return "local deletion not in deletions: " + g
		}
	}
	local.Walk(func(_ int32, n *tree.Node) bool {
		if !mergedLocal[n.GUID] && !deleted[n.GUID] && !seen[n.GUID] {
			bad = "local item lost: " + n.GUID
			return false
		}
		return true
	})
	if bad != "" {
		return bad
	}
	remote.Walk(func(_ int32, n *tree.Node) bool {
		if !mergedRemote[n.GUID] && !deleted[n.GUID] && !seen[n.GUID] {
			bad = "remote item lost: " + n.GUID
			return false
		}
		return true
	})
	return bad
}
