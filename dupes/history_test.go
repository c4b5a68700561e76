package dupes_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/dupes/backups"
	"github.com/bmtui/bmtui/internal/testutil/history40k"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/places/urls"
	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/tree"
)

// stormOf is t after a storm: every 97th bookmark twice more in its
// folder, every 13th folder below the built-in roots (tags aside) flattened into the
// nearest folder above it that stays (so a flattened folder inside a
// flattened one empties into their common parent).
func stormOf(tb testing.TB, t *tree.Tree) *tree.Tree {
	tb.Helper()
	b := tree.NewBuilderSized(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder}, t.Len()+t.Len()/40)
	flat := map[int32]bool{}
	folders, bookmarks := 0, 0
	type rec struct{ child, parent string }
	var recs []rec
	t.Walk(func(i int32, n *tree.Node) bool {
		if i == 0 {
			return true
		}
		top := n
		for top.Level > 1 {
			top = t.ParentOf(top)
		}
		user := tree.IsUserContentRoot(top.GUID)
		if user && n.IsFolder() && n.Level > 1 {
			folders++
			if folders%13 == 0 {
				flat[i] = true
				return true
			}
		}
		p := n.Parent
		for flat[p] {
			p = t.Node(p).Parent
		}
		if err := b.Item(n.Item); err != nil {
			tb.Fatal(err)
		}
		recs = append(recs, rec{n.GUID, t.Node(p).GUID})
		if user && n.Kind == tree.KindBookmark {
			bookmarks++
			for c := range 2 * min(1, bookmarks%97/96) {
				cp := n.Item
				cp.GUID = fmt.Sprintf("cpy%d%08d", c, bookmarks)
				if err := b.Item(cp); err != nil {
					tb.Fatal(err)
				}
				recs = append(recs, rec{cp.GUID, t.Node(p).GUID})
			}
		}
		return true
	})
	for _, r := range recs {
		if err := b.Structure(r.child, r.parent); err != nil {
			tb.Fatal(err)
		}
	}
	st, err := b.Build()
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// fullTrees reads the newest limit backups the way dupes did before it
// read outlines: each one parsed and built into a whole tree. It is the
// baseline the outlines are held to (same groups) and measured against.
func fullTrees(tb testing.TB, profileDir string, limit int) []dupes.Reference {
	tb.Helper()
	dir := filepath.Join(profileDir, backup.FolderName)
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	slices.Reverse(ents) // dated names: newest first
	var refs []dupes.Reference
	for _, e := range ents[:min(limit, len(ents))] {
		root, err := backup.Read(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		info, err := e.Info()
		if err != nil {
			tb.Fatal(err)
		}
		refs = append(refs, dupes.Reference{Name: backup.FolderName + "/" + e.Name(), At: info.ModTime().UnixMicro(), Tree: fullTree(tb, root)})
	}
	return refs
}

// fullTree is the tree a backup holds, titles, URLs and tags included.
func fullTree(tb testing.TB, root *backup.Node) *tree.Tree {
	b := tree.NewBuilderSized(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder}, root.Count())
	type rec struct{ child, parent string }
	var recs []rec
	root.Walk(func(n, parent *backup.Node) {
		if parent == nil {
			return
		}
		it := tree.Item{GUID: n.GUID, Info: &tree.Info{Title: n.Title, URL: n.URI, Keyword: n.Keyword,
			Tags: n.TagList(), DateAdded: n.DateAdded, LastModified: n.LastModified}}
		switch n.TypeCode {
		case 1:
			it.Kind = tree.KindBookmark
			if urls.IsQuery(n.URI) {
				it.Kind = tree.KindQuery
			}
		case 2:
			it.Kind = tree.KindFolder
		case 3:
			it.Kind = tree.KindSeparator
		default:
			return
		}
		if b.Item(it) == nil {
			recs = append(recs, rec{n.GUID, parent.GUID})
		}
	})
	for _, r := range recs {
		if e := b.Structure(r.child, r.parent); e != nil && !tree.IsErrorKind(e, tree.ErrMissingParent) {
			tb.Fatal(e)
		}
	}
	t, err := b.Build()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// On history-40k (15 backups of 40,000 bookmarks) after a storm, the
// backups read as outlines give exactly the groups, provenance and fix
// that whole trees of them give; a profile with more backups than the
// limit reads only the newest.
func TestHistory40kOutlines(t *testing.T) {
	dir := history40k.Profile(t)
	prof := openProfile(t, dir)
	storm := stormOf(t, prof.Local.Tree)
	res, err := backups.Load(dir, backups.DefaultLimit)
	if err != nil || len(res.Notes) != 0 || res.Found != history40k.Backups || len(res.Refs) != history40k.Backups {
		t.Fatalf("Load: %v, notes %q, found %d, read %d", err, res.Notes, res.Found, len(res.Refs))
	}
	trees := fullTrees(t, dir, backups.DefaultLimit)
	report := func(refs []dupes.Reference) ([]byte, *dupes.Report) {
		r := dupes.Find(dupes.Input{Tree: storm, Side: tree.Local, Other: prof.Remote.Tree, Backups: refs})
		var names []string
		for _, ref := range refs {
			names = append(names, ref.Name)
		}
		js, err := json.MarshalIndent(r.JSON(names), "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return js, r
	}
	want, wr := report(trees)
	got, gr := report(res.Refs)
	c := gr.Counts()
	if c[dupes.Copies] < 100 || c[dupes.Flattened] < 20 {
		t.Fatalf("the storm made too little to compare: %v", c)
	}
	nested, provenance := 0, 0
	for i := range gr.Groups {
		nested += len(gr.Groups[i].Nested)
		for _, cp := range gr.Groups[i].Copies {
			provenance += len(cp.Backups)
		}
	}
	if nested == 0 || provenance == 0 {
		t.Fatalf("no nested flattened folder (%d) or no provenance (%d)", nested, provenance)
	}
	if string(got) != string(want) {
		t.Fatalf("outlines and trees disagree:\n%s", firstDiff(string(got), string(want)))
	}
	ws, err := dupes.Plan(storm, wr)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := dupes.Plan(storm, gr)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := changesText(gs), changesText(ws); g != w {
		t.Fatalf("the fixes differ:\n%s", firstDiff(g, w))
	}
	// The fix puts every item back in its folder, the flattened ones
	// too, except where the newest backup has it elsewhere or not at all.
	fixed, err := edit.Preview(storm, *gs)
	if err != nil {
		t.Fatal(err)
	}
	newest := res.Refs[0].Outline
	inNewest := map[string]string{}
	for _, f := range newest.Folders {
		for _, c := range f.Children {
			inNewest[c] = f.Item.GUID
		}
	}
	orig := prof.Local.Tree
	misplaced := 0
	orig.Walk(func(i int32, n *tree.Node) bool {
		if i == 0 {
			return true
		}
		got := fixed.Tree.Lookup(n.GUID)
		if got == nil {
			t.Errorf("%s is gone", n.GUID)
			return true
		}
		want := orig.ParentOf(n).GUID
		if p := fixed.Tree.ParentOf(got).GUID; p != want {
			if bp := inNewest[n.GUID]; bp == want {
				t.Errorf("%s is in %s, was in %s (the newest backup: %q)", n.GUID, p, want, bp)
			}
			misplaced++
		}
		return true
	})
	if fixed.Tree.Len() != orig.Len() {
		t.Errorf("%d items after the fix, %d before the storm", fixed.Tree.Len(), orig.Len())
	}
	t.Logf("%d groups, %d folders re-nested inside others; %d items left where the newest backup has them elsewhere or not at all", len(gr.Groups), nested, misplaced)

	// Past the limit: the same backups again under older dates.
	many := manyBackups(t, dir, 30)
	res, err = backups.Load(many, backups.DefaultLimit)
	if err != nil || res.Found != 30+history40k.Backups || len(res.Refs) != backups.DefaultLimit || len(res.Notes) != 1 {
		t.Fatalf("Load: %v, notes %q, found %d, read %d", err, res.Notes, res.Found, len(res.Refs))
	}
	for i, r := range res.Refs {
		if want := filepath.Base(trees[i].Name); filepath.Base(r.Name) != want {
			t.Errorf("backup %d read is %s, want %s", i, r.Name, want)
		}
	}
}

// manyBackups is a profile folder with dir's backups and extra more, hard
// links to them named a month and more earlier.
func manyBackups(tb testing.TB, dir string, extra int) string {
	tb.Helper()
	out := tb.TempDir()
	src := filepath.Join(dir, backup.FolderName)
	dst := filepath.Join(out, backup.FolderName)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		tb.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range ents {
		if err := os.Link(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			tb.Fatal(err)
		}
	}
	for k := range extra {
		e := ents[k%len(ents)]
		info, _ := backup.ParseFileName(e.Name())
		name := fmt.Sprintf("bookmarks-2026-08-%02d_%d_%s.jsonlz4", k+1, info.Count, info.Hash)
		if err := os.Link(filepath.Join(src, e.Name()), filepath.Join(dst, name)); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// changesText prints a change set, items by value.
func changesText(s *edit.Set) string {
	out := ""
	for _, c := range s.Changes {
		out += fmt.Sprintf("%v %s %s %d %q", c.Op, c.GUID, c.Parent, c.Index, c.Why)
		if c.Item != nil && c.Item.Info != nil {
			out += fmt.Sprintf(" %+v", *c.Item.Info)
		}
		out += "\n"
	}
	return out
}

// firstDiff shows where two texts first differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-300)
	return fmt.Sprintf("got  …%s…\nwant …%s…", a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
}

// BenchmarkBackupsHistory40k reads history-40k's backups (15 of about
// 41,700 items) as dupes did before (trees: each parsed and built whole,
// all of them) and as it does now (outlines: the newest 15, several at
// once), then the same with 30 more, older backups beside them (-45).
// It reports the memory the references hold once read (retained-MB) and
// the peak resident size of a process that only reads them (peak-MB).
func BenchmarkBackupsHistory40k(b *testing.B) {
	dir := history40k.Profile(b)
	many := manyBackups(b, dir, 30)
	for _, bc := range []struct{ name, mode, dir string }{
		{"trees", "trees", dir}, {"outlines", "outlines", dir},
		{"trees-45", "trees", many}, {"outlines-45", "outlines", many},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var refs []dupes.Reference
			cpu0 := cpuTime()
			for b.Loop() {
				refs = nil
				refs = readBackupsAs(b, bc.mode, bc.dir)
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			b.ReportMetric(float64(len(refs)), "backups")
			b.ReportMetric(retainedMB(func() any { return readBackupsAs(b, bc.mode, bc.dir) }), "retained-MB")
			b.ReportMetric(childPeakMB(b, "TestBackupsChild", "BMTUI_BACKUPS_MODE="+bc.mode, "BMTUI_BACKUPS_DIR="+bc.dir), "peak-MB")
		})
	}
}

// readBackupsAs reads the backups in dir as trees (all) or outlines (the
// newest DefaultLimit).
func readBackupsAs(tb testing.TB, mode, dir string) []dupes.Reference {
	if mode == "trees" {
		return fullTrees(tb, dir, math.MaxInt)
	}
	res, err := backups.Load(dir, backups.DefaultLimit)
	if err != nil {
		tb.Fatal(err)
	}
	return res.Refs
}

// retainedMB is the heap that what read returns holds after a GC.
func retainedMB(read func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := read()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
}

// TestBackupsChild is BenchmarkBackupsHistory40k's child process.
func TestBackupsChild(t *testing.T) {
	mode, dir := os.Getenv("BMTUI_BACKUPS_MODE"), os.Getenv("BMTUI_BACKUPS_DIR")
	if mode == "" {
		t.Skip("run by BenchmarkBackupsHistory40k")
	}
	readBackupsAs(t, mode, dir)
	reportPeak(t)
}
