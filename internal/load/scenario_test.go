package load_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// expected is the part of fforacle's expected.json these tests read.
type expected struct {
	LocalTime     float64 `json:"localTime"`
	RemoteTime    float64 `json:"remoteTime"`
	LocalDumpFile string  `json:"localDumpFile"`
	Local         *struct {
		Tree *bookmarkNode `json:"tree"`
	} `json:"local"`
	Telemetry struct {
		Steps []struct {
			Name   string `json:"name"`
			Counts []struct {
				Name  string `json:"name"`
				Count int    `json:"count"`
			} `json:"counts"`
		} `json:"steps"`
	} `json:"telemetry"`
}

// bookmarkNode is a node of PlacesUtils.promiseBookmarksTree.
type bookmarkNode struct {
	GUID     string          `json:"guid"`
	Title    string          `json:"title"`
	URI      string          `json:"uri"`
	Children []*bookmarkNode `json:"children"`
}

func readExpected(t *testing.T, scenario string) (*expected, *bookmarkNode) {
	t.Helper()
	dir := testutil.Shared(t, "fixtures", "profiles", scenario)
	var e expected
	readJSON(t, filepath.Join(dir, "expected.json"), &e)
	if e.Local != nil && e.Local.Tree != nil {
		return &e, e.Local.Tree
	}
	var dump struct {
		Tree *bookmarkNode `json:"tree"`
	}
	readJSON(t, filepath.Join(dir, e.LocalDumpFile), &dump)
	return &e, dump.Tree
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	r, err := testutil.OpenMaybeGzip(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := json.NewDecoder(r).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

func secondsToTime(s float64) time.Time {
	whole := int64(s)
	return time.Unix(whole, int64((s-float64(whole))*1e9))
}

// TestMergeMatchesFirefox merges each Firefox scenario's before/ state with
// the times Firefox was given and compares the merged tree with the one
// Firefox produced: GUIDs, child order, titles and URLs.
func TestMergeMatchesFirefox(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		t.Run(scenario, func(t *testing.T) {
			if testing.Short() && scenario == "large-40k" {
				t.Skip("large fixture in -short mode")
			}
			exp, want := readExpected(t, scenario)
			dir := testutil.Profile(t, scenario, "before")
			paths, err := load.Resolve(dir, "", "", "", "linux")
			if err != nil {
				t.Fatal(err)
			}
			prof, err := load.Open(paths, tree.Clocks{Local: secondsToTime(exp.LocalTime), Remote: secondsToTime(exp.RemoteTime)})
			if err != nil {
				t.Fatal(err)
			}
			defer prof.Close()
			res, err := merge.Merge(context.Background(), prof.Local.Tree, prof.Remote.Tree, merge.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var diffs []string
			compareMerged(res.Root, want, &diffs)
			if len(diffs) > 0 {
				t.Errorf("%d differences from Firefox's merged tree, first ones:\n%s", len(diffs), strings.Join(diffs[:min(len(diffs), 15)], "\n"))
			}
			// Firefox's merge telemetry: items merged and the counters.
			for _, step := range exp.Telemetry.Steps {
				if step.Name != "merge" {
					continue
				}
				for _, c := range step.Counts {
					got := map[string]int{
						"items":         res.Counts.MergedNodes,
						"dupes":         res.Counts.Dupes,
						"localRevives":  res.Counts.LocalRevives,
						"remoteRevives": res.Counts.RemoteRevives,
						"localDeletes":  res.Counts.LocalDeletes,
						"remoteDeletes": res.Counts.RemoteDeletes,
					}[c.Name]
					if got != c.Count {
						t.Errorf("telemetry %s = %d, want %d", c.Name, got, c.Count)
					}
				}
			}
		})
	}
}

// compareMerged walks our merged tree and Firefox's in step. The tags root is
// not in Firefox's dump (promiseBookmarksTree leaves it out).
func compareMerged(got *merge.Node, want *bookmarkNode, diffs *[]string) {
	title, url := mergedValue(got)
	if got.GUID != want.GUID {
		*diffs = append(*diffs, fmt.Sprintf("guid %s, want %s", got.GUID, want.GUID))
		return
	}
	if title != want.Title {
		*diffs = append(*diffs, fmt.Sprintf("%s: title %q, want %q", got.GUID, title, want.Title))
	}
	if url != want.URI {
		*diffs = append(*diffs, fmt.Sprintf("%s: url %q, want %q", got.GUID, url, want.URI))
	}
	var kids []*merge.Node
	for _, c := range got.Children {
		if c.GUID != tree.TagsGUID {
			kids = append(kids, c)
		}
	}
	if len(kids) != len(want.Children) {
		var g, w []string
		for _, c := range kids {
			g = append(g, c.GUID)
		}
		for _, c := range want.Children {
			w = append(w, c.GUID)
		}
		*diffs = append(*diffs, fmt.Sprintf("%s: children %v, want %v", got.GUID, g, w))
		return
	}
	for i := range kids {
		compareMerged(kids[i], want.Children[i], diffs)
	}
}

// mergedValue is the title and URL the merged node ends up with: the remote
// value where the merge applies it, the local one otherwise.
func mergedValue(n *merge.Node) (title, url string) {
	src := n.Local
	if n.State.ShouldApplyItem() || src == nil {
		src = n.Remote
	}
	if src == nil || src.Info == nil {
		return "", ""
	}
	return src.Info.Title, src.Info.URL
}
