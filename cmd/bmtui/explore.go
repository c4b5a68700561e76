package main

import (
	"context"
	"os"

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
	prof, cleanup, err := pf.open()
	if err != nil {
		return err
	}
	defer cleanup()

	name := prof.Paths.Dir
	if pf.demo {
		name = "demo profile"
	}
	model := ui.NewExplorer(ui.ExplorerInput{
		ProfileName:  name,
		Local:        prof.Local,
		Remote:       prof.Remote,
		LocalReport:  prof.LocalReport,
		RemoteReport: prof.RemoteReport,
		Notes:        prof.Notes,
	}, ui.Options{Theme: *theme, NoColor: os.Getenv("NO_COLOR") != ""})
	_, err = ui.Run(ctx, model)
	return err
}
