package ui

import (
	"sort"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/treepane"
)

// deletedGroupGUID names the merged pane's "deleted by the merge" group
// (not a valid GUID, so it cannot clash).
const deletedGroupGUID = "\x00deleted"

// mergeState is one merge prepared for the screen, built off the update
// loop together with the merge.
type mergeState struct {
	view      *mergeview.View
	merged    *mergedSource
	conflicts []mergeview.Conflict
	byGUID    map[string][]int // conflicts per GUID (merged and related)
	steps     []mergeview.Step
	stepsOf   map[string][]int // steps per GUID involved
}

// prepare builds what the panes and the conflicts panel need; the steps
// come later (prepareSteps), so the merged pane is redrawn without
// waiting for them.
func prepare(v *mergeview.View) *mergeState {
	st := &mergeState{view: v, conflicts: v.Conflicts()}
	st.byGUID = make(map[string][]int, len(st.conflicts))
	for i := range st.conflicts {
		g := st.conflicts[i].GUID
		st.byGUID[g] = append(st.byGUID[g], i)
	}
	st.merged = newMergedSource(st, v.Rows(), v.Deleted())
	return st
}

// stepsReadyMsg carries the step list of a merge, built off the update
// loop after the merge itself.
type stepsReadyMsg struct {
	st      *mergeState
	steps   []mergeview.Step
	stepsOf map[string][]int
}

func prepareSteps(st *mergeState) tea.Cmd {
	return func() tea.Msg {
		steps := st.view.Steps()
		of := make(map[string][]int, len(steps))
		for i := range steps {
			for _, g := range steps[i].GUIDs {
				of[g] = append(of[g], i)
			}
		}
		return stepsReadyMsg{st: st, steps: steps, stepsOf: of}
	}
}

// conflictGlyph is the badge of the item's conflicts: open beats decided
// beats information only; "" without any.
func (st *mergeState) conflictBadge(guid string, th *themes.Theme) (treepane.Badge, bool) {
	if st == nil {
		return treepane.Badge{}, false
	}
	ids := st.byGUID[guid]
	if len(ids) == 0 {
		return treepane.Badge{}, false
	}
	open, decided := false, false
	for _, i := range ids {
		c := &st.conflicts[i]
		switch {
		case c.Decided:
			decided = true
		case c.Choosable:
			open = true
		}
	}
	switch {
	case open:
		return treepane.Badge{Text: th.Glyphs.Conflict, Style: th.Styles.Conflict}, true
	case decided:
		return treepane.Badge{Text: th.Glyphs.Decided, Style: th.Styles.Decided}, true
	}
	return treepane.Badge{Text: th.Glyphs.InfoOnly, Style: th.Styles.Muted}, true
}

// changed reports whether a merged row shows in the "changed only" view.
func (st *mergeState) changed(r *mergeview.Row) bool {
	return r.Deleted || len(r.Marks) > 0 || len(st.byGUID[r.GUID()]) > 0
}

// markGlyph is the glyph and style of a diff mark.
func markGlyph(th *themes.Theme, k mergeview.MarkKind) (string, lipgloss.Style) {
	g, s := &th.Glyphs, &th.Styles
	switch k {
	case mergeview.MarkAdded:
		return g.Added, s.Added
	case mergeview.MarkDeleted:
		return g.Deleted, s.Deleted
	case mergeview.MarkMoved:
		return g.Moved, s.Moved
	case mergeview.MarkReordered:
		return g.Reordered, s.Moved
	case mergeview.MarkRenamed:
		return g.Renamed, s.Modified
	case mergeview.MarkURLChanged:
		return g.URLChanged, s.Modified
	case mergeview.MarkTagsChanged:
		return g.TagsChanged, s.Modified
	case mergeview.MarkKeywordChanged:
		return g.KeywordChanged, s.Modified
	case mergeview.MarkDeduped:
		return g.Deduped, s.Modified
	case mergeview.MarkRelocated:
		return g.Relocated, s.Moved
	case mergeview.MarkRevived:
		return g.Revived, s.Added
	case mergeview.MarkReplaced:
		return g.Replaced, s.Modified
	}
	return "?", s.Muted
}

// markBadges turns marks into one badge per kind, in mark order.
func markBadges(th *themes.Theme, ms []mergeview.Mark, dst []treepane.Badge) []treepane.Badge {
	var seen uint32
	for _, m := range ms {
		if seen&(1<<m.Kind) != 0 {
			continue
		}
		seen |= 1 << m.Kind
		g, s := markGlyph(th, m.Kind)
		dst = append(dst, treepane.Badge{Text: g, Style: s})
	}
	return dst
}

// stateBadge is the merge state column: written here, uploaded, both or
// nothing.
func stateBadge(th *themes.Theme, s merge.State) treepane.Badge {
	apply := s.ShouldApplyItem() || s.ShouldApplyStructure()
	up := s.ShouldUpload()
	g, st := &th.Glyphs, &th.Styles
	switch {
	case apply && up:
		return treepane.Badge{Text: g.Both, Style: st.Warning}
	case apply:
		return treepane.Badge{Text: g.Download, Style: st.Remote}
	case up:
		return treepane.Badge{Text: g.Upload, Style: st.Local}
	}
	return treepane.Badge{Text: g.Unchanged, Style: st.Muted}
}

// stateWords says what a merge state means.
func stateWords(s merge.State) string {
	var parts []string
	switch s {
	case merge.StateLocalOnly, merge.StateLocalOnlyWithNewLocalStructure:
		parts = append(parts, "only here")
	case merge.StateRemoteOnly, merge.StateRemoteOnlyWithNewRemoteStructure:
		parts = append(parts, "only on the server")
	}
	switch {
	case s.ShouldApplyItem():
		parts = append(parts, "takes the server's version (written here)")
	case s.ShouldApplyStructure():
		parts = append(parts, "its place or contents are rewritten here")
	}
	if s.ShouldUpload() {
		parts = append(parts, "uploaded to the server")
	}
	if len(parts) == 0 {
		parts = append(parts, "unchanged on both sides")
	}
	return strings.Join(parts, "; ") + " (" + s.String() + ")"
}

// mergedSource is the merged tree, then a group of the deleted items, in
// pre-order.
type mergedSource struct {
	treepane.Outline
	st   *mergeState
	rows []mergeview.Row
	del  []mergeview.Row
	hay  []string
	bps  map[string]bool // breakpoints (shared with the screen)
}

func newMergedSource(st *mergeState, rows, del []mergeview.Row) *mergedSource {
	s := &mergedSource{st: st, rows: rows, del: del}
	s.Outline = treepane.NewOutline(s.Len(), s.Depth)
	return s
}

func (s *mergedSource) Len() int {
	if len(s.del) == 0 {
		return len(s.rows)
	}
	return len(s.rows) + 1 + len(s.del)
}

// row returns the view row behind pane row i (nil for the group).
func (s *mergedSource) row(i int) *mergeview.Row {
	switch {
	case i < len(s.rows):
		return &s.rows[i]
	case i > len(s.rows):
		return &s.del[i-len(s.rows)-1]
	}
	return nil
}

func (s *mergedSource) Depth(i int) int {
	switch {
	case i < len(s.rows):
		return int(s.rows[i].Depth)
	case i == len(s.rows):
		return 1
	}
	return 2
}

func (s *mergedSource) GUID(i int) string {
	if r := s.row(i); r != nil {
		return r.GUID()
	}
	return deletedGroupGUID
}

func (s *mergedSource) Index(guid string) (int, bool) {
	if guid == deletedGroupGUID {
		return len(s.rows), len(s.del) > 0
	}
	if i := s.st.view.RowIndex(guid); i >= 0 {
		return i, true
	}
	k := sort.Search(len(s.del), func(k int) bool { return s.del[k].GUID() >= guid })
	if k < len(s.del) && s.del[k].GUID() == guid {
		return len(s.rows) + 1 + k, true
	}
	return 0, false
}

func rowLabel(r *mergeview.Row) string {
	switch {
	case r.Title() != "":
		return r.Title()
	case r.URL() != "":
		return r.URL()
	case r.Kind() == tree.KindSeparator:
		return "────────"
	}
	return "(untitled)"
}

func (s *mergedSource) Item(i int, th *themes.Theme) treepane.Item {
	r := s.row(i)
	if r == nil {
		st := th.Styles.Deleted
		return treepane.Item{Kind: tree.KindFolder, Label: "Deleted by the merge · " + strconv.Itoa(len(s.del)), LabelStyle: &st,
			State: treepane.Badge{Text: th.Glyphs.Deleted, Style: th.Styles.Deleted}}
	}
	it := treepane.Item{Kind: r.Kind(), Label: rowLabel(r)}
	if r.Deleted {
		st := th.Styles.Deleted
		it.LabelStyle = &st
		it.State = treepane.Badge{Text: th.Glyphs.Deleted, Style: th.Styles.Deleted}
	} else {
		it.State = stateBadge(th, r.State())
		if r.Has(mergeview.MarkAdded) {
			st := th.Styles.Added
			it.LabelStyle = &st
		}
	}
	it.Badges = markBadges(th, r.Marks, make([]treepane.Badge, 0, len(r.Marks)+2))
	if b, ok := s.st.conflictBadge(r.GUID(), th); ok {
		it.Badges = append(it.Badges, b)
	}
	if s.bps[r.GUID()] {
		it.Badges = append(it.Badges, treepane.Badge{Text: th.Glyphs.Breakpoint, Style: th.Styles.Error})
	}
	return it
}

// haystack is the lowercased text the / filter searches.
func (s *mergedSource) haystack(i int) string {
	if s.hay == nil {
		s.hay = make([]string, s.Len())
		for k := range s.hay {
			if r := s.row(k); r != nil {
				s.hay[k] = strings.ToLower(r.Title() + "\x00" + r.URL() + "\x00" + r.GUID() + "\x00" + r.LocalGUID() + "\x00" + r.RemoteGUID())
			}
		}
	}
	return s.hay[i]
}

// treeSource is one side's tree as the merge sees it.
type treeSource struct {
	*treepane.TreeSource
	side tree.Side
	st   *mergeState // the current merge; nil before the first
	bps  map[string]bool
}

func newTreeSource(t *tree.Tree, side tree.Side) *treeSource {
	return &treeSource{TreeSource: treepane.NewTreeSource(t), side: side}
}

// row is the merged or deletion row of the item at node i, or nil.
func (s *treeSource) row(i int) *mergeview.Row {
	if s.st == nil {
		return nil
	}
	return s.st.view.LookupSide(s.side, s.GUID(i))
}

func (s *treeSource) Item(i int, th *themes.Theme) treepane.Item {
	n := s.Node(i)
	it := treepane.Item{Kind: n.Kind, Label: common.Label(&n.Item)}
	if n.Kind == tree.KindSeparator && common.Title(&n.Item) == "" {
		it.Label = "────────"
	}
	if !n.Syncable {
		st := th.Styles.NonSyncable
		it.LabelStyle = &st
	}
	if n.NeedsMerge {
		it.Badges = append(it.Badges, treepane.Badge{Text: th.Glyphs.Changed, Style: th.Styles.Warning})
	}
	if r := s.row(i); r != nil {
		ms := r.On(s.side)
		it.Badges = markBadges(th, ms, it.Badges)
		for _, m := range ms {
			if m.Kind == mergeview.MarkDeleted {
				st := th.Styles.Deleted
				it.LabelStyle = &st
			}
		}
		if b, ok := s.st.conflictBadge(r.GUID(), th); ok {
			it.Badges = append(it.Badges, b)
		}
		if s.bps[r.GUID()] || s.bps[n.GUID] {
			it.Badges = append(it.Badges, treepane.Badge{Text: th.Glyphs.Breakpoint, Style: th.Styles.Error})
		}
	}
	return it
}

// changed reports whether pane row i shows in the "changed only" view.
func (s *treeSource) changed(i int) bool {
	if s.Node(i).NeedsMerge {
		return true
	}
	r := s.row(i)
	return r != nil && s.st.changed(r)
}
