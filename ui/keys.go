package ui

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap are the explorer's own bindings; the focused component adds its
// own to the help.
type KeyMap struct {
	Quit           key.Binding
	Help           key.Binding
	Filter         key.Binding
	ApplyFilter    key.Binding
	ClearFilter    key.Binding
	FocusNext      key.Binding
	FocusPrev      key.Binding
	ToggleProblems key.Binding
	ForceQuit      key.Binding // while typing a filter, q is text
}

// DefaultKeyMap returns the explorer's default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:           key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:           key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Filter:         key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ApplyFilter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter")),
		ClearFilter:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		FocusNext:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		FocusPrev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		ToggleProblems: key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "problems")),
		ForceQuit:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// helpKeys adapts the explorer's current state to help.KeyMap.
type helpKeys struct{ e *Explorer }

func (h helpKeys) ShortHelp() []key.Binding {
	e, k := h.e, h.e.keys
	if e.filtering {
		return []key.Binding{k.ApplyFilter, k.ClearFilter, k.ForceQuit}
	}
	var out []key.Binding
	switch e.focus {
	case focusProblems:
		out = append(out, e.problems.KeyMap.ShortHelp()...)
	case focusRemote:
		out = append(out, e.remote.KeyMap.ShortHelp()...)
	default:
		out = append(out, e.local.KeyMap.ShortHelp()...)
	}
	out = append(out, k.FocusNext, k.Filter, k.ClearFilter, k.ToggleProblems)
	out = append(out, e.extraKeys...)
	return append(out, k.Help, k.Quit)
}

func (h helpKeys) FullHelp() [][]key.Binding {
	e, k := h.e, h.e.keys
	var out [][]key.Binding
	switch e.focus {
	case focusProblems:
		out = append(out, e.problems.KeyMap.FullHelp()...)
	case focusRemote:
		out = append(out, e.remote.KeyMap.FullHelp()...)
	default:
		out = append(out, e.local.KeyMap.FullHelp()...)
	}
	out = append(out, []key.Binding{k.FocusNext, k.FocusPrev, k.ToggleProblems})
	if len(e.extraKeys) > 0 {
		out = append(out, e.extraKeys)
	}
	return append(out, []key.Binding{k.Filter, k.ApplyFilter, k.ClearFilter, k.Help, k.Quit})
}
