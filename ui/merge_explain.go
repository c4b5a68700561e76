package ui

import (
	"fmt"
	"strings"

	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/conflicts"
	"github.com/bmtui/bmtui/ui/explain"
)

// whyPanel is the merge screen's explain panel: from the shown merge, the
// selected row and the step-through it builds what the explain component
// shows — why the item is where it is, what happens to it, its conflicts
// and the decisions about it.
type whyPanel struct {
	explain.Model
}

// whyInput is what the panel explains.
type whyInput struct {
	st       *mergeState    // the shown merge, nil before the first
	row      *mergeview.Row // the selected row, or nil
	stepping bool           // in the step-through, at step
	step     int
	err      error // the last merge's error
	readOnly bool
}

// show explains in with theme th.
func (p *whyPanel) show(th *themes.Theme, in whyInput) {
	if th == nil {
		return
	}
	g, st := &th.Glyphs, &th.Styles
	var it *explain.Item
	if in.stepping && in.st != nil && in.step < len(in.st.steps) {
		s := &in.st.steps[in.step]
		it = &explain.Item{Title: fmt.Sprintf("Step %d of %d · %s", in.step+1, len(in.st.steps), s.Kind)}
		lines := []explain.Line{{Glyph: g.Current, Style: st.Accent, Text: s.Text}}
		if s.Conflict != "" {
			lines = append(lines, explain.Line{Glyph: g.Conflict, Style: st.Conflict, Text: "listed as conflict " + s.Conflict})
		}
		it.Sections = append(it.Sections, explain.Section{Heading: "Decision", Lines: lines})
		it.Subtitle = "items: " + strings.Join(s.GUIDs, ", ")
	}
	if r := in.row; r != nil {
		if it == nil {
			it = &explain.Item{Title: rowLabel(r)}
			it.Subtitle = rowSubtitle(r)
		} else {
			it.Sections = append(it.Sections, explain.Section{Heading: "Selected: " + rowLabel(r) + " · " + r.GUID()})
		}
		it.Sections = append(it.Sections, in.rowSections(th, r)...)
	} else if it == nil && in.st == nil && in.err != nil {
		it = &explain.Item{Title: "The merge failed", Subtitle: in.err.Error()}
	}
	p.SetItem(it)
}

func rowSubtitle(r *mergeview.Row) string {
	parts := []string{r.Kind().String(), r.GUID()}
	if l := r.LocalGUID(); l != "" && l != r.GUID() {
		parts = append(parts, "local "+l)
	}
	if x := r.RemoteGUID(); x != "" && x != r.GUID() {
		parts = append(parts, "server "+x)
	}
	if r.URL() != "" && r.Title() != "" {
		parts = append(parts, r.URL())
	}
	return strings.Join(parts, " · ")
}

func (in whyInput) rowSections(th *themes.Theme, r *mergeview.Row) []explain.Section {
	g, st := &th.Glyphs, &th.Styles
	v := in.st.view
	var out []explain.Section
	if r.Deleted {
		out = append(out, explain.Section{Heading: "Why it goes", Lines: []explain.Line{{Glyph: g.Deleted, Style: st.Deleted, Text: r.Reason}}})
	} else {
		b := stateBadge(th, r.State())
		where := "in “" + v.Name(r.ParentGUID()) + "”"
		if r.ParentGUID() == "" {
			where = "the root"
		}
		out = append(out, explain.Section{Heading: "Merge state", Lines: []explain.Line{
			{Glyph: b.Text, Style: b.Style, Text: stateWords(r.State())},
			{Glyph: g.FolderOpen, Style: st.Accent, Text: "lives " + where},
		}})
	}
	var changes []explain.Line
	for _, mk := range r.Marks {
		gl, s := markGlyph(th, mk.Kind)
		side := "here: "
		if mk.Side == tree.Remote {
			side = "server: "
		}
		if mk.Kind == mergeview.MarkDeleted && r.Deleted {
			continue // said above
		}
		changes = append(changes, explain.Line{Glyph: gl, Style: s, Text: side + v.Describe(mk)})
	}
	out = append(out, explain.Section{Heading: "What happens", Lines: changes})
	var cl []explain.Line
	for _, i := range in.st.byGUID[r.GUID()] {
		c := &in.st.conflicts[i]
		gl, s := conflicts.Glyph(c, common.Common{Theme: th})
		text := c.Kind.String() + ": " + c.Current
		if a, ok := c.Alt(c.Current); ok && a.Label != "" {
			text = c.Kind.String() + ": " + a.Label
		}
		if c.Decided {
			text += " (your choice)"
		} else if c.Choosable && !in.readOnly {
			text += " (the merge's choice: the number keys change it)"
		}
		cl = append(cl, explain.Line{Glyph: gl, Style: s, Text: text})
	}
	out = append(out, explain.Section{Heading: "Conflicts", Lines: cl})
	var dl []explain.Line
	seen := map[int]bool{}
	for _, gd := range []string{r.GUID(), r.LocalGUID(), r.RemoteGUID()} {
		for _, i := range in.st.stepsOf[gd] {
			if seen[i] {
				continue
			}
			seen[i] = true
			glyph, s := " ", st.Muted
			if in.stepping && i == in.step {
				glyph, s = g.Current, st.Accent
			}
			dl = append(dl, explain.Line{Glyph: glyph, Style: s, Text: fmt.Sprintf("step %d: %s", i+1, in.st.steps[i].Text)})
		}
	}
	if len(dl) == 0 && !r.Deleted {
		dl = append(dl, explain.Line{Glyph: g.Unchanged, Style: st.Muted, Text: "no decision: it merged the only way it could"})
	}
	out = append(out, explain.Section{Heading: "Decisions", Lines: dl})
	return out
}
