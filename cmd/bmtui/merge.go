package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/sync/merge"
)

func runMerge(ctx context.Context, args []string, io stdio) error {
	fs := newFlagSet("merge", io)
	var pf profileFlags
	pf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	prof, cleanup, err := pf.open()
	if err != nil {
		return err
	}
	defer cleanup()
	res, err := mergeProfile(ctx, prof, merge.Overrides{})
	if err != nil {
		return err
	}
	out := jsonout.NewMerge(res)
	out.LocalTime, out.RemoteTime = prof.Times.Local.Unix(), prof.Times.Remote.Unix()
	out.Problems.Local = jsonout.NewSideReport(prof.Local, prof.LocalReport)
	out.Problems.Remote = jsonout.NewSideReport(prof.Remote, prof.RemoteReport)
	out.Notes = append([]string{}, prof.Notes...)
	if *asJSON {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		return nil
	}
	printMerge(io.out, out)
	return nil
}

// mergeProfile runs the merge the way Firefox would on this profile now.
func mergeProfile(ctx context.Context, prof *load.Profile, overrides merge.Overrides) (*merge.Result, error) {
	if prof.Remote == nil {
		return nil, fmt.Errorf("profile %s has no Sync mirror (weave/bookmarks.sqlite): nothing to merge", prof.Paths.Dir)
	}
	if prof.LocalErr != nil {
		return nil, fmt.Errorf("cannot merge: local tree: %w", prof.LocalErr)
	}
	if prof.RemoteErr != nil {
		return nil, fmt.Errorf("cannot merge: remote tree: %w", prof.RemoteErr)
	}
	res, err := merge.Merge(ctx, prof.Local, prof.Remote, merge.Options{NewGUID: merge.StableGUID, Overrides: overrides, Explain: true})
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", prof.Paths.Dir, err)
	}
	return res, nil
}

func printMerge(w io.Writer, m *jsonout.Merge) {
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
	for _, d := range m.Conflicts {
		other := ""
		if d.Other != "" {
			other = " (" + d.Other + ")"
		}
		fmt.Fprintf(w, "  %-12s %s: %s, %s%s\n", d.Kind, d.GUID, d.Chosen, d.Reason, other)
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
