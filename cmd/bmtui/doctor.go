package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/doctor"
	"github.com/bmtui/bmtui/doctor/examine"
	"github.com/bmtui/bmtui/internal/load"
)

type doctorOptions struct {
	profile profileFlags
	json    bool
}

func newDoctorCmd(io stdio) *cobra.Command {
	var o doctorOptions
	c := &cobra.Command{
		Use:   "doctor [profile flags] [--json]",
		Short: "Triage a profile: what is wrong, worst first, each with the command that acts on it.",
		Long: `Triage a profile: whether Firefox runs, the structural check of both
databases, a places.sqlite.corrupt, what prefs.js says about Places and
Sync, the bookmark backups, both trees' problems, the sync IDs, and what a
salvage would bring back. Then a ranked diagnosis, each line with the
bmtui command that acts on it.

Exit codes: 0 nothing to do, 3 something to do, 5 bookmarks at risk now
(a damaged or missing places.sqlite, Firefox about to replace it), 1 on
error.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runDoctor(&o, io, time.Now()) },
	}
	o.profile.register(c.Flags())
	c.Flags().BoolVar(&o.json, "json", false, "print JSON")
	profileCompletions(c)
	return c
}

// exitWith ends a command with a given exit code once its output is
// written.
type exitWith int

func (e exitWith) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func runDoctor(o *doctorOptions, io stdio, now time.Time) error {
	pf := &o.profile
	if pf.demo {
		return usageError{"doctor reads a real profile folder: use --profile DIR"}
	}
	if pf.caseFile != "" {
		return caseDoctor(pf.caseFile, io)
	}
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(pf.profile, pf.places, pf.mirror, home, runtime.GOOS)
	if err != nil {
		return err
	}
	if t, err := parseTime("local-time", pf.localTime, now); err != nil {
		return err
	} else {
		now = t
	}
	facts, err := examine.Profile(paths, now)
	if err != nil {
		return err
	}
	rep := doctor.Diagnose(facts, profileArg(pf))
	if o.json {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	} else {
		printDoctor(io.out, rep)
	}
	if code := rep.ExitCode(); code != 0 {
		return exitWith(code)
	}
	return nil
}

// profileArg is how the report's commands name the profile: as the user
// named it.
func profileArg(pf *profileFlags) string {
	switch {
	case pf.places != "" && pf.mirror != "":
		return "--places " + shellQuote(pf.places) + " --mirror " + shellQuote(pf.mirror)
	case pf.places != "":
		return "--places " + shellQuote(pf.places)
	case pf.profile != "":
		return "--profile " + shellQuote(pf.profile)
	}
	return ""
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var severityMarks = map[doctor.Severity]string{
	doctor.Critical: "!!",
	doctor.Warning:  "! ",
	doctor.Advice:   "* ",
	doctor.Info:     "- ",
}

func printDoctor(dst io.Writer, r *doctor.Report) {
	w := bufio.NewWriter(dst)
	defer w.Flush()
	f := r.Facts
	fmt.Fprintf(w, "profile  %s\n", f.Profile)
	if f.FirefoxPID != 0 {
		fmt.Fprintf(w, "firefox  running (pid %d)\n", f.FirefoxPID)
	} else {
		fmt.Fprintln(w, "firefox  not running")
	}
	file := func(name string, x doctor.File, t *doctor.Tree, syncID string) {
		switch {
		case !x.Present:
			fmt.Fprintf(w, "%-8s missing\n", name)
			return
		case x.OpenErr != "":
			fmt.Fprintf(w, "%-8s unreadable: %s\n", name, x.OpenErr)
			return
		}
		state := "sound"
		if len(x.Damage) > 0 {
			state = fmt.Sprintf("damaged (%d objects)", len(x.Damage))
		}
		fmt.Fprintf(w, "%-8s %s, %s", name, sizeOf(x.Size), state)
		if t != nil {
			fmt.Fprintf(w, ", %d bookmarks in %d folders, %d tombstones, %d problems", t.Bookmarks, t.Folders, t.Tombstones, t.Problems.Total())
		}
		if syncID != "" {
			fmt.Fprintf(w, ", sync ID %s", syncID)
		}
		fmt.Fprintln(w)
	}
	file("places", f.Places, f.Local, f.PlacesSyncID)
	if f.Mirror.Path != "" {
		file("mirror", f.Mirror, f.Remote, f.MirrorSyncID)
	} else {
		fmt.Fprintln(w, "mirror   none (never synced)")
	}
	if !f.LastSync.IsZero() {
		fmt.Fprintf(w, "synced   %s\n", f.LastSync.Format("2006-01-02 15:04 MST"))
	}
	switch b := f.Backups; {
	case b.Count == 0:
		fmt.Fprintln(w, "backups  none")
	case b.Newest.IsZero():
		fmt.Fprintf(w, "backups  %d, none named as Firefox names them\n", b.Count)
	default:
		fmt.Fprintf(w, "backups  %d, newest %s, oldest %s\n", b.Count, b.Newest.Format("2006-01-02"), b.Oldest.Format("2006-01-02"))
	}
	switch p := f.Prefs; {
	case !p.Found && p.Err == "":
		fmt.Fprintln(w, "prefs    no prefs.js")
	case p.Err != "":
		fmt.Fprintf(w, "prefs    unreadable: %s\n", p.Err)
	default:
		fmt.Fprintf(w, "prefs    %d about bookmarks and Sync, %d malformed lines\n", len(p.Relevant), len(p.Malformed))
		for _, x := range p.Relevant {
			fmt.Fprintf(w, "         %s = %s\n", x.Name, x.Value)
		}
	}
	fmt.Fprintln(w)
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "nothing wrong found")
		return
	}
	for i, x := range r.Findings {
		fmt.Fprintf(w, "%s %d. %s\n", severityMarks[x.Severity], i+1, x.Title)
		if x.Detail != "" {
			fmt.Fprintf(w, "      %s\n", x.Detail)
		}
		if x.Command != "" {
			fmt.Fprintf(w, "      → %s\n", x.Command)
		}
	}
}

func sizeOf(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// triage is doctor's report on a loaded profile, for the app's and
// serve's first screen.
func triage(p *load.Profile) (*doctor.Report, error) {
	facts, err := examine.Profile(p.Paths, time.Now())
	if err != nil {
		return nil, err
	}
	return doctor.Diagnose(facts, "--profile "+shellQuote(p.Paths.Dir)), nil
}
