package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/sync/tree"
)

func runValidate(o *validateOptions, io stdio) error {
	pf := &o.profile
	prof, cleanup, err := pf.open()
	if err != nil {
		return err
	}
	defer cleanup()

	placesName, mirrorName := prof.Paths.Places, prof.Paths.Mirror
	if prof.Case != nil {
		// The unpacked copies are private: name the case.
		placesName = prof.Case.Path + ": places.sqlite"
		if mirrorName != "" {
			mirrorName = prof.Case.Path + ": weave/bookmarks.sqlite"
		}
	}
	out := jsonout.Validate{
		Places:   placesName,
		Mirror:   mirrorName,
		Problems: prof.ProblemCount(),
		Local:    jsonout.NewSideReport(prof.Local.Tree, prof.Local.Report),
		Notes:    append([]string{}, prof.Notes...),
	}
	if prof.Remote != nil {
		out.Remote = jsonout.NewSideReport(prof.Remote.Tree, prof.Remote.Report)
	}
	if prof.Dump != nil {
		out.Mirror, out.Dump, out.DumpKind = "", pf.remote, string(prof.Remote.Provenance.Kind)
	}
	localDamage, remoteDamage, err := prof.Damage()
	if err != nil {
		out.Notes = append(out.Notes, "structural check incomplete: "+oneLine(err.Error()))
	}
	out.Local.AddDamage("local", localDamage)
	if out.Remote != nil {
		out.Remote.AddDamage("remote", remoteDamage)
	}
	out.Problems += len(localDamage) + len(remoteDamage)
	if o.json {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	} else {
		printValidate(io.out, prof, &out)
	}
	if out.Problems > 0 {
		return errProblemsFound
	}
	return nil
}

func printValidate(dst io.Writer, prof *load.Profile, out *jsonout.Validate) {
	w := bufio.NewWriter(dst) // a corrupt profile can have many findings
	defer w.Flush()
	for _, n := range out.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	var damage []dbcheck.Damage
	for _, r := range []*jsonout.SideReport{out.Local, out.Remote} {
		for _, f := range sideFindings(r) {
			if f.Kind == jsonout.DamagedFile {
				damage = append(damage, f.Damage())
			}
		}
	}
	if len(damage) > 0 {
		fmt.Fprintf(w, "damaged: %s\n", dbcheck.Summary(damage))
	}
	side := func(name string, t *tree.Tree, r *jsonout.SideReport) {
		if r == nil {
			fmt.Fprintf(w, "%s: no mirror\n", name)
			return
		}
		fmt.Fprintf(w, "%s: %d items, %d tombstones, %d problems\n", name, r.Items-1, r.Tombstones, len(r.Findings))
		for _, c := range countLines(r) {
			fmt.Fprintf(w, "  %s\n", c)
		}
		for _, f := range r.Findings {
			if f.Kind == jsonout.DamagedFile {
				fmt.Fprintf(w, "  %-24s %s: %s\n", f.Kind, cmp.Or(f.Damage().Where(), f.File), f.Detail)
				continue
			}
			title := ""
			if n := t.Lookup(f.GUID); n != nil && n.Info != nil && n.Info.Title != "" {
				title = fmt.Sprintf(" %q", n.Info.Title)
			}
			fmt.Fprintf(w, "  %-24s %s%s: %s\n", f.Kind, f.GUID, title, f.Detail)
		}
	}
	side("local ("+out.Places+")", prof.Local.Tree, out.Local)
	mirror := out.Mirror
	if out.Dump != "" {
		mirror = out.Dump
	}
	if mirror == "" {
		mirror = "none"
	}
	var remote *tree.Tree
	if prof.Remote != nil {
		remote = prof.Remote.Tree
	}
	side("remote ("+mirror+")", remote, out.Remote)
	if out.Problems == 0 {
		fmt.Fprintln(w, "no problems found")
	}
}

func sideFindings(r *jsonout.SideReport) []jsonout.Finding {
	if r == nil {
		return nil
	}
	return r.Findings
}

// countLines lists the non-zero counters as "name: n", Firefox's names first.
func countLines(r *jsonout.SideReport) []string {
	raw, _ := json.Marshal(r.Counts)
	var m map[string]int
	_ = json.Unmarshal(raw, &m)
	for k, v := range r.Extra {
		m[k] = v
	}
	var lines []string
	for k, v := range m {
		if v > 0 {
			lines = append(lines, fmt.Sprintf("%s: %d", k, v))
		}
	}
	sort.Strings(lines)
	return lines
}
