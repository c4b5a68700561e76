package merge_test

import (
	"fmt"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestMergeAcrossAllocationChunks merges a folder whose children outgrow
// one of the merger's children chunks and whose nodes fill several node
// chunks (a flattened folder of a duplicate storm can hold that many):
// every child is merged once, in order, and the deletions on both sides
// are listed.
func TestMergeAcrossAllocationChunks(t *testing.T) {
	n := merge.ArenaChunk + 1000
	guid := func(i int) string { return fmt.Sprintf("bm%010d", i) }
	var localKids, remoteKids []testutil.TreeSpec
	for i := range n {
		localKids = append(localKids, testutil.Bookmark(guid(i)))
		if i%1000 != 7 { // deleted remotely
			remoteKids = append(remoteKids, testutil.Bookmark(guid(i)))
		}
	}
	for i := n; i < n+5; i++ { // remote only, then deleted locally
		remoteKids = append(remoteKids, testutil.Bookmark(guid(i)))
	}
	var localTombs, remoteTombs []string
	for i := 7; i < n; i += 1000 {
		remoteTombs = append(remoteTombs, guid(i))
	}
	for i := n; i < n+5; i++ {
		localTombs = append(localTombs, guid(i))
	}
	local := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, localKids...).Changed()), localTombs...)
	remote := mustBuild(t, testutil.Places(testutil.Folder(tree.MenuGUID, remoteKids...)), remoteTombs...)
	res := mergeWith(t, local, remote, merge.Overrides{})

	menu := res.Root.Children[0]
	want := n - len(remoteTombs)
	if len(menu.Children) != want {
		t.Fatalf("menu has %d children, want %d", len(menu.Children), want)
	}
	k := 0
	for i := range n {
		if i%1000 == 7 {
			continue
		}
		if g := menu.Children[k].GUID; g != guid(i) {
			t.Fatalf("child %d is %s, want %s", k, g, guid(i))
		}
		k++
	}
	if len(res.LocalDeletions) != len(remoteTombs) || len(res.RemoteDeletions) != len(localTombs) {
		t.Errorf("%d local and %d remote deletions, want %d and %d",
			len(res.LocalDeletions), len(res.RemoteDeletions), len(remoteTombs), len(localTombs))
	}
	if res.Counts.MergedNodes != want+len(res.Root.Children) {
		t.Errorf("merged %d nodes", res.Counts.MergedNodes)
	}
}
