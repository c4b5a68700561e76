package ui

import (
	"charm.land/bubbles/v2/key"
)

// MergeKeyMap are the merge screen's own bindings; the focused pane adds
// its own to the help. Bindings that cannot act now are disabled, and the
// ones that change the merge are disabled for good in read-only mode, so
// help stays truthful.
type MergeKeyMap struct {
	Quit         key.Binding
	ForceQuit    key.Binding // while typing a filter, q is text
	Help         key.Binding
	Filter       key.Binding
	ApplyFilter  key.Binding
	ClearFilter  key.Binding
	FocusNext    key.Binding
	FocusPrev    key.Binding
	ChangedOnly  key.Binding
	NextConflict key.Binding
	PrevConflict key.Binding
	Choose       key.Binding // 1..9: the selected conflict's alternatives
	Undo         key.Binding
	Apply        key.Binding
	Confirm      key.Binding
	Cancel       key.Binding
	StepMode     key.Binding
	StepNext     key.Binding
	StepPrev     key.Binding
	Breakpoint   key.Binding
	RunToBreak   key.Binding
	ExitStep     key.Binding
	Explorer     key.Binding // back to the explorer (when hosted by App)
}

// DefaultMergeKeyMap returns the merge screen's default bindings.
func DefaultMergeKeyMap() MergeKeyMap {
	k := MergeKeyMap{
		ChangedOnly:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "changed only")),
		NextConflict: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next conflict")),
		PrevConflict: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous conflict")),
		Choose: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"),
			key.WithHelp("1-9", "choose")),
		Undo:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo choice")),
		Apply:      key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "apply…")),
		Confirm:    key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "apply")),
		Cancel:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "cancel")),
		StepMode:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "step through")),
		StepNext:   key.NewBinding(key.WithKeys("right", "."), key.WithHelp("→/.", "next step")),
		StepPrev:   key.NewBinding(key.WithKeys("left", ","), key.WithHelp("←/,", "previous step")),
		Breakpoint: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "breakpoint")),
		RunToBreak: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run to breakpoint")),
		ExitStep:   key.NewBinding(key.WithKeys("esc", "s"), key.WithHelp("esc/s", "leave steps")),
		Explorer:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "explorer")),
	}
	setScreenKeys(&k.Quit, &k.ForceQuit, &k.Help, &k.Filter, &k.ApplyFilter, &k.ClearFilter, &k.FocusNext, &k.FocusPrev)
	return k
}

// mergeHelpKeys adapts the screen's state to help.KeyMap.
type mergeHelpKeys struct{ m *MergeScreen }

func (h mergeHelpKeys) ShortHelp() []key.Binding {
	m, k := h.m, h.m.keys
	switch m.mode {
	case modeConfirm:
		return []key.Binding{k.Confirm, k.Cancel}
	case modeFilter:
		return []key.Binding{k.ApplyFilter, k.ClearFilter, k.ForceQuit}
	case modeStep:
		return []key.Binding{k.StepNext, k.StepPrev, k.Breakpoint, k.RunToBreak, k.ExitStep, k.NextConflict, k.Help, k.Quit}
	}
	return []key.Binding{k.NextConflict, k.Choose, k.Undo, k.ChangedOnly, k.Filter, k.ClearFilter, k.FocusNext,
		k.StepMode, k.Apply, k.Explorer, k.Help, k.Quit}
}

func (h mergeHelpKeys) FullHelp() [][]key.Binding {
	m, k := h.m, h.m.keys
	if m.mode == modeConfirm {
		return [][]key.Binding{{k.Confirm, k.Cancel}}
	}
	var out [][]key.Binding
	if m.focus == focusConflicts {
		out = append(out, m.conflicts.KeyMap.FullHelp()...)
	} else if p := m.focusedPane(); p != nil {
		out = append(out, p.KeyMap.FullHelp()...)
	}
	return append(out,
		[]key.Binding{k.NextConflict, k.PrevConflict, k.Choose, k.Undo, k.Apply},
		[]key.Binding{k.StepMode, k.StepNext, k.StepPrev, k.Breakpoint, k.RunToBreak},
		[]key.Binding{k.FocusNext, k.FocusPrev, k.ChangedOnly, k.Filter, k.ApplyFilter, k.ClearFilter},
		[]key.Binding{k.Explorer, k.Help, k.Quit})
}
