package merge_test

import (
	"context"
	"slices"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestDivergenceMoveBetweenDeletedFolders covers the deliberate divergence:
// dogear fails these fixtures with UnmergedLocalItems; bmtui keeps the
// bookmark in the closest surviving ancestor and flags it.
func TestDivergenceMoveBetweenDeletedFolders(t *testing.T) {
	for _, name := range []string{
		"extra_move_between_folders_deleted_on_opposite_sides",
		"extra_move_between_folders_deleted_on_opposite_sides_remote_newer",
	} {
		t.Run(name, func(t *testing.T) {
			f, err := testutil.LoadDogear(testutil.Shared(t, "fixtures", "dogear", "extra", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if f.Expect.Error == nil || f.Expect.Error.Kind != merge.ErrUnmergedLocalItems.String() {
				t.Fatalf("fixture no longer records dogear's failure: %+v", f.Expect.Error)
			}
			local, remote := buildSides(t, f)
			res, err := merge.Merge(context.Background(), local, remote, merge.Options{Explain: true})
			if err != nil {
				t.Fatalf("bmtui must not fail here: %v", err)
			}
			checkConsistent(t, local, remote, res)

			// root > menu > bookmarkXXXX; both folders deleted.
			if len(res.Root.Children) != 1 || res.Root.Children[0].GUID != tree.MenuGUID {
				t.Fatalf("root children: %v", res.Root.Children)
			}
			menu := res.Root.Children[0]
			if len(menu.Children) != 1 || menu.Children[0].GUID != "bookmarkXXXX" {
				t.Fatalf("menu children: %v", menu.Children)
			}
			x := menu.Children[0]
			// Changed locally only: local value, new structure on both sides.
			if x.State != merge.StateLocalWithNewLocalStructure || x.Local == nil || x.Remote == nil {
				t.Errorf("bookmarkXXXX state %s", x.State)
			}
			if !menu.State.ShouldUpload() || !menu.State.ShouldApplyStructure() {
				t.Errorf("menu state %s: must be uploaded and restructured locally", menu.State)
			}
			want := []string{"folderAAAAAA", "folderBBBBBB"}
			if !slices.Equal(res.Deletions, want) {
				t.Errorf("deletions %v, want %v", res.Deletions, want)
			}
			// B exists locally and was deleted remotely; A the reverse.
			if !slices.Equal(res.LocalDeletions, []string{"folderBBBBBB"}) {
				t.Errorf("local deletions %v", res.LocalDeletions)
			}
			if !slices.Equal(res.RemoteDeletions, []string{"folderAAAAAA"}) {
				t.Errorf("remote deletions %v", res.RemoteDeletions)
			}
			if res.Counts.MergedNodes != 2 {
				t.Errorf("merged nodes %d", res.Counts.MergedNodes)
			}
			var flagged *merge.Event
			for i, e := range res.Events {
				if e.Kind == merge.EventRelocated && e.GUID == "bookmarkXXXX" {
					flagged = &res.Events[i]
				}
			}
			if flagged == nil || flagged.Reason != merge.ReasonMovedOutOfDeleted || !flagged.Conflict() || flagged.Other != tree.MenuGUID {
				t.Fatalf("relocation event: %+v", flagged)
			}
			ops := res.Ops()
			found := false
			for _, op := range ops.ApplyNewLocalStructure {
				if op.GUID == "bookmarkXXXX" && op.Parent == tree.MenuGUID && op.Position == 0 {
					found = true
				}
			}
			if !found || !slices.Contains(ops.UploadItems, "bookmarkXXXX") {
				t.Errorf("ops do not move and upload the bookmark: %+v", ops)
			}
			if !slices.Equal(ops.UploadTombstones, []string{"folderAAAAAA"}) || !slices.Equal(ops.DeleteLocalItems, []string{"folderBBBBBB"}) {
				t.Errorf("ops do not delete the folders: %+v", ops)
			}
			// Without Explain the result is the same.
			res2, err := merge.Merge(context.Background(), local, remote, merge.Options{})
			if err != nil {
				t.Fatal(err)
			}
			res.Events = nil
			if dump(res) != dump(res2) {
				t.Error("Explain changed the result")
			}
		})
	}
}
