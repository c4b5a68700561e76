package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/salvage/scan"
)

type salvageOptions struct {
	profile    profileFlags
	json, tree bool
	write, yes bool
}

func newSalvageCmd(ctx context.Context, io stdio) *cobra.Command {
	var o salvageOptions
	c := &cobra.Command{
		Use:   "salvage [profile flags] [--json] [--tree] [--write [--yes]]",
		Short: "Report a damaged profile and the bookmark tree every source still holds; exit 3 if there is something to salvage.",
		Long: "Reads places.sqlite page by page (with its -wal), places.sqlite.corrupt, the backups in\n" +
			"bookmarkbackups/ and the Sync mirror, without changing them, and prints what is damaged,\n" +
			"what each source gave, and the rebuilt tree: where each item comes from, items whose\n" +
			"folder was lost, items only an older backup holds, and items left deleted. --write\n" +
			"writes the rebuilt database in place of the damaged one, after a backup.",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runSalvage(ctx, &o, io) },
	}
	o.profile.register(c.Flags())
	f := c.Flags()
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.BoolVar(&o.tree, "tree", false, "print the whole rebuilt tree, each item with where it comes from")
	f.BoolVar(&o.write, "write", false, "write the rebuilt places.sqlite (Firefox must not be running)")
	f.BoolVar(&o.yes, "yes", false, "with --write: write without asking")
	profileCompletions(c)
	return c
}

// salvageReport is the JSON output.
type salvageReport struct {
	Profile string `json:"profile"`
	salvage.Report
}

func runSalvage(ctx context.Context, o *salvageOptions, io stdio) error {
	pf := &o.profile
	if pf.demo {
		return usageError{"salvage reads a real profile folder: use --profile DIR"}
	}
	if pf.mirror != "" {
		return usageError{"salvage reads every source of a profile folder: use --profile DIR (or --places FILE, whose folder is read)"}
	}
	if o.yes && !o.write {
		return usageError{"--yes only goes with --write"}
	}
	if o.write {
		if err := pf.writable("salvage --write"); err != nil {
			return err
		}
	}
	home, _ := os.UserHomeDir()
	var paths load.Paths
	var err error
	if pf.caseFile != "" {
		// A case unpacks as a profile folder: its two databases.
		if pf.profile != "" || pf.places != "" {
			return usageError{"--case cannot be combined with --profile or --places"}
		}
		c, err := load.OpenCaseFile(pf.caseFile)
		if err != nil {
			return err
		}
		defer c.Close()
		paths = load.Paths{Dir: c.Dir, Places: c.PlacesPath(), Mirror: c.MirrorPath()}
	} else if paths, err = load.Resolve(pf.profile, pf.places, "", home, runtime.GOOS); err != nil {
		return err
	}
	if o.write {
		// Read what an interrupted bmtui write left, once it is finished
		// or rolled back.
		if _, err := apply.Recover(paths.Dir); err != nil {
			return fmt.Errorf("an interrupted bmtui operation is not finished: %w", err)
		}
	}
	shown := paths.Dir
	if pf.caseFile != "" {
		shown = "case " + pf.caseFile
	}
	in, err := scan.Profile(paths.Dir)
	if err != nil {
		return err
	}
	if pf.places != "" && filepath.Base(pf.places) != scan.PlacesName {
		// Another file stands for places.sqlite; the folder's other
		// sources are read as they are.
		if o.write {
			return usageError{"--write replaces a profile's places.sqlite: use --profile DIR"}
		}
		in.Places = scan.ReadPlaces(pf.places, filepath.Base(pf.places), true)
		if filepath.Base(pf.places) == scan.CorruptName {
			in.Corrupt = nil // read once, as the database
		}
	}
	now := time.Now()
	res, err := salvage.Rebuild(in, salvage.Options{Now: now.UnixMilli() * 1000})
	if err != nil {
		return err
	}
	rep := &res.Report
	if o.json {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(salvageReport{Profile: shown, Report: *rep}); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	} else {
		printSalvage(io.out, shown, rep)
		if o.tree {
			printSalvageTree(io.out, rep)
		}
	}
	if !rep.Recoverable {
		return errors.New("nothing to salvage: no source holds a bookmark or a page")
	}
	if o.write {
		return writeSalvage(ctx, o, io, paths.Dir, res, now)
	}
	if rep.Damaged {
		return errProblemsFound
	}
	return nil
}

func printSalvage(dst io.Writer, dir string, r *salvage.Report) {
	w := bufio.NewWriter(dst)
	defer w.Flush()
	fmt.Fprintf(w, "profile %s\n", dir)
	if r.Damaged {
		fmt.Fprintln(w, "damaged:")
		for _, why := range r.Why {
			fmt.Fprintf(w, "  %s\n", why)
		}
	} else {
		fmt.Fprintln(w, "nothing is damaged")
	}
	fmt.Fprintln(w, "sources:")
	for _, s := range r.Sources {
		fmt.Fprintf(w, "  %s (%s): ", s.Name, s.Kind)
		if s.Err != "" {
			fmt.Fprintf(w, "unreadable: %s\n", s.Err)
			continue
		}
		fmt.Fprintf(w, "%s", readLine(s.Read))
		if s.Kind != "mirror" {
			if s.Complete {
				fmt.Fprint(w, "; its bookmark GUIDs are complete")
			} else {
				fmt.Fprint(w, "; its bookmark GUIDs are incomplete")
			}
		}
		fmt.Fprintln(w)
		for i, d := range s.Damage {
			if i == 10 {
				fmt.Fprintf(w, "    ... %d more damaged spots\n", len(s.Damage)-i)
				break
			}
			tree := cmp.Or(d.Object, "(no table)")
			if len(d.Pages) > 0 {
				fmt.Fprintf(w, "    damaged: %s page %d: %s\n", tree, d.Pages[0], d.Detail)
			} else {
				fmt.Fprintf(w, "    damaged: %s\n", d.Detail)
			}
		}
	}
	for _, m := range r.Missing {
		fmt.Fprintf(w, "  %s: none\n", m)
	}
	c := r.Counts
	fmt.Fprintf(w, "rebuilt: %d bookmarks, %d folders, %d separators; %d pages, %d visits, %d keywords, %d tombstones\n",
		c.Bookmarks, c.Folders, c.Separators, c.Places, c.Visits, c.Keywords, c.Tombstones)
	if r.PagesNamed > 0 {
		fmt.Fprintf(w, "  %d pages whose rows were lost, named by their url_hash from another source's URL\n", r.PagesNamed)
	}
	if r.OrphanPages > 0 {
		fmt.Fprintf(w, "  %d pages left out that no bookmark, keyword or visit refers to (Firefox's expiration deletes them)\n", r.OrphanPages)
	}
	fmt.Fprintf(w, "  %d items from places.sqlite as they are (Sync state kept)", len(r.Items)-r.UncertainSum)
	wal, orphan := 0, 0
	for _, it := range r.Items {
		if it.From.WAL {
			wal++
		}
		if it.From.Orphan {
			orphan++
		}
	}
	if wal > 0 {
		fmt.Fprintf(w, ", %d of them from committed WAL frames", wal)
	}
	if orphan > 0 {
		fmt.Fprintf(w, ", %d from pages cut off from their table", orphan)
	}
	fmt.Fprintln(w)
	if r.UncertainSum > 0 {
		fmt.Fprintf(w, "  %d items from other sources (marked for Firefox's next sync to merge with the server):\n", r.UncertainSum)
		byFrom := map[string]int{}
		for _, it := range r.Items {
			if !it.Certain {
				from := it.From.Source
				if it.RowLost {
					from += ", their rows on damaged pages of places.sqlite"
				}
				byFrom[from]++
			}
		}
		for _, k := range sortedKeys(byFrom) {
			fmt.Fprintf(w, "    %d from %s\n", byFrom[k], k)
		}
	}
	if len(r.LostFolders) > 0 {
		fmt.Fprintf(w, "lost folders: %d\n", len(r.LostFolders))
		for _, f := range r.LostFolders {
			fmt.Fprintf(w, "  %s\n", f)
		}
		for _, it := range r.Items {
			if it.Placement != "" {
				fmt.Fprintf(w, "  %s %q: %s\n", it.GUID, it.Title, it.Placement)
			}
		}
	}
	items := map[string]salvage.Item{}
	for _, it := range r.Items {
		items[it.GUID] = it
	}
	if len(r.BackupOnly) > 0 {
		fmt.Fprintf(w, "only in an older backup (may be stale): %d\n", len(r.BackupOnly))
		for i, g := range r.BackupOnly {
			if more(w, i, len(r.BackupOnly)) {
				break
			}
			fmt.Fprintf(w, "  %s %q from %s\n", g, items[g].Title, items[g].From.Source)
		}
	}
	if len(r.Deleted) > 0 {
		fmt.Fprintf(w, "left deleted: %d\n", len(r.Deleted))
		for i, d := range r.Deleted {
			if more(w, i, len(r.Deleted)) {
				break
			}
			fmt.Fprintf(w, "  %s %q in %s: %s\n", d.GUID, d.Title, d.Source, d.Why)
		}
	}
	if len(r.Unrecovered) > 0 {
		fmt.Fprintf(w, "not recoverable: %d\n", len(r.Unrecovered))
		for i, l := range r.Unrecovered {
			if more(w, i, len(r.Unrecovered)) {
				break
			}
			fmt.Fprintf(w, "  %s in %s: %s\n", l.GUID, l.Source, l.Why)
		}
	}
	if r.Damaged && r.Recoverable {
		fmt.Fprintln(w, "bmtui salvage --write writes this tree in place of the damaged database (--json lists every item and its source)")
	}
}

// printSalvageTree prints the rebuilt tree, parents first, each item with
// its source and, when it moved, why.
func printSalvageTree(dst io.Writer, r *salvage.Report) {
	w := bufio.NewWriter(dst)
	defer w.Flush()
	kids := map[string][]salvage.Item{}
	for _, it := range r.Items {
		kids[it.ParentGUID] = append(kids[it.ParentGUID], it)
	}
	fmt.Fprintln(w, "tree:")
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, it := range kids[parent] {
			mark := map[int]string{1: "•", 2: "▸", 3: "─"}[it.Type]
			fmt.Fprintf(w, "%s%s %s %q  [%s]", strings.Repeat("  ", depth), mark, it.GUID, it.Title, it.From)
			if it.RowLost {
				fmt.Fprint(w, " (row lost in places.sqlite)")
			}
			if it.OnlyInBackup {
				fmt.Fprint(w, " (only in an older backup)")
			}
			if it.Placement != "" {
				fmt.Fprintf(w, " (%s)", it.Placement)
			}
			fmt.Fprintln(w)
			walk(it.GUID, depth+1)
		}
	}
	for _, root := range []string{salvage.MenuGUID, salvage.ToolbarGUID, salvage.UnfiledGUID, salvage.MobileGUID} {
		fmt.Fprintf(w, "%s\n", root)
		walk(root, 1)
	}
}

// listed is how many lines of one kind the text report shows; --json has
// them all.
const listed = 20

// more ends a long list after listed lines.
func more(w io.Writer, i, n int) bool {
	if i < listed {
		return false
	}
	fmt.Fprintf(w, "  ... %d more (--json lists them all)\n", n-i)
	return true
}

// readLine lists a source's counters, in a fixed order.
func readLine(m map[string]int) string {
	order := []string{"items", "namedOnly", "tombstones", "places", "visits", "keywords", "damagedCells"}
	names := map[string]string{"namedOnly": "named only by the GUID index", "damagedCells": "damaged rows"}
	var parts []string
	for _, k := range order {
		if v, ok := m[k]; ok && (v > 0 || k == "items") {
			n := names[k]
			if n == "" {
				n = k
			}
			parts = append(parts, fmt.Sprintf("%d %s", v, n))
		}
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
