package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/apply"
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
		if errors.Is(err, dbsnap.ErrCorrupt) && !pf.demo && !o.startInMerge && o.session == nil {
			return runSalvageApp(ctx, pf, o, err)
		}
		return err
	}
	defer cleanup()
	name := prof.Paths.Dir
	if pf.demo {
		name = "demo profile"
	}
	in := appInput(prof, name)
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
	// A confirmed apply ends the session: the profile is no longer what
	// the screens show. The report (or why nothing was written) is printed
	// once the terminal is back.
	var applied *apply.Report
	var applyErr error
	in.OnApply = func(req ui.ApplyRequestedMsg) tea.Cmd {
		return func() tea.Msg {
			if applyErr = applicable(prof); applyErr == nil {
				applied, applyErr = applyView(ctx, prof, req.View, "")
			}
			return tea.Quit()
		}
	}
	onlyFiles := pf.places != ""
	in.Find = func() (*search.Index, []string, error) {
		return searchSources(ctx, prof.Paths, onlyFiles)
	}
	if !pf.demo {
		salvage := salvagePlan(ctx)
		in.Salvage = func() (*ui.SalvagePlan, error) { return salvage(prof, true) }
	}
	model := ui.NewApp(in, ui.Options{Theme: o.theme, NoColor: os.Getenv("NO_COLOR") != ""})
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
	if applyErr != nil {
		return applyErr
	}
	if applied != nil {
		printApplied(io.out, applied)
	}
	return nil
}

// appInput is what the app shows of a loaded profile.
func appInput(prof *load.Profile, name string) ui.AppInput {
	in := app.Input(prof, name)
	in.Rebuild = prof.Rebuild
	return in
}
