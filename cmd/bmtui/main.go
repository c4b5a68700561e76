// Command bmtui inspects, merges and repairs Firefox bookmarks.
//
// This file and its siblings only turn flags into options and call the
// packages that do the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"time"

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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}

type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `bmtui: see and repair Firefox bookmarks and their Sync state.

Usage:
  bmtui [profile flags] [--theme NAME]        explore both trees side by side
  bmtui validate [profile flags] [--json]     list problems (exit 3 if any)
  bmtui tree --side local|remote [profile flags] [--json]
                                              print one tree
  bmtui merge [profile flags] [--json]        preview Firefox's merge; writes nothing
  bmtui apply [profile flags] [--resolutions FILE] [--choose ID=ALT]... [--yes]
                                              write the merge to the profile (after a backup)
  bmtui undo --profile DIR [--yes]            restore the profile from the last apply's backup
  bmtui serve [profile flags] [--listen ADDR] [--authorized-keys FILE] [--host-key FILE] [--redact]
                                              the same UI over SSH for support sessions

Profile flags:
  --profile DIR          a Firefox profile folder
  --places FILE          a places.sqlite (with --mirror FILE for its mirror)
  --demo                 a generated sample profile (a temporary copy)
  --local-time SECONDS   the local clock to measure ages against (default now)
  --remote-time SECONDS  the server's clock (default now)
With no profile flag, Firefox's default profile is used.

Exit codes: 0 ok, 1 error, 2 usage, 3 problems found.
`

func run(ctx context.Context, args []string, io stdio) int {
	cmd := "explore"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "explore":
		err = runExplore(ctx, args, io)
	case "validate":
		err = runValidate(args, io)
	case "tree":
		err = runTree(args, io)
	case "merge":
		err = runMerge(ctx, args, io)
	case "apply":
		err = runApply(ctx, args, io)
	case "undo":
		err = runUndo(args, io)
	case "serve":
		err = runServe(ctx, args, io)
	case "help":
		fmt.Fprint(io.out, usage)
		return exitOK
	default:
		err = usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
	return report(err, io)
}

// errProblemsFound makes validate exit with code 3 after printing its report.
var errProblemsFound = errors.New("problems found")

func report(err error, io stdio) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errProblemsFound):
		return exitProblems
	case errors.As(err, &ue):
		fmt.Fprintf(io.err, "bmtui: %s\nRun 'bmtui help' for usage.\n", ue.msg)
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
	localTime, remoteTime   string
	// finishApply makes open first finish an apply that was interrupted
	// (bmtui killed, power lost): Apply refuses until that is done. Set
	// by the commands that can apply.
	finishApply bool
}

func (p *profileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.profile, "profile", "", "Firefox profile folder")
	fs.StringVar(&p.places, "places", "", "places.sqlite file")
	fs.StringVar(&p.mirror, "mirror", "", "weave/bookmarks.sqlite file (with --places)")
	fs.BoolVar(&p.demo, "demo", false, "use a generated sample profile")
	fs.StringVar(&p.localTime, "local-time", "", "local clock, seconds since the epoch (default now)")
	fs.StringVar(&p.remoteTime, "remote-time", "", "server clock, seconds since the epoch (default now)")
}

func newFlagSet(name string, io stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() { fmt.Fprint(io.err, usage) }
	return fs
}

// parse parses flags, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
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

// open resolves and loads the profile the flags name. cleanup removes a
// demo profile and the snapshots.
func (p *profileFlags) open() (prof *load.Profile, cleanup func(), err error) {
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
	if err == nil && p.finishApply && paths.Standard() {
		// Refused while Firefox runs; the profile still opens, and an
		// apply says why it cannot write.
		if finished, rerr := apply.Recover(paths.Dir); rerr != nil {
			recovery = "an interrupted bmtui apply is not finished: " + rerr.Error()
		} else if finished {
			recovery = "finished an interrupted bmtui apply: the profile is either as it was before it or fully merged"
		}
	}
	if err == nil {
		prof, err = load.Open(paths, times)
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
