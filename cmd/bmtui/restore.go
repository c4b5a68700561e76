package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/restore"
	"github.com/bmtui/bmtui/source/catalog"
	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/ui"
)

type restoreOptions struct {
	profile  profileFlags
	from, to string
	guids    []string
	yes      bool
}

func newRestoreCmd(ctx context.Context, io stdio) *cobra.Command {
	var o restoreOptions
	c := &cobra.Command{
		Use:   "restore --from SOURCE --guid GUID... [--to FOLDER_GUID] [profile flags] [--yes]",
		Short: "Bring items or whole folders back into Places from a backup, the mirror or another copy.",
		Long: "Previews what comes back where and what Firefox will upload at its next sync, asks\n" +
			"(unless --yes), backs up places.sqlite, writes, and verifies (bmtui undo restores it).\n" +
			"Restored items keep their GUIDs and go back to their old folder, else the nearest one\n" +
			"above it that remains, else --to. Nothing else changes; the mirror is not touched.\n" +
			"SOURCE is mirror, corrupt, html, backup:YYYY-MM-DD, bmtui:NAME, or a .jsonlz4, .json,\n" +
			".html or .sqlite file.",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runRestore(ctx, &o, io) },
	}
	o.profile.register(c.Flags())
	f := c.Flags()
	f.StringVar(&o.from, "from", "", "the `SOURCE` to restore from")
	f.StringSliceVar(&o.guids, "guid", nil, "an item or folder to restore, by `GUID` (repeatable)")
	f.StringVar(&o.to, "to", "", "the folder (`FOLDER_GUID` in Places) for items whose old folders are all gone")
	f.BoolVar(&o.yes, "yes", false, "write without asking")
	profileCompletions(c)
	for _, name := range []string{"guid", "to"} {
		_ = c.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
	return c
}

func runRestore(ctx context.Context, o *restoreOptions, io stdio) error {
	if o.from == "" {
		return usageError{"restore needs --from SOURCE"}
	}
	if len(o.guids) == 0 {
		return usageError{"restore needs at least one --guid GUID"}
	}
	if o.from == catalog.IDPlaces {
		return usageError{"--from places is what restore writes to; name another source"}
	}
	if !o.yes && !isTerminal(io.in) {
		return errors.New("not restored: no terminal to confirm on; pass --yes to restore without asking")
	}
	pf := &o.profile
	prof, cleanup, err := pf.openToWrite(io.out)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := restorable(prof); err != nil {
		return err
	}
	plan, rp, err := planRestore(prof, o.from, restore.Options{GUIDs: o.guids, To: o.to})
	if err != nil {
		return fmt.Errorf("not restored: %w", err)
	}
	printRestorePreview(io.out, rp, plan.Preview)
	if len(plan.Set.Changes) == 0 {
		fmt.Fprintln(io.out, "nothing to restore")
		return nil
	}
	if !o.yes {
		ok, err := confirm(io, fmt.Sprintf("Restore %s into %s?", count(len(plan.Set.Changes), "item"), prof.Paths.Places))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("not restored: declined")
		}
	}
	rep, err := apply.WriteEdit(ctx, plan, apply.Options{})
	if err != nil {
		return fmt.Errorf("not restored: %w", err)
	}
	printRestored(io.out, rep)
	return nil
}

// restorable says why a loaded profile cannot be restored into.
func restorable(prof *load.Profile) error {
	if prof.FirefoxPID != 0 {
		return fmt.Errorf("not restored: Firefox is running (pid %d) with %s; quit it first", prof.FirefoxPID, prof.Paths.Dir)
	}
	abs := func(s string) string { a, _ := filepath.Abs(s); return a }
	if prof.Paths.Dir == "" || abs(prof.Paths.Places) != abs(filepath.Join(prof.Paths.Dir, "places.sqlite")) {
		return errors.New("not restored: restore writes a profile's places.sqlite; name it with --profile DIR")
	}
	if prof.Local.TreeErr != nil {
		return fmt.Errorf("not restored: the local tree cannot be changed safely: %w", prof.Local.TreeErr)
	}
	return nil
}

// planRestore reads the source the spec names and plans the restore into
// the profile's Places tree.
func planRestore(prof *load.Profile, from string, opts restore.Options) (*apply.EditPlan, *restore.Plan, error) {
	src, err := catalog.Resolve(prof.Paths.Dir, from, salvagedLister(from))
	if err != nil {
		return nil, nil, err
	}
	res, err := src.Load(prof.Clocks.Remote)
	src.Close()
	if err != nil {
		return nil, nil, err
	}
	opts.From = from
	if filepath.IsAbs(from) || filepath.Ext(from) != "" {
		opts.From = filepath.Base(from)
	}
	rp, err := restore.Make(res, prof.Local.Tree, opts)
	if err != nil {
		return nil, nil, err
	}
	plan, err := apply.PlanEdit(prof.Paths.Dir, prof.Local.Tree, prof.Places.Stamp(), rp.Set, time.Now())
	if err != nil {
		return nil, nil, err
	}
	return plan, rp, nil
}

// printRestorePreview prints what comes back where and what Firefox will
// upload, as the merge preview does for a merge.
func printRestorePreview(w io.Writer, rp *restore.Plan, p *edit.Result) {
	fmt.Fprintf(w, "%s: %s back into Places\n", rp.Set.Label, count(len(p.Steps), "item"))
	for _, st := range p.Steps {
		text := st.Text
		if st.Why != "" {
			text = strings.TrimSuffix(text, " ("+st.Why+")")
		}
		fmt.Fprintf(w, "  + %s\n", text)
	}
	for _, n := range rp.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	u := p.Upload
	fmt.Fprintf(w, "Firefox will upload at its next sync: %s, %s whose children change, %s",
		count(len(u.Items), "item"), count(len(u.Parents), "folder"), count(len(u.Tombstones), "deletion"))
	if len(u.Revived) > 0 {
		fmt.Fprintf(w, "; %s removed", count(len(u.Revived), "tombstone"))
	}
	fmt.Fprintln(w)
}

func printRestored(w io.Writer, rep *apply.EditReport) {
	fmt.Fprintf(w, "restored in %v\n", rep.Timings.Total.Round(time.Millisecond))
	fmt.Fprintf(w, "backup of places.sqlite: %s (bmtui undo restores it)\n", rep.BackupDir)
	if rep.FirefoxBackup != "" {
		fmt.Fprintf(w, "Firefox bookmark backup: %s\n", rep.FirefoxBackup)
	}
	if rep.Verified {
		fmt.Fprintln(w, "verified: places.sqlite read back and matches the preview")
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// count is "1 item", "2 items".
func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// restoreFunc is the app's R: it plans restoring the right pane's
// selection (the mirror, the only other source the explorer shows) into
// prof, and writes it on confirmation. After a write the app opens the
// profile again (AppInput.Reload), so the next restore is planned from the
// new file; a write from a stale preview is refused (apply.ErrChanged),
// never applied to a profile it was not planned on.
func restoreFunc(ctx context.Context, prof *load.Profile) ui.RestoreFunc {
	return func(req ui.RestoreRequest) (*ui.RestorePreview, error) {
		if err := restorable(prof); err != nil {
			return nil, err
		}
		from := cmp.Or(req.Source, catalog.IDMirror)
		plan, rp, err := planRestore(prof, from, restore.Options{GUIDs: req.GUIDs})
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		printRestorePreview(&b, rp, plan.Preview)
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		p := &ui.RestorePreview{Title: lines[0], Upload: lines[len(lines)-1]}
		for _, l := range lines[1 : len(lines)-1] {
			if t, ok := strings.CutPrefix(l, "  + "); ok {
				p.Lines = append(p.Lines, t)
			} else {
				p.Notes = append(p.Notes, strings.TrimPrefix(l, "note: "))
			}
		}
		if len(plan.Set.Changes) > 0 {
			p.Write = func() (string, error) {
				rep, err := apply.WriteEdit(ctx, plan, apply.Options{})
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("restored and verified; backup of places.sqlite: %s (bmtui undo restores it)", rep.BackupDir), nil
			}
		}
		return p, nil
	}
}
