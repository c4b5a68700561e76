// Package viewport is the window arithmetic the windowed lists of the UI
// share (the tree panes and the problems list): a cursor over n rows, the
// first row shown, the size of the window, and what keys and the mouse do
// to them, plus the few helpers that draw a window's lines.
package viewport

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/themes"
)

// WheelStep is how many rows one mouse wheel notch scrolls.
const WheelStep = 3

// Window is a cursor over a list of rows and the part of the list shown:
// Offset is the first row shown, Width and Height the size in cells. The
// number of rows is passed to the methods that need it.
type Window struct {
	Cursor int
	Offset int
	Width  int
	Height int
}

// SetSize sets the size, never below zero.
func (w *Window) SetSize(width, height int) {
	w.Width, w.Height = max(width, 0), max(height, 0)
}

// Clamp keeps the offset within the n rows and, when the window has rows,
// moves it as little as needed to show the cursor.
func (w *Window) Clamp(n int) {
	maxOff := max(n-w.Height, 0)
	w.Offset = min(max(w.Offset, 0), maxOff)
	if w.Height > 0 && w.Cursor >= 0 && n > 0 {
		if w.Cursor < w.Offset {
			w.Offset = w.Cursor
		} else if w.Cursor >= w.Offset+w.Height {
			w.Offset = w.Cursor - w.Height + 1
		}
	}
}

// Reveal moves the offset as little as needed to show the cursor, then
// keeps it within the n rows.
func (w *Window) Reveal(n int) {
	if w.Cursor < w.Offset {
		w.Offset = w.Cursor
	} else if w.Height > 0 && w.Cursor >= w.Offset+w.Height {
		w.Offset = w.Cursor - w.Height + 1
	}
	w.Offset = min(max(w.Offset, 0), max(n-w.Height, 0))
}

// MoveTo puts the cursor on row r, clamped to the n rows, and scrolls it
// into view.
func (w *Window) MoveTo(r, n int) {
	w.Cursor = min(max(r, 0), max(n-1, 0))
	w.Reveal(n)
}

// Show puts the cursor on row r and, when r is outside the window,
// centres the window on it.
func (w *Window) Show(r, n int) {
	w.Cursor = r
	if r < w.Offset || r >= w.Offset+w.Height {
		w.Offset = r - w.Height/2
	}
	w.Clamp(n)
}

// ScrollBy scrolls the window by delta rows, keeping the cursor inside
// it, and reports whether the offset or the cursor changed.
func (w *Window) ScrollBy(delta, n int) bool {
	old, oldc := w.Offset, w.Cursor
	w.Offset += delta
	w.Clamp(n)
	if w.Height > 0 {
		w.Cursor = min(max(w.Cursor, w.Offset), w.Offset+w.Height-1)
		w.Cursor = min(w.Cursor, n-1)
		w.Cursor = max(w.Cursor, 0)
	}
	return old != w.Offset || oldc != w.Cursor
}

// Mouse is what a mouse event does to a window.
type Mouse int

const (
	// MouseNone: nothing.
	MouseNone Mouse = iota
	// MouseWheel: scroll by the delta returned with it.
	MouseWheel
	// MouseClick: a left click on the row returned with it.
	MouseClick
)

// Mouse reads msg, whose coordinates are relative to the window's top-left
// cell, over n rows: a wheel notch up or down is MouseWheel with
// -WheelStep or WheelStep; a left click on a shown row is MouseClick with
// the row (a click outside the width counts unless checkX).
func (w Window) Mouse(msg tea.MouseMsg, n int, checkX bool) (Mouse, int) {
	ev := msg.Mouse()
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch ev.Button {
		case tea.MouseWheelUp:
			return MouseWheel, -WheelStep
		case tea.MouseWheelDown:
			return MouseWheel, WheelStep
		}
	case tea.MouseClickMsg:
		if ev.Button != tea.MouseLeft || ev.Y < 0 || ev.Y >= w.Height {
			return MouseNone, 0
		}
		if checkX && (ev.X < 0 || ev.X >= w.Width) {
			return MouseNone, 0
		}
		if r := w.Offset + ev.Y; r < n {
			return MouseClick, r
		}
	}
	return MouseNone, 0
}

// Keys are the movement bindings of a list. HalfPageUp and HalfPageDown
// may be nil (a list without them).
type Keys struct {
	Up, Down, PageUp, PageDown, HalfPageUp, HalfPageDown, Top, Bottom *key.Binding
}

// Target is the row kp moves the cursor of w to, over n rows, and whether
// kp is a movement key at all.
func (k Keys) Target(kp tea.KeyPressMsg, w Window, n int) (int, bool) {
	switch {
	case key.Matches(kp, *k.Up):
		return w.Cursor - 1, true
	case key.Matches(kp, *k.Down):
		return w.Cursor + 1, true
	case key.Matches(kp, *k.PageUp):
		return w.Cursor - max(w.Height, 1), true
	case key.Matches(kp, *k.PageDown):
		return w.Cursor + max(w.Height, 1), true
	case k.HalfPageUp != nil && key.Matches(kp, *k.HalfPageUp):
		return w.Cursor - max(w.Height/2, 1), true
	case k.HalfPageDown != nil && key.Matches(kp, *k.HalfPageDown):
		return w.Cursor + max(w.Height/2, 1), true
	case key.Matches(kp, *k.Top):
		return 0, true
	case key.Matches(kp, *k.Bottom):
		return n - 1, true
	}
	return 0, false
}

// Enable enables the bindings that move back when the cursor is past the
// first row and the ones that move on when it is before the last of n.
func (k Keys) Enable(cursor, n int) {
	for _, b := range [...]*key.Binding{k.Up, k.PageUp, k.HalfPageUp, k.Top} {
		if b != nil {
			b.SetEnabled(cursor > 0)
		}
	}
	for _, b := range [...]*key.Binding{k.Down, k.PageDown, k.HalfPageDown, k.Bottom} {
		if b != nil {
			b.SetEnabled(cursor < n-1)
		}
	}
}

// Pad right-pads s (which may hold escapes) with spaces to w cells.
func Pad(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// Fit truncates s to w cells with an ellipsis and pads it to w.
func Fit(s string, w int) string {
	return Pad(ansi.Truncate(s, w, "…"), w)
}

// Selected draws the plain line of the selected row to w cells in the
// selection style (focused or not).
func Selected(st *themes.Styles, focused bool, line string, w int) string {
	line = Fit(line, w)
	if focused {
		return st.Selected.Render(line)
	}
	return st.SelectedBlur.Render(line)
}

// Note draws a muted message, indented, as a line of w cells (an empty
// list's line).
func Note(style lipgloss.Style, msg string, w int) string {
	return Pad(style.Render(ansi.Truncate("  "+msg, w, "…")), w)
}

// Render draws exactly w.Height lines of w.Width cells: row(r) for the
// shown rows of the n, empty (when n is 0) on the first line, blank
// lines after. grow is the bytes to reserve per line beyond the width.
func (w Window) Render(n, grow int, row func(r int) string, empty func() string) string {
	if w.Height <= 0 || w.Width <= 0 {
		return ""
	}
	var b strings.Builder
	b.Grow((w.Width + grow) * w.Height)
	blank := strings.Repeat(" ", w.Width)
	for y := 0; y < w.Height; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		r := w.Offset + y
		switch {
		case r < n:
			b.WriteString(row(r))
		case y == 0 && n == 0:
			b.WriteString(empty())
		default:
			b.WriteString(blank)
		}
	}
	return b.String()
}
