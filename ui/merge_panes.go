package ui

import (
	"strings"

	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui/treepane"
)

// The merge screen's three panes and the conflicts panel keep showing
// the same item: what one selects, the others follow.

func (m *MergeScreen) focusedPane() *treepane.Model {
	switch m.focus {
	case focusMLocal:
		return &m.local
	case focusMerged:
		return &m.merged
	case focusMRemote:
		return &m.remote
	}
	return nil
}

func (m *MergeScreen) setFocus(f mergeFocus) {
	m.focus = f
	m.local.SetFocused(f == focusMLocal)
	m.merged.SetFocused(f == focusMerged)
	m.remote.SetFocused(f == focusMRemote)
	m.conflicts.SetFocused(f == focusConflicts)
	m.updateKeys()
}

// rowFor maps the selection of a side pane to its merged or deleted row
// (nil when none).
func (m *MergeScreen) rowFor(side tree.Side, guid string) *mergeview.Row {
	if m.run.st == nil || guid == "" {
		return nil
	}
	return m.run.st.view.LookupSide(side, guid)
}

// follow makes the panes other than from show the same item as from's
// selection (merged GUID <-> local and remote GUIDs, deduped pairs
// included), and the explain panel and conflicts panel follow it.
func (m *MergeScreen) follow(from mergeFocus) {
	var r *mergeview.Row
	var localGUID, remoteGUID, mergedGUID string
	switch from {
	case focusMerged:
		mergedGUID = m.merged.Selected()
		if m.run.st != nil {
			if i, ok := m.run.st.merged.Index(mergedGUID); ok {
				r = m.run.st.merged.row(i)
			}
		}
		if r != nil {
			localGUID, remoteGUID = r.LocalGUID(), r.RemoteGUID()
		}
	case focusMLocal, focusMRemote:
		side, pane := tree.Local, &m.local
		if from == focusMRemote {
			side, pane = tree.Remote, &m.remote
		}
		g := pane.Selected()
		r = m.rowFor(side, g)
		if r != nil {
			mergedGUID, localGUID, remoteGUID = r.GUID(), r.LocalGUID(), r.RemoteGUID()
		} else if m.run.st == nil {
			localGUID, remoteGUID = g, g // before the merge: the same GUID
		}
		if from == focusMLocal {
			localGUID = g
		} else {
			remoteGUID = g
		}
	default:
		return
	}
	if from != focusMerged {
		if mergedGUID == "" || !m.merged.Select(mergedGUID) {
			m.merged.SetHighlight("")
		}
		m.merged.SetHighlight(mergedGUID)
	} else {
		m.merged.SetHighlight("")
	}
	if from != focusMLocal {
		if localGUID != "" {
			m.local.Select(localGUID)
		}
		m.local.SetHighlight(localGUID)
	} else {
		m.local.SetHighlight("")
	}
	if from != focusMRemote {
		if remoteGUID != "" {
			m.remote.Select(remoteGUID)
		}
		m.remote.SetHighlight(remoteGUID)
	} else {
		m.remote.SetHighlight("")
	}
	// The conflicts panel follows an item that has a conflict.
	if m.run.st != nil && r != nil && from != focusConflicts {
		if ids := m.run.st.byGUID[r.GUID()]; len(ids) > 0 {
			if c := m.conflicts.Selected(); c == nil || c.GUID != r.GUID() {
				m.conflicts.Select(ids[0])
			}
		}
	}
	m.refreshExplain()
	m.updateKeys()
}

// selectGUID selects an item in every pane, starting from the merged pane
// when it shows it.
func (m *MergeScreen) selectGUID(guid string) bool {
	if guid == "" {
		return false
	}
	if m.merged.Select(guid) {
		m.follow(focusMerged)
		return true
	}
	if m.local.Select(guid) {
		m.follow(focusMLocal)
		return true
	}
	if m.remote.Select(guid) {
		m.follow(focusMRemote)
		return true
	}
	return false
}

// showConflict selects the conflict's item in all panes.
func (m *MergeScreen) showConflict() {
	c := m.conflicts.Selected()
	if c == nil {
		return
	}
	if !m.selectGUID(c.GUID) && (m.changedOnly || m.query != "") {
		m.status = "the conflict's item is hidden by the filter"
	}
	m.refreshExplain()
	m.updateKeys()
}

// selectedRow is the row the explain panel explains: the merged pane's
// selection, or the side pane's when it has the focus.
func (m *MergeScreen) selectedRow() *mergeview.Row {
	if m.run.st == nil {
		return nil
	}
	switch m.focus {
	case focusMLocal:
		return m.rowFor(tree.Local, m.local.Selected())
	case focusMRemote:
		return m.rowFor(tree.Remote, m.remote.Selected())
	}
	if i, ok := m.run.st.merged.Index(m.merged.Selected()); ok {
		return m.run.st.merged.row(i)
	}
	return nil
}

// currentGUID is the merged GUID of the selection (for breakpoints).
func (m *MergeScreen) currentGUID() string {
	if r := m.selectedRow(); r != nil {
		return r.GUID()
	}
	return ""
}

// applyFilters sets the text and changed-only filters on the three panes.
func (m *MergeScreen) applyFilters() {
	q := strings.ToLower(strings.TrimSpace(m.query))
	changed := m.changedOnly && m.run.st != nil
	if q == "" && !changed {
		m.local.SetFilter(nil)
		m.remote.SetFilter(nil)
		m.merged.SetFilter(nil)
	} else {
		st := m.run.st
		for _, p := range []struct {
			pane *treepane.Model
			src  *treeSource
		}{{&m.local, m.localSrc}, {&m.remote, m.remoteSrc}} {
			src := p.src
			p.pane.SetFilter(func(i int) bool {
				return (q == "" || strings.Contains(src.Haystack(i), q)) && (!changed || src.changed(i))
			})
		}
		if st != nil {
			ms := st.merged
			m.merged.SetFilter(func(i int) bool {
				r := ms.row(i)
				if r == nil {
					return false
				}
				return (q == "" || strings.Contains(ms.haystack(i), q)) && (!changed || st.changed(r))
			})
		}
	}
	m.follow(m.paneFocus())
}

// paneFocus is the focused pane, or the merged pane when the conflicts
// panel has the focus.
func (m *MergeScreen) paneFocus() mergeFocus {
	if m.focus == focusConflicts {
		return focusMerged
	}
	return m.focus
}
