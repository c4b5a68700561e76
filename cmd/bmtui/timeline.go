package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/source/diff"
)

type timelineOptions struct {
	profile profileFlags
	json    bool
	top     int
}

func newTimelineCmd(ctx context.Context, io stdio) *cobra.Command {
	var o timelineOptions
	c := &cobra.Command{
		Use:   "timeline [profile flags] [--top N] [--json]",
		Short: "List every copy of the bookmarks by time, and what changed from each to the next.",
		Long: "Reads Places, the Sync mirror, Firefox's backups (bookmarkbackups/), bookmarks.html,\n" +
			"places.sqlite.corrupt and bmtui's own backups, oldest first, and says what was added,\n" +
			"removed, moved, renamed or changed between each and the next: on which day a folder\n" +
			"vanished. Writes nothing.",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return runTimeline(ctx, &o, io) },
	}
	o.profile.register(c.Flags())
	c.Flags().IntVar(&o.top, "top", 10, "name at most `N` changed items per step (-1: all)")
	c.Flags().BoolVar(&o.json, "json", false, "print JSON")
	profileCompletions(c)
	return c
}

// The JSON shape of bmtui timeline.
type (
	timelineJSON struct {
		Profile string               `json:"profile"`
		Sources []timelineSourceJSON `json:"sources"`
		Steps   []timelineStepJSON   `json:"steps"`
	}
	timelineSourceJSON struct {
		ID    string    `json:"id"`
		Kind  string    `json:"kind"`
		Path  string    `json:"path"`
		Time  time.Time `json:"time"`
		Items int       `json:"items"`
		Error string    `json:"error,omitempty"`
	}
	timelineStepJSON struct {
		From    string            `json:"from"`
		To      string            `json:"to"`
		Added   int               `json:"added"`
		Removed int               `json:"removed"`
		Moved   int               `json:"moved"`
		Renamed int               `json:"renamed"`
		Changed int               `json:"changed"`
		Top     []timelineTopJSON `json:"top"`
		More    bool              `json:"more,omitempty"` // top was cut at --top
	}
	timelineTopJSON struct {
		GUID     string   `json:"guid"`
		Title    string   `json:"title"`
		Kind     string   `json:"kind"`
		Change   []string `json:"change"`
		Path     string   `json:"path"`
		OldPath  string   `json:"oldPath,omitempty"`
		OldTitle string   `json:"oldTitle,omitempty"`
		Items    int      `json:"items,omitempty"`
	}
)

func runTimeline(ctx context.Context, o *timelineOptions, io stdio) error {
	if o.top < -1 {
		return usageError{fmt.Sprintf("--top wants a count, or -1 for all; got %d", o.top)}
	}
	dir, cleanup, err := o.profile.sourcesDir()
	if err != nil {
		return err
	}
	defer cleanup()
	srcs, err := loadSources(ctx, dir)
	if err != nil {
		return err
	}
	points := make([]diff.Point, len(srcs))
	out := timelineJSON{Profile: dir, Steps: []timelineStepJSON{}}
	for i, s := range srcs {
		points[i] = diff.Point{ID: s.Entry.ID, Time: s.Time()}
		js := timelineSourceJSON{ID: s.Entry.ID, Kind: string(s.Entry.Kind), Path: s.Entry.Path, Time: s.Time().UTC()}
		if s.Result != nil {
			points[i].Tree = s.Result.Tree
			js.Items = diff.Count(s.Result.Tree)
		} else {
			js.Error = s.Err.Error()
		}
		out.Sources = append(out.Sources, js)
	}
	steps := diff.Timeline(points, o.top)
	for _, st := range steps {
		sj := timelineStepJSON{From: st.From, To: st.To, Added: st.Summary.Added, Removed: st.Summary.Removed,
			Moved: st.Summary.Moved, Renamed: st.Summary.Renamed, Changed: st.Summary.Changed, Top: []timelineTopJSON{}, More: st.Summary.More}
		for _, t := range st.Summary.Top {
			sj.Top = append(sj.Top, timelineTopJSON{GUID: t.GUID, Title: t.Title, Kind: t.Kind.String(), Change: t.Change.Names(),
				Path: t.Path, OldPath: t.OldPath, OldTitle: t.OldTitle, Items: t.Items})
		}
		out.Steps = append(out.Steps, sj)
	}
	w := bufio.NewWriter(io.out)
	defer w.Flush()
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printTimeline(w, out)
	return nil
}

// printTimeline writes the timeline for people: each source on a line
// (time, ID, item count, what changed since the one before), the
// changed items below it.
func printTimeline(w *bufio.Writer, t timelineJSON) {
	fmt.Fprintf(w, "Timeline of %s: %d sources, oldest first\n", t.Profile, len(t.Sources))
	byTo := map[string]timelineStepJSON{}
	for _, s := range t.Steps {
		byTo[s.To] = s
	}
	idw := 0
	for _, s := range t.Sources {
		idw = max(idw, len(s.ID))
	}
	for _, s := range t.Sources {
		fmt.Fprintf(w, "\n%s  %-*s  ", s.Time.Local().Format("2006-01-02 15:04 MST"), idw, s.ID)
		if s.Error != "" {
			fmt.Fprintf(w, "not read: %s\n", s.Error)
			continue
		}
		fmt.Fprintf(w, "%d items", s.Items)
		st, ok := byTo[s.ID]
		if !ok {
			fmt.Fprintln(w)
			continue
		}
		var counts []string
		for _, c := range []struct {
			n    int
			name string
		}{{st.Added, "added"}, {st.Removed, "removed"}, {st.Moved, "moved"}, {st.Renamed, "renamed"}, {st.Changed, "changed"}} {
			if c.n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", c.n, c.name))
			}
		}
		if len(counts) == 0 {
			fmt.Fprintf(w, "  (same as %s)\n", st.From)
			continue
		}
		fmt.Fprintf(w, "  (since %s: %s)\n", st.From, strings.Join(counts, ", "))
		for _, top := range st.Top {
			fmt.Fprintf(w, "    %-8s %s\n", strings.Join(top.Change, "+"), topLine(top))
		}
		if st.More {
			fmt.Fprintf(w, "    … (--top -1 names every one)\n")
		}
	}
}

func topLine(t timelineTopJSON) string {
	title := t.Title
	if title == "" {
		title = t.GUID
	}
	s := fmt.Sprintf("%q [%s]", title, t.GUID)
	switch {
	case t.OldPath != "" && t.OldPath != t.Path:
		s += fmt.Sprintf(" %s -> %s", t.OldPath, t.Path)
	default:
		s += " in " + t.Path
	}
	if t.OldTitle != "" && t.OldTitle != t.Title {
		s += fmt.Sprintf(", was %q", t.OldTitle)
	}
	if t.Items > 0 {
		s += fmt.Sprintf(", with %d items in it", t.Items)
	}
	return s
}
