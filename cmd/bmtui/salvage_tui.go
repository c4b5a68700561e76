package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/salvage/scan"
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
		// A preview is of the files as they were: once someone wrote a
		// salvage (or Firefox replaced the file), it is stale.
		placesPath := filepath.Join(dir, scan.PlacesName)
		before, _ := os.Stat(placesPath)
		plan.Write = func() (string, error) {
			if now, _ := os.Stat(placesPath); !sameFile(before, now) {
				return "", errors.New("places.sqlite changed since this preview (written by someone else?); open the salvage again")
			}
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

// brokenProfile is a profile too damaged to open, scanned once for the
// banner and the preview.
type brokenProfile struct {
	dir string

	mu   sync.Mutex
	stat os.FileInfo // places.sqlite when scanned
	res  *salvage.Result
	err  error
}

func resolveDamaged(pf *profileFlags) (*brokenProfile, error) {
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(pf.profile, pf.places, "", home, runtime.GOOS)
	if err != nil {
		return nil, err
	}
	return &brokenProfile{dir: paths.Dir}, nil
}

// scan scans the profile, again when places.sqlite changed since (a
// salvage was written).
func (d *brokenProfile) scan() (*salvage.Result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, _ := os.Stat(filepath.Join(d.dir, scan.PlacesName))
	if d.res == nil && d.err == nil || !sameFile(d.stat, now) {
		d.stat = now
		d.res, _, d.err = app.ScanSalvage(d.dir, time.Now())
	}
	return d.res, d.err
}

func (d *brokenProfile) damage() ([]dbcheck.Damage, error) {
	res, err := d.scan()
	if err != nil {
		return nil, err
	}
	return app.SalvageDamage(&res.Report, d.dir), nil
}

func (d *brokenProfile) plan(ctx context.Context, write bool) (*ui.SalvagePlan, error) {
	res, err := d.scan()
	if err != nil {
		return nil, err
	}
	return salvagePlanOf(ctx, d.dir, res, write)
}

// runSalvageApp is the app for a profile too damaged to open (openErr): no
// trees, the damage the salvage scan found in the banner and the problems
// panel, and the salvage screen first.
func runSalvageApp(ctx context.Context, pf *profileFlags, o appOptions, io stdio, openErr error) error {
	d, err := resolveDamaged(pf)
	if err != nil {
		return openErr
	}
	in := ui.AppInput{
		ProfileName:    d.dir,
		Notes:          []string{openErr.Error()},
		StartInSalvage: true,
		Damage: func() (local, remote []dbcheck.Damage, err error) {
			local, err = d.damage()
			return local, nil, err
		},
		Salvage: func() (*ui.SalvagePlan, error) { return d.plan(ctx, true) },
	}
	// Once the salvage is written the profile opens: the app shows it as
	// runApp does (the merge and its apply included).
	pf.finishApply = true
	sess := &appSession{ctx: ctx, pf: pf}
	defer sess.close()
	in.Reload = sess.reload
	_, err = ui.Run(ctx, ui.NewApp(in, ui.Options{Theme: o.theme, NoColor: os.Getenv("NO_COLOR") != ""}))
	if err != nil {
		return err
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

// serveSalvage serves a profile too damaged to open: the salvage screen
// for every session, the write for operators.
func serveSalvage(ctx context.Context, o *serveOptions, io stdio, openErr error) error {
	d, err := resolveDamaged(&o.profile)
	if err != nil {
		return openErr
	}
	cfg := o.cfg
	closeLog, err := openAuditLog(o.auditLog, &cfg)
	if err != nil {
		return err
	}
	defer closeLog()
	// Once the salvage is written the profile opens: it is served as
	// runServe serves it (the merge and its apply included).
	pf := &o.profile
	pf.finishApply = true
	var opened atomic.Pointer[app.Source]
	defer func() {
		if src := opened.Load(); src != nil {
			src.Close()
		}
	}()
	cfg.ModelFactory = app.SalvageFactory(app.SalvageOptions{
		ProfileName: d.dir, Theme: o.theme, OpenErr: openErr, Damage: d.damage,
		Salvage: func(write bool) (*ui.SalvagePlan, error) { return d.plan(ctx, write) },
		Open: func() (*load.Profile, error) {
			p, _, err := pf.open() // closed by the source
			return p, err
		},
		Then: func(src *app.Source) app.Options {
			opened.Store(src) // under the apply lock, once
			return serveAppOptions(ctx, pf, o.theme, profileName(src.Profile(), pf), io, src)
		},
	})
	fmt.Fprintf(io.out, "%v\nserving the salvage preview\n", openErr)
	return listen(ctx, cfg, d.dir, io)
}

// sameFile reports whether two stats are of the same unchanged file (or
// both of none).
func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
