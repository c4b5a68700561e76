// Command bmtui inspects, merges and repairs Firefox bookmarks.
//
// This file and its siblings only turn flags into options and call the
// packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/sync/tree"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitProblems = 3
	exitNotFound = 4
)

func main() {
	// A closed terminal (SIGHUP) or a kill (SIGTERM) stops bmtui as Ctrl-C
	// does, so it removes its snapshots, which hold copies of the profile.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, tuneMemory: tuneMemory})
	stop()
	os.Exit(code)
}

type stdio struct {
	in       io.Reader
	out, err io.Writer
	// tuneMemory, set only by main (it changes the whole process), is
	// told what the command is about to read before it runs.
	tuneMemory func(inputBytes int64)
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errProblemsFound makes validate exit with code 3 after printing its report.
var errProblemsFound = errors.New("problems found")

// report prints err as the user sees it and returns the exit code. cmd is
// the command that ran, to point a usage error to its help.
func report(err error, cmd string, io stdio) int {
	var ue usageError
	var code exitWith
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errProblemsFound):
		return exitProblems
	case errors.As(err, &code):
		return int(code)
	case errors.Is(err, errNothingFound):
		return exitNotFound
	case errors.As(err, &ue):
		fmt.Fprintf(io.err, "bmtui: %s\nRun '%s' for usage.\n", ue.msg, helpCommandFor(cmd))
		return exitUsage
	default:
		fmt.Fprintf(io.err, "bmtui: %s\n", oneLine(err.Error()))
		return exitError
	}
}

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }

// profileFlags are shared by every command that reads a profile.
type profileFlags struct {
	profile, places, mirror string
	demo                    bool
	caseFile                string // --case: a bundle, read-only
	localTime, remoteTime   string
	// A server dump as the remote side (remote.go); "" for the mirror.
	remote, cryptoKeys, keyFile string
	// finishApply makes open first finish an apply that was interrupted
	// (bmtui killed, power lost): Apply refuses until that is done. Set
	// by the commands that can apply.
	finishApply bool
}

// register adds the profile flags to fs, marked so that help lists them
// apart from the command's own flags.
func (p *profileFlags) register(fs *pflag.FlagSet) {
	own := pflag.NewFlagSet("profile", pflag.ContinueOnError)
	own.SortFlags = false
	own.StringVar(&p.profile, "profile", "", "read the Firefox profile in `DIR`")
	own.StringVar(&p.places, "places", "", "read this places.sqlite `FILE` instead of a profile")
	own.StringVar(&p.mirror, "mirror", "", "with --places: read this Sync mirror `FILE` too (weave/bookmarks.sqlite)")
	own.BoolVar(&p.demo, "demo", false, "use a generated sample profile (a temporary copy)")
	own.StringVar(&p.caseFile, "case", "", "read the support case `FILE` made by bmtui bundle (read-only)")
	own.StringVar(&p.localTime, "local-time", "", "the local clock ages are measured against, in `SECONDS` since the epoch (default now)")
	own.StringVar(&p.remoteTime, "remote-time", "", "the server's clock, in `SECONDS` since the epoch (default now)")
	own.VisitAll(func(f *pflag.Flag) { f.Annotations = map[string][]string{flagGroup: {profileGroup}} })
	fs.AddFlagSet(own)
}

// openCase opens the bundle --case names, at its own clocks unless
// --local-time or --remote-time say otherwise.
func (p *profileFlags) openCase() (*load.Profile, func(), error) {
	if p.demo || p.profile != "" || p.places != "" || p.mirror != "" {
		return nil, nil, usageError{"--case cannot be combined with --profile, --places, --mirror or --demo"}
	}
	c, err := load.OpenCaseFile(p.caseFile)
	if err != nil {
		return nil, nil, err
	}
	times := load.CaseClocks(c)
	if times.Local, err = parseTime("local-time", p.localTime, times.Local); err == nil {
		times.Remote, err = parseTime("remote-time", p.remoteTime, times.Remote)
	}
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	prof, err := load.OpenCase(c, times)
	if err != nil {
		return nil, nil, err
	}
	return prof, func() { prof.Close() }, nil
}

// writable refuses, in one line, to let the command op write to a case.
func (p *profileFlags) writable(op string) error {
	if p.caseFile != "" {
		return fmt.Errorf("%s refused: %s is a support case (bmtui bundle), read-only; run %s on the profile itself", op, p.caseFile, op)
	}
	return nil
}

func parseTime(flagName, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return now, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs < 0 {
		return time.Time{}, usageError{fmt.Sprintf("--%s wants seconds since the epoch, got %q", flagName, v)}
	}
	whole := int64(secs)
	return time.Unix(whole, int64((secs-float64(whole))*1e9)), nil
}

// openToWrite is open for a command that writes the profile (apply,
// restore): an interrupted earlier write is finished first, and the
// profile's notes are printed to out.
func (p *profileFlags) openToWrite(out io.Writer) (prof *load.Profile, cleanup func(), err error) {
	p.finishApply = true
	if prof, cleanup, err = p.open(); err != nil {
		return nil, nil, err
	}
	for _, n := range prof.Notes {
		fmt.Fprintf(out, "note: %s\n", n)
	}
	return prof, cleanup, nil
}

// open resolves and loads the profile the flags name. cleanup removes a
// demo profile and the snapshots.
func (p *profileFlags) open() (prof *load.Profile, cleanup func(), err error) {
	if p.caseFile != "" {
		return p.openCase()
	}
	now := time.Now()
	times := tree.Clocks{}
	if times.Local, err = parseTime("local-time", p.localTime, now); err != nil {
		return nil, nil, err
	}
	if times.Remote, err = parseTime("remote-time", p.remoteTime, now); err != nil {
		return nil, nil, err
	}
	if p.demo && (p.profile != "" || p.places != "" || p.mirror != "") {
		return nil, nil, usageError{"--demo cannot be combined with --profile, --places or --mirror"}
	}
	dump, err := p.dump()
	if err != nil {
		return nil, nil, err
	}
	var removeDemo func()
	dir := p.profile
	if p.demo {
		tmp, err := os.MkdirTemp("", "bmtui-demo-")
		if err != nil {
			return nil, nil, fmt.Errorf("create demo folder: %w", err)
		}
		removeDemo = func() { os.RemoveAll(tmp) }
		if dir, err = demo.Create(tmp, now); err != nil {
			removeDemo()
			return nil, nil, fmt.Errorf("create demo profile: %w", err)
		}
	}
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(dir, p.places, p.mirror, home, runtime.GOOS)
	var recovery string
	if err == nil && p.finishApply && dump == nil && paths.Standard() {
		// Refused while Firefox runs; the profile still opens, and an
		// apply says why it cannot write.
		op, outcome := "apply", "fully merged"
		if apply.InterruptedSalvage(paths.Dir) {
			op, outcome = "salvage", "fully salvaged"
		}
		if finished, rerr := apply.Recover(paths.Dir); rerr != nil {
			recovery = "an interrupted bmtui " + op + " is not finished: " + rerr.Error()
		} else if finished {
			recovery = "finished an interrupted bmtui " + op + ": the profile is either as it was before it or " + outcome
		}
	}
	if err == nil {
		prof, err = load.OpenWith(paths, times, dump)
	}
	if err == nil && recovery != "" {
		prof.Notes = append([]string{recovery}, prof.Notes...)
	}
	if err != nil {
		if removeDemo != nil {
			removeDemo()
		}
		return nil, nil, err
	}
	return prof, func() {
		prof.Close()
		if removeDemo != nil {
			removeDemo()
		}
	}, nil
}
