package problems_test

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/internal/uitest"
	"github.com/bmtui/bmtui/ui/problems"
)

func newList(t *testing.T) problems.Model {
	l, r := uitest.Sides(t, "reupload_replace")
	entries := problems.Entries(l, r, uitest.Report(tree.Local, l), uitest.Report(tree.Remote, r))
	m := problems.New(common.Common{Theme: themes.Mono(true)})
	m.SetEntries(entries)
	m.SetSize(100, 6)
	m.SetFocused(true)
	return m
}

func TestView(t *testing.T) {
	m := newList(t)
	if m.Len() != 8 {
		t.Fatalf("%d entries, want 8", m.Len())
	}
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestEmpty(t *testing.T) {
	m := problems.New(common.Common{Theme: themes.Mono(true)})
	m.SetSize(60, 3)
	golden.RequireEqual(t, ansi.Strip(m.View()))
	if m.KeyMap.Jump.Enabled() {
		t.Fatal("jump enabled on an empty list")
	}
}

func TestNavigateAndJump(t *testing.T) {
	m := newList(t)
	m, _ = m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	if m.Cursor() != m.Len()-1 {
		t.Fatalf("G: cursor %d", m.Cursor())
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'k', Text: "k"})
	e, _ := m.Selected()
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter returned no command")
	}
	jm, ok := cmd().(problems.JumpMsg)
	if !ok || jm.GUID != e.Finding.GUID || jm.Side != e.Finding.Side {
		t.Fatalf("jump %+v, want %s/%s", jm, e.Finding.Side, e.Finding.GUID)
	}
}

func TestMouse(t *testing.T) {
	m := newList(t)
	m.HandleMouse(tea.MouseClickMsg{X: 3, Y: 2, Button: tea.MouseLeft})
	if m.Cursor() != 2 {
		t.Fatalf("click: cursor %d", m.Cursor())
	}
	if cmd := m.HandleMouse(tea.MouseClickMsg{X: 3, Y: 2, Button: tea.MouseLeft}); cmd == nil {
		t.Fatal("second click did not jump")
	}
	m.HandleMouse(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.Cursor() != 5 {
		t.Fatalf("wheel: cursor %d", m.Cursor())
	}
}
