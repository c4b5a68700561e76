package main

import (
	"context"
	"os"

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
	return runApp(ctx, &pf, *theme, false)
}

// runApp opens the profile and runs the full-screen app: the explorer, with
// the merge screen one key away (or first, for merge --tui).
func runApp(ctx context.Context, pf *profileFlags, theme string, startInMerge bool) error {
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
	model := ui.NewApp(in, ui.Options{Theme: theme, NoColor: os.Getenv("NO_COLOR") != ""})
	_, err = ui.Run(ctx, model)
	return err
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
