package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/bundle/collect"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/version"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/tree"
)

type bundleOptions struct {
	profile     profileFlags
	out         string
	force       bool
	redact      bool
	resolutions string
}

func newBundleCmd(ctx context.Context, io stdio) *cobra.Command {
	var o bundleOptions
	c := &cobra.Command{
		Use:   "bundle [profile flags] --out FILE [--redact] [--resolutions FILE] [--force]",
		Short: "Write a support case: both trees' bookmark tables, clocks, report and merge log in one file.",
		Long: "The case holds what a merge and a salvage need and nothing else (no history):\n" +
			"the bookmark tables of places.sqlite and of the Sync mirror, the clocks, your\n" +
			"resolutions, the validation report, the merge's decision log and bmtui's version.\n" +
			"--redact replaces titles, URLs, keywords and tags by stand-ins that merge exactly\n" +
			"as the originals do. Open a case anywhere with bmtui --case FILE.",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runBundle(ctx, &o, io) },
	}
	o.profile.register(c.Flags())
	f := c.Flags()
	f.StringVar(&o.out, "out", "", "write the case to `FILE` (a zip)")
	f.BoolVar(&o.redact, "redact", false, "replace titles, URLs, keywords and tags by stand-ins")
	f.StringVar(&o.resolutions, "resolutions", "", "include the resolutions of a saved session `FILE`")
	f.BoolVar(&o.force, "force", false, "replace FILE if it exists")
	profileCompletions(c)
	_ = c.MarkFlagFilename("out", "zip")
	_ = c.MarkFlagFilename("resolutions", "json")
	return c
}

func runBundle(ctx context.Context, o *bundleOptions, io stdio) error {
	if o.out == "" {
		return usageError{"bundle needs --out FILE"}
	}
	pf := &o.profile
	session, err := readSession(o.resolutions, pf)
	if err != nil {
		return err
	}
	if o.redact && session == nil {
		if prof := openFilesOnly(pf); prof != nil {
			sum, err := collect.Write(ctx, prof, collect.Options{
				Out: o.out, Force: o.force, Redact: true, Version: version.Current("bmtui"), Now: time.Now(),
			})
			prof.Close()
			if err == nil {
				return printBundleSummary(sum, io)
			}
			if errors.Is(err, bundle.ErrExists) || ctx.Err() != nil {
				return err
			}
			// Anything else: open the profile as usual, whose error (a
			// damaged file's) is the one to show.
		}
	}
	prof, cleanup, err := pf.open()
	if err != nil {
		return err
	}
	defer cleanup()
	var res []mergeview.Resolution
	if session != nil {
		if err := prof.MergeErr(); err != nil {
			return err
		}
		if err := session.Check(prof.Local.Tree, prof.Remote.Tree, prof.Clocks); err != nil {
			return fmt.Errorf("%s: %w", o.resolutions, err)
		}
		res = session.Resolutions
	} else if s, err := caseSession(prof); err != nil {
		return err
	} else if s != nil {
		res = s.Resolutions
	}
	// The doctor's report names the profile's files and quotes what it
	// finds: a redacted case leaves it out.
	var doctorJSON []byte
	if !o.redact && prof.Case == nil {
		if rep, err := triage(prof); err == nil {
			doctorJSON, _ = json.MarshalIndent(rep, "", "  ")
		}
	}
	sum, err := collect.Write(ctx, prof, collect.Options{
		Out: o.out, Force: o.force, Redact: o.redact, Resolutions: res,
		Version: version.Current("bmtui"), Now: time.Now(), Doctor: doctorJSON,
	})
	if err != nil {
		return err
	}
	return printBundleSummary(sum, io)
}

func printBundleSummary(sum *collect.Summary, io stdio) error {
	what := "case"
	if sum.Redacted {
		what = "redacted case"
	}
	remote := "no mirror"
	if sum.Remote >= 0 {
		remote = fmt.Sprintf("%d remote items", sum.Remote)
	}
	fmt.Fprintf(io.out, "wrote %s %s (%d bytes): %d local items, %s, %d problems, %d conflicts\n",
		what, sum.Out, sum.Bytes, sum.LocalItems, remote, sum.Problems, sum.Conflicts)
	return nil
}

// openFilesOnly opens the profile's files without reading its trees, for
// a redacted bundle, which reads the trees itself to redact them (the
// report and the decision log show only stand-ins): nil when something
// more is asked (a case, the demo, a server dump) or anything fails, and
// the profile is then opened as usual.
func openFilesOnly(pf *profileFlags) *load.Profile {
	if pf.caseFile != "" || pf.demo || pf.remote != "" || pf.cryptoKeys != "" || pf.keyFile != "" || pf.finishApply {
		return nil
	}
	now := time.Now()
	local, err := parseTime("local-time", pf.localTime, now)
	if err != nil {
		return nil
	}
	remote, err := parseTime("remote-time", pf.remoteTime, now)
	if err != nil {
		return nil
	}
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(pf.profile, pf.places, pf.mirror, home, runtime.GOOS)
	if err != nil {
		return nil
	}
	prof, err := load.OpenFiles(paths, tree.Clocks{Local: local, Remote: remote})
	if err != nil {
		return nil
	}
	return prof
}

// caseDoctor prints the doctor's report a case carries (bmtui bundle
// writes `doctor --json` of the profile into it): a case has no prefs,
// backups or lock to examine.
func caseDoctor(path string, io stdio) error {
	c, err := load.OpenCaseFile(path)
	if err != nil {
		return err
	}
	defer c.Close()
	raw := c.Member(bundle.DoctorName)
	if raw == nil {
		return fmt.Errorf("case %s has no doctor's report (a redacted case leaves it out); run bmtui doctor where the profile is", path)
	}
	_, err = io.out.Write(raw)
	if err == nil && len(raw) > 0 && raw[len(raw)-1] != '\n' {
		_, err = io.out.Write([]byte("\n"))
	}
	return err
}
