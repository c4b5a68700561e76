package ui_test

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
	"github.com/bmtui/bmtui/ui/internal/uitest"
)

// input100k builds both trees of synthetic_100k (110,471 local and 109,853
// remote items).
func input100k(b *testing.B) ui.ExplorerInput {
	b.Helper()
	l, r := uitest.Bench100k(b)
	return ui.ExplorerInput{
		ProfileName: "bench", Local: l, Remote: r,
		LocalReport: uitest.Report(tree.Local, l), RemoteReport: uitest.Report(tree.Remote, r),
	}
}

// BenchmarkExplorerFirstFrame100k: from the two built 100k trees to the
// first full screen (New + size + View).
func BenchmarkExplorerFirstFrame100k(b *testing.B) {
	in := input100k(b)
	b.ResetTimer()
	for b.Loop() {
		m := ui.NewExplorer(in, ui.Options{})
		m, _ = m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
		_ = m.View()
	}
}

// BenchmarkExplorerKeys100k: one keypress (down, page down, expand,
// collapse in turn) through the whole explorer, plus the full View.
func BenchmarkExplorerKeys100k(b *testing.B) {
	in := input100k(b)
	var m tea.Model = ui.NewExplorer(in, ui.Options{})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	ks := []tea.KeyPressMsg{
		{Code: tea.KeyDown}, {Code: tea.KeyRight}, {Code: tea.KeyPgDown}, {Code: tea.KeyLeft},
		{Code: tea.KeyTab}, {Code: 'L', Text: "L"}, {Code: tea.KeyPgDown}, {Code: tea.KeyDown},
	}
	i := 0
	for b.Loop() {
		m, _ = m.Update(ks[i%len(ks)])
		i++
		_ = m.View()
	}
}
