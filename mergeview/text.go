package mergeview

import (
	"fmt"
	"strings"

	"github.com/bmtui/bmtui/sync/tree"
)

// Ago formats an age in milliseconds for people: "now", "40 s", "5 min",
// "2 h", "3 d", "4 mo", "2 y".
func Ago(ms int64) string {
	if ms < 0 {
		ms = 0
	}
	s := ms / 1000
	switch {
	case s < 1:
		return "now"
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min", s/60)
	case s < 48*3600:
		return fmt.Sprintf("%d h", s/3600)
	case s < 60*86400:
		return fmt.Sprintf("%d d", s/86400)
	case s < 730*86400:
		return fmt.Sprintf("%d mo", s/(30*86400))
	}
	return fmt.Sprintf("%d y", s/(365*86400))
}

func ago(ms int64) string {
	a := Ago(ms)
	if a == "now" {
		return "just now"
	}
	return a + " ago"
}

// agesText is "2 h vs 5 h ago" (or "just now vs 5 h ago").
func agesText(a, b int64) string {
	x, y := Ago(a), Ago(b)
	if x == y && a != b {
		// Too close for the coarse units: show what tells them apart.
		if max(a, b) < 1000 {
			return fmt.Sprintf("%d ms vs %d ms ago", a, b)
		}
		return fmt.Sprintf("%d s vs %d s ago", a/1000, b/1000)
	}
	if x == "now" {
		x = "just now"
	}
	return x + " vs " + ago(b)
}

func q(s string) string { return "“" + s + "”" }

// differing describes the first field in which a differs from b, as
// "title “X”", "URL x", "keyword “k”", "tags [a, b]", or "version".
func differing(a, b *tree.Node) string {
	at, au := valueOf(a)
	bt, bu := valueOf(b)
	switch {
	case at != bt:
		return "title " + q(at)
	case au != bu:
		return "URL " + au
	}
	if a.Info != nil && b.Info != nil {
		if a.Info.Keyword != b.Info.Keyword {
			if a.Info.Keyword == "" {
				return "version without keyword"
			}
			return "keyword " + q(a.Info.Keyword)
		}
		if x, y := tagString(a.Info.Tags), tagString(b.Info.Tags); x != y {
			return "tags [" + x + "]"
		}
	}
	return "version"
}

func joinNames(names []string) string {
	qs := make([]string, len(names))
	for i, n := range names {
		qs[i] = q(n)
	}
	return strings.Join(qs, ", ")
}
