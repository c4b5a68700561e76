package ui_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// restorePreview is a caller's plan as bmtui restore makes it.
func restorePreview(writes *int) *ui.RestorePreview {
	return &ui.RestorePreview{
		Title: "restore from mirror: 2 items back into Places",
		Lines: []string{`insert folder "Archive" into Bookmarks Menu/Work at 4`, `insert bookmark "Old wiki" into Bookmarks Menu/Work/Archive at 0`},
		Notes: []string{`bookmark "Mail" is already in Places at Bookmarks Menu/Work: not restored`},
		Upload: "Firefox will upload at its next sync: 2 items, 1 folder whose children change, 0 deletions; " +
			"2 tombstones removed",
		Write: func() (string, error) {
			*writes++
			return "restored; backup of places.sqlite: /p/bmtui-backups/x (bmtui undo restores it)", nil
		},
	}
}

// TestRestoreScreen: R is offered only on the right pane; it asks the
// caller to plan the selected item, shows what comes back where and what
// Firefox will upload, n goes back without writing, y writes once and
// shows what it did.
func TestRestoreScreen(t *testing.T) {
	writes := 0
	var asked []ui.RestoreRequest
	in := salvageAppInput(t)
	in.Restore = func(req ui.RestoreRequest) (*ui.RestorePreview, error) {
		asked = append(asked, req)
		return restorePreview(&writes), nil
	}
	var m tea.Model = ui.NewApp(in, opts())
	m = drive(t, m, tea.WindowSizeMsg{Width: 200, Height: 24})
	if strings.Contains(content(m), "R restore") {
		t.Errorf("R offered on the local pane:\n%s", content(m))
	}
	m = drive(t, m, keys("R")...)
	if got := m.(*ui.App).Screen(); got != "explorer" || len(asked) != 0 {
		t.Fatalf("R on the local pane opened %q", got)
	}
	m = drive(t, m, keys("tab")...)
	if v := content(drive(t, m, tea.WindowSizeMsg{Width: 200, Height: 24})); !strings.Contains(v, "R restore into Places") {
		t.Errorf("R not offered on the right pane:\n%s", v)
	}
	m = drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	selected := m.(*ui.App).Explorer().Remote().Selected()
	m = drive(t, m, keys("R")...)
	a := m.(*ui.App)
	if a.Screen() != "restore" || len(asked) != 1 || asked[0].Side != tree.Remote || !slices.Equal(asked[0].GUIDs, []string{selected}) {
		t.Fatalf("screen %q, asked %+v (selected %s)", a.Screen(), asked, selected)
	}
	view := content(m)
	golden.RequireEqual(t, view)
	for _, want := range []string{"restore from mirror", `+ insert folder "Archive"`, "already in Places", "Firefox will upload", "y/enter restore"} {
		if !strings.Contains(view, want) {
			t.Errorf("preview lacks %q:\n%s", want, view)
		}
	}
	m = drive(t, m, keys("n")...)
	if a.Screen() != "explorer" || writes != 0 {
		t.Fatalf("n: screen %q, %d writes", a.Screen(), writes)
	}
	m = drive(t, m, keys("R", "y")...)
	if writes != 1 {
		t.Fatalf("y wrote %d times", writes)
	}
	if v := content(m); !strings.Contains(v, "backup of places.sqlite") || strings.Contains(v, "y/enter restore") {
		t.Errorf("outcome not shown, or the write offered again:\n%s", v)
	}
	m = drive(t, m, keys("y")...)
	if writes != 1 {
		t.Errorf("a second y wrote again")
	}
	drive(t, m, keys("esc")...)
	if a.Screen() != "explorer" {
		t.Errorf("esc went to %q", a.Screen())
	}
}

// TestRestoreScreenRefusals: a planning error is shown; a failed write
// says so and writes can be tried again; a read-only session and a
// caller without Restore get no R.
func TestRestoreScreenRefusals(t *testing.T) {
	in := salvageAppInput(t)
	in.Restore = func(ui.RestoreRequest) (*ui.RestorePreview, error) {
		return nil, errors.New("bmkX is not in mirror")
	}
	var m tea.Model = ui.NewApp(in, opts())
	m = drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m = drive(t, m, keys("tab", "R")...)
	if v := content(m); !strings.Contains(v, "cannot restore: bmkX is not in mirror") || strings.Contains(v, "y/enter") {
		t.Errorf("error not shown:\n%s", v)
	}

	writes := 0
	in.Restore = func(ui.RestoreRequest) (*ui.RestorePreview, error) {
		p := restorePreview(&writes)
		p.Write = func() (string, error) { writes++; return "", errors.New("Firefox is running") }
		return p, nil
	}
	m = drive(t, ui.NewApp(in, opts()), tea.WindowSizeMsg{Width: 100, Height: 24})
	m = drive(t, m, keys("tab", "R", "y")...)
	if v := content(m); !strings.Contains(v, "not restored: Firefox is running") || writes != 1 {
		t.Errorf("failure not shown (%d writes):\n%s", writes, v)
	}

	ro := opts()
	ro.ReadOnly = true
	m = drive(t, ui.NewApp(in, ro), tea.WindowSizeMsg{Width: 100, Height: 24})
	m = drive(t, m, keys("tab", "R")...)
	if m.(*ui.App).Screen() != "explorer" {
		t.Errorf("R opened in a read-only session")
	}
	in.Restore = nil
	m = drive(t, ui.NewApp(in, opts()), tea.WindowSizeMsg{Width: 100, Height: 24})
	m = drive(t, m, keys("tab", "R")...)
	if m.(*ui.App).Screen() != "explorer" || strings.Contains(content(m), "R restore") {
		t.Errorf("R without a caller's Restore")
	}
}
