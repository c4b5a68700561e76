package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/ui"
)

// salvagePlan is the salvage screen's callback (app and serve): it scans
// p's folder and rebuilds its tree; with write, the plan's Write writes
// it as `salvage --write` does.
func salvagePlan(ctx context.Context) func(p *load.Profile, write bool) (*ui.SalvagePlan, error) {
	return func(p *load.Profile, write bool) (*ui.SalvagePlan, error) {
		dir := p.Paths.Dir
		res, _, err := app.ScanSalvage(dir, time.Now())
		if err != nil {
			return nil, err
		}
		return salvagePlanOf(ctx, dir, res, write)
	}
}

// salvagePlanOf is the plan of res, rebuilt from the profile folder dir;
// with write (and something to salvage) its Write writes it.
func salvagePlanOf(ctx context.Context, dir string, res *salvage.Result, write bool) (*ui.SalvagePlan, error) {
	now := time.Now()
	if !res.Report.Recoverable {
		return nil, errors.New("nothing to salvage: no source holds a bookmark or a page")
	}
	plan := app.SalvagePlan(&res.Report)
	if write && res.Report.Damaged {
		plan.Write = func() (string, error) {
			if running, pid, err := places.FirefoxRunning(dir); err != nil {
				return "", err
			} else if running {
				return "", fmt.Errorf("Firefox is running (pid %d) and holds the profile; quit it first", pid)
			}
			if _, err := apply.Recover(dir); err != nil {
				return "", fmt.Errorf("an interrupted bmtui operation is not finished: %w", err)
			}
			w, err := apply.WriteSalvage(ctx, dir, res.DB, now)
			if err != nil {
				return "", err
			}
			c := res.Report.Counts
			return fmt.Sprintf("wrote and verified %s: %d bookmarks, %d folders; damaged files kept in %s (bmtui undo restores them)",
				w.Path, c.Bookmarks, c.Folders, w.BackupDir), nil
		}
	}
	return plan, nil
}

// runSalvageApp is the app for a profile too damaged to open (openErr): no
// trees, the damage the salvage scan found in the banner and the problems
// panel, and the salvage screen first.
func runSalvageApp(ctx context.Context, pf *profileFlags, o appOptions, openErr error) error {
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(pf.profile, pf.places, "", home, runtime.GOOS)
	if err != nil {
		return openErr
	}
	dir := paths.Dir
	// One scan serves the banner and the preview.
	var once sync.Once
	var plan *ui.SalvagePlan
	var damage []dbcheck.Damage
	var planErr error
	scanOnce := func() {
		once.Do(func() {
			var res *salvage.Result
			res, plan, planErr = app.ScanSalvage(dir, time.Now())
			if planErr == nil {
				damage = app.SalvageDamage(&res.Report, dir)
				plan, planErr = salvagePlanOf(ctx, dir, res, true)
			}
		})
	}
	in := ui.AppInput{
		ProfileName:    dir,
		Notes:          []string{openErr.Error()},
		StartInSalvage: true,
		Damage: func() (local, remote []dbcheck.Damage, err error) {
			scanOnce()
			return damage, nil, planErr
		},
		Salvage: func() (*ui.SalvagePlan, error) {
			scanOnce()
			return plan, planErr
		},
	}
	_, err = ui.Run(ctx, ui.NewApp(in, ui.Options{Theme: o.theme, NoColor: os.Getenv("NO_COLOR") != ""}))
	return err
}
