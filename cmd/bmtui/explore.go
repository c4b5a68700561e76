package main

import (
	"context"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

func runExplore(ctx context.Context, args []string, io stdio) error {
	fs := newFlagSet("bmtui", io)
	var pf profileFlags
	pf.register(fs)
	theme := fs.String("theme", "", "colour theme: default, high-contrast, mono")
	if err := parse(fs, args); err != nil {
		return err
	}
	return runApp(ctx, &pf, *theme, false, io)
}

// runApp opens the profile and runs the full-screen app: the explorer, with
// the merge screen one key away (or first, for merge --tui).
func runApp(ctx context.Context, pf *profileFlags, theme string, startInMerge bool, io stdio) error {
	prof, cleanup, err := pf.open()
	if err != nil {
		return err
	}
	defer cleanup()
	name := prof.Paths.Dir
	if pf.demo {
		name = "demo profile"
	}
	in := appInput(prof, name)
	in.StartInMerge = startInMerge && prof.Remote != nil
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
	model := ui.NewApp(in, ui.Options{Theme: theme, NoColor: os.Getenv("NO_COLOR") != ""})
	if _, err := ui.Run(ctx, model); err != nil {
		return err
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
	return ui.AppInput{
		ProfileName: name,
		Profile:     prof,
		Rebuild: func(side mergeview.Side, prefer map[string]string) (*tree.Tree, error) {
			return prof.Rebuild(side == mergeview.Remote, prefer)
		},
	}
}
