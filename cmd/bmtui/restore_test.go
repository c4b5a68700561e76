package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/teamsg"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// TestRestoreCallback: the app's R callback previews restoring the
// mirror's copy of a bookmark deleted here, as bmtui restore prints it;
// its Write writes and verifies; a second write from the same (now
// stale) preview is refused, and nothing more is written.
func TestRestoreCallback(t *testing.T) {
	prof := openNow(t, testutil.Profile(t, "twoway", "before"))
	plan := restoreFunc(context.Background(), prof)
	p, err := plan(ui.RestoreRequest{Side: tree.Remote, GUIDs: []string{"bmkMail_____"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "restore from mirror: 1 item back into Places" || len(p.Lines) != 1 ||
		p.Lines[0] != `insert bookmark "Mail" into Bookmarks Menu/Work at 1` || !strings.HasPrefix(p.Upload, "Firefox will upload") || p.Write == nil {
		t.Fatalf("preview: %+v", p)
	}
	out, err := p.Write()
	if err != nil || !strings.Contains(out, "bmtui undo restores it") {
		t.Fatalf("write: %q %v", out, err)
	}
	again, err := plan(ui.RestoreRequest{Side: tree.Remote, GUIDs: []string{"fldArchive__"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Write(); !errors.Is(err, apply.ErrChanged) {
		t.Errorf("a write from the stale trees: %v, want ErrChanged", err)
	}
	if _, err := plan(ui.RestoreRequest{Side: tree.Remote, GUIDs: []string{"bmkNope_____"}}); err == nil || err.Error() != "bmkNope_____ is not in mirror" {
		t.Errorf("unknown GUID: %v", err)
	}
}

// TestRestoreTwiceInApp: in the app on a copy of a profile, R restores one
// item from the mirror, the app reads the profile again (the item shows in
// the Local pane), and a second R from the trees now shown restores another
// item: both are in Places.
func TestRestoreTwiceInApp(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	d := driveApp(t, &profileFlags{profile: dir, finishApply: true})
	app, run := d.app, d.run
	run(tea.WindowSizeMsg{Width: 160, Height: 40})
	restoreOne := func(guid, title string) {
		t.Helper()
		if _, ok := app.Explorer().Local().Source().Index(guid); ok {
			t.Fatalf("%s is in the Local pane before its restore", guid)
		}
		ex := app.Explorer()
		if app.Explorer().Focus() != "remote" { // the reloaded app keeps the pane
			run(tea.KeyPressMsg{Code: tea.KeyTab})
		}
		// Down the right pane from its top, every folder opened, to the
		// item.
		run(press('g'))
		for i := 0; app.Explorer().Remote().Selected() != guid; i++ {
			if i > 100 {
				t.Fatalf("%s not found in the right pane", guid)
			}
			run(press('L'), press('j'))
		}
		run(press('R'))
		if app.Screen() != "restore" || app.Restore().Preview() == nil || len(app.Restore().Preview().Lines) == 0 {
			t.Fatalf("R on %s: screen %q:\n%s", guid, app.Screen(), d.screen())
		}
		run(press('y'))
		if app.Screen() != "explorer" || app.Explorer() == ex {
			t.Errorf("after the restore of %s: screen %q, reloaded %v", guid, app.Screen(), app.Explorer() != ex)
		}
		if app.Screen() == "restore" {
			run(tea.KeyPressMsg{Code: tea.KeyEscape}) // back, as a user would
			return
		}
		if st := app.Explorer().Status(); !strings.Contains(st, "restored and verified") {
			t.Errorf("status after the restore of %s: %q", guid, st)
		}
		if _, ok := app.Explorer().Local().Source().Index(guid); !ok {
			t.Errorf("%s (%s) is not in the reloaded Local pane", guid, title)
		}
	}
	restoreOne("bmkMail_____", "Mail")
	restoreOne("fldArchive__", "Archive")

	// Both are in Places, read from the file.
	after := openNow(t, dir)
	for _, g := range []string{"bmkMail_____", "fldArchive__"} {
		if after.Local.Tree.Lookup(g) == nil {
			t.Errorf("%s is not in places.sqlite after the two restores", g)
		}
	}
}

func press(r rune) tea.Msg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

// appDriver runs the app of a real profile in a test, each message's
// commands run in turn until none is left.
type appDriver struct {
	t     *testing.T
	app   *ui.App
	model tea.Model
}

// driveApp opens pf's profile as the app does, closed at the test's end.
func driveApp(t *testing.T, pf *profileFlags) *appDriver {
	t.Helper()
	sess := &appSession{ctx: context.Background(), pf: pf}
	t.Cleanup(sess.close)
	prof, cleanup, err := sess.pf.open()
	if err != nil {
		t.Fatal(err)
	}
	sess.cleanups = append(sess.cleanups, cleanup)
	app := ui.NewApp(sess.input(prof), ui.Options{NoColor: true})
	return &appDriver{t: t, app: app, model: app}
}

func (d *appDriver) run(msgs ...tea.Msg) {
	d.t.Helper()
	d.model = teamsg.Drain(d.model, msgs...)
}

// screen is the app's view without colours.
func (d *appDriver) screen() string { return ansi.Strip(d.model.View().Content) }

// openNow opens the profile in dir at the clocks of now, closed at the
// test's end.
func openNow(t *testing.T, dir string) *load.Profile {
	t.Helper()
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Open(paths, tree.Clocks{Local: time.Now(), Remote: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}
