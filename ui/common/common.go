// Package common holds what every bmtui UI component shares (after
// soft-serve's pkg/ui/common): the theme, the clock and the helpers that
// turn a tree node into text.
package common

import (
	"fmt"
	"strings"
	"time"

	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
)

// Common is handed to every component.
type Common struct {
	Theme *themes.Theme
	Now   func() time.Time // the clock for relative dates; nil means time.Now
}

// New returns a Common with the default dark theme and the real clock.
func New() Common { return Common{Theme: themes.Default(true)} }

// Time returns the current time from the configured clock.
func (c Common) Time() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Title is what a person reads as the item's title: the name Firefox
// shows for a built-in root (whatever Places stores, "menu" or ""), else
// the title from Info, else from its dedupe content, else "".
func Title(it *tree.Item) string {
	if name := tree.RootTitle(it.GUID); name != "" {
		return name
	}
	if it.Info != nil && it.Info.Title != "" {
		return it.Info.Title
	}
	if it.Content != nil && it.Content.Title != "" {
		return it.Content.Title
	}
	return ""
}

// URL is the item's URL from Info or its dedupe content.
func URL(it *tree.Item) string {
	if it.Info != nil && it.Info.URL != "" {
		return it.Info.URL
	}
	if it.Content != nil {
		return it.Content.URL
	}
	return ""
}

// Label is what a row shows: the title, else the URL, else "(untitled)".
func Label(it *tree.Item) string {
	if s := Title(it); s != "" {
		return s
	}
	if s := URL(it); s != "" {
		return s
	}
	return "(untitled)"
}

// SingleLine replaces control characters (newlines in titles) by spaces.
func SingleLine(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// FindingIndex groups findings by GUID.
type FindingIndex map[string][]check.Finding

// IndexFindings builds a FindingIndex from findings (of one side).
func IndexFindings(findings []check.Finding) FindingIndex {
	if len(findings) == 0 {
		return nil
	}
	idx := make(FindingIndex, len(findings))
	for _, f := range findings {
		idx[f.GUID] = append(idx[f.GUID], f)
	}
	return idx
}

// FormatMicros formats a Places timestamp (µs since the epoch) as
// "2006-01-02 15:04:05 UTC (3 days ago)".
func FormatMicros(us int64, now time.Time) string {
	if us <= 0 {
		return "—"
	}
	return FormatTime(time.UnixMicro(us), now)
}

// FormatMillis formats a Sync server timestamp (ms since the epoch).
func FormatMillis(ms int64, now time.Time) string {
	if ms <= 0 {
		return "—"
	}
	return FormatTime(time.UnixMilli(ms), now)
}

// FormatTime formats t in UTC with a relative time against now.
func FormatTime(t time.Time, now time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 UTC") + " (" + Relative(t, now) + ")"
}

// Relative says how long ago (or in how long) t is from now.
func Relative(t, now time.Time) string {
	d := now.Sub(t)
	suffix := "ago"
	if d < 0 {
		d, suffix = -d, "from now"
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	case d < 30*24*time.Hour:
		s = plural(int(d/(24*time.Hour)), "day")
	case d < 365*24*time.Hour:
		s = plural(int(d/(30*24*time.Hour)), "month")
	default:
		s = plural(int(d/(365*24*time.Hour)), "year")
	}
	return s + " " + suffix
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// KindGlyph is the glyph of an item of kind k; open and empty only matter
// for folders.
func KindGlyph(g themes.Glyphs, k tree.Kind, open, empty bool) string {
	switch k {
	case tree.KindFolder:
		switch {
		case empty:
			return g.FolderEmpty
		case open:
			return g.FolderOpen
		}
		return g.FolderClosed
	case tree.KindBookmark:
		return g.Bookmark
	case tree.KindQuery:
		return g.Query
	case tree.KindSeparator:
		return g.Separator
	case tree.KindLivemark:
		return g.Livemark
	}
	return "?"
}
