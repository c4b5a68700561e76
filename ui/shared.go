package ui

import (
	"context"
	"fmt"

	"github.com/bmtui/bmtui/mergeview"
)

// A merge screen can be one of several showing the same merge (bmtui
// serve): the host tells it about the user's choices through
// MergeInput.OnResolve, replaces its resolutions with everyone's through
// SetResolutionsMsg, and says who is applying through ApplyingMsg.

// ResolveEvent reports a change the user made to the resolutions on this
// screen: a choice (number keys) or an undo (u). Changes that came from
// outside (SetResolutionsMsg) are never reported.
type ResolveEvent struct {
	// Undo is set when the user undid Resolution, the last one of the
	// list; otherwise the user chose Resolution, appended to the list.
	Undo       bool
	Resolution mergeview.Resolution
	// Resolutions is the user's whole list after the change, as the
	// screen merges it (Resolution appended, or removed from the end).
	Resolutions []mergeview.Resolution
}

// Action names the change for logs: "choose" or "undo".
func (e ResolveEvent) Action() string {
	if e.Undo {
		return "undo"
	}
	return "choose"
}

// SetResolutionsMsg replaces the merge screen's resolutions (in a shared
// session: everyone's, after someone else chose or undid) and re-merges
// off the update loop, like a choice of the user's. It is not reported
// through OnResolve. Only Conflict and Choice count; labels are taken from
// the screen's own merge. A list equal to the one the screen shows or is
// merging changes nothing. Sent to an App whose merge screen is not open
// yet, it becomes the resolutions the merge starts from.
type SetResolutionsMsg struct {
	Resolutions []mergeview.Resolution
	By          string // who changed them, for the status line; "" names nobody
	// Status, when set, is what the status line says instead of what
	// changed (e.g. why the host put the screen back on a list).
	Status string
}

// StatusMsg puts a line on the status bar of every screen: what the host
// has to say, such as the outcome of an apply.
type StatusMsg struct{ Text string }

// ApplyingMsg says who is applying the merge now, in a session shared with
// others ("" when nobody). While someone else applies, the merge screen
// says so and its apply key is disabled.
type ApplyingMsg struct {
	By   string
	Self bool // the one applying is this screen's user
}

// sameResolutions reports whether two lists make the same decisions in
// the same order (labels aside).
func sameResolutions(a, b []mergeview.Resolution) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Conflict != b[i].Conflict || a[i].Choice != b[i].Choice {
			return false
		}
	}
	return true
}

// commonPrefix is how many leading resolutions a and b share.
func commonPrefix(a, b []mergeview.Resolution) int {
	n := 0
	for n < len(a) && n < len(b) && a[n].Conflict == b[n].Conflict && a[n].Choice == b[n].Choice {
		n++
	}
	return n
}

// replaceResolutions returns the merge of in with target's resolutions,
// starting from v: a couple of undos and choices when the lists differ
// little (which keeps v's knowledge of decided conflicts and recomputes
// labels from v), a fresh merge otherwise or when that fails (a choice for
// a conflict v does not have).
func replaceResolutions(ctx context.Context, v *mergeview.View, in mergeview.Input, target []mergeview.Resolution) (*mergeview.View, error) {
	cur := v.Resolutions()
	p := commonPrefix(cur, target)
	if undo, choose := len(cur)-p, len(target)-p; undo+choose <= 2 {
		nv, err := v, error(nil)
		for i := 0; i < undo && err == nil; i++ {
			nv, err = nv.Undo()
		}
		for _, r := range target[p:] {
			if err != nil {
				break
			}
			nv, err = nv.ChooseContext(ctx, r.Conflict, r.Choice)
		}
		if err == nil {
			return nv, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	in.Resolutions = target
	return mergeview.New(ctx, in)
}

// describeChange says what someone else changed, in words the screen's own
// merge gives (so a redacted screen names placeholders).
func (m *MergeScreen) describeChange(old, now []mergeview.Resolution, by string) string {
	if by == "" {
		by = "someone"
	}
	label := func(r mergeview.Resolution) string {
		if m.run.st != nil {
			if c := m.run.st.view.Conflict(r.Conflict); c != nil {
				if a, ok := c.Alt(r.Choice); ok && a.Label != "" {
					return a.Label
				}
			}
		}
		return r.Conflict + " → " + r.Choice
	}
	switch p := commonPrefix(old, now); {
	case p == len(old) && len(now) == p+1:
		return by + " chose: " + label(now[p])
	case p == len(now) && len(old) == p+1:
		return by + " undid: " + label(old[p])
	case len(now) == 0:
		return by + " cleared every choice"
	}
	return fmt.Sprintf("%s changed the choices (%d now)", by, len(now))
}
