package merge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// wantFixtures is the number of upstream fixture files (README: 32 merges,
// 1 merge error, 1 build error, 1 problem count, 1 GUID validity).
const wantFixtures = 36

func buildSides(t testing.TB, f *testutil.DogearFixture) (*tree.Tree, *tree.Tree) {
	t.Helper()
	local, err := f.Local.Input.Build()
	if err != nil {
		t.Fatalf("build local: %v", err)
	}
	remote, err := f.Remote.Input.Build()
	if err != nil {
		t.Fatalf("build remote: %v", err)
	}
	return local, remote
}

// fixtureGenerator reproduces the fixture driver's GUID generator and
// records the requests.
type fixtureGenerator struct {
	prefix string
	width  int
	next   int
	log    [][2]string
}

func (g *fixtureGenerator) NewGUID(old string) (string, error) {
	s := fmt.Sprintf("%s%0*d", g.prefix, g.width, g.next)
	g.next++
	g.log = append(g.log, [2]string{old, s})
	return s, nil
}

func optionsFor(f *testutil.DogearFixture) (merge.Options, *fixtureGenerator) {
	var opts merge.Options
	if d := f.Driver; d != nil && d.InvalidGUIDs == "generate" && d.Generator != nil {
		g := &fixtureGenerator{prefix: d.Generator.Prefix, width: d.Generator.ZeroPadWidth, next: d.Generator.First}
		opts.NewGUID = g.NewGUID
		return opts, g
	}
	return opts, nil
}

func TestDogearFixtures(t *testing.T) {
	dir := testutil.Shared(t, "fixtures", "dogear")
	files, err := testutil.DogearFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, path := range files {
		f, err := testutil.LoadDogear(path)
		if err != nil {
			t.Fatal(err)
		}
		ran++
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			runFixture(t, f)
		})
	}
	if ran != wantFixtures {
		t.Fatalf("ran %d fixture files, want %d", ran, wantFixtures)
	}
}

func TestExtraDeletedChildStillListed(t *testing.T) {
	f, err := testutil.LoadDogear(testutil.Shared(t, "fixtures", "dogear", "extra", "extra_deleted_child_still_listed_by_parent.json"))
	if err != nil {
		t.Fatal(err)
	}
	runFixture(t, f)
}

func runFixture(t *testing.T, f *testutil.DogearFixture) {
	switch f.Type {
	case "build_error":
		_, err := f.Local.Input.Build()
		if !tree.IsErrorKind(err, tree.ErrCycle) {
			t.Fatalf("want %s, got %v", f.Expect.Error.Kind, err)
		}
		return
	case "problem_counts":
		// Tree-level; asserted in sync/tree. Re-count the listed problems.
		var problems []tree.Problem
		for _, p := range f.Expect.Problems {
			tp, err := testutil.ProblemFromFixture(p)
			if err != nil {
				t.Fatal(err)
			}
			problems = append(problems, tp)
		}
		if got, want := tree.CountProblems(problems), testutil.ProblemCountsFromFixture(f.Expect.ProblemCounts); got != want {
			t.Fatalf("problem counts %+v, want %+v", got, want)
		}
		return
	case "guid_validity":
		for _, g := range f.Expect.Valid {
			if !tree.IsValidGUID(g) {
				t.Errorf("%q should be valid", g)
			}
		}
		for _, g := range f.Expect.Invalid {
			if tree.IsValidGUID(g) {
				t.Errorf("%q should be invalid", g)
			}
		}
		return
	}
	local, remote := buildSides(t, f)
	opts, gen := optionsFor(f)
	res, err := merge.Merge(context.Background(), local, remote, opts)
	if f.Type == "merge_error" {
		if err == nil || !merge.IsErrorKind(err, errorKind(t, f.Expect.Error.Kind)) {
			t.Fatalf("want %s error, got %v", f.Expect.Error.Kind, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	checkExpect(t, f, res)
	if gen != nil && f.Driver != nil {
		var want [][2]string
		for _, g := range f.Driver.Generated {
			want = append(want, [2]string{g.Old, g.New})
		}
		if !slices.Equal(gen.log, want) {
			t.Errorf("generated %q, want %q", gen.log, want)
		}
	}
	// Explain must not change the result.
	opts2, _ := optionsFor(f)
	opts2.Explain = true
	res2, err := merge.Merge(context.Background(), local, remote, opts2)
	if err != nil {
		t.Fatal(err)
	}
	checkExpect(t, f, res2)
	checkConsistent(t, local, remote, res2)
}

func errorKind(t testing.TB, name string) merge.ErrorKind {
	for k := merge.ErrMismatchedItemKind; k <= merge.ErrUnmergedRemoteItems; k++ {
		if k.String() == name {
			return k
		}
	}
	t.Fatalf("unknown error kind %q", name)
	return 0
}

func checkExpect(t testing.TB, f *testutil.DogearFixture, res *merge.Result) {
	t.Helper()
	compareMerged(t, "", res.Root, f.Expect.Root)
	sameSet(t, "deletions", res.Deletions, f.Expect.Deletions)
	sameSet(t, "local_deletions", res.LocalDeletions, f.Expect.LocalDeletions)
	sameSet(t, "remote_deletions", res.RemoteDeletions, f.Expect.RemoteDeletions)
	c := res.Counts
	got := map[string]int{"remote_revives": c.RemoteRevives, "local_deletes": c.LocalDeletes, "local_revives": c.LocalRevives,
		"remote_deletes": c.RemoteDeletes, "dupes": c.Dupes, "merged_nodes": c.MergedNodes}
	for k, v := range f.Expect.Counts {
		if got[k] != v {
			t.Errorf("count %s = %d, want %d", k, got[k], v)
		}
	}
	if f.Expect.CompletionOps != nil {
		compareOps(t, res.Ops(), f.Expect.CompletionOps)
	}
}

func compareMerged(t testing.TB, path string, got *merge.Node, want *testutil.DogearMerged) {
	t.Helper()
	path += "/" + want.GUID
	if got.GUID != want.GUID {
		t.Errorf("%s: guid %s", path, got.GUID)
		return
	}
	if got.State.String() != want.MergeState {
		t.Errorf("%s: state %s, want %s", path, got.State, want.MergeState)
	}
	if got.State.ShouldApplyItem() != want.ShouldApplyItem || got.State.ShouldApplyStructure() != want.ShouldApplyStructure || got.State.ShouldUpload() != want.ShouldUpload {
		t.Errorf("%s: state flags of %s disagree", path, got.State)
	}
	guidOf := func(n *tree.Node) string {
		if n == nil {
			return "<nil>"
		}
		return n.GUID
	}
	deref := func(s *string) string {
		if s == nil {
			return "<nil>"
		}
		return *s
	}
	if guidOf(got.Local) != deref(want.LocalGUID) || guidOf(got.Remote) != deref(want.RemoteGUID) {
		t.Errorf("%s: local/remote %s/%s, want %s/%s", path, guidOf(got.Local), guidOf(got.Remote), deref(want.LocalGUID), deref(want.RemoteGUID))
	}
	if len(got.Children) != len(want.Children) {
		var g, w []string
		for _, c := range got.Children {
			g = append(g, c.GUID)
		}
		for _, c := range want.Children {
			w = append(w, c.GUID)
		}
		t.Errorf("%s: children %v, want %v", path, g, w)
		return
	}
	for i := range got.Children {
		compareMerged(t, path, got.Children[i], want.Children[i])
	}
}

func sameSet(t testing.TB, name string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s: got %q, want %q", name, g, w)
	}
}

func compareOps(t testing.TB, got merge.Ops, want *testutil.DogearOps) {
	t.Helper()
	var gc, wc, ga, wa, gs, ws []string
	for _, o := range got.ChangeGUIDs {
		gc = append(gc, fmt.Sprint(o.Local, o.Merged, o.Level))
	}
	for _, o := range want.ChangeGUIDs {
		wc = append(wc, fmt.Sprint(o.LocalGUID, o.MergedGUID, o.Level))
	}
	for _, o := range got.ApplyRemoteItems {
		ga = append(ga, fmt.Sprint(o.Remote, o.Merged, o.Level))
	}
	for _, o := range want.ApplyRemoteItems {
		wa = append(wa, fmt.Sprint(o.RemoteGUID, o.MergedGUID, o.Level))
	}
	for _, o := range got.ApplyNewLocalStructure {
		gs = append(gs, fmt.Sprint(o.GUID, o.Parent, o.Position, o.Level))
	}
	for _, o := range want.ApplyNewLocalStructure {
		ws = append(ws, fmt.Sprint(o.GUID, o.Parent, o.Position, o.Level))
	}
	exact := func(name string, g, w []string) {
		if len(g) == 0 && len(w) == 0 {
			return
		}
		if !slices.Equal(g, w) {
			t.Errorf("ops %s: got %q, want %q", name, g, w)
		}
	}
	exact("change_guids", gc, wc)
	exact("apply_remote_items", ga, wa)
	exact("apply_new_local_structure", gs, ws)
	exact("set_local_unmerged", got.SetLocalUnmerged, want.SetLocalUnmerged)
	exact("set_local_merged", got.SetLocalMerged, want.SetLocalMerged)
	exact("upload_items", got.UploadItems, want.UploadItems)
	// set_remote_merged: tree-order prefix exactly, the rest as a multiset.
	n := 0
	for n < len(got.SetRemoteMerged) && n < len(want.SetRemoteMerged) && got.SetRemoteMerged[n] == want.SetRemoteMerged[n] {
		n++
	}
	sameSet(t, "ops set_remote_merged", got.SetRemoteMerged, want.SetRemoteMerged)
	sameSet(t, "ops delete_local_tombstones", got.DeleteLocalTombstones, want.DeleteLocalTombstones)
	sameSet(t, "ops insert_local_tombstones", got.InsertLocalTombstones, want.InsertLocalTombstones)
	sameSet(t, "ops delete_local_items", got.DeleteLocalItems, want.DeleteLocalItems)
	sameSet(t, "ops upload_tombstones", got.UploadTombstones, want.UploadTombstones)
}
