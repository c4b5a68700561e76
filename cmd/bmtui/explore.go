package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/doctor"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/source/search"
	"github.com/bmtui/bmtui/ui"
)

// appOptions say how the full-screen app starts and ends.
type appOptions struct {
	theme        string
	startInMerge bool               // merge --tui
	session      *mergeview.Session // start from these resolutions
	saveTo       string             // save the resolutions at exit
}

// runApp opens the profile and runs the full-screen app: the explorer, with
// the merge screen one key away (or first, for merge --tui).
func runApp(ctx context.Context, pf *profileFlags, o appOptions, io stdio) error {
	pf.finishApply = true
	prof, cleanup, err := pf.open()
	if err != nil {
		if errors.Is(err, dbsnap.ErrCorrupt) && !pf.demo && pf.caseFile == "" && !o.startInMerge && o.session == nil {
			return runSalvageApp(ctx, pf, o, io, err)
		}
		return err
	}
	sess := &appSession{ctx: ctx, pf: pf, cleanups: []func(){cleanup}}
	defer sess.close()
	if o.session == nil {
		if o.session, err = caseSession(prof); err != nil {
			return err
		}
	}
	in := sess.input(prof)
	in.StartInMerge = o.startInMerge && prof.Remote != nil
	if o.session != nil {
		if prof.Remote == nil {
			return fmt.Errorf("profile %s has no Sync mirror: nothing to merge", prof.Paths.Dir)
		}
		if err := o.session.Check(prof.Local.Tree, prof.Remote.Tree, prof.Clocks); err != nil {
			return err
		}
		in.Resolutions = o.session.Resolutions
	}
	model := ui.NewApp(in, ui.Options{Theme: o.theme, NoColor: os.Getenv("NO_COLOR") != "", ReadOnly: prof.Dump != nil})
	final, err := ui.Run(ctx, model)
	if err != nil {
		return err
	}
	if o.saveTo != "" {
		app, _ := final.(*ui.App)
		if app == nil || app.Merge() == nil || app.Merge().MergeView() == nil {
			return fmt.Errorf("no merge to save: the merge screen was not opened")
		}
		if err := saveSession(o.saveTo, app.Merge().MergeView()); err != nil {
			return err
		}
		fmt.Fprintf(io.out, "resolutions saved to %s\n", o.saveTo)
	}
	applied, applyErr := sess.outcome()
	if applyErr != nil {
		return applyErr
	}
	if applied != nil {
		printApplied(io.out, applied)
	}
	return nil
}

// appSession is what the app's callbacks share: the profile may be opened
// again (after a salvage was written), and each opening is closed at the
// end.
type appSession struct {
	ctx context.Context
	pf  *profileFlags

	mu       sync.Mutex
	cleanups []func()
	applied  *apply.Report
	applyErr error
}

// input is what the app shows of prof, with its callbacks.
func (s *appSession) input(prof *load.Profile) ui.AppInput {
	in := appInput(prof, profileName(prof, s.pf))
	if prof.Paths.Standard() {
		in.Sources = profileSources(s.ctx, prof.Paths.Dir) // s and T: backups and the other copies
	}
	// A confirmed apply ends the session: the profile is no longer what
	// the screens show. The report (or why nothing was written) is printed
	// once the terminal is back.
	in.OnApply = func(req ui.ApplyRequestedMsg) tea.Cmd {
		return func() tea.Msg {
			var applied *apply.Report
			err := applicable(prof)
			if err == nil {
				applied, err = applyView(s.ctx, prof, req.View, "")
			}
			s.mu.Lock()
			s.applied, s.applyErr = applied, err
			s.mu.Unlock()
			return tea.Quit()
		}
	}
	onlyFiles := s.pf.places != ""
	in.Find = func() (*search.Index, []string, error) {
		return searchSources(s.ctx, prof.Paths, onlyFiles)
	}
	if !s.pf.demo {
		in.Restore = restoreFunc(s.ctx, prof)
		in.Dupes = func() (*ui.DupesInput, error) { return dupesInput(s.ctx, prof) }
		salvage := salvagePlan(s.ctx)
		in.Salvage = func() (*ui.SalvagePlan, error) { return salvage(prof, prof.Case == nil) }
		in.Doctor = func() (*doctor.Report, error) { return triage(prof) }
		if prof.Case == nil && prof.Dump == nil {
			in.Reload = s.reload
		}
	}
	return in
}

// reload opens the profile again, once a salvage replaced its file.
func (s *appSession) reload() (ui.AppInput, error) {
	prof, cleanup, err := s.pf.open()
	if err != nil {
		return ui.AppInput{}, err
	}
	s.mu.Lock()
	s.cleanups = append(s.cleanups, cleanup)
	s.mu.Unlock()
	return s.input(prof), nil
}

func (s *appSession) outcome() (*apply.Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied, s.applyErr
}

func (s *appSession) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.cleanups {
		c()
	}
	s.cleanups = nil
}

// profileName is how the screens name what they show.
func profileName(prof *load.Profile, pf *profileFlags) string {
	switch {
	case pf.demo:
		return "demo profile"
	case prof.Case != nil:
		return "case " + prof.Case.Path
	}
	return prof.Paths.Dir
}

// caseSession is the resolutions a case was bundled with, nil for a
// profile or a case without them.
func caseSession(prof *load.Profile) (*mergeview.Session, error) {
	if prof.Case == nil || prof.Remote == nil {
		return nil, nil
	}
	raw := prof.Case.Member(bundle.ResolutionsName)
	if raw == nil {
		return nil, nil
	}
	s, err := mergeview.ReadSession(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("case %s: %s: %w", prof.Case.Path, bundle.ResolutionsName, err)
	}
	return s, nil
}

// appInput is what the app shows of a loaded profile.
func appInput(prof *load.Profile, name string) ui.AppInput {
	in := app.Input(prof, name)
	in.Rebuild = prof.Rebuild
	return in
}
