package treepane_test

import (
	"os"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/internal/uitest"
	"github.com/bmtui/bmtui/ui/treepane"
)

// tree100k is the remote tree of the synthetic_100k bench fixture (109,853
// items). BMTUI_BENCH_GENERATED=1 uses a generated 100k tree instead.
func tree100k(b *testing.B) *tree.Tree {
	b.Helper()
	if os.Getenv("BMTUI_BENCH_GENERATED") != "" {
		t := uitest.Synthetic(100_000, 15)
		b.Logf("tree: generated, %d items", t.Len())
		return t
	}
	_, t := uitest.Bench100k(b)
	b.Logf("tree: synthetic_100k remote, %d items", t.Len())
	return t
}

// BenchmarkFirstFrame100k: from a built tree to the first rendered frame.
func BenchmarkFirstFrame100k(b *testing.B) {
	t := tree100k(b)
	findings := uitest.Report(tree.Remote, t).Findings
	b.ResetTimer()
	for b.Loop() {
		m := treepane.New(common.New())
		m.SetSource(treepane.NewTreeSource(t, findings...))
		m.SetSize(80, 40)
		m.SetFocused(true)
		_ = m.View()
	}
}

// ready returns a pane over the 100k tree with everything expanded (the
// worst case for the row list) and the cursor in the middle.
func ready(b *testing.B, expandAll bool) treepane.Model {
	t := tree100k(b)
	m := treepane.New(common.New())
	m.SetSource(treepane.NewTreeSource(t, uitest.Report(tree.Remote, t).Findings...))
	m.SetSize(80, 40)
	m.SetFocused(true)
	if expandAll {
		for r := 0; r < m.Len(); r++ {
			m.MoveTo(r)
			m.ExpandAllSelected()
		}
		m.MoveTo(m.Len() / 2)
	}
	return m
}

func BenchmarkKeyDown100k(b *testing.B) {
	m := ready(b, true)
	b.Logf("visible rows: %d", m.Len())
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	up := tea.KeyPressMsg{Code: tea.KeyUp}
	i := 0
	for b.Loop() {
		k := down
		if i%200 >= 100 {
			k = up
		}
		i++
		m, _ = m.Update(k)
		_ = m.View()
	}
}

func BenchmarkKeyPageDown100k(b *testing.B) {
	m := ready(b, true)
	m.MoveTo(0)
	pgdn := tea.KeyPressMsg{Code: tea.KeyPgDown}
	for b.Loop() {
		if m.Cursor() >= m.Len()-1 {
			m.MoveTo(0)
		}
		m, _ = m.Update(pgdn)
		_ = m.View()
	}
}

// BenchmarkKeyExpand100k toggles (enter) a top-level root of the fully
// expanded 100k tree: each press inserts or removes tens of thousands of
// rows.
func BenchmarkKeyExpand100k(b *testing.B) {
	m := ready(b, true)
	m.MoveTo(0)
	enter := tea.KeyPressMsg{Code: tea.KeyEnter}
	for b.Loop() {
		m, _ = m.Update(enter)
		_ = m.View()
	}
}

// BenchmarkKeyExpandFolder100k expands and collapses an ordinary folder
// (l / h) in the middle of the fully expanded tree.
func BenchmarkKeyExpandFolder100k(b *testing.B) {
	m := ready(b, true)
	// Find a folder with children near the middle.
	for r := m.Len() / 2; r < m.Len(); r++ {
		m.MoveTo(r)
		if m.KeyMap.Toggle.Enabled() {
			break
		}
	}
	left := tea.KeyPressMsg{Code: tea.KeyLeft}
	right := tea.KeyPressMsg{Code: tea.KeyRight}
	i := 0
	for b.Loop() {
		k := left
		if i%2 == 1 {
			k = right
		}
		i++
		m, _ = m.Update(k)
		_ = m.View()
	}
}

func BenchmarkFilter100k(b *testing.B) {
	m := ready(b, false)
	m.SetQuery("warm the haystack")
	qs := []string{"example", "exa", "zzz", ""}
	i := 0
	for b.Loop() {
		m.SetQuery(qs[i%len(qs)])
		i++
		_ = m.View()
	}
}
