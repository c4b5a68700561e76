package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/tree"
)

// runWork runs a command's merge synchronously and returns its result
// (spinner ticks are dropped).
func runWork(tb testing.TB, cmd tea.Cmd) mergeDoneMsg {
	tb.Helper()
	var found *mergeDoneMsg
	var walk func(tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil || found != nil {
			return
		}
		switch msg := c().(type) {
		case mergeDoneMsg:
			found = &msg
		case tea.BatchMsg:
			for _, x := range msg {
				walk(x)
			}
		}
	}
	walk(cmd)
	if found == nil {
		tb.Fatal("the command ran no merge")
	}
	return *found
}

// BenchmarkMergeFlipRedraw40k: flip one conflict on large-40k (50k merged
// rows, ~1,000 conflicts): the key, the re-merge in its command, the
// result back in Update, and the full redraw.
func BenchmarkMergeFlipRedraw40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		b.Fatal(err)
	}
	at := time.Unix(1700007200, 0).UTC() // localTime = remoteTime in expected.json
	p, err := load.Open(paths, tree.Clocks{Local: at, Remote: at})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	m := NewMergeScreen(MergeInput{ProfileName: "large-40k", Local: p.Local.Tree, Remote: p.Remote.Tree,
		Times: tree.Clocks{Local: at, Remote: at}}, Options{})
	m.Update(tea.WindowSizeMsg{Width: 180, Height: 50})
	m.Update(runWork(b, m.start()))
	if m.run.st == nil {
		b.Fatal(m.run.err)
	}
	found := false
	for i, c := range m.run.st.conflicts {
		if c.Kind == mergeview.ConflictValue && c.Choosable {
			m.conflicts.Select(i)
			m.showConflict()
			found = true
			break
		}
	}
	if !found {
		b.Fatal("no value conflict")
	}
	b.Logf("%d merged rows, %d conflicts, flipping %s", len(m.run.st.merged.rows), len(m.run.st.conflicts), m.conflicts.Selected().ID)
	var inCmd, onLoop time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		n++
		c := m.conflicts.Selected()
		k := 0
		for i, a := range c.Alternatives {
			if a.ID != c.Current {
				k = i
			}
		}
		r := rune('1' + k)
		t0 := time.Now()
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		t1 := time.Now()
		done := runWork(b, cmd) // off the loop in the program
		t2 := time.Now()
		m.Update(done)
		_ = m.View()
		t3 := time.Now()
		inCmd += t2.Sub(t1)
		onLoop += t1.Sub(t0) + t3.Sub(t2)
	}
	b.ReportMetric(float64(inCmd.Microseconds())/1000/float64(n), "cmd-ms/op")
	b.ReportMetric(float64(onLoop.Microseconds())/1000/float64(n), "loop-ms/op")
	if m.run.busy || m.run.err != nil {
		b.Fatalf("busy %v, err %v", m.run.busy, m.run.err)
	}
}
