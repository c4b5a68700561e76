package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/dupes/backups"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/ui"
)

// planDupesFix makes the fix of found's current choices and previews it
// on the snapshot of places.sqlite the profile was read from.
func planDupesFix(prof *load.Profile, found *dupesFound) (*apply.EditPlan, error) {
	set, err := dupes.Plan(found.tree, found.report)
	if err != nil {
		return nil, err
	}
	return apply.PlanEdit(prof.Paths.Dir, found.tree, prof.Places.Stamp(), *set, time.Now())
}

// writeDupesFix writes plan and says what was done.
func writeDupesFix(ctx context.Context, plan *apply.EditPlan) (string, error) {
	rep, err := apply.WriteEdit(ctx, plan, apply.Options{})
	if err != nil {
		return "", err
	}
	c := dupes.CountFix(plan.Preview)
	return fmt.Sprintf("fixed and verified: %d items removed, %d moved, %d folders restored; backup in %s (bmtui undo restores it); Firefox uploads %d records (%d tombstones) at its next sync",
		c.Removed, c.Moved, c.Restored, rep.BackupDir, c.Records, c.Tombstones), nil
}

func fixDupes(ctx context.Context, prof *load.Profile, found *dupesFound, o *dupesOptions, io stdio) error {
	if !o.yes && !isTerminal(io.in) {
		return errors.New("not fixed: no terminal to confirm on; pass --yes to fix without asking")
	}
	for _, n := range found.notes {
		fmt.Fprintf(io.out, "note: %s\n", n)
	}
	plan, err := planDupesFix(prof, found)
	if errors.Is(err, dupes.ErrNothingToFix) {
		fmt.Fprintln(io.out, "nothing to fix")
		return nil
	}
	if err != nil {
		return fmt.Errorf("dupes fix: %w", err)
	}
	for _, l := range dupes.PreviewLines(plan.Preview, 40) {
		fmt.Fprintln(io.out, l)
	}
	if !o.yes {
		ok, err := confirm(io, "Write this fix to "+prof.Paths.Dir+"?")
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("not fixed: declined")
		}
	}
	out, err := writeDupesFix(ctx, plan)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, out)
	return nil
}

// dupesInput is the app's D: the local tree's groups, found now.
func dupesInput(ctx context.Context, prof *load.Profile) (*ui.DupesInput, error) {
	none := make(chan backupsRead, 1)
	none <- backupsRead{}
	found, err := findDupes(prof, "local", nil, none, backups.DefaultLimit)
	if err != nil {
		return nil, err
	}
	in := dupesScreenInput(ctx, prof, found)
	return &in, nil
}

// runDupesTUI opens the dupes screen.
func runDupesTUI(ctx context.Context, prof *load.Profile, found *dupesFound, o *dupesOptions) error {
	in := dupesScreenInput(ctx, prof, found)
	_, err := ui.Run(ctx, ui.NewDupesScreen(in, ui.Options{Theme: o.theme, NoColor: os.Getenv("NO_COLOR") != ""}))
	return err
}

// dupesScreenInput is what the dupes screen shows of found; F there
// previews and writes the fix as --fix does.
func dupesScreenInput(ctx context.Context, prof *load.Profile, found *dupesFound) ui.DupesInput {
	in := ui.DupesInput{Profile: prof.Paths.Dir, Report: found.report, Notes: found.notes}
	if found.report.Side.String() == "local" {
		in.Plan = func(*dupes.Report) (*ui.DupesFix, error) {
			plan, err := planDupesFix(prof, found)
			if err != nil {
				return nil, err
			}
			return &ui.DupesFix{Lines: dupes.PreviewLines(plan.Preview, 0),
				Write: func() (string, error) { return writeDupesFix(ctx, plan) }}, nil
		}
	}
	return in
}
