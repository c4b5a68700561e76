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
	k := KeyMap{
		ToggleProblems: key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "problems")),
	}
	setScreenKeys(&k.Quit, &k.ForceQuit, &k.Help, &k.Filter, &k.ApplyFilter, &k.ClearFilter, &k.FocusNext, &k.FocusPrev)
	return k
}

// helpKeys adapts the explorer's current state to help.KeyMap.
type helpKeys struct{ e *Explorer }

func (h helpKeys) ShortHelp() []key.Binding {
	e, k := h.e, h.e.keys
	if e.filtering {
		return []key.Binding{k.ApplyFilter, k.ClearFilter, k.ForceQuit}
	}
	if e.pick.open || e.tl.open {
		c := e.ckeys
		return []key.Binding{c.Up, c.Down, c.Choose, c.Cancel}
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
	if e.comparing() || e.profileSources() != nil {
		out = append(out, e.ckeys.Pick)
	}
	if e.canTimeline() {
		out = append(out, e.ckeys.Timeline)
	}
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
	if e.comparing() || e.profileSources() != nil {
		out = append(out, []key.Binding{e.ckeys.Pick, e.ckeys.Timeline})
	}
	if len(e.extraKeys) > 0 {
		out = append(out, e.extraKeys)
	}
	return append(out, []key.Binding{k.Filter, k.ApplyFilter, k.ClearFilter, k.Help, k.Quit})
}
