package apply

import (
	"context"
	"fmt"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

func TestZZCount(t *testing.T) {
	e := loadExpected(t, "large-40k")
	dir := testutil.Profile(t, "large-40k", "before")
	plan, err := Prepare(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	ops := plan.ops()
	loc := plan.Result.Local()
	same, diff, missing := 0, 0, 0
	for _, m := range ops.ApplyNewLocalStructure {
		n := loc.Lookup(m.GUID)
		if n == nil {
			missing++
			continue
		}
		p := loc.ParentOf(n)
		if p != nil && p.GUID == m.Parent && int(n.Position) == int(m.Position) {
			same++
		} else {
			if diff < 5 { fmt.Printf("%+v local parent %v pos %d\n", m, p.GUID, n.Position) }
			diff++
		}
	}
	fmt.Println("moves", len(ops.ApplyNewLocalStructure), "same", same, "diff", diff, "new", missing)
	fmt.Println("apply", len(ops.ApplyRemoteItems), "changeguid", len(ops.ChangeGUIDs), "del", len(ops.DeleteLocalItems), "merged", len(ops.SetLocalMerged), "unmerged", len(ops.SetLocalUnmerged), "remotemerged", len(ops.SetRemoteMerged), "upload", len(ops.UploadItems), len(ops.UploadTombstones))
}
