package restore_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/restore"
	"github.com/bmtui/bmtui/source/catalog"
	"github.com/bmtui/bmtui/sync/tree"
)

// loadLocal reads the profile's Places tree and stamp.
func loadLocal(t *testing.T, dir string) (*tree.Tree, places.Stamp) {
	t.Helper()
	src, err := places.OpenSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	res, err := src.Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res.Tree, src.Stamp()
}

// restoreFrom restores guids from the source spec names, as bmtui restore
// does, and returns the plan.
func restoreFrom(t *testing.T, dir, from string, guids ...string) *restore.Plan {
	t.Helper()
	local, stamp := loadLocal(t, dir)
	src, err := catalog.Resolve(dir, from)
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Load(time.Now())
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	rp, err := restore.Make(res, local, restore.Options{GUIDs: guids, From: from})
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Set.Changes) == 0 {
		return rp
	}
	plan, err := apply.PlanEdit(dir, local, stamp, rp.Set, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := apply.WriteEdit(context.Background(), plan, apply.Options{})
	if err != nil {
		t.Fatalf("restore from %s: %v", from, err)
	}
	if !rep.Verified {
		t.Fatal("not verified")
	}
	return rp
}

// placesPath is a node's folder path as History14 writes it.
func placesPath(t *tree.Tree, n *tree.Node) string {
	var parts []string
	for p := t.ParentOf(n); p != nil && p.GUID != tree.RootGUID; p = t.ParentOf(p) {
		name := tree.RootTitle(p.GUID)
		if name == "" {
			name = p.Info.Title
		}
		parts = append(parts, name)
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// TestRestoreHistory14 restores, on the history-14 profile (four dated
// Firefox backups): the bookmark deleted after the 11-03 backup, from it;
// the folder emptied over three backups, from the 11-01 one; and asks for
// the bookmark moved twice and the renamed one, which are live and are
// not duplicated. Exactly the items asked for come back, under their
// GUIDs and into their old folders; nothing else in the tree changes;
// Firefox's strict check accepts the file, and its own merge uploads the
// restored items and deletes nothing but what was already waiting to be
// deleted.
func TestRestoreHistory14(t *testing.T) {
	dir := testutil.Profile(t, "history-14", "before")
	before, _ := loadLocal(t, dir)

	var baseline []testutil.OutgoingRecord
	if !testing.Short() {
		testutil.SkipWithoutFforacle(t)
		baseline = testutil.FforacleDryMergeLax(t, filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
	}

	p1 := restoreFrom(t, dir, "backup:2026-11-03", "bmkDeleted__")
	p2 := restoreFrom(t, dir, "backup:2026-11-01", "fldProjects_")
	p3 := restoreFrom(t, dir, "backup:2026-11-01", "bmkMoved____", "bmkRenamed__")
	if len(p3.Set.Changes) != 0 || len(p3.Notes) != 2 {
		t.Errorf("live items: changes %v, notes %q", p3.Set.Changes, p3.Notes)
	}
	var restored []string
	for _, p := range []*restore.Plan{p1, p2} {
		for _, c := range p.Set.Changes {
			restored = append(restored, c.GUID)
		}
	}
	want := []string{"bmkDeleted__", "bmkProj1____", "bmkProj2____", "bmkProj3____", "bmkProj4____"}
	if !slices.Equal(restored, want) {
		t.Fatalf("restored %q, want %q", restored, want)
	}

	after, _ := loadLocal(t, dir)
	for _, h := range testutil.History14 {
		n := after.Lookup(h.GUID)
		wantPath := h.Places
		if slices.Contains(want, h.GUID) {
			wantPath = h.Backups["2026-11-01"]
		}
		switch {
		case wantPath == "" && n != nil:
			t.Errorf("%s is in Places", h.GUID)
		case wantPath != "" && n == nil:
			t.Errorf("%s is not in Places", h.GUID)
		case n != nil && placesPath(after, n) != wantPath:
			t.Errorf("%s at %q, want %q", h.GUID, placesPath(after, n), wantPath)
		}
		if slices.Contains(want, h.GUID) && (after.IsTombstone(h.GUID) || n.Info.SyncStatus != tree.SyncStatusNew || n.Info.SyncChangeCounter == 0) {
			t.Errorf("%s: tombstone %v, status %d, counter %d", h.GUID, after.IsTombstone(h.GUID), n.Info.SyncStatus, n.Info.SyncChangeCounter)
		}
	}
	// Nothing else moved, appeared or went.
	if after.Len() != before.Len()+len(want) {
		t.Errorf("%d items, want %d", after.Len(), before.Len()+len(want))
	}
	before.Walk(func(_ int32, n *tree.Node) bool {
		m := after.Lookup(n.GUID)
		if m == nil || after.ParentOf(m) != nil && after.ParentOf(m).GUID != before.ParentOf(n).GUID || m.Info.Title != n.Info.Title {
			t.Errorf("%s changed", n.GUID)
		}
		return true
	})

	if testing.Short() {
		return
	}
	out := testutil.FforacleDryMerge(t, filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
	ids := func(recs []testutil.OutgoingRecord, deleted bool) []string {
		var s []string
		for _, r := range recs {
			if r.Deleted == deleted {
				s = append(s, r.ID)
			}
		}
		slices.Sort(s)
		return s
	}
	var wantTombs []string
	for _, g := range ids(baseline, true) {
		if !slices.Contains(want, g) {
			wantTombs = append(wantTombs, g)
		}
	}
	t.Logf("Firefox deleted %q before the restore, %q after; uploads %q", ids(baseline, true), ids(out, true), ids(out, false))
	if len(wantTombs) == len(ids(baseline, true)) {
		t.Error("no restored item had a tombstone waiting: the test proves nothing")
	}
	if got := ids(out, true); !slices.Equal(got, wantTombs) {
		t.Errorf("Firefox deletes %q, want %q (before the restore: %q)", got, wantTombs, ids(baseline, true))
	}
	for _, g := range append(want, "fldProjects_", "menu") {
		if !slices.Contains(ids(out, false), g) {
			t.Errorf("Firefox does not upload %s: %q", g, ids(out, false))
		}
	}
	for _, g := range ids(out, false) {
		if !slices.Contains(want, g) && !slices.Contains(ids(baseline, false), g) && g != "fldProjects_" && g != "menu" {
			t.Errorf("Firefox uploads %s, neither restored nor waiting before", g)
		}
	}
}
