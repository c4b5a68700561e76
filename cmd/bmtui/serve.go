package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/bmtui/bmtui/doctor"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/source/search"
	"github.com/bmtui/bmtui/ui"
)

func runServe(ctx context.Context, o *serveOptions, io stdio) error {
	pf, cfg := &o.profile, o.cfg
	pf.finishApply = true
	prof, cleanup, err := pf.open()
	if err != nil {
		if errors.Is(err, dbsnap.ErrCorrupt) && !pf.demo && pf.caseFile == "" {
			return serveSalvage(ctx, o, io, err)
		}
		return err
	}
	defer cleanup()
	closeLog, err := openAuditLog(o.auditLog, &cfg)
	if err != nil {
		return err
	}
	defer closeLog()
	name := profileName(prof, pf)
	// After an apply the sessions show the profile read again, at the
	// pinned times or now.
	src := app.NewSource(prof)
	defer src.Close()
	cfg.ModelFactory = app.Factory(src, serveAppOptions(ctx, pf, o.theme, name, io, src))
	return listen(ctx, cfg, name, io)
}

// serveAppOptions are the options of the app served for src's profile
// (opened by pf, named name): its salvage, triage, find, apply, and the
// reload after an apply or a salvage write.
func serveAppOptions(ctx context.Context, pf *profileFlags, theme, name string, io stdio, src *app.Source) app.Options {
	prof := src.Profile()
	var salvage func(*load.Profile, bool) (*ui.SalvagePlan, error)
	var triageFn func(*load.Profile) (*doctor.Report, error)
	if !pf.demo {
		salvage, triageFn = salvagePlan(ctx), triage
	}
	if prof.Case != nil {
		// A case is shown, never written: its salvage is a preview.
		preview := salvage
		salvage = func(p *load.Profile, _ bool) (*ui.SalvagePlan, error) { return preview(p, false) }
	}
	return app.Options{
		ProfileName: name,
		Salvage:     salvage,
		Doctor:      triageFn,
		Find: func(p *load.Profile) (*search.Index, []string, error) {
			return searchSources(ctx, p.Paths, pf.places != "")
		},
		Sources: func(p *load.Profile) *ui.CompareInput {
			if !p.Paths.Standard() {
				return nil
			}
			return profileSources(ctx, p.Paths.Dir)
		},
		Theme: theme,
		// Operators apply the shared merge; the hub lets one at a time in.
		Apply: func(p *load.Profile, req ui.ApplyRequestedMsg) error {
			if err := applicable(p); err != nil {
				return err
			}
			rep, err := applyView(ctx, p, req.View, "")
			if err == nil {
				printApplied(io.out, rep)
			}
			return err
		},
		Reload: func() (*load.Profile, error) {
			cur := src.Profile()
			times, now := cur.Clocks, time.Now()
			if pf.localTime == "" {
				times.Local = now
			}
			if pf.remoteTime == "" {
				times.Remote = now
			}
			return load.Open(cur.Paths, times)
		},
	}
}

// openAuditLog appends the audit log to path (none when "").
func openAuditLog(path string, cfg *serve.Config) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	cfg.AuditLog = f
	return func() { f.Close() }, nil
}

// listen serves cfg's models until ctx ends, printing who comes and goes.
func listen(ctx context.Context, cfg serve.Config, name string, io stdio) error {
	var mu sync.Mutex
	connected := 0
	cfg.OnEvent = func(e serve.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case serve.EventJoin:
			connected++
			fmt.Fprintf(io.out, "%s  %s joined as %s from %s (%d connected)\n", e.Time.Format(time.TimeOnly), e.Name(), e.Role, e.Remote, connected)
		case serve.EventLeave:
			connected--
			fmt.Fprintf(io.out, "%s  %s left (%d connected)\n", e.Time.Format(time.TimeOnly), e.Name(), connected)
		case serve.EventRefused:
			fmt.Fprintf(io.out, "%s  refused %s: %s\n", e.Time.Format(time.TimeOnly), e.Remote, e.Reason)
		case serve.EventAction:
			fmt.Fprintf(io.out, "%s  %s: %s %s\n", e.Time.Format(time.TimeOnly), e.Name(), e.Action, e.Detail)
		}
	}
	srv, err := serve.New(cfg)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe(ctx) }()
	select {
	case <-srv.Ready():
		fmt.Fprintf(io.out, "bmtui serving %s on %s\nhost key %s\nCtrl+C stops.\n", name, srv.Addr(), gossh.FingerprintSHA256(srv.HostKey()))
	case err := <-errc:
		return err
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	}
}
