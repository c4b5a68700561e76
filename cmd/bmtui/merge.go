package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
)

// choices is the repeatable --choose CONFLICT=ALTERNATIVE flag.
type choices []mergeview.Resolution

func (c *choices) String() string {
	s := make([]string, len(*c))
	for i, r := range *c {
		s[i] = r.Conflict + "=" + r.Choice
	}
	return strings.Join(s, " ")
}

// Type names the value in help and errors.
func (c *choices) Type() string { return "CONFLICT=ALTERNATIVE" }

func (c *choices) Set(v string) error {
	id, alt, ok := strings.Cut(v, "=")
	if !ok || id == "" || alt == "" {
		return fmt.Errorf("want CONFLICT=ALTERNATIVE, e.g. value:bmkMdn______=local")
	}
	*c = append(*c, mergeview.Resolution{Conflict: id, Choice: alt})
	return nil
}

func runMerge(ctx context.Context, o *mergeOptions, io stdio) error {
	pf := &o.profile
	session, err := readSession(o.resolutions, pf)
	if err != nil {
		return err
	}
	if o.tui {
		if o.json || len(o.chosen) > 0 {
			return usageError{"--tui opens the merge screen; choose there (--json and --choose are for scripts)"}
		}
		return runApp(ctx, pf, appOptions{theme: o.theme, startInMerge: true, session: session, saveTo: o.saveTo}, io)
	}
	prof, cleanup, err := pf.open()
	if err != nil {
		return err
	}
	defer cleanup()
	from := o.resolutions
	if session == nil {
		if session, err = caseSession(prof); err != nil {
			return err
		}
		from = pf.caseFile
	}
	view, err := resolvedView(ctx, prof, session, from, o.chosen)
	if err != nil {
		return err
	}
	if o.saveTo != "" {
		if err := saveSession(o.saveTo, view); err != nil {
			return err
		}
	}
	out := jsonout.NewMerge(view.Result())
	if o.json {
		if out.Outgoing, err = apply.OutgoingPreview(ctx, prof, view.Result()); err != nil {
			return fmt.Errorf("preview the outgoing records: %w", err)
		}
	}
	out.Conflicts = jsonout.NewConflicts(view.Conflicts())
	out.Summary.Conflicts = len(out.Conflicts)
	out.LocalTime, out.RemoteTime = prof.Clocks.Local.Unix(), prof.Clocks.Remote.Unix()
	out.Problems.Local = jsonout.NewSideReport(prof.Local.Tree, prof.Local.Report)
	out.Problems.Remote = jsonout.NewSideReport(prof.Remote.Tree, prof.Remote.Report)
	out.Notes = append([]string{}, prof.Notes...)
	if o.json {
		if err := out.WriteIndented(io.out); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		return nil
	}
	printMerge(io.out, out)
	return nil
}

// mergeView runs the merge the way Firefox would on this profile at the
// profile's times, recording every decision.
func mergeView(ctx context.Context, prof *load.Profile) (*mergeview.View, error) {
	if err := prof.MergeErr(); err != nil {
		return nil, err
	}
	v, err := mergeview.New(ctx, mergeview.Input{
		Local:   prof.Local.Tree,
		Remote:  prof.Remote.Tree,
		Now:     prof.Clocks,
		Rebuild: prof.Rebuild,
		Explain: true,
	})
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", prof.Paths.Dir, err)
	}
	return v, nil
}

// resolvedView merges the profile and applies the user's resolutions: a
// saved session first, then each --choose.
func resolvedView(ctx context.Context, prof *load.Profile, session *mergeview.Session, sessionPath string, chosen choices) (*mergeview.View, error) {
	view, err := mergeView(ctx, prof)
	if err != nil {
		return nil, err
	}
	if session != nil {
		if view, err = view.Replay(ctx, session); err != nil {
			return nil, fmt.Errorf("%s: %w", sessionPath, err)
		}
	}
	for _, c := range chosen {
		if view, err = view.Choose(c.Conflict, c.Choice); err != nil {
			return nil, usageError{fmt.Sprintf("--choose %s=%s: %v", c.Conflict, c.Choice, err)}
		}
	}
	return view, nil
}

func saveSession(path string, v *mergeview.View) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save resolutions: %w", err)
	}
	if err := v.Save(f); err != nil {
		f.Close()
		return fmt.Errorf("save resolutions %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save resolutions %s: %w", path, err)
	}
	return nil
}

func printMerge(out io.Writer, m *jsonout.Merge) {
	// A first sync lists tens of thousands of conflicts: one write per
	// line would be a system call each.
	w := bufio.NewWriter(out)
	defer w.Flush()
	for _, n := range m.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	s := m.Summary
	fmt.Fprintf(w, "merged tree: %d items\n", s.Items)
	fmt.Fprintf(w, "applied locally: %d items (%d values from the server, %d moves, %d GUID changes, %d deletions)\n",
		s.AppliedLocally, len(m.ApplyLocally.Values), len(m.ApplyLocally.Moves), len(m.ApplyLocally.GUIDs), len(m.ApplyLocally.Deletions))
	fmt.Fprintf(w, "uploaded: %d records (%d items, %d tombstones)\n", s.Uploaded, len(m.Upload.Items), len(m.Upload.Tombstones))
	fmt.Fprintf(w, "deleted: %d locally, %d on the server\n", s.DeletedLocally, s.DeletedRemote)
	c := m.Counts
	fmt.Fprintf(w, "deduplicated: %d; revived: %d local, %d remote; deletions that won: %d local, %d remote\n",
		c.Dupes, c.LocalRevives, c.RemoteRevives, c.LocalDeletes, c.RemoteDeletes)
	fmt.Fprintf(w, "conflicts resolved by the merge: %d\n", s.Conflicts)
	for _, c := range m.Conflicts {
		mark := " "
		if c.Decided {
			mark = "*"
		}
		fmt.Fprintf(w, " %s %-28s %s\n", mark, c.ID, c.Title)
		fmt.Fprintf(w, "     %s: %s\n", c.Current, c.Reason)
	}
	p := 0
	if m.Problems.Local != nil {
		p += len(m.Problems.Local.Findings)
	}
	if m.Problems.Remote != nil {
		p += len(m.Problems.Remote.Findings)
	}
	fmt.Fprintf(w, "problems in the trees: %d (see bmtui validate)\n", p)
}
