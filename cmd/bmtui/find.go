package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/internal/jsonout"
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
	sources, cleanup, err := o.profile.openSources(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	ix := search.New(sources)
	matches, _ := ix.Find(query, 0)
	w := bufio.NewWriter(io.out)
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(jsonout.NewFind(query, ix, matches)); err != nil {
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

// openSources loads every source the profile flags name, for a search.
func (p *profileFlags) openSources(_ context.Context) ([]search.Source, func(), error) {
	prof, cleanup, err := p.open()
	if err != nil {
		return nil, nil, err
	}
	srcs := []search.Source{{ID: "places", Kind: string(prof.Local.Provenance.Kind), Path: prof.Local.Provenance.Path, Time: prof.Local.Provenance.At, Result: prof.Local}}
	if prof.Remote != nil {
		srcs = append(srcs, search.Source{ID: "mirror", Kind: string(prof.Remote.Provenance.Kind), Path: prof.Remote.Provenance.Path, Time: prof.Remote.Provenance.At, Result: prof.Remote})
	}
	return srcs, cleanup, nil
}
