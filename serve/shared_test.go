package serve_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/ui"
)

// demoConflict finds where the demo merge lists a conflict and the number
// key of one of its alternatives.
func demoConflict(t *testing.T, p *load.Profile, id, alt string) (index int, key string) {
	t.Helper()
	v, err := mergeview.New(context.Background(), mergeview.Input{Local: p.Local.Tree, Remote: p.Remote.Tree,
		Now: p.Clocks, Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range v.Conflicts() {
		if c.ID != id {
			continue
		}
		for k, a := range c.Alternatives {
			if a.ID == alt {
				return i, string(rune('1' + k))
			}
		}
		t.Fatalf("%s has no alternative %s: %+v", id, alt, c.Alternatives)
	}
	t.Fatalf("no conflict %s", id)
	return 0, ""
}

// sharedResolutions is the hub's list.
func sharedResolutions(t *testing.T, e *env) ([]mergeview.Resolution, uint64) {
	t.Helper()
	s := e.srv.Hub().Snapshot()
	sh, ok := app.SharedOf(s.Value)
	if !ok {
		t.Fatalf("hub holds %T", s.Value)
	}
	return sh.Resolutions, s.Version
}

func actions(e *env, user, action string) []serve.Event {
	e.events.mu.Lock()
	defer e.events.mu.Unlock()
	var out []serve.Event
	for _, ev := range e.events.list {
		if ev.Kind == serve.EventAction && ev.User == user && ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

// TestSharedMergeSession: an operator's choice reaches a viewer's merge
// screen live, a second operator joining later starts from it, undo
// travels the same way, and a viewer's number keys change nothing.
func TestSharedMergeSession(t *testing.T) {
	p := demoProfile(t)
	id := "value:" + demo.Expect.ValueConflict
	k, local := demoConflict(t, p, id, "local")
	op1, viewer, op2 := newKey(t, "helper@example"), newKey(t, "watcher@example"), newKey(t, "second@example")
	applying := make(chan struct{})
	release := make(chan struct{})
	e := start(t, serve.Config{ModelFactory: app.Factory(app.NewSource(p), app.Options{ProfileName: "demo",
		Now: func() time.Time { return time.Unix(1700007200, 0) },
		Apply: func(_ *load.Profile, req ui.ApplyRequestedMsg) error {
			close(applying)
			<-release
			return nil
		},
	})}, operatorOpt+op1.line, viewer.line, operatorOpt+op2.line)

	o := connect(t, e.addr, "alice", op1, 140, 40)
	v := connect(t, e.addr, "vera", viewer, 140, 40)
	for _, c := range []*client{o, v} {
		c.waitFor("Remote (Sync mirror)")
		c.send("m")
		c.waitFor("deduped")
		c.send(strings.Repeat("n", k)) // both on the rename conflict
	}
	v.waitFor("Conflicts · " + strconv.Itoa(k+1) + " of ")
	v.waitFor(demo.Expect.ValueRemTitle)

	// The operator keeps the local title; the viewer sees it.
	o.waitFor("Conflicts · " + strconv.Itoa(k+1) + " of ")
	o.send(local)
	o.waitFor(" 1 decided")
	v.waitFor("alice (helper@example) chose: ")
	v.waitFor(" 1 decided")
	v.waitFor(demo.Expect.ValueLocalTitle)
	res, ver := sharedResolutions(t, e)
	if len(res) != 1 || res[0].Conflict != id || res[0].Choice != "local" || ver != 1 {
		t.Fatalf("hub: version %d, %+v", ver, res)
	}
	ev := e.events.waitEvent(t, "choose", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "choose" && ev.User == "alice"
	})
	if ev.Detail != id+"=local" {
		t.Fatalf("choose detail %q", ev.Detail)
	}

	// The viewer's number keys and u do nothing (? shows they were read).
	v.send("12u?")
	v.waitFor("less keys")
	if res, ver := sharedResolutions(t, e); len(res) != 1 || ver != 1 {
		t.Fatalf("a viewer changed the hub: version %d, %+v", ver, res)
	}
	if a := append(actions(e, "vera", "choose"), actions(e, "vera", "undo")...); len(a) != 0 {
		t.Fatalf("viewer actions recorded: %+v", a)
	}
	if !strings.Contains(v.scr.String(), " 1 decided") {
		t.Fatalf("viewer's screen changed:\n%s", v.scr.String())
	}
	v.send("?")

	// A second operator joining now starts from the shared choice.
	o2 := connect(t, e.addr, "bob", op2, 140, 40)
	o2.waitFor("Remote (Sync mirror)")
	o2.send("m")
	o2.waitFor(" 1 decided")
	o2.send(strings.Repeat("n", k))
	o2.waitFor(demo.Expect.ValueLocalTitle)

	// Undo travels too.
	o.send("u")
	for _, c := range []*client{o, v, o2} {
		c.waitFor(" 0 decided")
	}
	v.waitFor("alice (helper@example) undid: ")
	v.waitFor(demo.Expect.ValueRemTitle)
	o2.waitFor(demo.Expect.ValueRemTitle)
	if res, ver := sharedResolutions(t, e); len(res) != 0 || ver != 2 {
		t.Fatalf("hub after undo: version %d, %+v", ver, res)
	}
	ev = e.events.waitEvent(t, "undo", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "undo" && ev.User == "alice"
	})
	if ev.Detail != id+"=local" {
		t.Fatalf("undo detail %q", ev.Detail)
	}

	// The second operator chooses; the first sees it.
	o2.send(local)
	o2.waitFor("merged: your choice is in") // (A is off while merging)
	o.waitFor("bob (second@example) chose: ")
	o.waitFor(" 1 decided")
	v.waitFor(" 1 decided")

	// While bob applies, the others are told and alice cannot apply.
	o2.send("Ay")
	select {
	case <-applying:
	case <-time.After(5 * time.Second):
		t.Fatal("apply did not start")
	}
	o.waitFor("bob (second@example) is applying")
	v.waitFor("bob (second@example) is applying")
	o2.waitFor("applying…")
	o.send("A")
	o.send("?")
	o.waitFor("less keys")
	if strings.Contains(o.scr.String(), "Apply this merge?") {
		t.Fatal("alice could open the apply dialog while bob applies")
	}
	close(release)
	e.events.waitEvent(t, "apply done", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "apply" && ev.User == "bob" && ev.Detail == "done"
	})
	o.send("?")
	o.waitFor("A apply…")
	if n := len(actions(e, "alice", "choose")) + len(actions(e, "bob", "choose")); n != 2 {
		t.Fatalf("%d choose actions", n)
	}
}

// TestSharedMergeRedactedViewer: a redacted viewer converges on the
// operator's choice without seeing titles.
func TestSharedMergeRedactedViewer(t *testing.T) {
	p := demoProfile(t)
	id := "value:" + demo.Expect.ValueConflict
	k, local := demoConflict(t, p, id, "local")
	op, viewer := newKey(t, "helper@example"), newKey(t, "watcher@example")
	e := start(t, serve.Config{Redact: true, ModelFactory: app.Factory(app.NewSource(p), app.Options{ProfileName: "demo",
		Now: func() time.Time { return time.Unix(1700007200, 0) }})}, operatorOpt+op.line, viewer.line)
	o := connect(t, e.addr, "alice", op, 140, 40)
	v := connect(t, e.addr, "vera", viewer, 140, 40)
	for _, c := range []*client{o, v} {
		c.waitFor("Remote (Sync mirror)")
		c.send("m")
		c.waitFor("deduped")
	}
	o.send(strings.Repeat("n", k))
	o.waitFor("Conflicts · " + strconv.Itoa(k+1) + " of ")
	o.send(local)
	o.waitFor(" 1 decided")
	v.waitFor("alice (helper@example) chose: ")
	v.waitFor(" 1 decided")
	for _, secret := range []string{"MDN", "Work", "Recipes"} {
		if strings.Contains(v.scr.String(), secret) {
			t.Fatalf("redacted viewer sees %q:\n%s", secret, v.scr.String())
		}
	}
	// A redacted viewer joining later starts from it too.
	v2 := connect(t, e.addr, "walt", viewer, 140, 40)
	v2.waitFor("Remote (Sync mirror)")
	v2.send("m")
	v2.waitFor(" 1 decided")
}
