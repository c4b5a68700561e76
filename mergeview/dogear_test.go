package mergeview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// dogearInput loads a dogear fixture as a view input that can rebuild its
// trees with parent preferences.
func dogearInput(t *testing.T, name string) Input {
	t.Helper()
	f, err := testutil.LoadDogear(testutil.Shared(t, "fixtures", "dogear", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := f.Local.Input.Build()
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.Remote.Input.Build()
	if err != nil {
		t.Fatal(err)
	}
	return Input{Local: l, Remote: r, Explain: true,
		Rebuild: RebuildFrom(f.Local.Input.Builder, f.Remote.Input.Builder)}
}

func newView(t *testing.T, in Input) *View {
	t.Helper()
	v, err := New(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, v)
	return v
}

func choose(t *testing.T, v *View, id, alt string) *View {
	t.Helper()
	nv, err := v.Choose(id, alt)
	if err != nil {
		t.Fatalf("choose %s=%s: %v", id, alt, err)
	}
	checkView(t, nv)
	return nv
}

// checkView checks that the view is a consistent picture of a complete
// merge: every item of both trees is either a merged row or a deletion row,
// merged GUIDs are unique, rows are in pre-order with consistent depths, and
// every conflict's current alternative is one of its alternatives.
func checkView(t *testing.T, v *View) {
	t.Helper()
	rows := v.Rows()
	if len(rows) == 0 || rows[0].GUID() != tree.RootGUID || rows[0].Parent != -1 {
		t.Fatalf("first row is not the Places root")
	}
	seen := map[string]bool{}
	for i, r := range rows {
		if seen[r.GUID()] {
			t.Errorf("merged GUID %s twice", r.GUID())
		}
		seen[r.GUID()] = true
		if i > 0 && (r.Parent < 0 || int(r.Parent) >= i || rows[r.Parent].Depth != r.Depth-1 || rows[r.Parent].GUID() != r.ParentGUID()) {
			t.Errorf("row %d (%s): bad parent %d", i, r.GUID(), r.Parent)
		}
		if v.Lookup(r.GUID()) != &rows[i] {
			t.Errorf("Lookup(%s) is not its row", r.GUID())
		}
	}
	for _, s := range []tree.Side{tree.Local, tree.Remote} {
		tr := v.Local()
		if s == tree.Remote {
			tr = v.Remote()
		}
		tr.Walk(func(i int32, n *tree.Node) bool {
			if i != 0 && v.LookupSide(s, n.GUID) == nil {
				t.Errorf("%s item %s is neither merged nor deleted", s, n.GUID)
			}
			return true
		})
	}
	for _, c := range v.Conflicts() {
		if _, ok := c.Alt(c.Current); !ok {
			t.Errorf("conflict %s: current %q is not an alternative", c.ID, c.Current)
		}
		if _, ok := c.Alt(c.Default); !ok && c.Default != "" {
			t.Errorf("conflict %s: default %q is not an alternative", c.ID, c.Default)
		}
		if c.Reason == "" {
			t.Errorf("conflict %s has no reason", c.ID)
		}
	}
}

// dumpView renders everything a UI can see of a view, for exact comparisons.
func dumpView(v *View) string {
	var b strings.Builder
	for _, r := range v.Rows() {
		fmt.Fprintf(&b, "%*s%s %s %s %q %q L=%s R=%s", r.Depth*2, "", r.GUID(), r.State(), r.Kind(), r.Title(), r.URL(), r.LocalGUID(), r.RemoteGUID())
		for _, m := range r.Marks {
			fmt.Fprintf(&b, " [%s %s %q %q %q: %s]", m.Side, m.Kind, m.Old, m.New, m.Partner, v.Describe(m))
		}
		b.WriteByte('\n')
	}
	for _, r := range v.Deleted() {
		fmt.Fprintf(&b, "deleted %s %q parent=%s L=%s R=%s %v: %s\n", r.GUID(), r.Title(), r.ParentGUID(), r.LocalGUID(), r.RemoteGUID(), r.Marks, r.Reason)
	}
	for _, c := range v.Conflicts() {
		fmt.Fprintf(&b, "%s %s %s %q %+v default=%s current=%s decided=%v choosable=%v gone=%v step=%d related=%v\n  %s\n  %s\n",
			c.ID, c.Kind, c.GUID, c.Title, c.Alternatives, c.Default, c.Current, c.Decided, c.Choosable, c.Gone, c.Step, c.Related, c.Reason, c.DefaultReason)
	}
	for _, s := range v.Steps() {
		fmt.Fprintf(&b, "%d %v %s %s\n", s.Index, s.GUIDs, s.Conflict, s.Text)
	}
	fmt.Fprintf(&b, "%+v\n%+v\n", v.Summary(), v.Resolutions())
	return b.String()
}

func row(t *testing.T, v *View, guid string) *Row {
	t.Helper()
	r := v.Lookup(guid)
	if r == nil {
		t.Fatalf("no row for %s", guid)
	}
	return r
}

func conflict(t *testing.T, v *View, id string) *Conflict {
	t.Helper()
	c := v.Conflict(id)
	if c == nil {
		var ids []string
		for _, c := range v.Conflicts() {
			ids = append(ids, c.ID)
		}
		t.Fatalf("no conflict %s; have %v", id, ids)
	}
	return c
}

func wantMark(t *testing.T, v *View, guid string, s tree.Side, k MarkKind, old, new string) {
	t.Helper()
	ms := row(t, v, guid).On(s)
	for _, m := range ms {
		if m.Kind == k && (old == "*" || m.Old == old) && (new == "*" || m.New == new) {
			return
		}
	}
	t.Errorf("%s: no %s %s mark %q -> %q; have %+v", guid, s, k, old, new, ms)
}

func parentOf(t *testing.T, v *View, guid string) string {
	t.Helper()
	r := row(t, v, guid)
	if r.Deleted {
		t.Fatalf("%s is deleted", guid)
	}
	return r.ParentGUID()
}

func TestDogearFixtures(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, v *View)
	}{
		{"value_structure_conflict", func(t *testing.T, v *View) {
			c := conflict(t, v, "value:folderDDDDDD")
			if c.Kind != ConflictValue || c.Default != "remote" || c.Current != "remote" || !c.Choosable {
				t.Errorf("value conflict %+v", c)
			}
			if c.Reason != "remote copy is newer: 5 ms vs 10 ms ago" {
				t.Errorf("reason %q", c.Reason)
			}
			wantMark(t, v, "bookmarkBBBB", tree.Remote, MarkMoved, "folderAAAAAA", "folderDDDDDD")
			wantMark(t, v, "bookmarkEEEE", tree.Local, MarkReordered, "*", "*")
			if st := row(t, v, "folderDDDDDD").State().String(); st != "RemoteWithNewRemoteStructure" {
				t.Errorf("folderDDDDDD state %s", st)
			}
			o := conflict(t, v, "order:folderDDDDDD")
			if o.Choosable {
				t.Error("child order cannot be overridden, but is choosable")
			}
			// Keeping the local value flips the state: the local value is
			// uploaded, nothing is applied locally.
			v2 := choose(t, v, "value:folderDDDDDD", "local")
			r := row(t, v2, "folderDDDDDD")
			if r.State().ShouldApplyItem() || !r.State().ShouldUpload() {
				t.Errorf("after choosing local: state %s", r.State())
			}
			c2 := conflict(t, v2, "value:folderDDDDDD")
			if c2.Current != "local" || !c2.Decided || !strings.HasPrefix(c2.Reason, "you chose to keep local version; by default: remote copy is newer") {
				t.Errorf("after choosing local: %+v", c2)
			}
		}},
		{"newer_local_moves", func(t *testing.T, v *View) {
			c := conflict(t, v, "structure:bookmarkCCCC")
			if c.Default != "local" || !strings.HasPrefix(c.Reason, "the local move is newer") {
				t.Errorf("structure conflict %+v", c)
			}
			if got := parentOf(t, v, "bookmarkCCCC"); got != "folderDDDDDD" {
				t.Errorf("bookmarkCCCC in %s", got)
			}
			wantMark(t, v, "bookmarkCCCC", tree.Remote, MarkMoved, "folderHHHHHH", "folderDDDDDD")
			wantMark(t, v, "bookmarkAAAA", tree.Remote, MarkMoved, "mobile______", "unfiled_____")
			v2 := choose(t, v, "structure:bookmarkCCCC", "remote")
			if got := parentOf(t, v2, "bookmarkCCCC"); got != "folderHHHHHH" {
				t.Errorf("after choosing remote: bookmarkCCCC in %s", got)
			}
			wantMark(t, v2, "bookmarkCCCC", tree.Local, MarkMoved, "folderDDDDDD", "folderHHHHHH")
		}},
		{"deduping_local_newer", func(t *testing.T, v *View) {
			c := conflict(t, v, "dedupe:bookmarkAAA1|bookmarkAAAA")
			want := "matched local “A” (bookmarkAAA1) with remote “A” (bookmarkAAAA): same title and URL in “Bookmarks Menu”"
			if c.Reason != want || c.Current != "match" {
				t.Errorf("dedupe conflict %+v", c)
			}
			r := row(t, v, "bookmarkAAA1")
			if r.GUID() != "bookmarkAAAA" || r.LocalGUID() != "bookmarkAAA1" {
				t.Errorf("bookmarkAAA1 row %s/%s", r.GUID(), r.LocalGUID())
			}
			wantMark(t, v, "bookmarkAAAA", tree.Local, MarkDeduped, "bookmarkAAA1", "bookmarkAAAA")
			wantMark(t, v, "bookmarkAAA3", tree.Remote, MarkAdded, "", "")
			wantMark(t, v, "bookmarkAAA5", tree.Local, MarkAdded, "", "")
			if s := v.Summary(); s.Dupes != 2 {
				t.Errorf("dupes %d", s.Dupes)
			}
			// Refusing the first match: FIFO pairing moves on, bookmarkAAAA
			// takes the next local copy and bookmarkAAA1 the next remote one.
			v2 := choose(t, v, "dedupe:bookmarkAAA1|bookmarkAAAA", "separate")
			if r := row(t, v2, "bookmarkAAA1"); r.GUID() != "bookmarkAAA4" {
				t.Errorf("refused: bookmarkAAA1 matched %s, want the next candidate bookmarkAAA4", r.GUID())
			}
			conflict(t, v2, "dedupe:bookmarkAAA1|bookmarkAAA4")
			if c := conflict(t, v2, "dedupe:bookmarkAAA1|bookmarkAAAA"); c.Current != "separate" || !c.Decided {
				t.Errorf("refused conflict %+v", c)
			}
			if r := row(t, v2, "bookmarkAAAA"); r.LocalGUID() != "bookmarkAAA2" {
				t.Errorf("bookmarkAAAA paired with %q, want bookmarkAAA2", r.LocalGUID())
			}
		}},
		{"complex_orphaning", func(t *testing.T, v *View) {
			c := conflict(t, v, "relocated:bookmarkFFFF")
			if c.Reason != "the folder “folderBBBBBB” was deleted on the server, so its new child moves to “folderAAAAAA”" {
				t.Errorf("reason %q", c.Reason)
			}
			wantMark(t, v, "bookmarkFFFF", tree.Local, MarkRelocated, "folderBBBBBB", "folderAAAAAA")
			wantMark(t, v, "bookmarkFFFF", tree.Remote, MarkAdded, "", "")
			wantMark(t, v, "bookmarkGGGG", tree.Remote, MarkRelocated, "folderEEEEEE", "folderDDDDDD")
			d := row(t, v, "folderBBBBBB")
			if !d.Deleted || d.LocalGUID() == "" || !d.HasOn(tree.Local, MarkDeleted) ||
				!strings.Contains(d.Reason, "was deleted on the server: a folder deletion wins") {
				t.Errorf("deleted folder row %+v", d)
			}
			if s := v.Summary(); s.DeletedLocally != 1 || s.DeletedRemotely != 1 {
				t.Errorf("summary %+v", s)
			}
			// Restoring the deleted folder keeps the new child in it.
			v2 := choose(t, v, "relocated:bookmarkFFFF", "restore:folderBBBBBB")
			if got := parentOf(t, v2, "bookmarkFFFF"); got != "folderBBBBBB" {
				t.Errorf("after restore: bookmarkFFFF in %s", got)
			}
			g := conflict(t, v2, "relocated:bookmarkFFFF")
			if !g.Gone || g.Current != "restore:folderBBBBBB" || !g.Decided {
				t.Errorf("restored relocation %+v", g)
			}
			if d := conflict(t, v2, "deletion:folderBBBBBB"); d.Current != "keep" {
				t.Errorf("folder deletion after restore: %+v", d)
			}
		}},
		{"locally_modified_remotely_deleted", func(t *testing.T, v *View) {
			c := conflict(t, v, "deletion:folderBBBBBB")
			if c.Default != "delete" || c.Kind != ConflictDeletion {
				t.Errorf("deletion conflict %+v", c)
			}
			v2 := choose(t, v, "deletion:folderBBBBBB", "keep")
			if got := parentOf(t, v2, "folderBBBBBB"); got != "folderAAAAAA" {
				t.Errorf("kept folder in %s", got)
			}
			wantMark(t, v2, "folderBBBBBB", tree.Remote, MarkRevived, "", "")
			if got := parentOf(t, v2, "bookmarkFFFF"); got != "folderBBBBBB" {
				t.Errorf("bookmarkFFFF in %s", got)
			}
		}},
		{"locally_deleted_remotely_modified", func(t *testing.T, v *View) {
			var revived []string
			for _, r := range v.Rows() {
				if r.HasOn(tree.Local, MarkRevived) {
					revived = append(revived, r.GUID())
				}
			}
			if len(revived) == 0 {
				t.Fatal("no bookmark revived")
			}
			c := conflict(t, v, "deletion:"+revived[0])
			if c.Default != "keep" || !strings.Contains(c.Reason, "a changed item beats a deletion") {
				t.Errorf("revive conflict %+v", c)
			}
			v2 := choose(t, v, c.ID, "delete")
			if r := row(t, v2, revived[0]); !r.Deleted {
				t.Errorf("%s not deleted after choosing delete", revived[0])
			}
		}},
		{"multiple_parents", func(t *testing.T, v *View) {
			c := conflict(t, v, "parent:remote:bookmarkAAAA")
			if c.Default != tree.MenuGUID && c.Default != tree.ToolbarGUID {
				t.Fatalf("parent conflict %+v", c)
			}
			if len(c.Alternatives) != 2 || !strings.HasPrefix(c.Reason, "claimed on the server by “Bookmarks Toolbar”, “Bookmarks Menu”") {
				t.Errorf("parent conflict %+v", c)
			}
			other := tree.MenuGUID
			if c.Default == tree.MenuGUID {
				other = tree.ToolbarGUID
			}
			if got := parentOf(t, v, "bookmarkAAAA"); got != c.Default {
				t.Errorf("bookmarkAAAA in %s, default %s", got, c.Default)
			}
			v2 := choose(t, v, c.ID, other)
			if got := parentOf(t, v2, "bookmarkAAAA"); got != other {
				t.Errorf("after choosing %s: bookmarkAAAA in %s", other, got)
			}
			if c2 := conflict(t, v2, c.ID); c2.Current != other || c2.Default != c.Default {
				t.Errorf("after choosing: %+v", c2)
			}
			if v2.Remote() == v.Remote() {
				t.Error("remote tree not rebuilt")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			v := newView(t, dogearInput(t, tt.fixture))
			tt.check(t, v)
		})
	}
}

// TestEveryAlternative chooses every other alternative of every conflict of
// every dogear merge fixture: the result must be a consistent view where the
// choice is in effect, and Undo must give back exactly the view before.
func TestEveryAlternative(t *testing.T) {
	files, err := testutil.DogearFiles(testutil.Shared(t, "fixtures", "dogear"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		f, err := testutil.LoadDogear(file)
		if err != nil {
			t.Fatal(err)
		}
		if f.Type != "merge" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			v, err := New(context.Background(), dogearInput(t, name))
			if err != nil {
				t.Skipf("merge fails: %v", err)
			}
			checkView(t, v)
			before := dumpView(v)
			for _, c := range v.Conflicts() {
				if !c.Choosable {
					if _, err := v.Choose(c.ID, c.Alternatives[0].ID); !errors.Is(err, ErrNotChoosable) {
						t.Errorf("%s: choosing an unchoosable conflict: %v", c.ID, err)
					}
					continue
				}
				for _, a := range c.Alternatives {
					if a.ID == c.Current {
						continue
					}
					v2 := choose(t, v, c.ID, a.ID)
					c2 := v2.Conflict(c.ID)
					if c2 == nil || c2.Current != a.ID || !c2.Decided {
						t.Errorf("%s=%s: not in effect: %+v", c.ID, a.ID, c2)
					}
					if s := v2.Summary(); s.ConflictsDecided < 1 {
						t.Errorf("%s=%s: summary %+v", c.ID, a.ID, s)
					}
					back, err := v2.Undo()
					if err != nil {
						t.Fatal(err)
					}
					if got := dumpView(back); got != before {
						t.Errorf("%s=%s: undo differs:\n%s\nwant\n%s", c.ID, a.ID, got, before)
					}
				}
			}
			if _, err := v.Undo(); !errors.Is(err, ErrNothingToUndo) {
				t.Errorf("undo on a fresh view: %v", err)
			}
		})
	}
}

func TestChooseErrors(t *testing.T) {
	v := newView(t, dogearInput(t, "value_structure_conflict"))
	if _, err := v.Choose("value:nope________", "local"); !errors.Is(err, ErrUnknownConflict) {
		t.Errorf("unknown conflict: %v", err)
	}
	if _, err := v.Choose("value:folderDDDDDD", "keep"); !errors.Is(err, ErrUnknownChoice) {
		t.Errorf("unknown alternative: %v", err)
	}
	// Without Rebuild, parent conflicts are listed but cannot be chosen.
	in := dogearInput(t, "multiple_parents")
	in.Rebuild = nil
	v = newView(t, in)
	if c := conflict(t, v, "parent:remote:bookmarkAAAA"); c.Choosable {
		t.Error("parent conflict choosable without Rebuild")
	}
}

// TestResolutionList: resolutions are kept in order, undone one by one, and
// initial Overrides/ParentChoices become resolutions.
func TestResolutionList(t *testing.T) {
	in := dogearInput(t, "newer_local_moves")
	v0 := newView(t, in)
	v1 := choose(t, v0, "structure:bookmarkCCCC", "remote")
	v2 := choose(t, v1, "structure:bookmarkGGGG", "remote")
	v3 := choose(t, v2, "structure:bookmarkCCCC", "local") // re-decided: the last one wins
	if got := parentOf(t, v3, "bookmarkCCCC"); got != "folderDDDDDD" {
		t.Errorf("re-decided: bookmarkCCCC in %s", got)
	}
	if got := parentOf(t, v3, "bookmarkGGGG"); got != "folderDDDDDD" {
		t.Errorf("bookmarkGGGG in %s", got)
	}
	if n := len(v3.Resolutions()); n != 3 {
		t.Fatalf("%d resolutions", n)
	}
	u2, err := v3.Undo()
	if err != nil {
		t.Fatal(err)
	}
	if dumpView(u2) != dumpView(v2) {
		t.Error("undo once differs from the view before")
	}
	u1, _ := u2.Undo()
	if dumpView(u1) != dumpView(v1) {
		t.Error("undo twice differs")
	}
	u0, _ := u1.Undo()
	if dumpView(u0) != dumpView(v0) {
		t.Error("undo three times differs from the first view")
	}
	// The same decisions given up front.
	in.Resolutions = v2.Resolutions()
	if got, want := dumpView(newView(t, in)), dumpView(v2); got != want {
		t.Errorf("New with resolutions differs from choosing:\n%s\nwant\n%s", got, want)
	}
	// Or as merge overrides: they become resolutions of the same conflicts.
	in.Resolutions = nil
	in.Overrides = merge.Overrides{Structure: map[string]tree.Side{"bookmarkCCCC": tree.Remote}}
	vo := newView(t, in)
	if got := parentOf(t, vo, "bookmarkCCCC"); got != "folderHHHHHH" {
		t.Errorf("override: bookmarkCCCC in %s", got)
	}
	if rs := vo.Resolutions(); len(rs) != 1 || rs[0].Conflict != "structure:bookmarkCCCC" || rs[0].Choice != "remote" {
		t.Errorf("override as resolutions: %+v", rs)
	}
	if c := conflict(t, vo, "structure:bookmarkCCCC"); !c.Decided || c.Current != "remote" ||
		c.DefaultReason != "the local move is newer: 0 ms vs 5 ms ago" {
		t.Errorf("override conflict %+v", c)
	}
	if u, err := vo.Undo(); err != nil || parentOf(t, u, "bookmarkCCCC") != "folderDDDDDD" {
		t.Errorf("undoing an initial override: %v", err)
	}
}

func TestSteps(t *testing.T) {
	in := dogearInput(t, "complex_orphaning")
	v := newView(t, in)
	steps := v.Steps()
	if len(steps) != len(v.Result().Events) {
		t.Fatalf("%d steps for %d events", len(steps), len(v.Result().Events))
	}
	bp := v.Breakpoint("bookmarkFFFF")
	if bp < 0 || steps[bp].Kind != merge.EventRelocated || steps[bp].Conflict != "relocated:bookmarkFFFF" ||
		!strings.Contains(steps[bp].Text, "relocated to") {
		t.Errorf("breakpoint on bookmarkFFFF: %d %+v", bp, steps[max(bp, 0)])
	}
	// The folder it lands in is involved in the same step, so a pane
	// following the step shows both.
	found := false
	for _, g := range steps[bp].GUIDs {
		found = found || g == "folderAAAAAA"
	}
	if !found {
		t.Errorf("step GUIDs %v", steps[bp].GUIDs)
	}
	if got := v.Breakpoint("nothing_here"); got != -1 {
		t.Errorf("breakpoint on an unknown GUID: %d", got)
	}
	in.Explain = false
	if s := newView(t, in).Steps(); len(s) != 0 {
		t.Errorf("steps without Explain: %d", len(s))
	}
}

func TestSessionDogear(t *testing.T) {
	in := dogearInput(t, "newer_local_moves")
	v := choose(t, newView(t, in), "structure:bookmarkCCCC", "remote")
	var buf bytes.Buffer
	if err := v.Save(&buf); err != nil {
		t.Fatal(err)
	}
	saved := buf.String()
	v2, err := newView(t, in).Load(strings.NewReader(saved))
	if err != nil {
		t.Fatal(err)
	}
	if dumpView(v2) != dumpView(v) {
		t.Error("loaded session differs")
	}
	other := newView(t, dogearInput(t, "newer_remote_moves"))
	if _, err := other.Load(strings.NewReader(saved)); !errors.Is(err, ErrSessionMismatch) {
		t.Errorf("loading into another merge: %v", err)
	}
	if _, err := v.Load(strings.NewReader(`{"format":"other"}`)); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestAgo(t *testing.T) {
	tests := []struct {
		ms   int64
		want string
	}{
		{0, "now"}, {999, "now"}, {1000, "1 s"}, {59_000, "59 s"}, {60_000, "1 min"},
		{2 * 3600_000, "2 h"}, {47 * 3600_000, "47 h"}, {3 * 86400_000, "3 d"},
		{90 * 86400_000, "3 mo"}, {800 * 86400_000, "2 y"},
	}
	for _, tt := range tests {
		if got := Ago(tt.ms); got != tt.want {
			t.Errorf("Ago(%d) = %q, want %q", tt.ms, got, tt.want)
		}
	}
	if got := agesText(2*3600_000, 5*3600_000); got != "2 h vs 5 h ago" {
		t.Errorf("agesText = %q", got)
	}
}

// BenchmarkChooseSynthetic is BenchmarkChoose on dogear's synthetic
// workloads (no Places data: the merge cost without titles).
func BenchmarkChooseSynthetic(b *testing.B) {
	for _, size := range []string{"40k"} {
		b.Run(size, func(b *testing.B) {
			v := syntheticView(b, size)
			id, alt := firstChoice(v)
			if id == "" {
				b.Fatal("no choosable conflict")
			}
			b.Logf("%d rows, %d conflicts, %d events; choosing %s=%s", len(v.Rows()), len(v.Conflicts()), len(v.Result().Events), id, alt)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := v.Choose(id, alt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// syntheticView merges one of dogear's synthetic workloads.
func syntheticView(tb testing.TB, size string) *View {
	tb.Helper()
	in, err := testutil.LoadReplays(testutil.Shared(tb, "fixtures", "bench", "synthetic_"+size+".json.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	l, err := in.Local.Build()
	if err != nil {
		tb.Fatal(err)
	}
	r, err := in.Remote.Build()
	if err != nil {
		tb.Fatal(err)
	}
	v, err := New(context.Background(), Input{Local: l, Remote: r})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// firstChoice returns the first choosable conflict and an alternative
// other than its current one ("" when there is none).
func firstChoice(v *View) (id, alt string) {
	for _, c := range v.Conflicts() {
		if c.Choosable {
			for _, a := range c.Alternatives {
				if a.ID != c.Current {
					alt = a.ID
				}
			}
			return c.ID, alt
		}
	}
	return "", ""
}
