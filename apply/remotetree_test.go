package apply

import (
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestRemoteTreeAgreesWithMirrorPackage cross-checks apply's own mirror
// reader against sync/mirror's: the same items, parents, positions,
// kinds, merge flags, validity, content and tombstones.
func TestRemoteTreeAgreesWithMirrorPackage(t *testing.T) {
	for _, s := range testutil.ProfileScenarios {
		t.Run(s, func(t *testing.T) {
			if s == "large-40k" && testing.Short() {
				t.Skip("large-40k: skipped with -short")
			}
			e := loadExpected(t, s)
			dir := testutil.Profile(t, s, "before")
			m, err := mirror.Open(mirrorPath(dir))
			if err != nil {
				t.Skipf("sync/mirror cannot open the fixture: %v", err)
			}
			defer m.Close()
			theirs, err := m.ReadTree(nowMillis(e.times().Remote))
			if err != nil {
				t.Skipf("sync/mirror ReadTree: %v", err)
			}
			snap, err := places.TakeSnapshot("bookmarks.sqlite", mirrorPath(dir))
			if err != nil {
				t.Fatal(err)
			}
			defer snap.Remove()
			db, err := snap.OpenSQL()
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ours, err := ReadRemoteTree(db, "main", nowMillis(e.times().Remote))
			if err != nil {
				t.Fatal(err)
			}
			if ours.Len() != theirs.Len() {
				t.Errorf("%d items, sync/mirror has %d", ours.Len(), theirs.Len())
			}
			ours.Walk(func(_ int32, n *tree.Node) bool {
				o := theirs.Lookup(n.GUID)
				if o == nil {
					t.Errorf("%s missing in sync/mirror's tree", n.GUID)
					return true
				}
				op, tp := ours.ParentOf(n), theirs.ParentOf(o)
				if (op == nil) != (tp == nil) || (op != nil && op.GUID != tp.GUID) || n.Position != o.Position {
					t.Errorf("%s placed differently", n.GUID)
				}
				if n.Kind != o.Kind || n.NeedsMerge != o.NeedsMerge || n.Validity != o.Validity || n.Age != o.Age {
					t.Errorf("%s: kind/needsMerge/validity/age %v %v %v %d, sync/mirror %v %v %v %d", n.GUID,
						n.Kind, n.NeedsMerge, n.Validity, n.Age, o.Kind, o.NeedsMerge, o.Validity, o.Age)
				}
				if (n.Content == nil) != (o.Content == nil) || (n.Content != nil && *n.Content != *o.Content) {
					t.Errorf("%s: content %+v, sync/mirror %+v", n.GUID, n.Content, o.Content)
				}
				return true
			})
			if a, b := ours.Tombstones(), theirs.Tombstones(); len(a) != len(b) {
				t.Errorf("%d tombstones, sync/mirror has %d", len(a), len(b))
			}
		})
	}
}
