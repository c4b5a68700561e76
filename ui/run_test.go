package ui_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/bmtui/bmtui/ui"
)

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	m := ui.NewExplorer(input(t, "multiple_parents"), opts())
	_, err := ui.Run(ctx, m,
		tea.WithInput(&bytes.Buffer{}), tea.WithOutput(&out), tea.WithoutSignals(),
		tea.WithWindowSize(80, 24), tea.WithColorProfile(colorprofile.Ascii),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run returned %v, want the context's error", err)
	}
	if !bytes.Contains(out.Bytes(), []byte("Remote (Sync mirror)")) {
		t.Fatal("nothing was drawn")
	}
}

func TestTinyTerminalKeepsHelp(t *testing.T) {
	m := ui.NewExplorer(input(t, "reupload_replace"), opts())
	m = send(m, tea.WindowSizeMsg{Width: 40, Height: 6})
	c := content(m)
	if n := len(bytes.Split([]byte(c), []byte("\n"))); n > 6 {
		t.Fatalf("%d lines on a 6-line terminal", n)
	}
	if !bytes.Contains([]byte(c), []byte("down")) {
		t.Fatalf("help bar lost on a tiny terminal:\n%s", c)
	}
}
