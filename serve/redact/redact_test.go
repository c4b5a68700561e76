package redact_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/serve/redact"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// sameShape fails unless b is a, item for item, except for what redaction
// replaces.
func sameShape(t *testing.T, name string, a, b *tree.Tree) {
	t.Helper()
	if a.Len() != b.Len() {
		t.Fatalf("%s: %d items, redacted %d", name, a.Len(), b.Len())
	}
	for i := int32(0); i < int32(a.Len()); i++ {
		x, y := a.Node(i), b.Node(i)
		if x.GUID != y.GUID || x.Kind != y.Kind || x.Parent != y.Parent || !slices.Equal(a.Children(i), b.Children(i)) ||
			x.Position != y.Position || x.Level != y.Level || x.Diverged != y.Diverged || x.Syncable != y.Syncable ||
			x.Validity != y.Validity || x.Age != y.Age || x.NeedsMerge != y.NeedsMerge {
			t.Fatalf("%s: node %d differs:\n  %+v\n  %+v", name, i, x, y)
		}
	}
	if !reflect.DeepEqual(a.Problems(), b.Problems()) {
		t.Fatalf("%s: problems differ:\n  %+v\n  %+v", name, a.Problems(), b.Problems())
	}
	if !slices.Equal(a.Tombstones(), b.Tombstones()) {
		t.Fatalf("%s: tombstones %v, redacted %v", name, a.Tombstones(), b.Tombstones())
	}
	ra, rb := check.Tree(tree.Local, a), check.Tree(tree.Local, b)
	if len(ra.Findings) != len(rb.Findings) || ra.Counts != rb.Counts {
		t.Fatalf("%s: %d findings %+v, redacted %d %+v", name, len(ra.Findings), ra.Counts, len(rb.Findings), rb.Counts)
	}
	for i := range ra.Findings {
		fa, fb := ra.Findings[i], rb.Findings[i]
		if fa.GUID != fb.GUID || fa.Kind != fb.Kind || !slices.Equal(fa.Related, fb.Related) {
			t.Fatalf("%s: finding %d differs: %+v / %+v", name, i, fa, fb)
		}
	}
}

// noLeak fails if a title or URL of a shows up anywhere in b.
func noLeak(t *testing.T, name string, a, b *tree.Tree) {
	t.Helper()
	secret := map[string]bool{}
	a.Walk(func(_ int32, n *tree.Node) bool {
		if n.Info != nil && n.GUID != tree.RootGUID && !tree.IsBuiltInRoot(n.GUID) {
			for _, s := range []string{n.Info.Title, n.Info.URL, n.Info.Keyword} {
				if s != "" {
					secret[s] = true
				}
			}
		}
		return true
	})
	b.Walk(func(_ int32, n *tree.Node) bool {
		if n.GUID == tree.RootGUID || tree.IsBuiltInRoot(n.GUID) {
			return true // fixed names, kept on purpose
		}
		for _, s := range []string{infoField(n, 0), infoField(n, 1), infoField(n, 2)} {
			if s != "" && secret[s] && !strings.HasPrefix(s, "Bookmark ") && !strings.HasPrefix(s, "Folder ") {
				t.Fatalf("%s: %s still has %q", name, n.GUID, s)
			}
		}
		if n.Content != nil && (secret[n.Content.Title] && n.Content.Title != "" || secret[n.Content.URL] && n.Content.URL != "") {
			t.Fatalf("%s: %s content still has %+v", name, n.GUID, *n.Content)
		}
		return true
	})
}

func infoField(n *tree.Node, k int) string {
	if n.Info == nil {
		return ""
	}
	return [...]string{n.Info.Title, n.Info.URL, n.Info.Keyword}[k]
}

func TestRedactKeepsShapeDogear(t *testing.T) {
	for _, c := range testutil.AllDogearSides(t) {
		name := c.Fixture.Name + "/" + c.Name
		orig, origErr := c.Side.Input.Build()
		if orig == nil {
			continue
		}
		red, err := redact.Tree(orig)
		if (err == nil) != (origErr == nil) {
			t.Fatalf("%s: build error %v, redacted %v", name, origErr, err)
		}
		sameShape(t, name, orig, red)
		noLeak(t, name, orig, red)
	}
}

func TestRedactKeepsShapeRandom(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		p := testutil.RandomTreePair(seed, testutil.RandomPairOptions{Items: 60, InvalidGUIDs: seed%3 == 0, Divergent: seed%2 == 0})
		r := redact.New()
		for side, tr := range map[string]*tree.Tree{"local": p.Local, "remote": p.Remote} {
			red, _ := r.Tree(tr)
			sameShape(t, fmt.Sprintf("seed %d %s", seed, side), tr, red)
		}
	}
}

func TestRedactProfiles(t *testing.T) {
	dir, err := demo.Create(filepath.Join(t.TempDir(), "demo"), time.Unix(1700007200, 0))
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{"demo": dir}
	if !testing.Short() {
		dirs["large-40k"] = testutil.Profile(t, "large-40k", "before")
	}
	for name, d := range dirs {
		paths, err := load.Resolve(d, "", "", "", "linux")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Unix(1700007200, 0)
		p, err := load.Open(paths, tree.Clocks{Local: at, Remote: at})
		if err != nil {
			t.Fatal(err)
		}
		r := redact.New()
		for side, tr := range map[string]*tree.Tree{"local": p.Local.Tree, "remote": p.Remote.Tree} {
			if tr == nil {
				continue
			}
			red, _ := r.Tree(tr)
			sameShape(t, name+"/"+side, tr, red)
			noLeak(t, name+"/"+side, tr, red)
		}
		p.Close()
	}
}

// TestRedactStable: the same item gets the same placeholder on both sides
// and from every call, and placeholders look like the documented ones.
func TestRedactStable(t *testing.T) {
	local, err := testutil.BuildSpec(testutil.Places(
		testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkAAAA"), testutil.Folder("folderBBBBBB", testutil.Bookmark("bookmarkCCCC")))))
	if err != nil {
		t.Fatal(err)
	}
	remote, err := testutil.BuildSpec(testutil.Places(
		testutil.Folder(tree.MenuGUID, testutil.Bookmark("bookmarkDDDD"), testutil.Bookmark("bookmarkCCCC"))))
	if err != nil {
		t.Fatal(err)
	}
	setInfo := func(tr *tree.Tree) {
		tr.Walk(func(_ int32, n *tree.Node) bool {
			n.Info = &tree.Info{Title: "secret " + n.GUID, URL: "https://example.com/" + n.GUID, Tags: []string{"private"}}
			return true
		})
	}
	setInfo(local)
	setInfo(remote)
	r := redact.New()
	rl, _ := r.Tree(local)
	rr, _ := r.Tree(remote)
	rl2, _ := r.Tree(local)
	c1, c2, c3 := rl.Lookup("bookmarkCCCC").Info, rr.Lookup("bookmarkCCCC").Info, rl2.Lookup("bookmarkCCCC").Info
	if c1.Title != c2.Title || c1.URL != c2.URL || c1.Title != c3.Title {
		t.Fatalf("unstable: %+v %+v %+v", c1, c2, c3)
	}
	a := rl.Lookup("bookmarkAAAA").Info
	if a.Title != "Bookmark 1" || a.URL != "https://redacted.invalid/1" || a.Tags[0] != "tag1" {
		t.Fatalf("first bookmark redacted to %+v", a)
	}
	if f := rl.Lookup("folderBBBBBB").Info.Title; f != "Folder 2" {
		t.Fatalf("folder redacted to %q", f)
	}
	if d := rr.Lookup("bookmarkDDDD").Info.Title; d != "Bookmark 4" {
		t.Fatalf("remote-only bookmark redacted to %q", d)
	}
	if m := rl.Lookup(tree.MenuGUID).Info.Title; m != "secret "+tree.MenuGUID {
		t.Fatalf("built-in root renamed to %q", m)
	}
	// The original is untouched.
	if local.Lookup("bookmarkAAAA").Info.Title != "secret bookmarkAAAA" {
		t.Fatal("original tree modified")
	}
}
