package jsonout

import (
	"time"

	"github.com/bmtui/bmtui/source/search"
)

// Find is `bmtui find --json`.
type Find struct {
	Query   string       `json:"query"`
	Sources []FindSource `json:"sources"`
	Matches []FindMatch  `json:"matches"`
}

// FindSource is one source searched.
type FindSource struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Path  string `json:"path"`
	Time  string `json:"time"` // RFC 3339, UTC
	Items int    `json:"items"`
}

// FindMatch is one item found.
type FindMatch struct {
	GUID    string        `json:"guid"`
	Title   string        `json:"title"`
	URL     string        `json:"url"`
	Now     *FindPlace    `json:"now"`
	Seen    []FindSeen    `json:"seen"`
	Deleted *FindDeletion `json:"deleted"`
}

// FindPlace is where an item lives now.
type FindPlace struct {
	Path string `json:"path"`
}

// FindSeen is one source holding the item.
type FindSeen struct {
	Source string `json:"source"`
	Path   string `json:"path"`
	Time   string `json:"time"`
}

// FindDeletion is the earliest recorded deletion.
type FindDeletion struct {
	Time string `json:"time"`
	By   string `json:"by"`
}

// Timestamp is how find's JSON writes a time: RFC 3339 in UTC, "" for
// none.
func Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// NewFind renders a search and its matches.
func NewFind(query string, ix *search.Index, matches []search.Match) *Find {
	out := &Find{Query: query, Sources: []FindSource{}, Matches: make([]FindMatch, 0, len(matches))}
	for i, s := range ix.Sources() {
		out.Sources = append(out.Sources, FindSource{ID: s.ID, Kind: s.Kind, Path: s.Path, Time: Timestamp(s.Time), Items: ix.Items(i)})
	}
	for _, m := range matches {
		fm := FindMatch{GUID: m.GUID, Title: m.Title, URL: m.URL, Seen: make([]FindSeen, 0, len(m.Seen))}
		if m.Now != nil {
			fm.Now = &FindPlace{Path: m.Now.Path}
		}
		for _, s := range m.Seen {
			fm.Seen = append(fm.Seen, FindSeen{Source: s.Source, Path: s.Path, Time: Timestamp(s.Time)})
		}
		if m.Deleted != nil {
			fm.Deleted = &FindDeletion{Time: Timestamp(m.Deleted.Time), By: m.Deleted.By}
		}
		out.Matches = append(out.Matches, fm)
	}
	return out
}
