package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/ui"
)

// salvagePlan is the salvage screen's callback (app and serve): it scans
// p's folder and rebuilds its tree; with write, the plan's Write writes
// it as `salvage --write` does.
func salvagePlan(ctx context.Context) func(p *load.Profile, write bool) (*ui.SalvagePlan, error) {
	return func(p *load.Profile, write bool) (*ui.SalvagePlan, error) {
		dir := p.Paths.Dir
		now := time.Now()
		res, plan, err := app.ScanSalvage(dir, now)
		if err != nil {
			return nil, err
		}
		if !res.Report.Recoverable {
			return nil, errors.New("nothing to salvage: no source holds a bookmark or a page")
		}
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
}
