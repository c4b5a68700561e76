package dupes

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/bmtui/bmtui/sync/tree"
)

// JSONReport is what `bmtui dupes --json` prints.
type JSONReport struct {
	Side  string `json:"side"`
	Items int    `json:"items"`
	// Backups names the backups read, newest first; BackupsFound counts
	// those in bookmarkbackups/, read or not (only the newest are read).
	Backups      []string    `json:"backups"`
	BackupsFound int         `json:"backupsFound"`
	Groups       []JSONGroup `json:"groups"`
	Summary      JSONSummary `json:"summary"`
}

// JSONGroup is one group. Keep is the GUID of the copy that stays (null
// when none does); Copies lists every member, the keeper too.
type JSONGroup struct {
	ID      string     `json:"id"`
	Kind    Kind       `json:"kind"`
	Keep    *string    `json:"keep"`
	Default *string    `json:"default"`
	Fix     bool       `json:"fix"`
	Copies  []JSONCopy `json:"copies"`
	Reason  string     `json:"reason"`
	// Flattened groups: the folder restored, the reference it comes
	// from, and the folder its items sit in now.
	Folder *JSONCopy `json:"folder,omitempty"`
	From   string    `json:"from,omitempty"`
	Into   string    `json:"into,omitempty"`
	// Nested are the flattened folders inside Folder that go back in it.
	Nested []JSONCopy `json:"nested,omitempty"`
}

// JSONCopy is one member and its provenance.
type JSONCopy struct {
	GUID       string   `json:"guid"`
	Kind       string   `json:"kind"`
	Title      string   `json:"title"`
	URL        string   `json:"url,omitempty"`
	Path       string   `json:"path"`
	DateAdded  int64    `json:"dateAdded"`
	Sides      string   `json:"sides"`
	Backups    []string `json:"backups"`
	SyncStatus string   `json:"syncStatus,omitempty"`
	Children   int      `json:"children,omitempty"`
}

// JSONSummary counts groups per kind, and those to fix.
type JSONSummary struct {
	Groups      int `json:"groups"`
	ToFix       int `json:"toFix"`
	Copies      int `json:"copies"`
	TwinFolders int `json:"twin-folders"`
	Flattened   int `json:"flattened"`
	SameURL     int `json:"same-url"`
	// Removed is how many copies the fix removes (items, not groups).
	Removed int `json:"removed"`
}

func jsonCopy(c *Copy) JSONCopy {
	j := JSONCopy{GUID: c.GUID, Kind: c.Kind.String(), Title: c.Title, URL: c.URL, Path: c.Path,
		DateAdded: c.DateAdded, Sides: c.Sides.String(), Backups: c.Backups, Children: c.Children}
	if j.Backups == nil {
		j.Backups = []string{}
	}
	if c.SyncStatus >= 0 {
		j.SyncStatus = tree.SyncStatusName(c.SyncStatus)
	}
	return j
}

// JSON is the report as --json prints it; backups names the references
// read, newest first.
func (r *Report) JSON(backups []string) JSONReport {
	out := JSONReport{Side: r.Side.String(), Items: r.Items, Backups: backups, BackupsFound: len(backups), Groups: make([]JSONGroup, 0, len(r.Groups))}
	if out.Backups == nil {
		out.Backups = []string{}
	}
	for i := range r.Groups {
		g := &r.Groups[i]
		jg := JSONGroup{ID: g.ID, Kind: g.Kind, Fix: g.Fix, Reason: g.Reason, From: g.From, Into: g.Into}
		if k := g.Keeper(); k != nil {
			jg.Keep = &k.GUID
		}
		if g.Default >= 0 {
			jg.Default = &g.Copies[g.Default].GUID
		}
		for j := range g.Copies {
			jg.Copies = append(jg.Copies, jsonCopy(&g.Copies[j]))
		}
		if g.Folder != nil {
			f := jsonCopy(g.Folder)
			jg.Folder = &f
		}
		for j := range g.Nested {
			jg.Nested = append(jg.Nested, jsonCopy(&g.Nested[j]))
		}
		out.Groups = append(out.Groups, jg)
	}
	c := r.Counts()
	out.Summary = JSONSummary{Groups: len(r.Groups), ToFix: r.ToFix(), Copies: c[Copies], TwinFolders: c[TwinFolders],
		Flattened: c[Flattened], SameURL: c[SameURL], Removed: r.Removed()}
	return out
}

// Removed is how many copies the groups marked to fix remove.
func (r *Report) Removed() int {
	n := 0
	for i := range r.Groups {
		g := &r.Groups[i]
		if g.Fix && g.Kind != Flattened && g.Keep >= 0 {
			n += len(g.Copies) - 1
		}
	}
	return n
}

// WriteText prints the report for people: each group, its copies with
// where they came from (▶ marks the keeper), and a summary line.
func (r *Report) WriteText(dst io.Writer) error {
	w := bufio.NewWriter(dst)
	for i := range r.Groups {
		g := &r.Groups[i]
		state := "fix"
		if !g.Fix {
			state = "report only"
		}
		first := &g.Copies[0]
		where := first.Path
		if g.Kind == Flattened && g.Folder != nil {
			where = g.Folder.Path
		}
		fmt.Fprintf(w, "%-12s %s  %s  (%d, %s)\n", g.Kind, g.ID, where, len(g.Copies), state)
		for j := range g.Copies {
			c := &g.Copies[j]
			mark := " "
			if j == g.Keep {
				mark = "▶"
			}
			fmt.Fprintf(w, "  %s %s  %s  %s  %s", mark, c.GUID, dateOf(c.DateAdded), c.Sides, c.Path)
			if c.URL != "" {
				fmt.Fprintf(w, "  <%s>", c.URL)
			}
			if c.SyncStatus >= 0 {
				fmt.Fprintf(w, "  %s", tree.SyncStatusName(c.SyncStatus))
			}
			fmt.Fprintf(w, "  backups: %d\n", len(c.Backups))
		}
		fmt.Fprintf(w, "    why: %s\n", g.Reason)
	}
	c := r.Counts()
	fmt.Fprintf(w, "%d groups: %d copies, %d twin-folders, %d flattened, %d same-url; %d to fix (%d copies removed)\n",
		len(r.Groups), c[Copies], c[TwinFolders], c[Flattened], c[SameURL], r.ToFix(), r.Removed())
	return w.Flush()
}

func dateOf(us int64) string {
	if us <= 0 {
		return "????-??-?? ??:??"
	}
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04")
}
