package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/dupes/backups"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/sync/tree"
)

type dupesOptions struct {
	profile   profileFlags
	side      string
	json, tui bool
	fix, yes  bool
	theme     string
	chosen    []string
	backups   int
}

func newDupesCmd(ctx context.Context, io stdio) *cobra.Command {
	var o dupesOptions
	c := &cobra.Command{
		Use:   "dupes [profile flags] [--side local|remote] [--json] [--choose GROUP=COPY]...",
		Short: "Find duplicate copies, twin and flattened folders; exit 3 if there is something to fix.",
		Long: "Lists every group of duplicates in one tree with where each copy came from (the\n" +
			"other side, the backups in bookmarkbackups/) and the copy kept, and why. --choose\n" +
			"keeps another copy (GROUP=GUID) or leaves a group alone (GROUP=none); a same-url\n" +
			"group is fixed only when chosen. --fix writes the fix to places.sqlite after a\n" +
			"preview and a backup (bmtui undo restores it); Firefox's next sync uploads it.",
		Annotations: map[string]string{"usage": "bmtui dupes --fix [profile flags] [--choose GROUP=COPY]... [--yes]\n  bmtui dupes --tui [profile flags] [--side local|remote] [--theme NAME]"},
		Args:        noArgs,
		RunE:        func(*cobra.Command, []string) error { return runDupes(ctx, &o, io) },
	}
	o.profile.register(c.Flags())
	f := c.Flags()
	f.StringVar(&o.side, "side", "local", "the tree to examine, `SIDE`: local or remote")
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.StringArrayVar(&o.chosen, "choose", nil, "keep copy `GROUP=COPY` (a GUID, or none to leave the group alone; repeatable; IDs as listed)")
	f.BoolVar(&o.fix, "fix", false, "write the fix to the profile (local side only)")
	f.BoolVar(&o.yes, "yes", false, "fix without asking")
	f.BoolVar(&o.tui, "tui", false, "open the dupes screen instead of printing")
	f.IntVar(&o.backups, "backups", backups.DefaultLimit, "read the newest `N` backups in bookmarkbackups/ (0: all, up to 64)")
	themeFlag(c, &o.theme, " (with --tui)")
	profileCompletions(c)
	_ = c.RegisterFlagCompletionFunc("side", cobra.FixedCompletions([]cobra.Completion{"local", "remote"}, cobra.ShellCompDirectiveNoFileComp))
	_ = c.RegisterFlagCompletionFunc("choose", cobra.NoFileCompletions)
	return c
}

func runDupes(ctx context.Context, o *dupesOptions, io stdio) error {
	if o.side != "local" && o.side != "remote" {
		return usageError{fmt.Sprintf("--side must be local or remote, got %q", o.side)}
	}
	if o.fix && o.side != "local" {
		return usageError{"--fix writes the local tree only: drop --side remote"}
	}
	if o.fix && (o.json || o.tui) {
		return usageError{"--fix cannot be combined with --json or --tui"}
	}
	if o.backups < 0 {
		return usageError{fmt.Sprintf("--backups must be 0 or more, got %d", o.backups)}
	}
	if o.yes && !o.fix {
		return usageError{"--yes goes with --fix"}
	}
	if o.fix {
		o.profile.finishApply = true
	}
	// The backups are read while the databases are: neither waits.
	refs := readBackupsAsync(&o.profile, o.backups)
	prof, cleanup, err := o.profile.open()
	if err != nil {
		return err
	}
	defer cleanup()
	found, err := findDupes(prof, o.side, o.chosen, refs, o.backups)
	if err != nil {
		return err
	}
	switch {
	case o.tui:
		return runDupesTUI(ctx, prof, found, o)
	case o.fix:
		return fixDupes(ctx, prof, found, o, io)
	case o.json:
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		j := found.report.JSON(found.backupNames)
		j.BackupsFound = found.backupsFound
		if err := enc.Encode(j); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	default:
		for _, n := range found.notes {
			fmt.Fprintf(io.out, "note: %s\n", n)
		}
		fmt.Fprintln(io.out, found.backupsLine())
		if err := found.report.WriteText(io.out); err != nil {
			return err
		}
	}
	if found.report.ToFix() > 0 {
		return errProblemsFound
	}
	return nil
}

// dupesFound is one tree's groups and what they were found with.
type dupesFound struct {
	tree        *tree.Tree
	report      *dupes.Report
	input       dupes.Input
	backupNames []string
	// backupsFound is the number of backups in bookmarkbackups/, read
	// or not.
	backupsFound int
	backupAt     []int64
	notes        []string
}

// backupsLine says which backups the groups were found with.
func (f *dupesFound) backupsLine() string {
	n := len(f.backupNames)
	if n == 0 {
		if f.backupsFound == 0 {
			return "backups: none in bookmarkbackups/"
		}
		return fmt.Sprintf("backups: none of %d read", f.backupsFound)
	}
	span := func() string {
		newest := time.UnixMicro(f.backupAt[0]).UTC().Format("2006-01-02")
		if n == 1 {
			return newest
		}
		return newest + " back to " + time.UnixMicro(f.backupAt[n-1]).UTC().Format("2006-01-02")
	}()
	if n < f.backupsFound {
		return fmt.Sprintf("backups: the newest %d of %d read, %s (--backups 0 reads all)", n, f.backupsFound, span)
	}
	return fmt.Sprintf("backups: %d read, %s", n, span)
}

// findDupes reads the backups and finds the groups of one side, with the
// user's choices made.
func findDupes(prof *load.Profile, side string, chosen []string, read <-chan backupsRead, limit int) (*dupesFound, error) {
	in := dupes.Input{Tree: prof.Local.Tree, Side: tree.Local}
	if prof.Remote != nil {
		in.Other = prof.Remote.Tree
	}
	if side == "remote" {
		if prof.Remote == nil {
			return nil, fmt.Errorf("profile %s has no Sync mirror, so there is no remote tree", prof.Paths.Dir)
		}
		in = dupes.Input{Tree: prof.Remote.Tree, Side: tree.Remote, Other: prof.Local.Tree}
	}
	found := &dupesFound{tree: in.Tree, notes: append([]string{}, prof.Notes...)}
	br := <-read
	if br.dir != prof.Paths.Dir {
		br = loadBackups(prof.Paths.Dir, limit)
	}
	if br.err != nil {
		found.notes = append(found.notes, br.err.Error())
	}
	found.notes = append(found.notes, br.notes...)
	found.backupsFound = br.found
	in.Backups = br.refs
	for _, r := range br.refs {
		found.backupNames = append(found.backupNames, r.Name)
		found.backupAt = append(found.backupAt, r.At)
	}
	found.input = in
	found.report = dupes.Find(in)
	for _, c := range chosen {
		id, copy, err := dupes.ParseChoice(c)
		if err != nil {
			return nil, usageError{"--choose: " + err.Error()}
		}
		if err := found.report.Choose(id, copy); err != nil {
			return nil, usageError{"--choose: " + err.Error()}
		}
	}
	return found, nil
}

// backupsRead is what reading a profile's backups gave.
type backupsRead struct {
	dir   string
	refs  []dupes.Reference
	notes []string
	found int
	err   error
}

// loadBackups reads the newest limit backups of the profile in dir.
func loadBackups(dir string, limit int) backupsRead {
	r, err := backups.Load(dir, limit)
	if err != nil {
		return backupsRead{dir: dir, err: err}
	}
	return backupsRead{dir: dir, refs: r.Refs, notes: r.Notes, found: r.Found}
}

// readBackupsAsync reads the backups of the profile the flags name in
// the background. For a profile it cannot name before opening (--demo,
// a mistake) it sends nothing read, and findDupes reads them then.
func readBackupsAsync(pf *profileFlags, limit int) <-chan backupsRead {
	ch := make(chan backupsRead, 1)
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(pf.profile, pf.places, pf.mirror, home, runtime.GOOS)
	if pf.demo || err != nil {
		ch <- backupsRead{}
		return ch
	}
	go func() { ch <- loadBackups(paths.Dir, limit) }()
	return ch
}
