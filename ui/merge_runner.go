package ui

import (
	"context"
	"errors"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/mergeview"
)

// mergeRunner runs the merge off the update loop: the first merge, then a
// re-merge for every decision (the user's choice or undo, or a list of
// resolutions from outside). A decision made while a merge runs cancels it
// and the next merge takes every decision not shown yet; a result that
// comes back for an earlier request is dropped. A spinner turns meanwhile.
type mergeRunner struct {
	in      mergeview.Input
	st      *mergeState // the merge shown; nil before the first
	pending []mergeOp   // decisions being merged
	gen     int
	busy    bool
	cancel  context.CancelFunc
	err     error // the last merge's error
	spin    spinner.Model
}

// mergeOp is a decision not yet reflected in the shown merge: the user's
// choice or undo, or a list of resolutions from outside (set).
type mergeOp struct {
	undo        bool
	conflict    string
	alternative string
	label       string
	set         bool
	res         []mergeview.Resolution // with set
	note        string                 // with set: the status once merged
}

// mergeDoneMsg carries a finished merge back to the update loop.
type mergeDoneMsg struct {
	// runner and gen name the request: a screen that replaced another (a
	// profile reloaded over SSH) restarts gen, so the runner is checked too.
	runner *mergeRunner
	gen    int
	st     *mergeState
	err    error
}

// mergeOutcome is what a message did to the runner, for the screen.
type mergeOutcome int

const (
	mergeNothing    mergeOutcome = iota
	mergeFinished                // a merge came back: Shown and Err say how
	mergeStepsReady              // the shown merge's steps are ready
)

func newMergeRunner(in mergeview.Input) mergeRunner {
	return mergeRunner{in: in, spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
}

// start runs the first merge unless it ran or is running.
func (r *mergeRunner) start() tea.Cmd {
	if r.st != nil || r.busy {
		return nil
	}
	return r.run()
}

// decide queues op and re-merges.
func (r *mergeRunner) decide(op mergeOp) tea.Cmd {
	r.pending = append(r.pending, op)
	return r.run()
}

// replace makes res, from outside, the resolutions to merge: before the
// first merge, the ones it starts from (restarted when it has started);
// after, they replace every decision not merged yet.
func (r *mergeRunner) replace(res []mergeview.Resolution, note string) tea.Cmd {
	if r.st == nil {
		r.in.Resolutions = res
		r.pending = nil
		if r.gen == 0 {
			return nil
		}
		return r.run()
	}
	r.pending = []mergeOp{{set: true, res: res, note: note}}
	return r.run()
}

// stop cancels a running merge.
func (r *mergeRunner) stop() {
	if r.cancel != nil {
		r.cancel()
	}
}

// run starts a merge of the shown view with the pending decisions (from
// scratch before the first one) in a command. An earlier merge still
// running is cancelled and its result, if it comes, is discarded.
func (r *mergeRunner) run() tea.Cmd {
	r.stop()
	r.gen++
	gen := r.gen
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	var base *mergeview.View
	if r.st != nil {
		base = r.st.view
	}
	in := r.in
	ops := append([]mergeOp(nil), r.pending...)
	work := func() tea.Msg {
		v := base
		var err error
		if v == nil {
			if in.Local == nil || in.Remote == nil {
				return mergeDoneMsg{runner: r, gen: gen, err: errors.New("a merge needs both the local tree and the Sync mirror")}
			}
			v, err = mergeview.New(ctx, in)
		}
		for _, op := range ops {
			if err != nil {
				break
			}
			switch {
			case op.set:
				v, err = replaceResolutions(ctx, v, in, op.res)
			case op.undo:
				v, err = v.Undo()
			default:
				v, err = v.ChooseContext(ctx, op.conflict, op.alternative)
			}
		}
		if err != nil {
			return mergeDoneMsg{runner: r, gen: gen, err: err}
		}
		return mergeDoneMsg{runner: r, gen: gen, st: prepare(v)}
	}
	wasBusy := r.busy
	r.busy = true
	if wasBusy {
		return work
	}
	s := r.spin
	return tea.Batch(work, func() tea.Msg { return s.Tick() })
}

// effective are the resolutions the shown merge plus the pending
// decisions leave (before the first merge: the input's).
func (r *mergeRunner) effective() []mergeview.Resolution {
	var res []mergeview.Resolution
	if r.st != nil {
		res = r.st.view.Resolutions()
	} else {
		res = append(res, r.in.Resolutions...)
	}
	for _, op := range r.pending {
		switch {
		case op.set:
			res = append(res[:0:0], op.res...)
		case op.undo:
			res = res[:max(len(res)-1, 0)]
		default:
			res = append(res, mergeview.Resolution{Conflict: op.conflict, Choice: op.alternative, Label: op.label})
		}
	}
	return res
}

// update takes the runner's messages. A finished merge becomes the shown
// one (or its error the runner's); last is the decision it was the last
// of (nil when none), prev the merge shown before.
func (r *mergeRunner) update(msg tea.Msg) (out mergeOutcome, last *mergeOp, prev *mergeState, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case mergeDoneMsg:
		if msg.runner != r || msg.gen != r.gen {
			return mergeNothing, nil, nil, nil // an earlier request: a newer one is running
		}
		r.busy, r.cancel = false, nil
		if n := len(r.pending); n > 0 {
			op := r.pending[n-1]
			last = &op
		}
		r.pending = nil
		if msg.err != nil {
			r.err = msg.err
			return mergeFinished, last, r.st, nil
		}
		r.err = nil
		prev, r.st = r.st, msg.st
		return mergeFinished, last, prev, prepareSteps(r.st)
	case stepsReadyMsg:
		if msg.st != r.st {
			return mergeNothing, nil, nil, nil
		}
		r.st.steps, r.st.stepsOf = msg.steps, msg.stepsOf
		return mergeStepsReady, nil, nil, nil
	case spinner.TickMsg:
		if r.busy {
			r.spin, cmd = r.spin.Update(msg)
		}
	}
	return mergeNothing, nil, nil, cmd
}

// view is the spinner and what runs, or "" when idle.
func (r *mergeRunner) view(accent func(...string) string) string {
	if !r.busy {
		return ""
	}
	if r.st == nil {
		return r.spin.View() + accent(" merging…  ")
	}
	return r.spin.View() + accent(" re-merging…  ")
}
