package treepane

import (
	"charm.land/bubbles/v2/key"

	"github.com/bmtui/bmtui/ui/internal/viewport"
)

// KeyMap are the tree pane's bindings. Bindings that cannot act on the
// current selection are disabled, so help stays truthful.
type KeyMap struct {
	Up           key.Binding
	Down         key.Binding
	PageUp       key.Binding
	PageDown     key.Binding
	HalfPageUp   key.Binding
	HalfPageDown key.Binding
	Top          key.Binding
	Bottom       key.Binding
	Expand       key.Binding
	Collapse     key.Binding
	Toggle       key.Binding
	ExpandAll    key.Binding
	Parent       key.Binding
}

// DefaultKeyMap returns vim-style and arrow bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:       key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn/ctrl+f", "page down")),
		HalfPageUp:   key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "½ page up")),
		HalfPageDown: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "½ page down")),
		Top:          key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:       key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		Expand:       key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "expand")),
		Collapse:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "collapse")),
		Toggle:       key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter/space", "toggle")),
		ExpandAll:    key.NewBinding(key.WithKeys("L", "*"), key.WithHelp("L/*", "expand all below")),
		Parent:       key.NewBinding(key.WithKeys("p", "backspace"), key.WithHelp("p/bksp", "parent")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Expand, k.Collapse}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.HalfPageUp, k.HalfPageDown, k.Top, k.Bottom},
		{k.Expand, k.Collapse, k.Toggle, k.ExpandAll, k.Parent},
	}
}

// nav is the movement bindings of k.
func (k *KeyMap) nav() viewport.Keys {
	return viewport.Keys{Up: &k.Up, Down: &k.Down, PageUp: &k.PageUp, PageDown: &k.PageDown,
		HalfPageUp: &k.HalfPageUp, HalfPageDown: &k.HalfPageDown, Top: &k.Top, Bottom: &k.Bottom}
}
