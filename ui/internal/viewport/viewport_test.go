package viewport

import (
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func TestClampAndReveal(t *testing.T) {
	w := Window{Cursor: 6, Offset: 8, Height: 5}
	w.Clamp(10)
	if w.Offset != 5 {
		t.Fatalf("Clamp: offset %d, want 5", w.Offset)
	}
	w = Window{Cursor: 7, Offset: 0, Height: 5}
	w.Reveal(10)
	if w.Offset != 3 {
		t.Fatalf("Reveal: offset %d, want 3", w.Offset)
	}
	// Without rows in the window, Reveal still follows a cursor above it;
	// Clamp only clamps.
	w = Window{Cursor: 2, Offset: 4}
	w.Reveal(10)
	if w.Offset != 2 {
		t.Fatalf("Reveal at height 0: offset %d, want 2", w.Offset)
	}
	w = Window{Cursor: 2, Offset: 4}
	w.Clamp(10)
	if w.Offset != 4 {
		t.Fatalf("Clamp at height 0: offset %d, want 4", w.Offset)
	}
}

func TestShowCentres(t *testing.T) {
	w := Window{Height: 10}
	w.Show(50, 100)
	if w.Cursor != 50 || w.Offset != 45 {
		t.Fatalf("Show: cursor %d offset %d, want 50 45", w.Cursor, w.Offset)
	}
	w.Show(52, 100) // already shown: no scroll
	if w.Offset != 45 {
		t.Fatalf("Show in view: offset %d, want 45", w.Offset)
	}
}

func TestScrollByKeepsCursorInside(t *testing.T) {
	// The offset is clamped to show the cursor before the cursor is
	// pulled into the window, so a scroll stops where the cursor reaches
	// the window's edge (the panes have always scrolled so).
	w := Window{Cursor: 10, Offset: 8, Height: 5}
	if !w.ScrollBy(3, 20) || w.Offset != 10 || w.Cursor != 10 {
		t.Fatalf("ScrollBy: %+v", w)
	}
	w = Window{Cursor: 0, Height: 5}
	if w.ScrollBy(3, 20) || w.Offset != 0 || w.Cursor != 0 {
		t.Fatalf("ScrollBy past the cursor: %+v", w)
	}
	w = Window{Height: 5}
	if w.ScrollBy(3, 0) || w.Cursor != 0 || w.Offset != 0 {
		t.Fatalf("ScrollBy on no rows: %+v", w)
	}
}

func TestMouse(t *testing.T) {
	w := Window{Offset: 10, Width: 20, Height: 5}
	if a, d := w.Mouse(tea.MouseWheelMsg{Button: tea.MouseWheelDown}, 100, true); a != MouseWheel || d != WheelStep {
		t.Fatalf("wheel: %v %d", a, d)
	}
	if a, r := w.Mouse(tea.MouseClickMsg{Button: tea.MouseLeft, X: 1, Y: 2}, 100, true); a != MouseClick || r != 12 {
		t.Fatalf("click: %v %d", a, r)
	}
	if a, _ := w.Mouse(tea.MouseClickMsg{Button: tea.MouseLeft, X: 30, Y: 2}, 100, true); a != MouseNone {
		t.Fatalf("click right of the window: %v", a)
	}
	if a, r := w.Mouse(tea.MouseClickMsg{Button: tea.MouseLeft, X: 30, Y: 2}, 100, false); a != MouseClick || r != 12 {
		t.Fatalf("click right of the window, any x: %v %d", a, r)
	}
	if a, _ := w.Mouse(tea.MouseClickMsg{Button: tea.MouseLeft, Y: 2}, 11, true); a != MouseNone {
		t.Fatalf("click below the rows: %v", a)
	}
}

func TestKeys(t *testing.T) {
	up := key.NewBinding(key.WithKeys("up"))
	down := key.NewBinding(key.WithKeys("down"))
	pgup := key.NewBinding(key.WithKeys("pgup"))
	pgdn := key.NewBinding(key.WithKeys("pgdown"))
	top := key.NewBinding(key.WithKeys("home"))
	bottom := key.NewBinding(key.WithKeys("end"))
	k := Keys{Up: &up, Down: &down, PageUp: &pgup, PageDown: &pgdn, Top: &top, Bottom: &bottom}
	w := Window{Cursor: 5, Height: 4}
	if r, ok := k.Target(tea.KeyPressMsg{Code: tea.KeyPgDown}, w, 50); !ok || r != 9 {
		t.Fatalf("page down: %d %v", r, ok)
	}
	if r, ok := k.Target(tea.KeyPressMsg{Code: tea.KeyEnd}, w, 50); !ok || r != 49 {
		t.Fatalf("end: %d %v", r, ok)
	}
	if _, ok := k.Target(tea.KeyPressMsg{Code: 'x', Text: "x"}, w, 50); ok {
		t.Fatal("x moved")
	}
	k.Enable(0, 50)
	if up.Enabled() || top.Enabled() || !down.Enabled() || !bottom.Enabled() {
		t.Fatal("Enable at the top")
	}
}
