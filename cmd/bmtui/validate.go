package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/sync/tree"
)

func runValidate(args []string, io stdio) error {
	fs := newFlagSet("validate", io)
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

	out := jsonout.Validate{
		Places:   prof.Paths.Places,
		Mirror:   prof.Paths.Mirror,
		Problems: prof.ProblemCount(),
		Local:    jsonout.NewSideReport(prof.Local.Tree, prof.Local.Report),
		Notes:    append([]string{}, prof.Notes...),
	}
	if prof.Remote != nil {
		out.Remote = jsonout.NewSideReport(prof.Remote.Tree, prof.Remote.Report)
	}
	if *asJSON {
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
			title := ""
			if n := t.Lookup(f.GUID); n != nil && n.Info != nil && n.Info.Title != "" {
				title = fmt.Sprintf(" %q", n.Info.Title)
			}
			fmt.Fprintf(w, "  %-24s %s%s: %s\n", f.Kind, f.GUID, title, f.Detail)
		}
	}
	side("local ("+out.Places+")", prof.Local.Tree, out.Local)
	mirror := out.Mirror
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
