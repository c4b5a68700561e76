package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/themes"
)

// stepper is the step-through of the merge's decisions: the current step
// and the breakpoints (merged GUIDs), which stay set outside the
// step-through.
type stepper struct {
	step        int
	breakpoints map[string]bool
}

// stepAction is what a key asks of the screen in the step-through.
type stepAction struct {
	goTo   int    // the step to show, or -1
	status string // set after going there
	exit   bool   // leave the step-through
}

func newStepper() stepper { return stepper{breakpoints: map[string]bool{}} }

// update reads a key of the step-through over the merge's steps; ok is
// false for keys it does not take.
func (s *stepper) update(msg tea.KeyPressMsg, k *MergeKeyMap, st *mergeState) (act stepAction, ok bool) {
	act.goTo = -1
	switch {
	case key.Matches(msg, k.ExitStep):
		act.exit = true
	case key.Matches(msg, k.StepNext):
		act.goTo = s.step + 1
	case key.Matches(msg, k.StepPrev):
		act.goTo = s.step - 1
	case key.Matches(msg, k.RunToBreak):
		if st == nil {
			return act, true
		}
		act.goTo, act.status = len(st.steps)-1, "no breakpoint ahead: at the last step"
		if i, guid := s.nextBreakpoint(st); i >= 0 {
			act.goTo, act.status = i, "stopped at a breakpoint on "+st.view.Name(guid)
		}
	default:
		return act, false
	}
	return act, true
}

// nextBreakpoint is the first step after the current one that involves
// an item with a breakpoint, and that item; -1 when none.
func (s *stepper) nextBreakpoint(st *mergeState) (int, string) {
	for i := s.step + 1; i < len(st.steps); i++ {
		for _, g := range st.steps[i].GUIDs {
			if s.breakpoints[g] {
				return i, g
			}
		}
	}
	return -1, ""
}

// toggleBreakpoint sets or clears the breakpoint on guid; involved says
// whether a decision involves it. It returns the status to show.
func (s *stepper) toggleBreakpoint(guid string, involved bool) string {
	if s.breakpoints[guid] {
		delete(s.breakpoints, guid)
		return "breakpoint cleared"
	}
	s.breakpoints[guid] = true
	if !involved {
		return "breakpoint set (no decision involves this item)"
	}
	return "breakpoint set"
}

// moveTo makes step i (clamped to the n steps) the current one.
func (s *stepper) moveTo(i, n int) { s.step = min(max(i, 0), n-1) }

// title is the step panel's title.
func (s *stepper) title(st *mergeState) string {
	if st == nil {
		return "Steps"
	}
	return fmt.Sprintf("Steps · %d of %d", s.step+1, len(st.steps))
}

// view lists the steps around the current one in r.
func (s *stepper) view(th *themes.Theme, st *mergeState, r rect) string {
	if r.w <= 0 || r.h <= 0 || st == nil {
		return ""
	}
	sty, g := &th.Styles, &th.Glyphs
	n := len(st.steps)
	start := min(max(s.step-r.h/2, 0), max(n-r.h, 0))
	var lines []string
	for i := start; i < n && len(lines) < r.h; i++ {
		step := &st.steps[i]
		bp := " "
		for _, gd := range step.GUIDs {
			if s.breakpoints[gd] {
				bp = g.Breakpoint
				break
			}
		}
		text := fmt.Sprintf("%4d %s", i+1, step.Text)
		if i == s.step {
			line := ansi.Truncate(g.Current+bp+text, r.w, "…")
			if d := r.w - ansi.StringWidth(line); d > 0 {
				line += strings.Repeat(" ", d)
			}
			lines = append(lines, sty.Selected.Render(line))
			continue
		}
		lines = append(lines, ansi.Truncate(" "+sty.Error.Render(bp)+sty.Text.Render(text), r.w, "…"))
	}
	return strings.Join(lines, "\n")
}
