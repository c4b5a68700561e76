// Package uitest builds trees and check reports for the UI tests from the
// shared dogear fixtures, and synthetic trees for the benchmarks.
package uitest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// Sides loads a dogear fixture by name ("multiple_parents") and builds both
// sides. A side with no items but the root is still returned.
func Sides(tb testing.TB, name string) (local, remote *tree.Tree) {
	tb.Helper()
	return sidesOf(tb, testutil.Shared(tb, "fixtures", "dogear", name+".json"))
}

// Bench100k builds both sides of the synthetic_100k bench fixture (110,471
// local and 109,853 remote items).
func Bench100k(tb testing.TB) (local, remote *tree.Tree) {
	tb.Helper()
	return sidesOf(tb, testutil.Shared(tb, "fixtures", "bench", "synthetic_100k.json.gz"))
}

func sidesOf(tb testing.TB, path string) (local, remote *tree.Tree) {
	f, err := testutil.LoadDogear(path)
	if err != nil {
		tb.Fatal(err)
	}
	build := func(s *testutil.DogearSide) *tree.Tree {
		if s == nil {
			return nil
		}
		t, err := s.Input.Build()
		if err != nil {
			tb.Fatalf("build %s: %v", path, err)
		}
		return t
	}
	return build(f.Local), build(f.Remote)
}

// Report turns the builder's problems of t into a check report, the way
// check.Tree will (one finding per problem, on the item concerned).
func Report(side tree.Side, t *tree.Tree) check.Report {
	r := check.Report{Side: side}
	if t == nil {
		return r
	}
	r.Counts = t.ProblemCounts()
	for _, p := range t.Problems() {
		f := check.Finding{Side: side, GUID: p.GUID}
		switch p.Kind {
		case tree.ProblemOrphan:
			f.Kind, f.Detail = check.Orphan, "no parent; moved to the fallback folder"
		case tree.ProblemMisparentedRoot:
			f.Kind, f.Detail = check.MisparentedRoot, "built-in root not under the Places root"
		case tree.ProblemDivergedParents:
			f.Kind = check.ParentChildDisagreement
			var names []string
			for _, pr := range p.Parents {
				names = append(names, pr.GUID+" by "+pr.By.String())
				f.Related = append(f.Related, pr.GUID)
			}
			if len(p.Parents) > 2 || (len(p.Parents) == 2 && p.Parents[0].By == p.Parents[1].By) {
				f.Kind = check.MultipleParents
			}
			f.Detail = "parents disagree: " + strings.Join(names, ", ")
		case tree.ProblemMissingChild:
			f.Kind, f.Detail, f.Related = check.MissingChild, "lists missing child "+p.Child, []string{p.Child}
		case tree.ProblemDeletedChild:
			f.Kind, f.Detail, f.Related = check.DeletedChild, "lists deleted child "+p.Child, []string{p.Child}
		case tree.ProblemInvalidItem:
			f.Kind, f.Detail = check.InvalidItem, "unusable item"
		case tree.ProblemCycle:
			f.Kind, f.Detail = check.Cycle, "cycle"
		default:
			f.Kind, f.Detail = check.Kind(p.Kind.String()), ""
		}
		r.Findings = append(r.Findings, f)
	}
	return r
}

// Synthetic builds a consistent tree of about n items: folders of fanout
// children nested under the four content roots, with titles and URLs, a
// few needing merge.
func Synthetic(n, fanout int) *tree.Tree {
	root := tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder}
	b := tree.NewBuilderSized(root, n+8)
	roots := []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID}
	for _, g := range roots {
		must(b.Item(tree.Item{GUID: g, Kind: tree.KindFolder}))
		must(b.Structure(g, tree.RootGUID))
	}
	type folder struct {
		guid  string
		depth int
	}
	queue := make([]folder, 0, n/fanout+8)
	for _, g := range roots {
		queue = append(queue, folder{g, 1})
	}
	count := 0
	for q := 0; q < len(queue) && count < n; q++ {
		parent := queue[q]
		for k := 0; k < fanout && count < n; k++ {
			guid := fmt.Sprintf("item%08d", count)
			it := tree.Item{GUID: guid, NeedsMerge: count%97 == 0}
			if k%5 == 0 && parent.depth < 6 {
				it.Kind = tree.KindFolder
				it.Info = &tree.Info{Title: fmt.Sprintf("Folder %d", count)}
				queue = append(queue, folder{guid, parent.depth + 1})
			} else {
				it.Kind = tree.KindBookmark
				it.Info = &tree.Info{Title: fmt.Sprintf("Bookmark %d", count), URL: fmt.Sprintf("https://example.com/%d", count)}
			}
			must(b.Item(it))
			must(b.Structure(guid, parent.guid))
			count++
		}
	}
	t, err := b.Build()
	must(err)
	return t
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
