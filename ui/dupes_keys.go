package ui

import "charm.land/bubbles/v2/key"

// DupesKeyMap are the dupes screen's bindings; those that cannot act now
// are disabled so help stays truthful.
type DupesKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	PrevCopy, NextCopy                      key.Binding
	Keep                                    key.Binding // keep the copy under the cursor
	Pick                                    key.Binding // 1-9: keep that copy
	Skip                                    key.Binding // leave the group alone, or fix it again
	Fix                                     key.Binding // F: preview the fix (its write flow asks)
	Back                                    key.Binding // to the explorer, when the app hosts the screen
	Help, Quit                              key.Binding
}

// DefaultDupesKeyMap returns the dupes screen's default bindings.
func DefaultDupesKeyMap() DupesKeyMap {
	var k DupesKeyMap
	var forceQuit, filter, applyFilter, clearFilter, focusNext, focusPrev key.Binding
	setScreenKeys(&k.Quit, &forceQuit, &k.Help, &filter, &applyFilter, &clearFilter, &focusNext, &focusPrev)
	k.Up = key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "previous group"))
	k.Down = key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "next group"))
	k.PageUp = key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up"))
	k.PageDown = key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down"))
	k.Top = key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first"))
	k.Bottom = key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last"))
	k.PrevCopy = key.NewBinding(key.WithKeys("h", "left"), key.WithHelp("←/h", "previous copy"))
	k.NextCopy = key.NewBinding(key.WithKeys("l", "right"), key.WithHelp("→/l", "next copy"))
	k.Keep = key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "keep this copy"))
	k.Pick = key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "keep copy N"))
	k.Skip = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "leave alone / fix"))
	k.Fix = key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "fix…"))
	k.Back = key.NewBinding(key.WithKeys("e", "esc"), key.WithHelp("e/esc", "explorer"))
	k.Back.SetEnabled(false)
	return k
}

// dupesHelp adapts the screen's state to help.KeyMap.
type dupesHelp struct{ s *DupesScreen }

func (h dupesHelp) ShortHelp() []key.Binding {
	k := h.s.keys
	if h.s.flow.confirming() {
		return h.s.flow.ShortHelp()
	}
	return []key.Binding{k.Down, k.NextCopy, k.Keep, k.Skip, k.Fix, k.Back, k.Help, k.Quit}
}

func (h dupesHelp) FullHelp() [][]key.Binding {
	k := h.s.keys
	if h.s.flow.confirming() {
		return h.s.flow.FullHelp()
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.PrevCopy, k.NextCopy, k.Keep, k.Pick, k.Skip},
		{k.Fix, k.Back, k.Help, k.Quit},
	}
}
