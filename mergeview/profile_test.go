package mergeview

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// profileTimes reads the clocks Firefox merged a scenario with.
func profileTimes(tb testing.TB, scenario string) tree.Clocks {
	tb.Helper()
	var e struct {
		LocalTime  float64 `json:"localTime"`
		RemoteTime float64 `json:"remoteTime"`
	}
	b, err := os.ReadFile(testutil.Shared(tb, "fixtures", "profiles", scenario, "expected.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, &e); err != nil {
		tb.Fatal(err)
	}
	at := func(s float64) time.Time {
		whole := int64(s)
		return time.Unix(whole, int64((s-float64(whole))*1e9)).UTC()
	}
	return tree.Clocks{Local: at(e.LocalTime), Remote: at(e.RemoteTime)}
}

// profileInput opens a scenario's before/ state.
func profileInput(tb testing.TB, scenario string) Input {
	tb.Helper()
	times := profileTimes(tb, scenario)
	dir := tb.TempDir()
	src := testutil.Shared(tb, "fixtures", "profiles", scenario, "before")
	testutil.Gunzip(tb, filepath.Join(src, "places.sqlite.gz"), filepath.Join(dir, "places.sqlite"))
	testutil.Gunzip(tb, filepath.Join(src, "weave", "bookmarks.sqlite.gz"), filepath.Join(dir, "weave", "bookmarks.sqlite"))
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		tb.Fatal(err)
	}
	prof, err := load.Open(paths, tree.Clocks{Local: times.Local, Remote: times.Remote})
	if err != nil {
		tb.Fatal(err)
	}
	defer prof.Close()
	if prof.Remote == nil {
		tb.Fatalf("%s: no mirror", scenario)
	}
	return Input{Local: prof.Local.Tree, Remote: prof.Remote.Tree, Now: times, Explain: true}
}

func TestTwoway(t *testing.T) {
	v := newView(t, profileInput(t, "twoway"))

	// The same bookmark renamed on both sides.
	c := conflict(t, v, "value:bmkHn_______")
	if c.Kind != ConflictValue || !c.Choosable || c.Title != "HN (local rename)" {
		t.Errorf("rename conflict %+v", c)
	}
	if a, _ := c.Alt("local"); a.Label != "keep local title “HN (local rename)”" {
		t.Errorf("local label %q", a.Label)
	}
	if a, _ := c.Alt("remote"); a.Label != "keep remote title “HN (remote rename)”" {
		t.Errorf("remote label %q", a.Label)
	}
	if !strings.HasPrefix(c.Reason, "local copy is newer: ") {
		t.Errorf("reason %q", c.Reason)
	}
	wantMark(t, v, "bmkHn_______", tree.Remote, MarkRenamed, "HN (remote rename)", "HN (local rename)")

	// Choosing the remote title flips it everywhere.
	v2 := choose(t, v, c.ID, "remote")
	if r := row(t, v2, "bmkHn_______"); r.Title() != "HN (remote rename)" || !r.State().ShouldApplyItem() {
		t.Errorf("after choosing remote: %q %s", r.Title(), r.State())
	}
	wantMark(t, v2, "bmkHn_______", tree.Local, MarkRenamed, "HN (local rename)", "HN (remote rename)")
	if c2 := conflict(t, v2, c.ID); !strings.HasPrefix(c2.Reason, "you chose to keep remote title “HN (remote rename)”; by default: local copy is newer") {
		t.Errorf("overridden reason %q", c2.Reason)
	}

	// A bookmark moved locally out of a folder the server deleted: revived.
	rc := conflict(t, v, "deletion:bmkCurry____")
	if rc.Default != "keep" || !strings.HasPrefix(rc.Reason, "changed locally ") ||
		!strings.HasSuffix(rc.Reason, "while it was deleted on the server: a changed item beats a deletion") {
		t.Errorf("revive conflict %+v", rc)
	}
	wantMark(t, v, "bmkCurry____", tree.Remote, MarkRevived, "", "")

	// New children of deleted folders move to the closest surviving ancestor.
	lc := conflict(t, v, "relocated:bmkLocalRcp1")
	if lc.Reason != "the folder “Recipes” was deleted on the server, so its new child moves to “Bookmarks Menu”" {
		t.Errorf("relocation reason %q", lc.Reason)
	}
	ac := conflict(t, v, "relocated:bmkRemoteArc")
	if ac.Reason != "the folder “Archive” was deleted locally, so its new child moves to “Projects (renamed locally)”" {
		t.Errorf("relocation reason %q", ac.Reason)
	}
	wantMark(t, v, "bmkRemoteArc", tree.Remote, MarkRelocated, "fldArchive__", "fldProjects_")
	wantMark(t, v, "bmkRemoteArc", tree.Local, MarkAdded, "", "")

	// Remote-only edits are applied locally: title, tags, keyword.
	wantMark(t, v, "bmkMdn______", tree.Local, MarkRenamed, "MDN Web Docs", "MDN (remote)")
	wantMark(t, v, "bmkMdn______", tree.Local, MarkTagsChanged, "docs, web", "docs, mozilla")
	wantMark(t, v, "bmkMdn______", tree.Local, MarkKeywordChanged, "mdn", "mdn2")
	// The server moved LWN to unfiled, but News changed locally later (Curry
	// moved in), so the local placement wins and the server's move is undone.
	lwn := conflict(t, v, "structure:bmkLwn______")
	if lwn.Default != "local" || !strings.HasPrefix(lwn.Reason, "the local move is newer: ") {
		t.Errorf("LWN placement %+v", lwn)
	}
	wantMark(t, v, "bmkLwn______", tree.Remote, MarkMoved, "unfiled_____", "fldNews_____")
	if got := parentOf(t, choose(t, v, lwn.ID, "remote"), "bmkLwn______"); got != tree.UnfiledGUID {
		t.Errorf("after choosing the server's placement, LWN is in %s", got)
	}
	wantMark(t, v, "bmkLocalNew1", tree.Remote, MarkAdded, "", "")
	wantMark(t, v, "bmkRemoteNw1", tree.Local, MarkAdded, "", "")
	if r := row(t, v, "bmkMail_____"); !r.Deleted || !r.HasOn(tree.Remote, MarkDeleted) {
		t.Errorf("deleted bookmark row %+v", r)
	}
	if got := v.RemoteMarks("bmkMail_____"); len(got) != 1 || got[0].Kind != MarkDeleted {
		t.Errorf("remote pane marks for bmkMail_____: %+v", got)
	}

	s := v.Summary()
	if s.Dupes != 0 || s.DeletedLocally == 0 || s.DeletedRemotely == 0 || s.Uploaded == 0 || s.AppliedLocally == 0 || s.ConflictsOpen == 0 {
		t.Errorf("summary %+v", s)
	}

	// Step-through: the rename's step touches the bookmark.
	bp := v.Breakpoint("bmkHn_______")
	if bp < 0 || !strings.Contains(v.Steps()[bp].Text, "HN") {
		t.Errorf("breakpoint %d", bp)
	}
	if v.Steps()[c.Step].Conflict != c.ID {
		t.Errorf("conflict step %d names %q", c.Step, v.Steps()[c.Step].Conflict)
	}
}

// TestProfilesEveryAlternative: on real profiles, choosing each other
// alternative gives a consistent view with the choice in effect, and Undo
// restores the view before exactly.
func TestProfilesEveryAlternative(t *testing.T) {
	for _, scenario := range []string{"twoway", "dupes", "corrupt-remote"} {
		t.Run(scenario, func(t *testing.T) {
			v := newView(t, profileInput(t, scenario))
			before := dumpView(v)
			n := 0
			for _, c := range v.Conflicts() {
				if !c.Choosable {
					continue
				}
				for _, a := range c.Alternatives {
					if a.ID == c.Current {
						continue
					}
					n++
					v2 := choose(t, v, c.ID, a.ID)
					if c2 := v2.Conflict(c.ID); c2 == nil || c2.Current != a.ID {
						t.Errorf("%s=%s not in effect: %+v", c.ID, a.ID, c2)
					}
					back, err := v2.Undo()
					if err != nil {
						t.Fatal(err)
					}
					if dumpView(back) != before {
						t.Errorf("%s=%s: undo does not restore the view", c.ID, a.ID)
					}
				}
			}
			if n == 0 && scenario != "corrupt-remote" { // its conflicts need a rebuild function
				t.Error("no choosable conflict")
			}
		})
	}
}

func TestDupesProfile(t *testing.T) {
	v := newView(t, profileInput(t, "dupes"))
	var dedupes []Conflict
	for _, c := range v.Conflicts() {
		if c.Kind == ConflictDedupe {
			dedupes = append(dedupes, c)
		}
	}
	if len(dedupes) != 8 || v.Summary().Dupes != 8 {
		t.Fatalf("%d dedupe conflicts, %d dupes; want 8", len(dedupes), v.Summary().Dupes)
	}
	for _, c := range dedupes {
		if !strings.HasPrefix(c.Reason, "matched local “") || !strings.Contains(c.Reason, ": same ") {
			t.Errorf("dedupe reason %q", c.Reason)
		}
	}
	// Keeping a pair apart leaves the local copy under its own GUID.
	c := dedupes[0]
	local := c.Related[0]
	v2 := choose(t, v, c.ID, "separate")
	if r := v2.LookupSide(tree.Local, local); r == nil || r.Deleted || (r.GUID() == c.GUID) {
		t.Errorf("after separating %s: row %+v", c.ID, r)
	}
	if v2.Summary().Dupes >= 8 && v2.Conflict(c.ID).Current != "separate" {
		t.Errorf("separate not in effect")
	}
}

func TestCorruptRemoteProfile(t *testing.T) {
	v := newView(t, profileInput(t, "corrupt-remote"))
	var parents []Conflict
	for _, c := range v.Conflicts() {
		if c.Kind == ConflictParent {
			parents = append(parents, c)
		}
	}
	if len(parents) == 0 {
		t.Fatal("the item listed by two folders is not a conflict")
	}
	for _, c := range parents {
		if len(c.Alternatives) < 2 || c.Default == "" || c.Current != c.Default || !strings.HasPrefix(c.Reason, "claimed on the server by ") {
			t.Errorf("parent conflict %+v", c)
		}
		if c.Choosable {
			t.Errorf("%s choosable without a rebuild function", c.ID)
		}
	}
}

func TestSessionProfile(t *testing.T) {
	in := profileInput(t, "twoway")
	v := choose(t, newView(t, in), "value:bmkHn_______", "remote")
	v = choose(t, v, "deletion:bmkCurry____", "delete")
	var buf bytes.Buffer
	if err := v.Save(&buf); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSession(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Local.Time.Equal(in.Now.Local) || !s.Remote.Time.Equal(in.Now.Remote) || len(s.Resolutions) != 2 {
		t.Errorf("session %+v", s)
	}
	back, err := newView(t, in).Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if dumpView(back) != dumpView(v) {
		t.Error("replayed session differs")
	}
	// Another profile, or the same one read at another time, is refused.
	if _, err := newView(t, profileInput(t, "dupes")).Load(bytes.NewReader(buf.Bytes())); !errors.Is(err, ErrSessionMismatch) ||
		!strings.Contains(err.Error(), "changed since the session was saved") {
		t.Errorf("other profile: %v", err)
	}
	later := in
	later.Now.Local = later.Now.Local.Add(time.Hour)
	if _, err := newView(t, later).Load(bytes.NewReader(buf.Bytes())); !errors.Is(err, ErrSessionMismatch) {
		t.Errorf("other time: %v", err)
	}
}

// BenchmarkChoose is one user decision on large-40k: re-merge and rebuild
// every row and conflict ("choose"); "merge" is the merge alone with the
// same override, for reference.
func BenchmarkChoose(b *testing.B) {
	in := profileInput(b, "large-40k")
	v, err := New(context.Background(), in)
	if err != nil {
		b.Fatal(err)
	}
	var id, alt string
	for _, c := range v.Conflicts() {
		if c.Choosable && c.Kind == ConflictValue {
			id = c.ID
			for _, a := range c.Alternatives {
				if a.ID != c.Current {
					alt = a.ID
				}
			}
			break
		}
	}
	if id == "" {
		b.Fatal("no value conflict in large-40k")
	}
	b.Logf("%d rows, %d conflicts, %d events; choosing %s=%s", len(v.Rows()), len(v.Conflicts()), len(v.Result().Events), id, alt)
	b.Run("choose", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Choose(id, alt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("merge", func(b *testing.B) {
		ov, _, err := overridesOf([]Resolution{{Conflict: id, Choice: alt}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := merge.Merge(context.Background(), in.Local, in.Remote, merge.Options{NewGUID: merge.StableGUID, Overrides: ov, Explain: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
