package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/salvage/salvaged"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/catalog"
	"github.com/bmtui/bmtui/source/search"
)

type findOptions struct {
	profile profileFlags
	json    bool
}

// errNothingFound makes find exit with code 4 after printing its report.
var errNothingFound = errors.New("nothing found")

func newFindCmd(ctx context.Context, io stdio) *cobra.Command {
	var o findOptions
	c := &cobra.Command{
		Use:   "find QUERY [profile flags] [--json]",
		Short: "Search every copy of the bookmarks (Places, the Sync mirror, backups) by title, URL or GUID; exit 4 if nothing matches.",
		Long: "Words must all match, in the title, URL (host included) or GUID, whatever the case\n" +
			"and accents; \"quotes\" keep a phrase together; title:, url:, host: and guid: limit a\n" +
			"word to that field. For each item found: the sources that hold it and its folder in\n" +
			"each, whether and when it was deleted, whether the server has it, where it is now.\n" +
			"Exits 4 when nothing matches.",
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usageError{"find wants a QUERY (quote it if it has spaces)"}
			case len(args) > 1:
				return usageError{fmt.Sprintf("find wants one QUERY, got %d words (quote it: bmtui find %q)", len(args), strings.Join(args, " "))}
			case search.Parse(args[0]).Empty():
				return usageError{"the QUERY is empty"}
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error { return runFind(ctx, args[0], &o, io) },
	}
	o.profile.register(c.Flags())
	c.Flags().BoolVar(&o.json, "json", false, "print JSON")
	profileCompletions(c)
	return c
}

func runFind(ctx context.Context, query string, o *findOptions, io stdio) error {
	ix, notes, cleanup, err := o.profile.openSources(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	for _, n := range notes {
		fmt.Fprintf(io.err, "bmtui: note: %s\n", n)
	}
	matches, _ := ix.Find(query, 0)
	w := bufio.NewWriter(io.out)
	if o.json {
		if err := writeFindJSON(w, jsonout.NewFind(query, ix, matches)); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	} else {
		printFind(w, query, ix, matches)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if len(matches) == 0 {
		return errNothingFound
	}
	return nil
}

// writeFindJSON writes f exactly as a json.Encoder indenting by two
// spaces does, one match at a time: a search matching thousands of items
// makes megabytes of JSON, which the encoder would hold twice over (as
// marshalled, then indented) in memory that a short-lived process pays
// for in page faults.
func writeFindJSON(w io.Writer, f *jsonout.Find) error {
	head := *f
	if len(f.Matches) > 0 {
		head.Matches = []jsonout.FindMatch{}
	}
	js, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return err
	}
	const emptyTail = "[]\n}" // Matches is the last field
	if len(f.Matches) == 0 || !bytes.HasSuffix(js, []byte(emptyTail)) {
		_, err := fmt.Fprintf(w, "%s\n", js)
		return err
	}
	if _, err := fmt.Fprintf(w, "%s[\n", js[:len(js)-len(emptyTail)]); err != nil {
		return err
	}
	for i := range f.Matches {
		m, err := json.MarshalIndent(&f.Matches[i], "    ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n"
		if i == len(f.Matches)-1 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "    %s%s", m, sep); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "  ]\n}\n")
	return err
}

// findTime is how find prints a time: to the minute, UTC.
func findTime(t time.Time) string {
	if t.IsZero() {
		return "time unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func printFind(w io.Writer, query string, ix *search.Index, matches []search.Match) {
	srcs := ix.Sources()
	idw := 0
	for _, s := range srcs {
		idw = max(idw, len(s.ID))
	}
	fmt.Fprintf(w, "searched %d sources:\n", len(srcs))
	for i, s := range srcs {
		fmt.Fprintf(w, "  %-*s  %s  %d items  %s\n", idw, s.ID, findTime(s.Time), ix.Items(i), s.Path)
	}
	if len(matches) == 0 {
		fmt.Fprintf(w, "nothing matches %q\n", query)
		return
	}
	noun := "items match"
	if len(matches) == 1 {
		noun = "item matches"
	}
	fmt.Fprintf(w, "%d %s %q:\n", len(matches), noun, query)
	for _, m := range matches {
		title := m.Title
		if title == "" {
			title = "(no title)"
		}
		fmt.Fprintf(w, "\n%s %q", m.GUID, title)
		if m.URL != "" {
			fmt.Fprintf(w, " <%s>", m.URL)
		}
		fmt.Fprintln(w)
		switch {
		case m.Now != nil:
			fmt.Fprintf(w, "  now:     in %s\n", m.Now.Path)
		case ix.HasPlaces():
			fmt.Fprintf(w, "  now:     not in Places\n")
		}
		if m.Deleted != nil {
			fmt.Fprintf(w, "  deleted: %s (%s)\n", findTime(m.Deleted.Time), m.Deleted.By)
		}
		switch {
		case !m.HasMirror:
		case m.OnServer:
			fmt.Fprintf(w, "  server:  has it\n")
		default:
			fmt.Fprintf(w, "  server:  does not have it\n")
		}
		for i, s := range m.Seen {
			label := "  seen:    "
			if i > 0 {
				label = strings.Repeat(" ", len(label))
			}
			fmt.Fprintf(w, "%s%-*s  %s  %s\n", label, idw, s.Source, findTime(s.Time), s.Path)
		}
		if len(m.Seen) == 0 {
			fmt.Fprintf(w, "  seen:    in no source (only a tombstone names it)\n")
		}
	}
}

// openSources loads every source the profile flags name, for a search
// (see searchSources); cleanup removes a demo profile.
func (p *profileFlags) openSources(ctx context.Context) (ix *search.Index, notes []string, cleanup func(), err error) {
	if p.demo && (p.profile != "" || p.places != "" || p.mirror != "") {
		return nil, nil, nil, usageError{"--demo cannot be combined with --profile, --places or --mirror"}
	}
	cleanup = func() {}
	dir := p.profile
	if p.demo {
		tmp, err := os.MkdirTemp("", "bmtui-demo-")
		if err != nil {
			return nil, nil, nil, fmt.Errorf("create demo folder: %w", err)
		}
		cleanup = func() { os.RemoveAll(tmp) }
		if dir, err = demo.Create(tmp, time.Now()); err != nil {
			cleanup()
			return nil, nil, nil, fmt.Errorf("create demo profile: %w", err)
		}
	}
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(dir, p.places, p.mirror, home, runtime.GOOS)
	if err == nil {
		ix, notes, err = searchSources(ctx, paths, p.places != "")
	}
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	return ix, notes, cleanup, nil
}

// searchSources loads and indexes the sources to search: with onlyFiles
// the two databases paths names, else every source of the profile folder
// (source/catalog). Several load at once; each is indexed as soon as it
// is read and its tree dropped, so fifteen large backups never sit in
// memory together. A source that cannot be read is left out with a note;
// only when none can is it an error.
func searchSources(ctx context.Context, paths load.Paths, onlyFiles bool) (ix *search.Index, notes []string, err error) {
	var entries []source.Entry
	if onlyFiles {
		for _, f := range []struct {
			id, path string
			kind     source.Kind
		}{{catalog.IDPlaces, paths.Places, source.Places}, {catalog.IDMirror, paths.Mirror, source.Mirror}} {
			if f.path == "" {
				continue
			}
			e, err := catalog.FileEntry(f.path)
			if err != nil {
				return nil, nil, err
			}
			e.ID, e.Kind = f.id, f.kind
			entries = append(entries, e)
		}
	} else if entries, err = catalog.List(paths.Dir, salvaged.WhenDamaged); err != nil {
		return nil, nil, err
	}
	b := search.NewBuilder()
	// Oldest first, by the time each describes (the mirror's last sync is
	// known only once it is read), then as the catalog lists them.
	b.Order = func(x, y search.Source) int { return x.Time.Compare(y.Time) }
	clock := time.Now()
	errs, damage := indexSources(ctx, b, entries, 0, clock, !onlyFiles)
	// A places.sqlite whose header is sound but which did not load, or
	// whose structural check found damage, has its salvaged tree searched
	// too (salvaged.WhenDamaged saw the other troubles before reading).
	if !onlyFiles && !hasEntry(entries, salvaged.ID) {
		for i, e := range entries {
			if e.ID != catalog.IDPlaces {
				continue
			}
			if more := salvaged.WhenPlacesDamaged(paths.Dir, errs[i], damage); len(more) > 0 {
				moreErrs, _ := indexSources(ctx, b, more, len(entries), clock, false)
				entries, errs = append(entries, more...), append(errs, moreErrs...)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			notes = append(notes, "left out "+oneLine(err.Error()))
		}
	}
	if failed == len(entries) && failed > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if len(entries) == 0 {
		return nil, nil, fmt.Errorf("profile %s has no bookmarks to search (no places.sqlite, mirror or backup)", paths.Dir)
	}
	return b.Build(), notes, nil
}

// indexSources reads entries, several at once and the largest first, and
// adds each to b, entries[i] ranked first+i. errs[i] says why entries[i]
// could not be read; with checkPlaces, damage is what SQLite's structural
// check found in places.sqlite (the check its loading started, waited for
// while the other sources are read). Each reading goroutine lends its own
// scratch storage to the sources it reads in turn, so that a dozen
// backups of one size are decompressed into the same memory.
func indexSources(ctx context.Context, b *search.Builder, entries []source.Entry, first int, clock time.Time, checkPlaces bool) (errs []error, damage []dbcheck.Damage) {
	errs = make([]error, len(entries))
	order := catalog.LargestFirst(entries)
	var (
		next    atomic.Int32
		readers sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), len(order)) {
		readers.Go(func() {
			var scratch source.Scratch
			for k := int(next.Add(1)) - 1; k < len(order); k = int(next.Add(1)) - 1 {
				i := order[k]
				e := entries[i]
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				check := checkPlaces && e.ID == catalog.IDPlaces && e.Kind == source.Places
				d, err := catalog.LoadOutline(e, clock, check, &scratch, func(o *source.Outline, r *source.Result) {
					src := search.Source{ID: e.ID, Kind: string(e.Kind), Path: e.Path, Outline: o, Result: r}
					if o != nil {
						src.Time = sourceTime(e, o.Provenance)
					} else {
						src.Time = sourceTime(e, r.Provenance)
					}
					b.Add(first+i, src)
				})
				if err != nil {
					errs[i] = fmt.Errorf("%s: %w", e.ID, err)
				}
				if check {
					damage = d
				}
			}
		})
	}
	readers.Wait()
	return errs, damage
}

// sourceTime is the moment a source describes: for the live Places
// database the file's time, else what reading it found (the mirror's last
// sync, a backup's date), else the entry's.
func sourceTime(e source.Entry, p source.Provenance) time.Time {
	if e.Kind == source.Places || p.At.IsZero() {
		return e.Time
	}
	return p.At
}
