package serve_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/ui"
)

// remoteOnlyTitle is the title of the demo's bookmark that only the Sync
// mirror has before a merge (bmkRemoteNw1).
const remoteOnlyTitle = "Firefox release notes"

// leftHalf is the part of the screen's lines in the left half: the Local
// pane of the explorer.
func leftHalf(scr string, width int) string {
	var b strings.Builder
	for _, l := range strings.Split(scr, "\n") {
		r := []rune(l)
		b.WriteString(string(r[:min(len(r), width/2)]))
		b.WriteByte('\n')
	}
	return b.String()
}

// waitLeft waits until the screen's left half shows s.
func (c *client) waitLeft(s string, width int) {
	c.t.Helper()
	deadline := time.After(5 * time.Second)
	for !strings.Contains(leftHalf(c.scr.String(), width), s) {
		select {
		case <-c.ch:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			c.t.Fatalf("no %q in the left half of the screen:\n%s", s, c.scr.String())
		}
	}
}

// TestApplyReloadsSessions: after an operator's real apply to a copy of
// the demo profile, every session shows the merged profile (a bookmark
// that only the mirror had is in the Local pane), the shared resolutions
// start over, a later session starts from the merged profile too, and a
// second apply of the reloaded profile is not refused as changed.
func TestApplyReloadsSessions(t *testing.T) {
	p := demoProfile(t)
	src := app.NewSource(p)
	t.Cleanup(func() { src.Close() })
	id := "value:" + demo.Expect.ValueConflict
	k, local := demoConflict(t, p, id, "local")
	op, viewer := newKey(t, "helper@example"), newKey(t, "watcher@example")
	opened := 0
	e := start(t, serve.Config{ModelFactory: app.Factory(src, app.Options{ProfileName: "demo",
		Now: func() time.Time { return time.Unix(1700007200, 0) },
		Apply: func(p *load.Profile, req ui.ApplyRequestedMsg) error {
			plan, err := apply.PlanFor(p, req.View.Result())
			if err != nil {
				return err
			}
			_, err = apply.Apply(context.Background(), p.Paths.Dir, plan, apply.Options{NoFirefoxBackup: true})
			return err
		},
		Reload: reopen(src, &opened),
	})}, operatorOpt+op.line, viewer.line)

	const w, h = 140, 40
	o := connect(t, e.addr, "alice", op, w, h)
	v := connect(t, e.addr, "vera", viewer, w, h)
	for _, c := range []*client{o, v} {
		c.waitFor("Remote (Sync mirror)")
	}
	if strings.Contains(leftHalf(v.scr.String(), w), remoteOnlyTitle) {
		t.Fatalf("the Local pane shows %q before the apply:\n%s", remoteOnlyTitle, v.scr.String())
	}
	v.send("m")
	v.waitFor("deduped")

	// The operator makes a choice, shared, then applies.
	o.send("m")
	o.waitFor("deduped")
	o.send(strings.Repeat("n", k))
	o.send(local)
	o.waitFor("merged: your choice is in")
	v.waitFor(" 1 decided")
	if res, _ := sharedResolutions(t, e); len(res) != 1 {
		t.Fatalf("hub before the apply: %+v", res)
	}
	o.send("Ay")
	o.waitFor("applied: the merge is written to the profile, shown now")
	v.waitFor("applied by alice (helper@example); showing the merged profile")
	v.waitLeft(remoteOnlyTitle, w)
	o.waitLeft(remoteOnlyTitle, w)
	if !strings.Contains(v.scr.String(), "Local (Places)") {
		t.Fatalf("the viewer is not back on the explorer:\n%s", v.scr.String())
	}

	// The shared resolutions start over, for the new generation.
	st := e.srv.Hub().Snapshot()
	sh, ok := app.SharedOf(st.Value)
	if !ok || sh.Generation != 1 || len(sh.Resolutions) != 0 || st.By != "alice (helper@example)" {
		t.Fatalf("hub after the apply: %v, %+v", st, st.Value)
	}
	if src.Generation() != 1 || src.Profile() == p || opened != 1 {
		t.Fatalf("source: generation %d, reloaded %d times", src.Generation(), opened)
	}
	e.events.waitEvent(t, "reload", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "reload" && ev.User == "alice" &&
			strings.Contains(ev.Detail, "showing the merged profile")
	})

	// A viewer joining now starts from the merged profile.
	v2 := connect(t, e.addr, "walt", viewer, w, h)
	v2.waitFor("Remote (Sync mirror)")
	v2.waitLeft(remoteOnlyTitle, w)

	// The viewer's merge screen now merges the new profile.
	v.send("m")
	v.waitFor("Conflicts ·")

	// Applying the reloaded profile is not refused as changed.
	o.send("m")
	o.waitFor("Conflicts ·")
	o.send("Ay")
	deadline := time.Now().Add(10 * time.Second)
	for len(actions(e, "alice", "apply")) < 4 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	a := actions(e, "alice", "apply")
	if len(a) != 4 || a[3].Detail != "done" {
		t.Fatalf("apply actions: %+v\nscreen:\n%s", a, o.scr.String())
	}
	o.waitFor("applied: the merge is written to the profile, shown now")
	v.waitFor("showing the merged profile")
	if src.Generation() != 2 {
		t.Fatalf("generation %d after the second apply", src.Generation())
	}
}

// reopen reads src's profile again at its clocks, counting the reads in
// opened (they run under the apply lock).
func reopen(src *app.Source, opened *int) func() (*load.Profile, error) {
	return func() (*load.Profile, error) {
		*opened++
		cur := src.Profile()
		return load.Open(cur.Paths, cur.Clocks)
	}
}
