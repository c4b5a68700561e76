// Package teamsg runs Bubble Tea commands synchronously, for tests that
// drive a model without a terminal: the screen's packages and the command
// line's both use it.
package teamsg

import (
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// Collect runs cmd and every command it batches, and returns the messages
// they produce. Spinner ticks (which sleep), quits and terminal replies
// (a background colour) are dropped: a test has no terminal to wait on.
func Collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil, tea.QuitMsg, spinner.TickMsg, tea.BackgroundColorMsg:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, Collect(c)...)
		}
		return out
	default:
		// tea.RequestBackgroundColor and friends are unexported types:
		// anything the model does not know is ignored by it anyway.
		return []tea.Msg{msg}
	}
}

// Drain gives m each message in turn, and then every message the commands
// it returns produce, until none is left; it returns the model at the end.
func Drain(m tea.Model, msgs ...tea.Msg) tea.Model {
	for queue := msgs; len(queue) > 0; {
		var cmd tea.Cmd
		m, cmd = m.Update(queue[0])
		queue = append(queue[1:], Collect(cmd)...)
	}
	return m
}
