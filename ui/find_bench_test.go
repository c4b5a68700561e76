package ui_test

import (
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/internal/testutil/history40k"
	"github.com/bmtui/bmtui/source/search"
	"github.com/bmtui/bmtui/ui"
)

// BenchmarkFindKeystroke is one keystroke on the find screen once the
// sources are loaded: the search over every source and the screen drawn
// again. Each op types one character of a query or clears it, so short
// queries that match nearly everything are measured as well as rare ones.
func BenchmarkFindKeystroke(b *testing.B) {
	ix := search.New(history40k.Sources(b))
	a := ui.NewApp(ui.AppInput{ProfileName: "bench", Find: func() (*search.Index, []string, error) { return ix, nil, nil }},
		ui.Options{Theme: "mono", Now: func() time.Time { return now }})
	var m tea.Model = a
	m, _ = m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m, cmd := m.Update(keys("F")[0])
	// The loader's message, out of the batch F returns.
	for _, c := range cmd().(tea.BatchMsg) {
		if c == nil {
			continue
		}
		if msg := c(); msg != nil {
			if _, batch := msg.(tea.BatchMsg); !batch {
				m, _ = m.Update(msg)
			}
		}
	}
	if a.Find().Index() != ix {
		b.Fatal("the find screen did not load")
	}
	var strokes []tea.Msg
	for _, q := range []string{"bookmark 1", "day 3", "e", "example.com/12", "zzz"} {
		strokes = append(strokes, keys(q)...)
		strokes = append(strokes, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	}
	var took []time.Duration
	i := 0
	cpu0 := testutil.CPUTime()
	for b.Loop() {
		start := time.Now()
		m, _ = m.Update(strokes[i%len(strokes)])
		_ = m.View()
		took = append(took, time.Since(start))
		i++
	}
	b.ReportMetric(float64((testutil.CPUTime()-cpu0).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
	slices.Sort(took)
	ms := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
}
