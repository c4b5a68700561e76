package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bmtui/bmtui/internal/jsonout"
)

// writeFindJSON writes, one match at a time, exactly what json.Encoder
// with a two-space indent writes of the whole.
func TestWriteFindJSON(t *testing.T) {
	seen := []jsonout.FindSeen{{Source: "places", Path: "Menu / <a&b>", Time: "2026-11-23T00:00:00Z"}, {Source: "backup:2026-11-22", Path: "Caf\u00e9 \u2028", Time: ""}}
	match := jsonout.FindMatch{GUID: "aaaaaaaaaaaa", Title: "T \"q\"", URL: "https://x.example/?a=1&b=2", Now: &jsonout.FindPlace{Path: "Menu"}, Seen: seen,
		Deleted: &jsonout.FindDeletion{Time: "2026-11-24T00:00:00Z", By: "places"}}
	bare := jsonout.FindMatch{GUID: "bbbbbbbbbbbb", Seen: []jsonout.FindSeen{}}
	sources := []jsonout.FindSource{{ID: "places", Kind: "places", Path: "/p/places.sqlite", Time: "2026-11-23T00:00:00Z", Items: 3}}
	for name, f := range map[string]*jsonout.Find{
		"no sources, no matches": {Query: "x", Sources: []jsonout.FindSource{}, Matches: []jsonout.FindMatch{}},
		"nil matches":            {Query: "x", Sources: sources},
		"one match":              {Query: "day 3", Sources: sources, Matches: []jsonout.FindMatch{match}},
		"several matches":        {Query: "a <b>", Sources: sources, Matches: []jsonout.FindMatch{match, bare, match}},
	} {
		t.Run(name, func(t *testing.T) {
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(f); err != nil {
				t.Fatal(err)
			}
			if err := writeFindJSON(&got, f); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("got\n%s\nwant\n%s", got.String(), want.String())
			}
		})
	}
}
