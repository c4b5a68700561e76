package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"golang.org/x/term"
)

// errDeclined is the user answering no: nothing written, exit 1.
var errDeclined = errors.New("not applied: declined")

func runApply(ctx context.Context, o *applyOptions, io stdio) error {
	pf := &o.profile
	if err := pf.writable("apply"); err != nil {
		return err
	}
	if !o.yes && !isTerminal(io.in) {
		return errors.New("not applied: no terminal to confirm on; pass --yes to apply without asking")
	}
	session, err := readSession(o.resolutions, pf)
	if err != nil {
		return err
	}
	if pf.remote != "" {
		return errors.New(readOnlyRemote)
	}
	prof, cleanup, err := pf.openToWrite(io.out)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := applicable(prof); err != nil {
		return err
	}
	view, err := resolvedView(ctx, prof, session, o.resolutions, o.chosen)
	if err != nil {
		return err
	}
	printSummary(io.out, view.Summary())
	if !o.yes {
		ok, err := confirm(io, "Apply this merge to "+prof.Paths.Dir+"?")
		if err != nil {
			return err
		}
		if !ok {
			return errDeclined
		}
	}
	rep, err := applyView(ctx, prof, view, o.outgoing)
	if err != nil {
		return err
	}
	printApplied(io.out, rep)
	return nil
}

// readSession reads a saved session, and makes its clocks the defaults.
func readSession(path string, pf *profileFlags) (*mergeview.Session, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open resolutions: %w", err)
	}
	defer f.Close()
	s, err := mergeview.ReadSession(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if pf.localTime == "" {
		pf.localTime = fmt.Sprint(s.Local.Time.Unix())
	}
	if pf.remoteTime == "" {
		pf.remoteTime = fmt.Sprint(s.Remote.Time.Unix())
	}
	return s, nil
}

// applicable says why a loaded profile cannot be written, if it cannot.
func applicable(prof *load.Profile) error {
	if err := prof.Writable(); err != nil {
		return fmt.Errorf("not applied: %w", err)
	}
	if prof.FirefoxPID != 0 {
		return fmt.Errorf("not applied: Firefox is running (pid %d) with %s; quit it first", prof.FirefoxPID, prof.Paths.Dir)
	}
	if prof.Dump != nil {
		return errors.New(readOnlyRemote)
	}
	if !prof.StandardLayout() {
		return errors.New("not applied: apply writes a whole profile; name it with --profile DIR (places.sqlite and weave/bookmarks.sqlite)")
	}
	return nil
}

// applyView writes the view's merge to the profile it was read from.
func applyView(ctx context.Context, prof *load.Profile, view *mergeview.View, outgoing string) (*apply.Report, error) {
	plan, err := apply.PlanFor(prof, view.Result())
	if err != nil {
		return nil, fmt.Errorf("apply to %s: %w", prof.Paths.Dir, err)
	}
	rep, err := apply.Apply(ctx, prof.Paths.Dir, plan, apply.Options{OutgoingPath: outgoing})
	if err != nil {
		return rep, fmt.Errorf("apply to %s: %w", prof.Paths.Dir, err)
	}
	return rep, nil
}

func printSummary(w io.Writer, s mergeview.Summary) {
	fmt.Fprintf(w, "merge: %d items; %d changed here, %d items uploaded, %d deleted here, %d deleted on the server, %d deduplicated; %d conflicts overridden, %d left to the merge\n",
		s.Items, s.AppliedLocally, s.Uploaded, s.DeletedLocally, s.DeletedRemotely, s.Dupes, s.ConflictsDecided, s.ConflictsOpen)
}

func printApplied(w io.Writer, rep *apply.Report) {
	if rep.Skipped {
		fmt.Fprintln(w, "nothing to apply: the profile already agrees with the server")
		return
	}
	fmt.Fprintf(w, "applied in %v\n", rep.Timings.Total.Round(time.Millisecond))
	fmt.Fprintf(w, "backup of both databases: %s (bmtui undo restores it)\n", rep.BackupDir)
	if rep.FirefoxBackup != "" {
		fmt.Fprintf(w, "Firefox bookmark backup: %s\n", rep.FirefoxBackup)
	}
	fmt.Fprintf(w, "records Firefox will upload at its next sync: %d (%s)\n", len(rep.Outgoing), rep.OutgoingPath)
	if rep.Verified {
		fmt.Fprintln(w, "verified: both databases read back and match the merge")
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

func runUndo(o *undoOptions, io stdio) error {
	if o.profile == "" {
		return usageError{"undo needs --profile DIR"}
	}
	last, err := apply.LastBackup(o.profile)
	if err != nil {
		return err
	}
	if last == "" {
		return fmt.Errorf("nothing to undo: %s has no bmtui backup", o.profile)
	}
	if !o.yes {
		if !isTerminal(io.in) {
			return errors.New("not restored: no terminal to confirm on; pass --yes to restore without asking")
		}
		ok, err := confirm(io, fmt.Sprintf("Restore %s to its state before the last apply (%s)?", o.profile, last))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("not restored: declined")
		}
	}
	dir, err := apply.Undo(o.profile)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "restored %s from %s\n", o.profile, dir)
	return nil
}

// isTerminal reports whether r is an interactive terminal. A character
// device is not enough: /dev/null is one, and a question asked on it
// reads EOF.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func confirm(io stdio, question string) (bool, error) {
	fmt.Fprintf(io.out, "%s [y/N] ", question)
	line, err := bufio.NewReader(io.in).ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("no answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
